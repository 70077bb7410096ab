import type { ConsentVerdict, Instant, SubjectId } from '@candor/core';
import type { ManagerConfig } from './config';
import type { Evaluation, EventItem } from './evaluate';
import type { PolicyPack } from './policy';
import type { LedgerEntry } from './store';
import type { ConsentChange } from './types';

/**
 * What the manager holds about one subject: its stored entries, the restrictions written but not
 * yet acknowledged, what they add up to (last time, jurisdiction, pack, GPC), memoized
 * evaluations, and the bookkeeping of reads and writes under way.
 */
export interface SubjectState {
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

/**
 * The in-memory view: one {@link SubjectState} per subject held, and the table of verdicts that
 * hold until the subject's next change (filled by decide(), emptied here on every change, so
 * the invalidation sits beside the state it depends on).
 *
 * @example
 * const views = createSubjectViews(config, { notify, reread });
 * views.reset('cus_1', await store.read('cus_1'));
 */
export interface SubjectViews {
  /** Every subject held (with a cache: least recently prepared first). */
  readonly subjects: Map<SubjectId, SubjectState>;
  /**
   * Per slot (purpose × sensitive), the subjects whose current verdict holds from their last
   * event until their next change (no expiry, no future-dated event): decide() without `at`
   * answers them with one lookup. rebuild() drops a subject's entries on every change.
   */
  readonly settled: Map<SubjectId, ConsentVerdict>[];
  /** The subject's state, created empty when the view holds none. */
  stateOf(subject: SubjectId): SubjectState;
  /** Recomputes what the entries and pending events add up to, dropping memos and settled verdicts. */
  rebuild(state: SubjectState): void;
  /** Applies the entry after the head; an older one is a repeat, a later one means a gap to read. */
  applyEntry(state: SubjectState, entry: LedgerEntry): boolean;
  /** Forgets the pending (not yet stored) event written under `key`; true if there was one. */
  dropPending(state: SubjectState, key: string): boolean;
  /** Replaces a subject's entries with what the store holds, keeping only unstored pending events. */
  reset(subject: SubjectId, list: LedgerEntry[]): void;
  /** Reads and applies what the store holds after the subject's head, announcing each new entry. */
  catchUp(subject: SubjectId, state: SubjectState): Promise<void>;
}

/** What the view tells the rest of the manager. */
export interface ViewHooks {
  /** A change read from the store (not written by this manager's own write under way). */
  notify(change: ConsentChange): void;
  /** An entry beyond the head arrived: the subject must be re-read (answering `stale_view`). */
  reread(state: SubjectState): void;
}

/** The sequence of the subject's last stored entry (0 for none). */
export const headOf = (state: SubjectState): number =>
  state.entries[state.entries.length - 1]?.sequence ?? 0;

/** The jurisdiction on record at `t` (the last one recorded by then), else `fallback`. */
export function jurisdictionAt(
  items: readonly EventItem[],
  t: Instant,
  fallback: string | undefined,
): string | undefined {
  let out: string | undefined;
  for (const item of items) {
    if (item.event.at <= t && item.event.jurisdiction !== undefined) {
      out = item.event.jurisdiction;
    }
  }
  return out ?? fallback;
}

/**
 * Creates the manager's view of its subjects over `config.store`.
 *
 * @example
 * const views = createSubjectViews(config, { notify, reread: (state) => follower.reread(state) });
 */
export function createSubjectViews<P extends string>(
  config: ManagerConfig<P>,
  hooks: ViewHooks,
): SubjectViews {
  const { store, defaultJurisdiction } = config;
  const subjects = new Map<SubjectId, SubjectState>();
  const settled: Map<SubjectId, ConsentVerdict>[] = [];

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
        pack: config.defaultPack,
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
    state.pack = config.packFor(jurisdiction ?? defaultJurisdiction);
    state.gpc = gpc;
    state.cache = [];
    for (const slot of state.settledSlots) settled[slot]!.delete(state.subject);
    state.settledSlots.length = 0;
  }

  function applyEntry(state: SubjectState, entry: LedgerEntry): boolean {
    const head = headOf(state);
    if (entry.sequence <= head) return false;
    if (entry.sequence > head + 1) {
      if (entry.sequence > state.announced) state.announced = entry.sequence;
      hooks.reread(state);
      return false;
    }
    state.entries.push(entry);
    state.complete = true;
    dropPending(state, entry.idempotencyKey);
    rebuild(state);
    return true;
  }

  function dropPending(state: SubjectState, key: string): boolean {
    const index = state.pending.findIndex((p) => p.key === key);
    if (index !== -1) state.pending.splice(index, 1);
    return index !== -1;
  }

  function reset(subject: SubjectId, list: LedgerEntry[]): void {
    const state = stateOf(subject);
    // A chain only grows: a list read before a change the view already applied is older.
    if (list.length >= state.entries.length) state.entries = list;
    state.complete = true;
    state.pending = state.pending.filter((p) => !list.some((e) => e.idempotencyKey === p.key));
    rebuild(state);
  }

  async function catchUp(subject: SubjectId, state: SubjectState): Promise<void> {
    const newer = await store.read(subject, { afterSequence: headOf(state) });
    for (const entry of newer) {
      if (applyEntry(state, entry)) hooks.notify({ subject, entry, duplicate: false });
    }
    state.complete = true;
  }

  return { subjects, settled, stateOf, rebuild, applyEntry, dropPending, reset, catchUp };
}
