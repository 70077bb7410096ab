import {
  type AccessLog,
  Accessor,
  accessRecordId,
  type Clock,
  type ConsentGate,
  type DataCategoryId,
  type Fact,
  type Instant,
  PurposeId,
  SubjectId,
  systemClock,
  unstorableText,
  zodToCandorError,
} from '@candor/core';
import type * as z from 'zod/mini';
import { fail } from './errors';
import type { SubjectMemories } from './fold';
import {
  type MemoryContent as Content,
  Memory,
  MemoryContent,
  type MemoryEntry,
  MemoryInput,
  type Tombstone,
} from './schema';
import {
  memoryFact,
  mustRemember,
  type RecallPolicy,
  unusableWhy,
  type WithheldWhy,
} from './select';
import { createInMemoryStore, type MemoryStore } from './store';
import { createSubjectCache } from './subject-cache';

/**
 * Options of {@link createMemoryBook}.
 *
 * @example
 * createMemoryBook({ consent: manager.gate, store, accessLog, clock });
 */
export interface MemoryBookOptions {
  /** Asked before anything is recalled: nothing it denies is returned. */
  readonly consent: ConsentGate;
  /** Where memories live (default: a new in-memory store). */
  readonly store?: MemoryStore;
  /** Where every recall is recorded for the customer to read (optional). */
  readonly accessLog?: AccessLog;
  /**
   * `true`: a recall waits for its access record and fails (returns nothing, rejects) when the
   * log cannot store it. Default `false`: the record is written in the background and a failure
   * goes to `onAccessLogError`; the recall is not held up.
   */
  readonly strictAccessLog?: boolean;
  /** Told when an access record could not be stored (non-strict mode). */
  readonly onAccessLogError?: (error: unknown) => void;
  readonly clock?: Clock;
  /** Inferred memories halve their confidence every this many ms (default 90 days). */
  readonly halfLifeMs?: number;
  /** Inferred memories below this confidence are not recalled (default 0.5). */
  readonly minConfidence?: number;
  /** Makes memory ids (default: time + counter + random). */
  readonly generateId?: () => string;
  /**
   * Customers whose folded memories and recall selections are kept in memory between calls
   * (least recently used first out; default 10,000). Only with a store that has a change feed,
   * and while it is fresh: over one without, or while its feed is stale (a change another
   * instance made, an erasure say, would go unannounced), every call reads the store.
   */
  readonly cacheSubjects?: number;
}

/**
 * What a recall returns: the memories it may use, as memories and as core {@link Fact}s, and how
 * many were left out and why (never their content).
 *
 * @example
 * const { facts } = await book.recall('cus_1', { purpose: 'service.proactive_support', accessor });
 */
export interface RecallResult {
  readonly memories: readonly Memory[];
  readonly facts: readonly Fact[];
  readonly withheld: readonly { readonly why: WithheldWhy; readonly count: number }[];
  /** Memories that contradict each other: both left out, to be clarified with the customer. */
  readonly contradictions: number;
}

/**
 * One line of a staff brief: what is remembered in plain fields, with where it came from and
 * when, so the employee can say "You told us on 3 May …" rather than feign familiarity.
 *
 * @example
 * brief.openComplaints[0]?.summary;
 */
export interface BriefItem {
  readonly memoryId: string;
  readonly kind: Memory['kind'];
  /** The customer's words, the case summary, the preference, or the note. */
  readonly summary: string;
  /** The resolution of a resolved case or complaint. */
  readonly resolution?: string;
  /** Where it came from and how: stated by the customer, observed, inferred. */
  readonly source: string;
  readonly how: Memory['provenance']['kind'];
  /** When it was said, observed or opened; and when it was resolved. */
  readonly at: Instant;
  readonly resolvedAt?: Instant;
  /** What it is about ("hiking boots"), when known. */
  readonly about?: string;
}

/**
 * Context for an employee about to talk to a customer: open complaints and cases first, then
 * problems resolved in the last 180 days, stated reasons, preferences and notes. Consent-gated
 * and recorded like a recall.
 *
 * @example
 * const brief = await book.brief('cus_1', { purpose: 'service.support', accessor: { kind: 'staff', id: 'agent_7' } });
 */
export interface StaffBrief {
  readonly subject: SubjectId;
  readonly openComplaints: readonly BriefItem[];
  readonly openCases: readonly BriefItem[];
  readonly recentlyResolved: readonly BriefItem[];
  readonly statedReasons: readonly BriefItem[];
  readonly preferences: readonly BriefItem[];
  readonly notes: readonly BriefItem[];
  /** Pairs of memories that disagree: to ask the customer about, never to guess between. */
  readonly toClarify: readonly (readonly [BriefItem, BriefItem])[];
  readonly withheld: RecallResult['withheld'];
}

/**
 * What the customer can see about themselves: every active memory with its source, the ones a
 * correction replaced, and what was erased (kind and date only).
 *
 * @example
 * const mine = await book.list('cus_1');
 */
export interface MemoryListing {
  readonly active: readonly Memory[];
  readonly superseded: readonly Memory[];
  readonly erased: readonly Tombstone[];
  readonly contradictions: readonly (readonly [string, string])[];
}

/** How a recall or brief is asked for: the purpose it serves and who asks. */
export interface RecallOptions {
  readonly purpose: PurposeId;
  readonly accessor: Accessor;
  /**
   * The instant the recall serves (default now; an event's time, say): consent must allow each
   * memory then and now. What is returned is judged now all the same (retention, staleness), and
   * the access record says when it was read.
   */
  readonly at?: Instant;
  /** The decision this recall serves, for the access record. */
  readonly decisionId?: string;
}

/**
 * A customer's memories: remember, correct, resolve, erase, list, and recall under consent.
 *
 * @example
 * const book = createMemoryBook({ consent: manager.gate });
 * await book.remember({ subject: 'cus_1', content: { kind: 'stated_reason', reason: 'a trek' }, … });
 */
export interface MemoryBook {
  /** Records a new memory; resolves it as stored. */
  remember(input: MemoryInput): Promise<Memory>;
  /**
   * A correction: the customer (or staff) says what is true instead. The new memory supersedes
   * the old one, which is kept in the history and never recalled again.
   */
  correct(subject: SubjectId, memoryId: string, content: Content): Promise<Memory>;
  /** Resolves an open complaint or support case, with its resolution (and satisfaction 1–5). */
  resolve(
    subject: SubjectId,
    memoryId: string,
    resolution: { readonly resolution: string; readonly satisfaction?: number },
  ): Promise<Memory>;
  /** Erases a memory and the versions it corrected: only a tombstone is left. */
  erase(
    subject: SubjectId,
    memoryId: string,
    reason?: Tombstone['reason'],
  ): Promise<readonly Tombstone[]>;
  /** What the customer can see about themselves. */
  list(subject: SubjectId): Promise<MemoryListing>;
  /** The memories a purpose may use, under consent, recorded in the access log. */
  recall(subject: SubjectId, options: RecallOptions): Promise<RecallResult>;
  /** A brief for staff (see {@link StaffBrief}), under consent, recorded in the access log. */
  brief(subject: SubjectId, options: RecallOptions): Promise<StaffBrief>;
}

const RESOLVED_WINDOW = 180 * 86_400_000;

/**
 * Creates a memory book over a {@link MemoryStore}.
 *
 * @example
 * const book = createMemoryBook({ consent: manager.gate, accessLog: createMemoryAccessLog() });
 */
export function createMemoryBook(options: MemoryBookOptions): MemoryBook {
  if (typeof options !== 'object' || options === null)
    fail('memory/invalid_input', 'options', options, 'must be an object');
  if (typeof options.consent?.decide !== 'function')
    fail('memory/invalid_input', 'options.consent', options.consent, 'must be a ConsentGate');
  const store = options.store ?? createInMemoryStore();
  const clock = options.clock ?? systemClock;
  const policy: RecallPolicy = {
    halfLifeMs: positive('options.halfLifeMs', options.halfLifeMs ?? 90 * 86_400_000),
    minConfidence: options.minConfidence ?? 0.5,
  };
  if (!(policy.minConfidence >= 0 && policy.minConfidence <= 1))
    fail(
      'memory/invalid_input',
      'options.minConfidence',
      options.minConfidence,
      'must be within 0 and 1',
    );
  let counter = 0;
  const newId =
    options.generateId ??
    (() =>
      `mem_${clock.now().toString(36)}_${(counter++).toString(36)}_${Math.random().toString(36).slice(2, 8)}`);
  // Writes to one subject run one after another in this process.
  const queues = new Map<SubjectId, Promise<unknown>>();
  const serialize = <T>(subject: SubjectId, run: () => Promise<T>): Promise<T> => {
    const result = (queues.get(subject) ?? Promise.resolve()).then(run, run);
    const settled = result.catch(() => undefined);
    queues.set(subject, settled);
    void settled.then(() => {
      if (queues.get(subject) === settled) queues.delete(subject);
    });
    return result;
  };

  const cacheSubjects = options.cacheSubjects ?? 10_000;
  if (!Number.isSafeInteger(cacheSubjects) || cacheSubjects < 0)
    fail('memory/invalid_input', 'options.cacheSubjects', cacheSubjects, 'must be an integer ≥ 0');
  const cache = createSubjectCache(store, policy, cacheSubjects);
  const stateOf = (subject: SubjectId): Promise<SubjectMemories> => cache.state(subject);

  /** The subject's memory `memoryId`, or `memory/not_found` naming it. */
  const find = (state: SubjectMemories, memoryId: unknown): Memory => {
    const memory = typeof memoryId === 'string' ? state.byId.get(memoryId) : undefined;
    if (memory === undefined)
      fail('memory/not_found', 'memoryId', memoryId, "is not one of this customer's memories");
    return memory;
  };

  const write = async (subject: SubjectId, memories: readonly Memory[]) => {
    const entries: MemoryEntry[] = memories.map((memory) => ({ type: 'memory', memory }));
    try {
      await store.append(subject, entries);
    } finally {
      cache.forget(subject);
    }
  };

  const recordAccess = async (
    subject: SubjectId,
    o: RecallOptions,
    at: Instant,
    facts: readonly Fact[],
  ): Promise<void> => {
    const log = options.accessLog;
    if (log === undefined || facts.length === 0) return;
    const record = {
      id: accessRecordId(at),
      subject,
      at,
      accessor: o.accessor,
      purpose: o.purpose,
      dataCategories: [...new Set(facts.map((f) => f.category))],
      evidence: facts.map((f) => f.path),
      outcome: 'looked_up' as const,
      ...(o.decisionId === undefined ? {} : { decisionId: o.decisionId }),
    };
    if (options.strictAccessLog === true) {
      await log.append([record]);
      return;
    }
    log.append([record]).catch((error: unknown) => options.onAccessLogError?.(error));
  };

  /** Whether consent allows `category` for the recall, at the instant it serves and now. */
  const allowed = (
    subject: SubjectId,
    o: RecallOptions,
    category: DataCategoryId,
    at: Instant,
    now: Instant,
  ): boolean =>
    decide(options.consent, subject, o.purpose, category, at) &&
    (at === now || decide(options.consent, subject, o.purpose, category, now));

  /** A recall (`record`: written to the access log here, else by the caller). */
  const recall = async (
    subject: SubjectId,
    o: RecallOptions,
    record: boolean,
  ): Promise<{
    result: RecallResult;
    pairs: readonly (readonly [Memory, Memory])[];
    at: Instant;
    now: Instant;
  }> => {
    const at = checkRecall(subject, o, clock);
    const now = clock.now();
    // Judged now (or at a later instant served): nothing past its retention, nothing stale.
    const selection = await cache.select(subject, o.purpose, Math.max(at, now));
    // Consent for each data category the chosen memories hold: nothing it denies is returned.
    const denied = new Set<DataCategoryId>();
    for (const category of selection.categories)
      if (!allowed(subject, o, category, at, now)) denied.add(category);
    let chosen = selection.chosen;
    let facts = selection.facts;
    if (denied.size > 0) {
      chosen = chosen.filter((m) => !denied.has(m.category));
      facts = facts.filter((f) => !denied.has(f.category));
    }
    if (record) await recordAccess(subject, o, now, facts);
    const withheld = [...selection.withheld].map(([why, count]) => ({ why, count }));
    const refused = selection.chosen.length - chosen.length;
    if (refused > 0) withheld.push({ why: 'consent', count: refused });
    // The contradictions of the same read: one store read per recall, even with no cache.
    return {
      result: { memories: chosen, facts, withheld, contradictions: selection.contradictions },
      pairs: selection.pairs,
      at,
      now,
    };
  };

  return {
    async remember(input) {
      const parsed = MemoryInput.safeParse(input);
      if (!parsed.success) throw invalidFrom(parsed.error, input, 'input');
      const m = parsed.data;
      const now = clock.now();
      if (m.retainUntil !== undefined && m.retainUntil <= now)
        fail('memory/invalid_input', 'input.retainUntil', m.retainUntil, 'is in the past');
      if (m.confidence !== undefined && m.provenance.kind !== 'inferred')
        fail(
          'memory/invalid_input',
          'input.confidence',
          m.confidence,
          'is only for inferred memories',
        );
      checkCaseStatus(m.content, 'input.content');
      const memory: Memory = Memory.parse({
        ...m,
        id: newId(),
        kind: m.content.kind,
        createdAt: now,
        status: 'active',
      });
      await serialize(m.subject, () => write(m.subject, [memory]));
      return memory;
    },
    correct(subject, memoryId, content) {
      checkSubject(subject);
      const parsed = MemoryContent.safeParse(content);
      if (!parsed.success) return Promise.reject(invalidFrom(parsed.error, content, 'content'));
      return serialize(subject, async () => {
        const old = find(await stateOf(subject), memoryId);
        if (old.status !== 'active')
          fail('memory/not_allowed', 'memoryId', memoryId, 'was already corrected');
        if (parsed.data.kind !== old.kind)
          fail('memory/invalid_input', 'content.kind', parsed.data.kind, `must stay ${old.kind}`);
        // A correction fixes what a case or complaint says; only resolve() closes one.
        const before = old.content;
        const after = parsed.data;
        if ('status' in before && 'status' in after && after.status !== before.status)
          fail(
            'memory/invalid_input',
            'content.status',
            after.status,
            `must stay ${before.status} (resolve() closes a case)`,
          );
        checkCaseStatus(after, 'content');
        const now = clock.now();
        const next: Memory = {
          ...old,
          id: newId(),
          content: parsed.data,
          // What the customer says now is stated, whatever the old memory's provenance.
          provenance: { ...old.provenance, kind: 'stated', observedAt: now },
          createdAt: now,
          confirmedAt: now,
          status: 'active',
          supersedes: old.id,
        };
        delete (next as { confidence?: number }).confidence;
        delete (next as { supersededBy?: string }).supersededBy;
        await write(subject, [{ ...old, status: 'superseded', supersededBy: next.id }, next]);
        return next;
      });
    },
    resolve(subject, memoryId, r) {
      checkSubject(subject);
      return serialize(subject, async () => {
        const old = find(await stateOf(subject), memoryId);
        const c = old.content;
        if ((c.kind !== 'complaint' && c.kind !== 'support_case') || old.status !== 'active')
          fail(
            'memory/not_allowed',
            'memoryId',
            memoryId,
            'is not an open complaint or support case',
          );
        if (c.status !== 'open')
          fail('memory/not_allowed', 'memoryId', memoryId, 'is already resolved');
        const content = MemoryContent.safeParse({
          ...c,
          status: 'resolved',
          resolution: r?.resolution,
          resolvedAt: clock.now(),
          ...(c.kind === 'support_case' && r?.satisfaction !== undefined
            ? { satisfaction: r.satisfaction }
            : {}),
        });
        if (!content.success) throw invalidFrom(content.error, r, 'resolution');
        const next: Memory = { ...old, content: content.data };
        await write(subject, [next]);
        return next;
      });
    },
    erase(subject, memoryId, reason = 'customer_request') {
      checkSubject(subject);
      if (!['customer_request', 'retention', 'company'].includes(reason))
        return Promise.reject(
          invalidInput('reason', reason, 'must be customer_request, retention or company'),
        );
      return serialize(subject, async () => {
        const state = await stateOf(subject);
        const target = find(state, memoryId);
        // The whole correction chain: erasing a fact erases every version of it.
        const chain = new Set<string>([target.id]);
        for (let grew = true; grew; ) {
          grew = false;
          for (const m of state.byId.values()) {
            const linked =
              (m.supersedes !== undefined && chain.has(m.supersedes)) ||
              (m.supersededBy !== undefined && chain.has(m.supersededBy));
            if (linked && !chain.has(m.id)) {
              chain.add(m.id);
              grew = true;
            }
          }
        }
        const erasedAt = clock.now();
        const tombstones: Tombstone[] = [...chain].map((id) => ({
          id,
          subject,
          kind: (state.byId.get(id) as Memory).kind,
          erasedAt,
          reason,
        }));
        try {
          await store.erase(subject, [...chain], tombstones);
        } finally {
          cache.forget(subject);
        }
        return tombstones;
      });
    },
    async list(subject) {
      checkSubject(subject);
      const state = await stateOf(subject);
      return {
        active: state.active,
        superseded: state.superseded,
        erased: state.tombstones,
        contradictions: state.contradictions.map(([a, b]) => [a.id, b.id] as const),
      };
    },
    async recall(subject, o) {
      return (await recall(subject, o, true)).result;
    },
    async brief(subject, o) {
      const { result, pairs, at: served, now } = await recall(subject, o, false);
      const at = Math.max(served, now);
      // Disagreements whose both sides the purpose may see: recallable but for the
      // disagreement, and allowed by consent.
      const allowedIds = new Set(result.memories.map((m) => m.id));
      const shown = (m: Memory): boolean =>
        allowedIds.has(m.id) ||
        (unusableWhy(m, o.purpose, at, policy) === null &&
          allowed(subject, o, m.category, served, now));
      const clarify = pairs.filter(([a, b]) => shown(a) && shown(b));
      // Everything the brief shows is on the access record, the disagreements too.
      const clarified = new Map(clarify.flat().map((m) => [m.id, m]));
      for (const id of allowedIds) clarified.delete(id);
      await recordAccess(subject, o, now, [
        ...result.facts,
        ...[...clarified.values()].map(memoryFact),
      ]);
      const items = result.memories.map((m) => [m, itemOf(m)] as const);
      const pick = (test: (m: Memory) => boolean) =>
        items.filter(([m]) => test(m)).map(([, i]) => i);
      return {
        subject,
        openComplaints: pick((m) => m.kind === 'complaint' && mustRemember(m)),
        openCases: pick((m) => m.kind === 'support_case' && mustRemember(m)),
        recentlyResolved: pick((m) => {
          const c = m.content;
          return (
            (c.kind === 'complaint' || c.kind === 'support_case') &&
            c.status === 'resolved' &&
            (c.resolvedAt ?? 0) >= at - RESOLVED_WINDOW
          );
        }),
        statedReasons: pick((m) => m.kind === 'stated_reason'),
        preferences: pick((m) => m.kind === 'preference'),
        notes: pick((m) => m.kind === 'staff_note'),
        toClarify: clarify.map(([a, b]) => [itemOf(a), itemOf(b)] as const),
        withheld: result.withheld,
      };
    },
  };
}

function itemOf(m: Memory): BriefItem {
  const c = m.content;
  const summary =
    c.kind === 'stated_reason'
      ? (c.option ?? c.reason)
      : c.kind === 'preference'
        ? c.value
        : c.kind === 'staff_note'
          ? c.note
          : c.summary;
  return {
    memoryId: m.id,
    kind: m.kind,
    summary,
    source: m.provenance.source,
    how: m.provenance.kind,
    at: m.provenance.observedAt,
    ...((c.kind === 'complaint' || c.kind === 'support_case') && c.resolution !== undefined
      ? { resolution: c.resolution }
      : {}),
    ...((c.kind === 'complaint' || c.kind === 'support_case') && c.resolvedAt !== undefined
      ? { resolvedAt: c.resolvedAt }
      : {}),
    ...(m.about?.label === undefined ? {} : { about: m.about.label }),
  };
}

/** One consent question; anything but an allowed verdict (or a failing gate) denies. */
function decide(
  gate: ConsentGate,
  subject: SubjectId,
  purpose: PurposeId,
  category: DataCategoryId,
  at: Instant,
): boolean {
  try {
    return gate.decide({ subject, purpose, dataCategories: [category], at }).allowed === true;
  } catch {
    return false;
  }
}

function positive(path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail('memory/invalid_input', path, value, 'must be a positive number of milliseconds');
  return value;
}

function checkSubject(subject: unknown): asserts subject is SubjectId {
  if (!SubjectId.safeParse(subject).success)
    fail('memory/invalid_input', 'subject', subject, 'must be a customer id (1 to 256 characters)');
}

function checkRecall(subject: unknown, o: RecallOptions, clock: Clock): Instant {
  checkSubject(subject);
  if (typeof o !== 'object' || o === null)
    fail('memory/invalid_input', 'options', o, 'must be an object');
  if (!PurposeId.safeParse(o.purpose).success)
    fail('memory/invalid_input', 'options.purpose', o.purpose, 'must be a purpose id');
  if (!Accessor.safeParse(o.accessor).success)
    fail(
      'memory/invalid_input',
      'options.accessor',
      o.accessor,
      'must be an accessor (rule, model, feature or staff)',
    );
  const at = o.at ?? clock.now();
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0)
    fail('memory/invalid_input', 'options.at', o.at, 'must be a time in epoch milliseconds');
  // Checked before anything is read: a recall its access record could not hold is not made.
  const { decisionId } = o;
  if (
    decisionId !== undefined &&
    (typeof decisionId !== 'string' || decisionId.length === 0 || decisionId.length > 200)
  )
    fail('memory/invalid_input', 'options.decisionId', decisionId, 'must be 1 to 200 characters');
  const texts: [string, string | undefined][] = [
    ['subject', subject],
    ['options.decisionId', decisionId],
    ['options.accessor.id', o.accessor.id],
  ];
  for (const [path, text] of texts) {
    const problem = text === undefined ? undefined : unstorableText(text);
    if (problem !== undefined) fail('memory/invalid_input', path, text, problem);
  }
  return at;
}

function invalidInput(path: string, value: unknown, problem: string) {
  try {
    fail('memory/invalid_input', path, value, problem);
  } catch (error) {
    return error;
  }
}

/**
 * A case or complaint is open with no resolution, or resolved with the time it was (a complaint
 * "resolved" without it would drop out of what must be remembered unnoticed).
 */
function checkCaseStatus(content: MemoryContent, path: string): void {
  if (content.kind !== 'complaint' && content.kind !== 'support_case') return;
  if (content.status === 'resolved' && content.resolvedAt === undefined)
    fail('memory/invalid_input', `${path}.resolvedAt`, undefined, 'must say when it was resolved');
  if (content.status === 'open') {
    const closing = (['resolution', 'resolvedAt', 'satisfaction'] as const).find(
      (field) => field in content && content[field as keyof typeof content] !== undefined,
    );
    if (closing !== undefined)
      fail(
        'memory/invalid_input',
        `${path}.${closing}`,
        content[closing as keyof typeof content],
        'is only for a resolved one',
      );
  }
}

/** The first zod issue as a `memory/invalid_input` naming `root.path` and what is wrong. */
const invalidFrom = (error: z.core.$ZodError, value: unknown, root: string) =>
  zodToCandorError('memory/invalid_input', error, value, root);
