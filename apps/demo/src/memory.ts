import {
  type AccessLog,
  type Accessor,
  type Clock,
  type ConsentGate,
  createVirtualClock,
  duration,
  type Fact,
  isWithin,
  type SuppressionSource,
} from '@candor/core';
import type { BriefPage, Explainer } from '@candor/explain';
import {
  createMemoryBook,
  holdWhileComplaintOpen,
  type Memory,
  type MemoryBook,
  type MemoryStore,
} from '@candor/memory';
import type { FactProvider } from '@candor/rules';

/**
 * The demo's memory: what customers told us and why (a reason given at checkout), complaints
 * and support cases, on `@candor/memory` over the demo's database. It feeds the rules (a recalled
 * reason is a fact with its provenance), holds marketing back while a complaint is open, gives
 * staff a brief (rendered by `@candor/explain`) and customers their own view with controls.
 */

/** Where a reason given at checkout lives in the rules' facts. */
export const STATED_REASON_PATH = 'purchase.statedReason';
const REASON_CATEGORY = 'user.behavior.purchase_reason';
const SUPPORT_CATEGORY = 'user.support';
const SUPPORT_PURPOSE = 'service.support';
const PROACTIVE_PURPOSE = 'service.proactive_support';

/** One memory as the customer sees it: in words, with where it came from and when. */
export interface MemoryItemView {
  readonly id: string;
  readonly kind: Memory['kind'];
  /** What kind of thing it is, in words ("A reason you gave"). */
  readonly label: string;
  readonly text: string;
  readonly about: string | null;
  readonly source: string;
  readonly at: number;
  readonly open: boolean;
  readonly resolution: string | null;
  /** Whether the customer can correct it here (their reasons and preferences). */
  readonly correctable: boolean;
  /** "Corrected by you" when it replaced an earlier version. */
  readonly corrected: boolean;
}

export interface MemoryPageView {
  readonly items: readonly MemoryItemView[];
  /** "Deleted at your request on …" lines: kind and date only, nothing of the content. */
  readonly erased: readonly { readonly label: string; readonly at: number }[];
  /** While a complaint is open, the plain reason marketing waits. */
  readonly holdingBack: string | null;
}

export interface DemoMemory {
  readonly facts: FactProvider;
  /** Wraps a suppression source: marketing waits while the customer has an open complaint. */
  suppressions(inner: SuppressionSource): SuppressionSource;
  sayWhy(subject: string, item: string, reason: string): Promise<void>;
  page(subject: string): Promise<MemoryPageView>;
  correct(subject: string, memoryId: string, text: string): Promise<boolean>;
  erase(subject: string, memoryId: string): Promise<boolean>;
  brief(subject: string): Promise<BriefPage>;
  openComplaints(subject: string): Promise<readonly MemoryItemView[]>;
  recordComplaint(subject: string, summary: string): Promise<void>;
  resolveComplaint(subject: string, memoryId: string, resolution: string): Promise<boolean>;
  /** Seeds a resolved complaint for a customer on a store that has none yet. */
  seed(subject: string): Promise<void>;
}

const HOLD_BACK =
  'While your complaint is open, we do not send you offers. They resume once it is resolved.';
const LABELS: Readonly<Record<Memory['kind'], string>> = {
  stated_reason: 'A reason you gave',
  preference: 'A preference you told us',
  support_case: 'A support case',
  complaint: 'A complaint',
  staff_note: 'A note from our staff',
};
const SOURCES: Readonly<Record<string, string>> = {
  checkout: 'you told us at checkout',
  support: 'our support team',
  correction: 'you corrected it here',
};
const staff: Accessor = { kind: 'staff', id: 'demo-operator' };
const guard: Accessor = { kind: 'feature', id: 'marketing-hold' };

export function createDemoMemory(options: {
  readonly store: MemoryStore;
  readonly consent: ConsentGate;
  readonly clock: Clock;
  readonly explainer: Explainer;
  /** Where each recall is recorded, for the customer's "When we used your data" page. */
  readonly accessLog?: AccessLog;
}): DemoMemory {
  const { store, consent, clock, explainer, accessLog } = options;
  const book: MemoryBook = createMemoryBook({
    consent,
    store,
    clock,
    ...(accessLog ? { accessLog } : {}),
  });
  // Offers wait while a complaint is open (@candor/memory's hold, checked again by the engine's
  // prepare before each evaluation, and here after each change).
  let hold: SuppressionSource | null = null;
  const refresh = async (subject: string) => {
    await hold?.prepare?.([subject]);
  };
  const mine = async (subject: string, memoryId: string) =>
    (await book.list(subject)).active.find((m) => m.id === memoryId);
  const view = (m: Memory): MemoryItemView => {
    const c = m.content;
    const text =
      c.kind === 'stated_reason'
        ? c.reason
        : c.kind === 'preference'
          ? c.value
          : c.kind === 'staff_note'
            ? c.note
            : c.summary;
    const open = (c.kind === 'complaint' || c.kind === 'support_case') && c.status === 'open';
    return {
      id: m.id,
      kind: m.kind,
      label: LABELS[m.kind],
      text,
      about: m.about?.label ?? null,
      source: SOURCES[m.provenance.source] ?? 'our records',
      at: m.provenance.observedAt,
      open,
      resolution:
        (c.kind === 'complaint' || c.kind === 'support_case') && c.resolution !== undefined
          ? c.resolution
          : null,
      correctable: c.kind === 'stated_reason' || c.kind === 'preference',
      corrected: m.supersedes !== undefined,
    };
  };
  const complaint = async (subject: string, summary: string, at = clock.now()) =>
    book.remember({
      subject,
      content: { kind: 'complaint', summary, status: 'open' },
      category: SUPPORT_CATEGORY,
      provenance: { source: 'support', kind: 'stated', observedAt: at, party: 'first' },
      purposes: [SUPPORT_PURPOSE],
    });

  return {
    facts: {
      // A reason the customer gave, recalled under consent for proactive help, as a rule fact
      // with its provenance (what they said, at checkout, when).
      async fetch(request) {
        if (
          !request.paths.includes(STATED_REASON_PATH) ||
          !request.dataCategories.some((c) => isWithin(REASON_CATEGORY, c))
        )
          return [];
        const { facts } = await book.recall(request.subject, {
          purpose: PROACTIVE_PURPOSE,
          accessor: { kind: 'rule', id: 'memory', version: 1 },
          at: request.event.at,
        });
        const reasons = facts
          .filter((f) => f.path.startsWith('memory.stated_reason.'))
          .sort((a, b) => b.provenance.observedAt - a.provenance.observedAt);
        const latest = reasons[0];
        if (latest === undefined) return [];
        const value =
          typeof latest.value === 'string' ? latest.value : JSON.stringify(latest.value);
        return [{ ...latest, path: STATED_REASON_PATH, value } satisfies Fact];
      },
    },
    suppressions(inner) {
      hold = holdWhileComplaintOpen(book, {
        topics: ['offers'],
        purpose: SUPPORT_PURPOSE,
        accessor: guard,
        detail: 'a complaint is open, so offers wait until it is resolved',
        inner,
      });
      return hold;
    },
    async sayWhy(subject, item, reason) {
      const at = clock.now();
      await book.remember({
        subject,
        content: { kind: 'stated_reason', reason },
        category: REASON_CATEGORY,
        provenance: { source: 'checkout', kind: 'stated', observedAt: at, party: 'first' },
        purposes: [PROACTIVE_PURPOSE, SUPPORT_PURPOSE],
        about: { type: 'order', id: `ord_${at.toString(36)}`, label: item },
      });
    },
    async page(subject) {
      const listing = await book.list(subject);
      const items = [...listing.active].sort((a, b) => b.createdAt - a.createdAt).map(view);
      return {
        items,
        erased: listing.erased.map((t) => ({ label: LABELS[t.kind], at: t.erasedAt })),
        holdingBack: items.some((i) => i.kind === 'complaint' && i.open) ? HOLD_BACK : null,
      };
    },
    async correct(subject, memoryId, text) {
      const m = await mine(subject, memoryId);
      if (m === undefined) return false;
      const c = m.content;
      if (c.kind === 'stated_reason')
        await book.correct(subject, m.id, { kind: c.kind, reason: text });
      else if (c.kind === 'preference')
        await book.correct(subject, m.id, { kind: c.kind, key: c.key, value: text });
      else return false;
      return true;
    },
    async erase(subject, memoryId) {
      if ((await mine(subject, memoryId)) === undefined) return false;
      await book.erase(subject, memoryId, 'customer_request');
      await refresh(subject);
      return true;
    },
    async brief(subject) {
      const brief = await book.brief(subject, { purpose: SUPPORT_PURPOSE, accessor: staff });
      return explainer.staffBrief(brief, { locale: 'en' });
    },
    async openComplaints(subject) {
      return (await book.list(subject)).active
        .filter((m) => m.content.kind === 'complaint' && m.content.status === 'open')
        .map(view);
    },
    async recordComplaint(subject, summary) {
      await complaint(subject, summary);
      await refresh(subject);
    },
    async resolveComplaint(subject, memoryId, resolution) {
      const m = await mine(subject, memoryId);
      if (m?.content.kind !== 'complaint' || m.content.status !== 'open') return false;
      await book.resolve(subject, memoryId, { resolution });
      await refresh(subject);
      return true;
    },
    async seed(subject) {
      // Eighteen days ago at 09:00 UTC, on the seeding clock: the card blocked in error, resolved
      // five hours later, the same day whatever time the demo is first started.
      const eighteenDaysAgo = clock.now() - 18 * duration.day;
      const past = createVirtualClock(
        eighteenDaysAgo - (eighteenDaysAgo % duration.day) + 9 * duration.hour,
      );
      const then = createMemoryBook({ consent, store, clock: past, cacheSubjects: 0 });
      if ((await then.list(subject)).active.length > 0) return;
      const m = await then.remember({
        subject,
        content: { kind: 'complaint', summary: 'Her card was blocked in error', status: 'open' },
        category: SUPPORT_CATEGORY,
        provenance: { source: 'support', kind: 'stated', observedAt: past.now(), party: 'first' },
        purposes: [SUPPORT_PURPOSE],
      });
      past.advance(5 * duration.hour);
      await then.resolve(subject, m.id, { resolution: 'unblocked, with an apology' });
    },
  };
}
