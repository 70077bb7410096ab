import {
  CandorError,
  type Clock,
  type ConsentGate,
  type ConsentQuery,
  type ConsentVerdict,
  type DataCategoryId,
  type Instant,
  isDottedId,
  parseDataCategoryId,
  parsePurposeId,
  type SubjectId,
  systemClock,
} from '@candor/core';
import { canonicalJson } from './canonical';
import { fail, needObject, needType, requireRegistry } from './errors';
import { type Evaluation, type EventItem, evaluatePurpose, isRestrictive } from './evaluate';
import type {
  ConsentActor,
  ConsentEvent,
  ConsentEventKind,
  ConsentMethod,
  NoticeRef,
} from './events';
import { consentEventKinds } from './events';
import {
  currentNoticeFor,
  materiallyChanged,
  type Notice,
  type NoticeDefinition,
  noticeRef,
  validateNotices,
} from './notices';
import {
  defaultPolicies,
  type PolicyPack,
  policyPacks,
  resolvePolicy,
  validatePolicyPack,
} from './policy';
import type { Purpose, PurposeRegistry } from './purposes';
import {
  type ChainVerification,
  type ConsentLedgerStore,
  createMemoryLedgerStore,
  type LedgerEntry,
  sha256Hex,
  verifyChain,
} from './store';
import { validateEvent } from './validate-event';

/**
 * Options of {@link createConsentManager}.
 *
 * @example
 * const options: ConsentManagerOptions<'marketing.email'> = { purposes, jurisdiction: 'FR' };
 */
export interface ConsentManagerOptions<P extends string> {
  /** The purpose registry from {@link definePurposes}. */
  readonly purposes: PurposeRegistry<P>;
  /** Every version of every notice (see {@link NoticeDefinition}). */
  readonly notices?: readonly NoticeDefinition<NoNoInfer<P>>[];
  /** Policy packs, matched in order before the fallback (default: EU, UK, US-CA). */
  readonly policies?: readonly PolicyPack[];
  /** Pack for jurisdictions no pack lists (default: {@link policyPacks}`.strict`). */
  readonly fallbackPolicy?: PolicyPack;
  /** Jurisdiction assumed for subjects with none on record (default: none → fallback pack). */
  readonly jurisdiction?: string;
  /** The ledger store (default: a new in-memory store). */
  readonly store?: ConsentLedgerStore;
  /** Where time comes from (default: the system clock). */
  readonly clock?: Clock;
  /** Preferred notice language when several exist (BCP 47). */
  readonly language?: string;
  /** Makes idempotency keys when a write gives none (default: time + counter + random). */
  readonly generateKey?: () => string;
  /**
   * Keep at most `maxSubjects` customers in memory, read on demand by {@link
   * ConsentManager.prepare} (least recently prepared first out), instead of reading the whole
   * ledger at `load()`. For ledgers of millions of customers: start-up reads nothing, and a
   * customer not prepared answers `not_loaded`.
   */
  readonly cache?: { readonly maxSubjects: number };
}

type NoNoInfer<T> = [T][T extends unknown ? 0 : never];

/**
 * What every write accepts besides the subject and purposes: how, where, under which notice.
 * All optional; sensible values are recorded for you (method `api`, the notice in force, the
 * subject's jurisdiction, the purpose's default expiry, `at` = now).
 *
 * @example
 * const details: ChangeDetails = { method: 'preference_center', surface: 'web.settings', uiVersion: '4.2' };
 */
export interface ChangeDetails {
  /** How it was collected (default `api`). */
  readonly method?: ConsentMethod;
  /** Where in the product. */
  readonly surface?: string;
  /** Version of the UI. */
  readonly uiVersion?: string;
  /** ISO 3166 jurisdiction (default: the subject's last one, else the manager's). */
  readonly jurisdiction?: string;
  /** When it stops holding (default: from the purposes' `expiresIn` / `refusalExpiresIn`). */
  readonly expiresAt?: Instant;
  /** Optional free-text reason (never required). */
  readonly reason?: string;
  /** Who acted (default: the subject; the company for `revoke`). */
  readonly actor?: ConsentActor;
  /** Notice shown: a full reference, or an id (and version) to look up; default: in force. */
  readonly notice?: NoticeRef | { readonly id: string; readonly version?: string };
  /** Idempotency key: a retry with the same key returns the original entry. */
  readonly idempotencyKey?: string;
  /** When it happened (default now; earlier for imports; never in the future). */
  readonly at?: Instant;
}

/**
 * A write about purposes: who, which purposes (one or several), and {@link ChangeDetails}.
 *
 * @example
 * await manager.withdraw({ subject: 'cus_1', purposes: 'marketing.email' });
 */
export interface ChangeInput<P extends string> extends ChangeDetails {
  /** The subject. */
  readonly subject: SubjectId;
  /** One purpose or several. */
  readonly purposes: P | readonly P[];
}

/**
 * A grant: a {@link ChangeInput} that may be confirmed over a conflicting GPC signal.
 *
 * @example
 * await manager.grant({ subject: 'cus_1', purposes: ['ads.targeted'], confirmed: true });
 */
export interface GrantInput<P extends string> extends ChangeInput<P> {
  /** The subject was told about their GPC signal and explicitly chose to allow anyway. */
  readonly confirmed?: boolean;
}

/**
 * What a write did: the stored entry and whether it was an idempotent retry.
 *
 * @example
 * const { entry } = await manager.grant({ subject, purposes: 'marketing.email' });
 */
export interface ConsentChange {
  /** The subject. */
  readonly subject: SubjectId;
  /** The sealed ledger entry. */
  readonly entry: LedgerEntry;
  /** `true` when the idempotency key had been used: nothing new was written. */
  readonly duplicate: boolean;
}

/**
 * One event to import from another system (method `import` unless given). Without an
 * idempotency key, one is derived so re-running the same import does not duplicate it.
 *
 * @example
 * await manager.import([{ subject: 'cus_1', kind: 'given', purposes: ['marketing.email'], at: Date.parse('2025-01-04T10:00:00Z') }]);
 */
export interface ImportRecord<P extends string> extends ChangeDetails {
  /** The subject. */
  readonly subject: SubjectId;
  /** What happened. */
  readonly kind: ConsentEventKind;
  /** The purposes (omit for `signal_observed`). */
  readonly purposes?: P | readonly P[];
  /** For `signal_observed`: the GPC value. */
  readonly gpc?: boolean;
  /** For `given`: confirmed over a GPC signal. */
  readonly confirmed?: boolean;
}

/**
 * A {@link ConsentQuery} with the registry's purpose type, and optionally the jurisdiction to
 * judge under (default: the subject's).
 *
 * @example
 * manager.decide({ subject: 'cus_1', purpose: 'marketing.email', dataCategories: ['user.contact.email'] });
 */
export interface DecideQuery<P extends string> extends Omit<ConsentQuery, 'purpose'> {
  /** The purpose asked about. */
  readonly purpose: P;
  /** Judge under this jurisdiction instead of the subject's. */
  readonly jurisdiction?: string;
}

/**
 * A purpose the subject should be asked about again, and why: `never_asked` (consent needed and
 * none on record), `expired` (the decision lapsed), `notice_changed` (a material notice version
 * took effect since the decision).
 *
 * @example
 * for (const need of manager.needsPrompt('cus_1')) show(need.purpose, need.notice);
 */
export interface PromptNeed<P extends string> {
  /** The purpose. */
  readonly purpose: P;
  /** Why it needs a prompt. */
  readonly reason: 'never_asked' | 'expired' | 'notice_changed';
  /** The notice to show (the one in force), if any. */
  readonly notice: Notice<P> | null;
}

/**
 * The result of {@link ConsentManager.verify}: every chain valid, or the first broken entry.
 *
 * @example
 * const result = await manager.verify();
 * if (!result.valid) console.error(result.subject, result.entryId, result.problem);
 */
export type LedgerVerification =
  | { readonly valid: true; readonly subjects: number; readonly entries: number }
  | (Extract<ChainVerification, { valid: false }> & { readonly subjects: number });

/**
 * Everything held about a subject's consent, for a data-subject access request: every ledger
 * entry (with ISO times), the chain check and the current verdict per purpose.
 *
 * @example
 * const history = await manager.exportHistory('cus_1');
 * JSON.stringify(history);
 */
export interface SubjectHistory {
  /** The subject. */
  readonly subject: SubjectId;
  /** When the export was made (ISO 8601 UTC). */
  readonly exportedAt: string;
  /** Chain verification of the exported entries. */
  readonly chain: ChainVerification;
  /** Every entry, oldest first, with ISO renderings of its times. */
  readonly entries: readonly (LedgerEntry & {
    readonly atIso: string;
    readonly recordedAtIso: string;
  })[];
  /** The current verdict for every registered purpose (no data categories). */
  readonly current: readonly ConsentVerdict[];
}

/**
 * The consent manager: a typed purpose registry, a hash-chained ledger behind a store, and a
 * synchronous `decide()` over an in-memory view. Implements core's {@link ConsentGate}.
 *
 * @example
 * const manager = createConsentManager({ purposes });
 * await manager.load();
 * await manager.grant({ subject: 'cus_1', purposes: 'marketing.email', method: 'banner' });
 * manager.decide({ subject: 'cus_1', purpose: 'marketing.email', dataCategories: ['user.contact.email'] }).allowed; // true
 */
export interface ConsentManager<P extends string> extends ConsentGate {
  /** The registry. */
  readonly purposes: PurposeRegistry<P>;
  /** The validated notices (every version), content hashes filled in. */
  readonly notices: readonly Notice<P>[];
  /** A plain {@link ConsentGate} (any purpose string; unknown ones are refused), with `prepare`. */
  readonly gate: Required<ConsentGate>;
  /**
   * Hydrates the view from the store; returns the number of entries read. Until then, a manager
   * over a store you passed answers `decide()` with status `unknown` (reason `not_loaded`) for
   * every subject it has not read.
   */
  load(options?: { readonly verify?: boolean }): Promise<number>;
  /** Re-reads one subject from the store (the store's feed does this by itself when it has one). */
  refresh(subject: SubjectId): Promise<void>;
  /**
   * Makes these customers answerable by `decide()`: reads those the view lacks, in one batch
   * (at most 10,000 per call), and marks them recently used. Nothing is kept from a read that
   * fails. Needed with `cache`; harmless without it.
   */
  prepare(subjects: SubjectId | readonly SubjectId[]): Promise<void>;
  /**
   * Synchronous verdict: may `purpose` use `dataCategories` of `subject` (at `at`, default now)?
   * Fails closed: status `unknown` (reasons `not_loaded` or `stale_view`) while the view cannot
   * prove it is current, except for purposes whose first basis is a contract or legal obligation,
   * which no consent event can change. A malformed `at` throws `core/invalid_time`.
   */
  decide(query: DecideQuery<P>): ConsentVerdict;
  /** Records a grant. */
  grant(input: GrantInput<P>): Promise<ConsentChange>;
  /** Records a refusal (takes effect at once, before the write completes). */
  refuse(input: ChangeInput<P>): Promise<ConsentChange>;
  /** Records a withdrawal (takes effect at once; covers child purposes). */
  withdraw(input: ChangeInput<P>): Promise<ConsentChange>;
  /** Records an objection (Art. 21; takes effect at once). */
  object(input: ChangeInput<P>): Promise<ConsentChange>;
  /** Records a revocation by the company (takes effect at once). */
  revoke(input: ChangeInput<P>): Promise<ConsentChange>;
  /** Re-confirms existing grants, with a new expiry. */
  renew(input: ChangeInput<P>): Promise<ConsentChange>;
  /** Records that decisions lapsed (takes effect at once). */
  expire(input: ChangeInput<P>): Promise<ConsentChange>;
  /** Records a Global Privacy Control signal when it differs from the last one; else `null`. */
  observeGpc(
    input: { readonly subject: SubjectId; readonly gpc: boolean } & Omit<ChangeDetails, 'notice'>,
  ): Promise<ConsentChange | null>;
  /** Records that a notice was shown (exposure), whatever the subject did next. */
  noticeShown(input: ChangeInput<P>): Promise<ConsentChange>;
  /** Imports events (method `import`), all validated before any is written. */
  import(records: readonly ImportRecord<P>[]): Promise<ConsentChange[]>;
  /** Subscribes to every change; returns an unsubscribe function. */
  onChange(listener: (change: ConsentChange) => void): () => void;
  /** Verifies the stored chains (one subject, or all), naming the first broken entry. */
  verify(subject?: SubjectId): Promise<LedgerVerification>;
  /** Purposes to ask `subject` about now (or at `at`), and why; none while the view is not current. */
  needsPrompt(subject: SubjectId, options?: { readonly at?: Instant }): PromptNeed<P>[];
  /** The notice in force for a purpose. */
  currentNotice(purpose: P, at?: Instant): Notice<P> | undefined;
  /** Everything about a subject, for an access request. */
  exportHistory(subject: SubjectId): Promise<SubjectHistory>;
  /** The subject's entries in the view (confirmed, oldest first). */
  entries(subject: SubjectId): readonly LedgerEntry[];
  /**
   * Whether the view can answer for `subject` right now: `ready`, or why not (`not_loaded`: its
   * ledger was not read yet; `stale_view`: the store's feed is stale or a change made elsewhere is
   * being read).
   */
  viewStatus(subject: SubjectId): 'ready' | 'not_loaded' | 'stale_view';
  /** Stops following the store's feed (the view then goes stale). Idempotent. */
  close(): void;
}

interface SubjectState {
  subject: SubjectId;
  entries: LedgerEntry[];
  pending: (EventItem & { key: string })[];
  items: readonly EventItem[];
  lastAt: Instant;
  jurisdiction: string | undefined;
  pack: PolicyPack;
  /** Memoized evaluations at `2 * purpose.index + (sensitive ? 1 : 0)`. */
  cache: (Evaluation | undefined)[];
  /** Slots whose verdict sits in `settled` (dropped on every change of the subject). */
  settledSlots: number[];
  queue: Promise<unknown>;
  gpc: boolean | undefined;
  /** The subject's whole chain has been read from the store (or written from its start). */
  complete: boolean;
  /** Highest sequence the feed announced; above the head, the subject is being re-read. */
  announced: number;
  /** A re-read after an announced change is under way. */
  refreshing: boolean;
  /** Writes under way (a subject being written is never evicted). */
  writes: number;
}

const MAX_RETRIES = 5;
/** Most subjects one prepare() reads. */
const MAX_PREPARE = 10_000;
/** decide() asks a store's feed directly once every this many calls. */
const RECHECK_EVERY = 1024;

/**
 * Creates a consent manager. Call `await manager.load()` before use when the store already holds
 * entries (or use {@link openConsentManager}). Throws `consent/invalid_notice` or
 * `consent/invalid_policy` for bad options, `consent/invalid_purpose` when `purposes` is not a
 * registry and `core/invalid_input` naming the field for any other option of the wrong type.
 * Every method rejects a bad argument the same way (a typed error naming it, never a `TypeError`).
 *
 * @example
 * const manager = createConsentManager({ purposes, notices, jurisdiction: 'FR', clock });
 */
export function createConsentManager<P extends string>(
  options: ConsentManagerOptions<P>,
): ConsentManager<P> {
  checkOptions(options);
  const registry = options.purposes;
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createMemoryLedgerStore();
  const notices = validateNotices(options.notices ?? [], (id) => registry.has(id)) as Notice<P>[];
  const policies = options.policies ?? defaultPolicies;
  if (!Array.isArray(policies)) {
    fail('consent/invalid_policy', 'policies', policies, 'must be an array of policy packs');
  }
  const packs = policies.map((p, i) => validatePolicyPack(p, `policies[${i}]`));
  const fallback = validatePolicyPack(
    options.fallbackPolicy ?? policyPacks.strict,
    'fallbackPolicy',
  );
  const defaultJurisdiction = options.jurisdiction;
  const defaultPack = resolvePolicy(defaultJurisdiction, packs, fallback);
  const subjects = new Map<SubjectId, SubjectState>();
  // A manager on its own new store is that store's only writer: nothing to follow.
  const feed = options.store == null ? undefined : store.feed;
  if (feed != null && (typeof feed !== 'object' || typeof feed.subscribe !== 'function')) {
    fail('core/invalid_input', 'options.store.feed', feed, 'must be a ChangeFeed');
  }
  // A manager on its own new store has nothing to read; one on a store you pass must load() it.
  let loaded = options.store == null;
  // False while the store's feed cannot prove it has announced every change (fail closed).
  let fresh = feed == null || feed.fresh === true;
  let closed = false;
  // decide() asks the feed itself every so many calls, in case its timer could not run.
  let recheckIn = RECHECK_EVERY;
  // Idempotency keys of this manager's writes under way: the feed's notice of them is not news.
  const writing = new Set<string>();
  // While load() reads the ledger: the subjects new to the view the feed announced meanwhile.
  let loading: Map<SubjectId, number> | null = null;
  // With a cache, only prepared customers are held (least recently prepared first out).
  const maxSubjects = options.cache?.maxSubjects;
  // Subjects a prepare() is reading, and the highest sequence the feed announced meanwhile.
  const preparing = new Map<SubjectId, number>();
  const stopFollowing = feed?.subscribe((notice) => {
    if (closed) return;
    if (notice.type === 'stale') fresh = false;
    else if (notice.type === 'fresh') fresh = true;
    else if (notice.change.stream === 'consent' && notice.change.subject !== null) {
      heard(notice.change.subject, notice.change.sequence, notice.change.key);
    }
  });
  // Purposes whose verdict no ledger event can change (first basis contract or legal obligation).
  const ledgerFree = registry.ids.map((id) => {
    const first = registry.get(id)?.bases[0];
    return first === 'contract' || first === 'legal_obligation';
  });
  const emptyCache: (Evaluation | undefined)[] = [];
  // Per slot (purpose × sensitive), the subjects whose current verdict holds from their last
  // event until their next change (no expiry, no future-dated event): decide() without `at`
  // answers them with one lookup. rebuild() drops a subject's entries on every change.
  const settled: Map<SubjectId, ConsentVerdict>[] = [];
  const listeners = new Set<(change: ConsentChange) => void>();
  let counter = 0;
  const generateKey =
    options.generateKey ??
    (() =>
      `ck_${clock.now().toString(36)}_${(counter++).toString(36)}_${Math.random().toString(36).slice(2, 10)}`);

  const packFor = (jurisdiction: string | undefined) =>
    jurisdiction === undefined ? defaultPack : resolvePolicy(jurisdiction, packs, fallback);

  function stateOf(subject: SubjectId): SubjectState {
    let state = subjects.get(subject);
    if (!state) {
      state = {
        subject,
        settledSlots: [],
        lastAt: 0,
        entries: [],
        pending: [],
        items: [],
        jurisdiction: undefined,
        pack: defaultPack,
        cache: [],
        queue: Promise.resolve(),
        gpc: undefined,
        complete: false,
        announced: 0,
        refreshing: false,
        writes: 0,
      };
      subjects.set(subject, state);
    }
    return state;
  }

  function rebuild(state: SubjectState): void {
    const items: EventItem[] = state.pending.length
      ? [...state.entries, ...state.pending]
      : state.entries;
    let lastAt = 0;
    let jurisdiction: string | undefined;
    let gpc: boolean | undefined;
    for (const item of items) {
      if (item.event.at > lastAt) lastAt = item.event.at;
      if (item.event.jurisdiction !== undefined) jurisdiction = item.event.jurisdiction;
      if (item.event.signal) gpc = item.event.signal.gpc;
    }
    state.items = items;
    state.lastAt = lastAt;
    state.jurisdiction = jurisdiction;
    state.pack = packFor(jurisdiction ?? defaultJurisdiction);
    state.gpc = gpc;
    state.cache = [];
    for (const slot of state.settledSlots) settled[slot]!.delete(state.subject);
    state.settledSlots.length = 0;
  }

  const headOf = (state: SubjectState) => state.entries[state.entries.length - 1]?.sequence ?? 0;

  /** Applies the entry after the head; an older one is a repeat, a later one means a gap to read. */
  function applyEntry(state: SubjectState, entry: LedgerEntry): boolean {
    const head = headOf(state);
    if (entry.sequence <= head) return false;
    if (entry.sequence > head + 1) {
      if (entry.sequence > state.announced) state.announced = entry.sequence;
      reread(state);
      return false;
    }
    state.entries.push(entry);
    state.complete = true;
    dropPending(state, entry.idempotencyKey);
    rebuild(state);
    return true;
  }

  /**
   * The feed announced `sequence` for `subject`: unless this manager wrote it or has it, the
   * subject answers `stale_view` until the store has been read up to it.
   */
  function heard(subject: SubjectId, sequence: number, key: string | null): void {
    if (key !== null && writing.has(key)) return;
    const reading = preparing.has(subject) ? preparing : loading;
    if (reading !== null && !subjects.has(subject)) {
      // load() or prepare() is reading it: compare with what was read once it has been.
      reading.set(subject, Math.max(sequence, reading.get(subject) ?? 0));
      return;
    }
    // Not held: a later prepare() reads the store, which has it.
    if (maxSubjects !== undefined && !subjects.has(subject)) return;
    const state = stateOf(subject);
    if (sequence <= headOf(state) && state.complete) return;
    if (sequence > state.announced) state.announced = sequence;
    reread(state);
  }

  /**
   * Reads the subject again (it answers `stale_view` meanwhile) until the store has nothing newer
   * than what was announced; on failure it stays closed and tries again, backing off.
   */
  function reread(state: SubjectState): void {
    if (state.refreshing) return;
    state.refreshing = true;
    rebuild(state);
    const attempt = async (tries: number): Promise<void> => {
      try {
        for (;;) {
          const before = headOf(state);
          await catchUp(state.subject, state);
          const head = headOf(state);
          if (head >= state.announced || head === before || closed) break;
        }
        state.refreshing = false;
        rebuild(state);
      } catch {
        if (!closed) setTimeout(() => void attempt(tries + 1), Math.min(2_000, 50 * 2 ** tries));
      }
    };
    void attempt(0);
  }

  /** Forgets the pending (not yet stored) event written under `key`; true if there was one. */
  function dropPending(state: SubjectState, key: string): boolean {
    const index = state.pending.findIndex((p) => p.key === key);
    if (index !== -1) state.pending.splice(index, 1);
    return index !== -1;
  }

  /** Replaces a subject's entries with what the store holds, keeping only unstored pending events. */
  function reset(subject: SubjectId, list: LedgerEntry[]): void {
    const state = stateOf(subject);
    // A chain only grows: a list read before a change the view already applied is older.
    if (list.length >= state.entries.length) state.entries = list;
    state.complete = true;
    state.pending = state.pending.filter((p) => !list.some((e) => e.idempotencyKey === p.key));
    rebuild(state);
  }

  /** Every stored entry, grouped by subject (each subject's entries in ascending sequence). */
  async function readAll(): Promise<Map<SubjectId, LedgerEntry[]>> {
    const groups = new Map<SubjectId, LedgerEntry[]>();
    for await (const entry of store.entries()) {
      const list = groups.get(entry.subject);
      if (list) list.push(entry);
      else groups.set(entry.subject, [entry]);
    }
    return groups;
  }

  function notify(change: ConsentChange): void {
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  function jurisdictionAt(items: readonly EventItem[], t: Instant): string | undefined {
    let out: string | undefined;
    for (const item of items) {
      if (item.event.at <= t && item.event.jurisdiction !== undefined) {
        out = item.event.jurisdiction;
      }
    }
    return out ?? defaultJurisdiction;
  }

  function unknownPurpose(purpose: string): ConsentVerdict {
    return Object.freeze({
      allowed: false,
      purpose,
      status: 'not_asked',
      basis: null,
      reasons: Object.freeze([
        { code: 'unknown_purpose', detail: `${purpose} is not a declared purpose`, purpose },
      ]),
      recordIds: Object.freeze([]),
      noticeVersion: null,
      expiresAt: null,
    } satisfies ConsentVerdict);
  }

  /** Why the view cannot answer for this subject now, or `null` when it can. */
  function problemWith(state: SubjectState | undefined): 'not_loaded' | 'stale_view' | null {
    if (!fresh) return 'stale_view';
    if (state === undefined) return loaded ? null : 'not_loaded';
    if (state.refreshing) return 'stale_view';
    return loaded || state.complete ? null : 'not_loaded';
  }

  function verdictFor(
    purpose: Purpose,
    subject: SubjectId,
    t: Instant,
    sensitive: boolean,
    jurisdiction: string | undefined,
    at: Instant | undefined,
  ): ConsentVerdict {
    const state = subjects.get(subject);
    const problem = problemWith(state);
    if (problem !== null && !ledgerFree[purpose.index]) return unknownVerdict(purpose, problem);
    const slot = 2 * purpose.index + (sensitive ? 1 : 0);
    // Without an explicit `at`, the current state answers (even if the wall clock stepped back).
    if (
      state !== undefined &&
      jurisdiction === undefined &&
      (at === undefined || t >= state.lastAt)
    ) {
      if (t < state.lastAt) t = state.lastAt;
      let hit = state.cache[slot];
      if (hit === undefined || t >= hit.until || t < hit.from) {
        hit = evaluatePurpose(registry, purpose, state.items, t, state.pack, sensitive);
        state.cache[slot] = hit;
      }
      // Holds from the subject's last event until its next change: answer it from `settled`.
      if (hit.from <= state.lastAt && hit.until === Number.POSITIVE_INFINITY) {
        let map = settled[slot];
        if (map === undefined) {
          map = new Map();
          settled[slot] = map;
        }
        if (!map.has(state.subject)) state.settledSlots.push(slot);
        map.set(state.subject, hit.verdict);
      }
      return hit.verdict;
    }
    if (state === undefined) {
      if (jurisdiction !== undefined) {
        return evaluatePurpose(registry, purpose, [], t, packFor(jurisdiction), sensitive).verdict;
      }
      // No events: the verdict depends only on the purpose and the default pack.
      let cached = emptyCache[slot];
      if (cached === undefined) {
        cached = evaluatePurpose(registry, purpose, [], t, defaultPack, sensitive);
        emptyCache[slot] = cached;
      }
      return cached.verdict;
    }
    const pack = packFor(jurisdiction ?? jurisdictionAt(state.items, t));
    return evaluatePurpose(registry, purpose, state.items, t, pack, sensitive).verdict;
  }

  // One-entry memos: callers pass the same literal strings again and again.
  let lastPurposeId: string | undefined;
  let lastPurpose: Purpose | undefined;
  const lastCategory: (string | undefined)[] = [];
  const lastClass: (0 | 1 | 2)[] = [];

  // The last question's shape (purpose and categories, all declared) and its slot, so a caller
  // asking the same question about many subjects costs one lookup per subject. The categories
  // are compared by value on every call: a caller may reuse and mutate its array.
  let shapePurpose: string | undefined;
  let shapeCategories: readonly string[] = [];
  let shapeSettled: Map<SubjectId, ConsentVerdict> | undefined;

  function sameShape(purposeId: unknown, categories: unknown): boolean {
    if (purposeId !== shapePurpose) return false;
    if (!Array.isArray(categories) || categories.length !== shapeCategories.length) return false;
    for (let i = 0; i < categories.length; i++) {
      if (categories[i] !== shapeCategories[i]) return false;
    }
    return true;
  }

  function unknownVerdict(purpose: Purpose, problem: 'not_loaded' | 'stale_view'): ConsentVerdict {
    return Object.freeze({
      allowed: false,
      purpose: purpose.id,
      status: 'unknown',
      basis: null,
      reasons: Object.freeze([
        {
          code: problem,
          detail:
            problem === 'not_loaded'
              ? `Not allowed: this customer's consent for ${purpose.title} has not been read from the ledger yet`
              : `Not allowed: this instance may have missed a recent change to this customer's consent for ${purpose.title}, and waits until it has caught up`,
          purpose: purpose.id,
        },
      ]),
      recordIds: Object.freeze([]),
      noticeVersion: null,
      expiresAt: null,
    } satisfies ConsentVerdict);
  }

  /** Asks the feed itself whether it is fresh (its own timer may not have run yet). */
  function recheck(): void {
    recheckIn = RECHECK_EVERY;
    if (feed != null && fresh && feed.fresh !== true) fresh = false;
  }

  function decide(query: DecideQuery<P> | ConsentQuery): ConsentVerdict {
    needObject(query, 'query');
    if (--recheckIn === 0) recheck();
    // Only fields leave this function, never `query`: where it is inlined into a caller that
    // passes an object literal, the literal need not be allocated at all.
    const { subject, purpose, dataCategories, at } = query;
    const jurisdiction = (query as DecideQuery<P>).jurisdiction;
    if (
      fresh &&
      at === undefined &&
      jurisdiction === undefined &&
      sameShape(purpose, dataCategories)
    ) {
      const verdict = shapeSettled?.get(subject);
      if (verdict !== undefined) return verdict;
    }
    return decideFully(subject, purpose, dataCategories, at, jurisdiction);
  }

  function decideFully(
    subject: SubjectId,
    purposeId: string,
    categories: readonly DataCategoryId[],
    at: Instant | undefined,
    jurisdiction: string | undefined,
  ): ConsentVerdict {
    if (typeof subject !== 'string' || subject.length === 0) {
      fail('core/invalid_input', 'subject', subject, 'must be a non-empty string');
    }
    if (at !== undefined && (typeof at !== 'number' || !Number.isFinite(at))) {
      fail('core/invalid_time', 'at', at, 'must be a time in epoch milliseconds');
    }
    let purpose = lastPurpose;
    if (purposeId !== lastPurposeId || purpose === undefined) {
      purpose = registry.get(purposeId);
      if (!purpose) {
        parsePurposeId(purposeId);
        return unknownPurpose(purposeId);
      }
      lastPurposeId = purposeId;
      lastPurpose = purpose;
    }
    if (!Array.isArray(categories)) {
      fail('core/invalid_input', 'dataCategories', categories, 'must be an array');
    }
    const index = purpose.index;
    let sensitive = false;
    let undeclared: DataCategoryId | undefined;
    for (let i = 0; i < categories.length; i++) {
      const category = categories[i]!;
      let kind: 0 | 1 | 2;
      if (lastCategory[index] === category) kind = lastClass[index]!;
      else {
        kind = registry.classify(purpose, category);
        lastCategory[index] = category;
        lastClass[index] = kind;
      }
      if (kind === 2) sensitive = true;
      else if (kind === 0 && undeclared === undefined) {
        if (!isDottedId(category)) parseDataCategoryId(category);
        undeclared = category;
      }
    }
    const verdict = verdictFor(purpose, subject, at ?? clock.now(), sensitive, jurisdiction, at);
    if (undeclared === undefined) {
      if (!sameShape(purposeId, categories)) {
        shapePurpose = purpose.id;
        shapeCategories = categories.slice();
      }
      shapeSettled = settled[2 * index + (sensitive ? 1 : 0)];
      return verdict;
    }
    return Object.freeze({
      ...verdict,
      allowed: false,
      reasons: Object.freeze([
        {
          code: 'category_not_declared',
          detail: `${purpose.title} does not declare the data category ${undeclared}`,
          purpose: purpose.id,
          dataCategory: undeclared,
        },
        ...verdict.reasons,
      ]),
    });
  }

  function purposeList(value: unknown, path: string, allowEmpty: boolean): P[] {
    const list = (typeof value === 'string' ? [value] : value) as unknown;
    if (!Array.isArray(list) || (!allowEmpty && list.length === 0)) {
      fail('consent/invalid_purpose', path, value, 'name at least one purpose');
    }
    list.forEach((p, i) => {
      if (!registry.has(p as string)) {
        fail('consent/invalid_purpose', `${path}[${i}]`, p, `${JSON.stringify(p)} is not declared`);
      }
    });
    return list as P[];
  }

  function buildEvent(
    kind: ConsentEventKind,
    input: ChangeDetails & { readonly subject: SubjectId; readonly purposes?: P | readonly P[] },
    extra: { readonly confirmed?: boolean; readonly gpc?: boolean } = {},
    path = 'input',
  ): { event: ConsentEvent; key: string } {
    needObject(input, path, 'consent/invalid_event');
    const now = clock.now();
    const purposes =
      kind === 'signal_observed' ? [] : purposeList(input.purposes, `${path}.purposes`, false);
    const at = input.at ?? now;
    const state = subjects.get(input.subject);
    if (input.notice !== undefined && input.notice !== null && typeof input.notice !== 'object') {
      fail('consent/invalid_notice', `${path}.notice`, input.notice, 'must be a notice reference');
    }
    let notice: NoticeRef | undefined;
    if (input.notice && 'contentHash' in input.notice) notice = input.notice;
    else if (input.notice) {
      const wanted = input.notice;
      const latest =
        wanted.version === undefined
          ? notices
              .filter((n) => n.id === wanted.id && n.effectiveAt <= at)
              .sort((a, b) => b.effectiveAt - a.effectiveAt)[0]
          : notices.find(
              (n) =>
                n.id === wanted.id &&
                n.version === wanted.version &&
                n.purposes.some((p) => purposes.includes(p)),
            );
      if (!latest) {
        fail(
          'consent/invalid_notice',
          `${path}.notice`,
          wanted,
          `${JSON.stringify(wanted.id)}${wanted.version ? ` version ${wanted.version}` : ''} is not declared`,
        );
      }
      notice = noticeRef(latest);
    } else if (kind !== 'revoked' && kind !== 'expired') {
      for (const id of purposes) {
        const current = currentNoticeFor(notices, id, at, options.language);
        if (current) {
          notice = noticeRef(current);
          break;
        }
      }
    }
    let expiresAt = input.expiresAt;
    if (expiresAt === undefined && (kind === 'given' || kind === 'renewed' || kind === 'refused')) {
      for (const id of purposes) {
        const def = registry.get(id);
        const life = kind === 'refused' ? def?.refusalExpiresIn : def?.expiresIn;
        if (life !== undefined)
          expiresAt = Math.min(expiresAt ?? Number.POSITIVE_INFINITY, at + life);
      }
    }
    const jurisdiction = input.jurisdiction ?? state?.jurisdiction ?? defaultJurisdiction;
    // Absent fields stay `undefined`: the sealed copy drops them, so the stored bytes are the same.
    const event = {
      kind,
      actor: input.actor ?? {
        kind: kind === 'revoked' ? 'company' : kind === 'expired' ? 'system' : 'subject',
      },
      purposes,
      basis:
        kind === 'objected'
          ? 'legitimate_interest'
          : kind === 'signal_observed' || kind === 'notice_shown'
            ? undefined
            : 'consent',
      notice,
      at,
      method: input.method ?? (kind === 'signal_observed' ? 'gpc' : 'api'),
      surface: input.surface,
      uiVersion: input.uiVersion,
      jurisdiction,
      expiresAt,
      reason: input.reason,
      confirmed: extra.confirmed === true ? true : undefined,
      signal: extra.gpc === undefined ? undefined : { gpc: extra.gpc },
    } as ConsentEvent;
    validateEvent(input.subject, event, now, path);
    const key = input.idempotencyKey ?? generateKey();
    if (typeof key !== 'string' || key.length === 0) {
      fail('consent/invalid_event', `${path}.idempotencyKey`, key, 'must be a non-empty string');
    }
    return { event, key };
  }

  async function catchUp(subject: SubjectId, state: SubjectState): Promise<void> {
    const newer = await store.read(subject, { afterSequence: headOf(state) });
    for (const entry of newer) {
      if (applyEntry(state, entry)) notify({ subject, entry, duplicate: false });
    }
    state.complete = true;
  }

  function write(subject: SubjectId, event: ConsentEvent, key: string): Promise<ConsentChange> {
    const state = stateOf(subject);
    writing.add(key);
    state.writes++;
    if (isRestrictive(event.kind)) {
      // Restrictions apply to the very next decide(), before the store acknowledges them. If the
      // write fails they stay in force in this process (fail closed) until refresh() or load().
      state.pending.push({ id: `pending:${key}`, event, key });
      rebuild(state);
    }
    const run = async (): Promise<ConsentChange> => {
      for (let attempt = 0; ; attempt++) {
        const expectedSequence = state.entries[state.entries.length - 1]?.sequence ?? 0;
        try {
          const { entry, duplicate } = await store.append({
            subject,
            expectedSequence,
            idempotencyKey: key,
            recordedAt: clock.now(),
            event,
          });
          if (entry.sequence > expectedSequence + 1) await catchUp(subject, state);
          if (expectedSequence === 0) state.complete = true;
          const applied = applyEntry(state, entry);
          if (dropPending(state, key)) rebuild(state);
          const change = { subject, entry, duplicate };
          if (applied) notify(change);
          return change;
        } catch (error) {
          const stale = error instanceof CandorError && error.code === 'consent/stale_sequence';
          if (!stale || attempt >= MAX_RETRIES) {
            // The store may have kept it after all: read the subject again before answering.
            reread(state);
            throw error;
          }
          await catchUp(subject, state);
        }
      }
    };
    const result = state.queue.then(run, run).finally(() => {
      writing.delete(key);
      state.writes--;
      evict();
    });
    state.queue = result.catch(() => undefined);
    return result;
  }

  const change =
    (kind: ConsentEventKind) =>
    (input: ChangeInput<P> & { readonly confirmed?: boolean }): Promise<ConsentChange> => {
      try {
        const { event, key } = buildEvent(kind, input, { confirmed: input?.confirmed === true });
        return write(input.subject, event, key);
      } catch (error) {
        return Promise.reject(error);
      }
    };

  /** Moves a held subject to the most recently used end. */
  function touch(subject: SubjectId): void {
    const state = subjects.get(subject);
    if (state === undefined || maxSubjects === undefined) return;
    subjects.delete(subject);
    subjects.set(subject, state);
  }

  /** Drops the least recently prepared subjects beyond the cache (never one being written or read). */
  function evict(keep?: ReadonlySet<SubjectId>): void {
    if (maxSubjects === undefined) return;
    let over = subjects.size - maxSubjects;
    if (over <= 0) return;
    for (const [subject, state] of subjects) {
      if (over <= 0) break;
      if (state.writes > 0 || state.pending.length > 0 || state.refreshing || keep?.has(subject))
        continue;
      for (const slot of state.settledSlots) settled[slot]!.delete(subject);
      subjects.delete(subject);
      over--;
    }
  }

  async function prepare(input: SubjectId | readonly SubjectId[]): Promise<void> {
    const list: readonly unknown[] = typeof input === 'string' ? [input] : (input as unknown[]);
    if (!Array.isArray(list)) {
      fail('core/invalid_input', 'subjects', input, 'must be a subject or an array of subjects');
    }
    if (list.length > MAX_PREPARE) {
      fail('core/invalid_input', 'subjects', list.length, `at most ${MAX_PREPARE} per call`);
    }
    list.forEach((subject, i) => {
      if (typeof subject !== 'string' || subject.length === 0) {
        fail('core/invalid_input', `subjects[${i}]`, subject, 'must be a non-empty string');
      }
    });
    const batch = new Set(list as SubjectId[]);
    const missing: SubjectId[] = [];
    for (const subject of batch) {
      const state = subjects.get(subject);
      if (state === undefined || !(loaded || state.complete)) missing.push(subject);
    }
    if (missing.length > 0) {
      // Listening first: a change made while they are read is announced, not lost.
      await feed?.ready();
      for (const subject of missing) preparing.set(subject, preparing.get(subject) ?? 0);
      const announced = new Map<SubjectId, number>();
      let read: ReadonlyMap<SubjectId, readonly LedgerEntry[]>;
      try {
        read = await readMany(missing);
      } finally {
        for (const subject of missing) {
          announced.set(subject, preparing.get(subject) ?? 0);
          preparing.delete(subject);
        }
      }
      for (const subject of missing) reset(subject, [...(read.get(subject) ?? [])]);
      for (const [subject, sequence] of announced) if (sequence > 0) heard(subject, sequence, null);
    }
    for (const subject of batch) touch(subject);
    evict(batch);
  }

  function readMany(
    list: readonly SubjectId[],
  ): Promise<ReadonlyMap<SubjectId, readonly LedgerEntry[]>> {
    if (store.readMany !== undefined) return store.readMany(list);
    return Promise.all(list.map(async (s) => [s, await store.read(s)] as const)).then(
      (pairs) => new Map(pairs),
    );
  }

  async function load(loadOptions: { readonly verify?: boolean } = {}): Promise<number> {
    needObject(loadOptions, 'options');
    // Listening first: a change made while the ledger is read is announced, not lost.
    await feed?.ready();
    // With a cache, customers are read by prepare(), never all at once.
    if (maxSubjects !== undefined) return 0;
    const announced = new Map<SubjectId, number>();
    loading = announced;
    let bySubject: Map<SubjectId, LedgerEntry[]>;
    try {
      bySubject = await readAll();
    } finally {
      loading = null;
    }
    let count = 0;
    for (const list of bySubject.values()) {
      count += list.length;
      const result = loadOptions.verify === false ? undefined : verifyChain(list);
      if (result && !result.valid) {
        fail(
          'consent/tampered_chain',
          `${result.subject}[${result.index}]`,
          result.entryId,
          result.detail,
          result,
        );
      }
    }
    for (const [subject, list] of bySubject) reset(subject, list);
    loaded = true;
    for (const [subject, sequence] of announced) heard(subject, sequence, null);
    return count;
  }

  const manager: ConsentManager<P> = {
    purposes: registry,
    notices,
    gate: { decide: (query) => decide(query as ConsentQuery), prepare },
    load,
    prepare,
    async refresh(subject) {
      requireSubject(subject);
      reset(subject, await store.read(subject));
    },
    decide,
    grant: change('given'),
    refuse: change('refused'),
    withdraw: change('withdrawn'),
    object: change('objected'),
    revoke: change('revoked'),
    renew: change('renewed'),
    expire: change('expired'),
    noticeShown: change('notice_shown'),
    async observeGpc(input) {
      needObject(input, 'input', 'consent/invalid_event');
      const state = subjects.get(input.subject);
      if (typeof input.gpc !== 'boolean') {
        fail('consent/invalid_event', 'input.gpc', input.gpc, 'must be a boolean');
      }
      if ((state?.gpc ?? false) === input.gpc) return null;
      const { event, key } = buildEvent('signal_observed', input, { gpc: input.gpc });
      return write(input.subject, event, key);
    },
    async import(records) {
      if (!Array.isArray(records)) {
        fail('consent/invalid_event', 'records', records, 'must be an array');
      }
      const built = records.map((record, i) => {
        const path = `records[${i}]`;
        if (
          typeof record !== 'object' ||
          record === null ||
          !consentEventKinds.includes(record.kind)
        ) {
          fail(
            'consent/invalid_event',
            `${path}.kind`,
            (record as { kind?: unknown } | null)?.kind,
            'not an event kind',
          );
        }
        if (record.kind === 'signal_observed' && typeof record.gpc !== 'boolean') {
          fail('consent/invalid_event', `${path}.gpc`, record.gpc, 'must be a boolean');
        }
        const { event } = buildEvent(
          record.kind,
          { ...record, method: record.method ?? 'import' },
          {
            confirmed: record.confirmed === true,
            ...(record.kind === 'signal_observed' ? { gpc: record.gpc as boolean } : {}),
          },
          path,
        );
        return {
          subject: record.subject,
          event,
          key:
            record.idempotencyKey ??
            `import:${sha256Hex(canonicalJson({ subject: record.subject, event }))}`,
        };
      });
      const out: ConsentChange[] = [];
      for (const item of built) out.push(await write(item.subject, item.event, item.key));
      return out;
    },
    onChange(listener) {
      needType(listener, 'function', 'listener');
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async verify(subject) {
      if (subject !== undefined) requireSubject(subject);
      const groups =
        subject === undefined ? await readAll() : new Map([[subject, await store.read(subject)]]);
      let entries = 0;
      for (const list of groups.values()) {
        const result = verifyChain(list);
        if (!result.valid) return { ...result, subjects: groups.size };
        entries += list.length;
      }
      return { valid: true, subjects: groups.size, entries };
    },
    needsPrompt(subject, promptOptions = {}) {
      requireSubject(subject);
      needObject(promptOptions, 'options');
      const t = promptOptions.at ?? clock.now();
      needType(t, 'number', 'options.at');
      const out: PromptNeed<P>[] = [];
      const state = subjects.get(subject);
      // A view that cannot prove it is current must not re-ask someone who may have said no.
      if (problemWith(state) !== null) return out;
      const pack = packFor(state ? jurisdictionAt(state.items, t) : defaultJurisdiction);
      for (const id of registry.ids) {
        const purpose = registry.get(id)!;
        const sensitive = purpose.categories.some((c) => registry.isSensitive(c));
        const { verdict, record } = evaluatePurpose(
          registry,
          purpose,
          state?.items ?? [],
          t,
          pack,
          sensitive,
        );
        const notice = currentNoticeFor(notices, id, t, options.language) ?? null;
        const code = verdict.reasons[0]?.code;
        let reason: PromptNeed<P>['reason'] | undefined;
        if (verdict.status === 'not_asked' && !verdict.allowed) reason = 'never_asked';
        else if (code === 'expired' || code === 'refusal_expired') reason = 'expired';
        else if (
          record?.event.notice &&
          (code === 'explicit_grant' ||
            code === 'imported_grant' ||
            code === 'refused' ||
            code === 'withdrawn') &&
          materiallyChanged(notices, record.event.notice, id, t)
        ) {
          reason = 'notice_changed';
        }
        if (reason === undefined) continue;
        const optedOut =
          record &&
          (record.event.kind === 'refused' || record.event.kind === 'withdrawn') &&
          pack.noReaskAfterOptOut !== null &&
          t < record.event.at + pack.noReaskAfterOptOut;
        if (optedOut) continue;
        out.push({ purpose: id, reason, notice });
      }
      return out;
    },
    currentNotice(purpose, at) {
      return currentNoticeFor(notices, purpose, at ?? clock.now(), options.language);
    },
    async exportHistory(subject) {
      requireSubject(subject);
      const entries = await store.read(subject);
      const now = clock.now();
      return {
        subject,
        exportedAt: new Date(now).toISOString(),
        chain: verifyChain(entries),
        entries: entries.map((entry) => ({
          ...entry,
          atIso: new Date(entry.event.at).toISOString(),
          recordedAtIso: new Date(entry.recordedAt).toISOString(),
        })),
        current: registry.ids.map((purpose) =>
          decide({ subject, purpose, dataCategories: [], at: now }),
        ),
      };
    },
    entries(subject) {
      requireSubject(subject);
      return subjects.get(subject)?.entries.slice() ?? [];
    },
    viewStatus(subject) {
      requireSubject(subject);
      recheck();
      return problemWith(subjects.get(subject)) ?? 'ready';
    },
    close() {
      if (closed) return;
      closed = true;
      fresh = false;
      stopFollowing?.();
    },
  };
  return manager;
}

/** Throws `core/invalid_input` naming `subject` unless it is a non-empty string (as decide does). */
function requireSubject(subject: unknown): void {
  if (typeof subject !== 'string' || subject.length === 0) {
    fail('core/invalid_input', 'subject', subject, 'must be a non-empty string');
  }
}

/** Checks the shape of {@link ConsentManagerOptions} (notices and packs are validated after). */
function checkOptions(options: unknown): asserts options is ConsentManagerOptions<string> {
  needObject(options, 'options');
  const o = options as Record<string, { append?: unknown; now?: unknown } | undefined>;
  requireRegistry(o.purposes, 'options.purposes');
  const bad = (field: string, what: string) =>
    fail('core/invalid_input', `options.${field}`, o[field], `must be ${what}`);
  // `null` store or clock means the default, as `??` always did.
  if (o.store != null && typeof o.store.append !== 'function') bad('store', 'a ConsentLedgerStore');
  if (o.clock != null && typeof o.clock.now !== 'function') bad('clock', 'a Clock');
  if (o.jurisdiction !== undefined && typeof o.jurisdiction !== 'string') {
    bad('jurisdiction', 'a string');
  }
  if (o.language !== undefined && typeof o.language !== 'string') bad('language', 'a string');
  if (o.generateKey !== undefined && typeof o.generateKey !== 'function') {
    bad('generateKey', 'a function');
  }
  const cache = o.cache as { maxSubjects?: unknown } | undefined;
  if (
    cache !== undefined &&
    (typeof cache !== 'object' ||
      cache === null ||
      !Number.isSafeInteger(cache.maxSubjects) ||
      (cache.maxSubjects as number) < 1)
  ) {
    fail(
      'core/invalid_input',
      'options.cache.maxSubjects',
      cache?.maxSubjects,
      'must be an integer ≥ 1',
    );
  }
}

/**
 * Creates a consent manager and hydrates it from its store (verifying every chain).
 *
 * @example
 * const manager = await openConsentManager({ purposes, store: postgresLedgerStore });
 */
export async function openConsentManager<P extends string>(
  options: ConsentManagerOptions<P>,
): Promise<ConsentManager<P>> {
  const manager = createConsentManager(options);
  await manager.load();
  return manager;
}
