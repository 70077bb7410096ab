import type { SubjectId } from '@candor/core';
import { enforce, list, string } from './check';
import { fail } from './errors';
import { heard } from './follow';
import type { ManagerState } from './state';
import type { LedgerEntry } from './store';
import { forgetSettled, reset } from './subject-view';

// The bounded subject cache (`cache.maxSubjects`): prepare() reads the customers the view lacks
// in one batch, and the least recently prepared are dropped beyond the bound. Without a cache,
// prepare() reads only subjects not loaded yet, and nothing is ever dropped.

/** Most subjects one prepare() reads. */
const MAX_PREPARE = 10_000;
const checkSubjects = /* @__PURE__ */ list(/* @__PURE__ */ string());

/**
 * Makes these customers answerable by decide(): reads those the view lacks, in one batch (at most
 * 10,000 per call), and marks them recently used. Nothing is kept from a read that fails.
 *
 * @example
 * await prepare(state, ['cus_1', 'cus_2']);
 */
export async function prepare(
  state: ManagerState<string>,
  input: SubjectId | readonly SubjectId[],
): Promise<void> {
  const { subjects, preparing } = state;
  const batchList: readonly unknown[] = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(batchList)) {
    fail('core/invalid_input', 'subjects', input, 'must be a subject or an array of subjects');
  }
  if (batchList.length > MAX_PREPARE) {
    fail('core/invalid_input', 'subjects', batchList.length, `at most ${MAX_PREPARE} per call`);
  }
  enforce(checkSubjects, batchList, 'subjects', 'core/invalid_input');
  const batch = new Set(batchList as SubjectId[]);
  const missing: SubjectId[] = [];
  for (const subject of batch) {
    const held = subjects.get(subject);
    if (held === undefined || !(state.loaded || held.complete)) missing.push(subject);
  }
  if (missing.length > 0) {
    // Listening first: a change made while they are read is announced, not lost.
    await state.feed?.ready();
    for (const subject of missing) preparing.set(subject, preparing.get(subject) ?? 0);
    const announced = new Map<SubjectId, number>();
    let read: ReadonlyMap<SubjectId, readonly LedgerEntry[]>;
    try {
      read = await readMany(state, missing);
    } finally {
      for (const subject of missing) {
        announced.set(subject, preparing.get(subject) ?? 0);
        preparing.delete(subject);
      }
    }
    for (const subject of missing) reset(state, subject, [...(read.get(subject) ?? [])]);
    for (const [subject, sequence] of announced) {
      if (sequence > 0) heard(state, subject, sequence, null);
    }
  }
  for (const subject of batch) touch(state, subject);
  evict(state, batch);
}

/**
 * Moves a held subject to the most recently used end (with a cache).
 *
 * @example
 * touch(state, 'cus_1');
 */
export function touch(state: ManagerState<string>, subject: SubjectId): void {
  const held = state.subjects.get(subject);
  if (held === undefined || state.maxSubjects === undefined) return;
  state.subjects.delete(subject);
  state.subjects.set(subject, held);
}

/**
 * Drops the least recently prepared subjects beyond the cache (never one being written or read,
 * nor one of `keep`).
 *
 * @example
 * evict(state);
 */
export function evict(state: ManagerState<string>, keep?: ReadonlySet<SubjectId>): void {
  const { subjects, maxSubjects } = state;
  if (maxSubjects === undefined) return;
  let over = subjects.size - maxSubjects;
  if (over <= 0) return;
  for (const [subject, held] of subjects) {
    if (over <= 0) break;
    if (held.writes > 0 || held.pending.length > 0 || held.refreshing || keep?.has(subject))
      continue;
    forgetSettled(state, held);
    subjects.delete(subject);
    over--;
  }
}

function readMany(
  state: ManagerState<string>,
  subjects: readonly SubjectId[],
): Promise<ReadonlyMap<SubjectId, readonly LedgerEntry[]>> {
  const { store } = state;
  if (store.readMany !== undefined) return store.readMany(subjects);
  return Promise.all(subjects.map(async (s) => [s, await store.read(s)] as const)).then(
    (pairs) => new Map(pairs),
  );
}
