import type { SubjectId } from '@candor/core';
import type { ManagerConfig } from './config';
import { fail } from './errors';
import type { Follower } from './follow';
import type { LedgerEntry } from './store';
import type { SubjectViews } from './subject-view';

/** Most subjects one prepare() reads. */
const MAX_PREPARE = 10_000;

/**
 * The bounded subject cache (`cache.maxSubjects`): prepare() reads the customers the view lacks
 * in one batch, and the least recently prepared are dropped beyond the bound. Without a cache,
 * prepare() reads only subjects not loaded yet, and nothing is ever dropped.
 *
 * @example
 * const cache = createSubjectCache(config, views, follower);
 * await cache.prepare(['cus_1', 'cus_2']);
 */
export interface SubjectCache {
  /** Makes these customers answerable by decide() (at most 10,000 per call). */
  prepare(subjects: SubjectId | readonly SubjectId[]): Promise<void>;
  /** Moves a held subject to the most recently used end. */
  touch(subject: SubjectId): void;
  /** Drops the least recently prepared subjects beyond the cache (never one being written or read). */
  evict(keep?: ReadonlySet<SubjectId>): void;
}

/**
 * Creates the subject cache over `views`.
 *
 * @example
 * const cache = createSubjectCache(config, views, follower);
 */
export function createSubjectCache<P extends string>(
  config: ManagerConfig<P>,
  views: SubjectViews,
  follower: Follower,
): SubjectCache {
  const { store, feed, maxSubjects } = config;
  const { subjects, settled } = views;
  const follow = follower.state;
  const { preparing } = follow;

  function touch(subject: SubjectId): void {
    const state = subjects.get(subject);
    if (state === undefined || maxSubjects === undefined) return;
    subjects.delete(subject);
    subjects.set(subject, state);
  }

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
      if (state === undefined || !(follow.loaded || state.complete)) missing.push(subject);
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
      for (const subject of missing) views.reset(subject, [...(read.get(subject) ?? [])]);
      for (const [subject, sequence] of announced) {
        if (sequence > 0) follower.heard(subject, sequence, null);
      }
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

  return { prepare, touch, evict };
}
