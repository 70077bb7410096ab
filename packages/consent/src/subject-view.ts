import type { Instant, SubjectId } from '@candor/core';
import type { Evaluation, EventItem } from './evaluate';
import type { PolicyPack } from './policy';
import type { ManagerState } from './state';
import type { LedgerEntry } from './store';

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
  /** Some event is about some data categories only: decisions with categories are overlaid. */
  scoped: boolean;
  /** The latest expiry of a category choice (0 for none): after it, category verdicts settle. */
  categoryExpiry: Instant;
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
 * The sequence of the subject's last stored entry (0 for none).
 *
 * @example
 * const expectedSequence = headOf(subjectState);
 */
export const headOf = (state: SubjectState): number =>
  state.entries[state.entries.length - 1]?.sequence ?? 0;

/**
 * The jurisdiction on record at `t` (the last one recorded by then), else `fallback`.
 *
 * @example
 * jurisdictionAt(subjectState.items, now, state.defaultJurisdiction);
 */
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

/** The write queue of a subject with no write under way (one settled promise, shared). */
const idle: Promise<unknown> = /* @__PURE__ */ Promise.resolve();

/**
 * The subject's state, created empty when the view holds none.
 *
 * @example
 * const subjectState = stateOf(state, 'cus_1');
 */
export function stateOf(state: ManagerState<string>, subject: SubjectId): SubjectState {
  let held = state.subjects.get(subject);
  if (!held) {
    held = {
      subject,
      settledSlots: [],
      lastAt: 0,
      entries: [],
      pending: [],
      items: [],
      jurisdiction: undefined,
      pack: state.defaultPack,
      scoped: false,
      categoryExpiry: 0,
      cache: [],
      queue: idle,
      gpc: undefined,
      complete: false,
      announced: 0,
      refreshing: false,
      writes: 0,
    };
    state.subjects.set(subject, held);
  }
  return held;
}

/**
 * Recomputes what a subject's entries and pending events add up to, dropping its memoized
 * evaluations and settled verdicts.
 *
 * @example
 * rebuild(state, subjectState);
 */
export function rebuild(state: ManagerState<string>, held: SubjectState): void {
  const items: EventItem[] = held.pending.length
    ? [...held.entries, ...held.pending]
    : held.entries;
  let lastAt = 0;
  let jurisdiction: string | undefined;
  let gpc: boolean | undefined;
  let scoped = false;
  let categoryExpiry = 0;
  for (const item of items) {
    if (item.event.dataCategories !== undefined) {
      scoped = true;
      categoryExpiry = Math.max(categoryExpiry, item.event.expiresAt ?? 0);
    }
    if (item.event.at > lastAt) lastAt = item.event.at;
    if (item.event.jurisdiction !== undefined) jurisdiction = item.event.jurisdiction;
    if (item.event.signal) gpc = item.event.signal.gpc;
  }
  held.items = items;
  held.lastAt = lastAt;
  held.jurisdiction = jurisdiction;
  held.pack = state.packFor(jurisdiction ?? state.defaultJurisdiction);
  held.gpc = gpc;
  held.scoped = scoped;
  held.categoryExpiry = categoryExpiry;
  held.cache = [];
  forgetSettled(state, held);
}

/**
 * Memoizes the subject's evaluation at `slot`. Its first memo gets an array of exactly `slot + 1`
 * places: an empty array grown by assignment keeps some 16 spare places, and a cache of 100k
 * subjects would hold them all.
 *
 * @example
 * memoize(subjectState, 2 * purpose.index, evaluation);
 */
export function memoize(held: SubjectState, slot: number, evaluation: Evaluation): void {
  if (held.cache.length === 0) held.cache = new Array(slot + 1);
  held.cache[slot] = evaluation;
}

/**
 * Drops a subject's verdicts from the settled table.
 *
 * @example
 * forgetSettled(state, subjectState);
 */
export function forgetSettled(state: ManagerState<string>, held: SubjectState): void {
  for (const slot of held.settledSlots) state.settled[slot]!.delete(held.subject);
  held.settledSlots.length = 0;
  state.scopedSettled.delete(held.subject);
}

/**
 * Forgets the pending (not yet stored) event written under `key`; true if there was one.
 *
 * @example
 * if (dropPending(subjectState, key)) rebuild(state, subjectState);
 */
export function dropPending(held: SubjectState, key: string): boolean {
  const index = held.pending.findIndex((p) => p.key === key);
  if (index !== -1) held.pending.splice(index, 1);
  return index !== -1;
}

/**
 * Replaces a subject's entries with what the store holds, keeping only unstored pending events.
 *
 * @example
 * reset(state, 'cus_1', await state.store.read('cus_1'));
 */
export function reset(state: ManagerState<string>, subject: SubjectId, list: LedgerEntry[]): void {
  const held = stateOf(state, subject);
  // A chain only grows: a list read before a change the view already applied is older.
  if (list.length >= held.entries.length) held.entries = list;
  held.complete = true;
  if (held.pending.length > 0)
    held.pending = held.pending.filter((p) => !list.some((e) => e.idempotencyKey === p.key));
  rebuild(state, held);
}
