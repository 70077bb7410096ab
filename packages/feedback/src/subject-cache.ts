import type { SubjectId } from '@candor/core';
import { feedbackError, show } from './errors';
import { forgetSubject, type Subjects, subjectNumber } from './subjects';
import type { CorrectionRequest } from './types';

/*
 * The bounded subject cache (`cache.maxSubjects`): which customers the view holds, what a
 * prepare() is reading, and how far each held customer's events were read. The view holds a
 * customer exactly when `subjects.numbers` has it; the map's order is the order of last prepare().
 */

/** Most subjects one prepare() reads. */
export const MAX_PREPARE = 10_000;

/**
 * What the loop keeps to hold only some customers.
 *
 * @example
 * const cache = createSubjectCache(100_000);
 */
export interface SubjectCache {
  readonly maxSubjects: number;
  /** Subjects a prepare() is reading: `true` once feedback about them was applied meanwhile. */
  readonly preparing: Map<SubjectId, boolean>;
  /** By subject number: the highest `seq` prepare() read; the feed's copies up to it are in. */
  readonly readTo: number[];
  /** Keys of events this loop applied itself whose copy from the store is still to be read. */
  readonly applied: Set<string>;
  /** Keys read from the store while this loop was storing them: its submit applies them. */
  readonly skipped: Set<string>;
}

/**
 * An empty cache of at most `maxSubjects` customers.
 *
 * @example
 * createSubjectCache(100_000).maxSubjects; // 100000
 */
export function createSubjectCache(maxSubjects: number): SubjectCache {
  return { maxSubjects, preparing: new Map(), readTo: [], applied: new Set(), skipped: new Set() };
}

/**
 * The distinct subjects of a prepare() call, checked: a subject or an array of non-empty strings,
 * with a cache (`maxSubjects`; null: none) at most {@link MAX_PREPARE} and no more than it holds.
 * Throws `feedback/invalid_event` naming the first bad one; nothing is read or dropped then.
 *
 * @example
 * subjectsToPrepare(['cus_1', 'cus_1'], 10); // ['cus_1']
 */
export function subjectsToPrepare(input: unknown, maxSubjects: number | null): SubjectId[] {
  const list: unknown = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(list)) {
    throw feedbackError('feedback/invalid_event', 'subjects: expected a subject or an array', {
      path: 'subjects',
      value: input,
    });
  }
  const limit =
    maxSubjects === null ? Number.POSITIVE_INFINITY : Math.min(MAX_PREPARE, maxSubjects);
  if (list.length > limit) {
    throw feedbackError(
      'feedback/invalid_event',
      `subjects: ${list.length} in one call, at most ${limit} (the cache holds ${maxSubjects})`,
      { path: 'subjects', value: list.length },
    );
  }
  const out = new Set<SubjectId>();
  for (let i = 0; i < list.length; i++) {
    const subject: unknown = list[i];
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200) {
      throw feedbackError(
        'feedback/invalid_event',
        `subjects[${i}]: ${show(subject)} is not a subject id (a string of 1–200 characters)`,
        { path: `subjects[${i}]`, value: subject },
      );
    }
    out.add(subject);
  }
  return [...out];
}

/** What dropping and holding customers changes besides the cache. */
export interface HeldParts {
  readonly subjects: Subjects;
  readonly corrections: CorrectionRequest[];
}

/**
 * Starts holding `subject` (an empty state; its events are applied next) and returns its number;
 * `seq` is how far its events were read.
 *
 * @example
 * const n = hold(cache, view, 'cus_1', 42);
 */
export function hold(
  cache: SubjectCache,
  parts: HeldParts,
  subject: SubjectId,
  seq: number,
): number {
  const n = subjectNumber(parts.subjects, subject);
  cache.readTo[n] = seq;
  return n;
}

/**
 * Moves a held subject to the most recently prepared end (the last to be dropped).
 *
 * @example
 * touch(view, 'cus_1');
 */
export function touch(parts: HeldParts, subject: SubjectId): void {
  const numbers = parts.subjects.numbers;
  const n = numbers.get(subject);
  if (n === undefined) return;
  numbers.delete(subject);
  numbers.set(subject, n);
}

/**
 * Drops the least recently prepared customers beyond the bound, never one of `keep` nor one a
 * prepare() is reading.
 *
 * @example
 * evict(cache, view, new Set(['cus_1']));
 */
export function evict(cache: SubjectCache, parts: HeldParts, keep: ReadonlySet<SubjectId>): void {
  const numbers = parts.subjects.numbers;
  let over = numbers.size - cache.maxSubjects;
  if (over <= 0) return;
  const dropped = new Set<SubjectId>();
  for (const subject of numbers.keys()) {
    if (over <= 0) break;
    if (keep.has(subject) || cache.preparing.has(subject)) continue;
    dropped.add(subject);
    over--;
  }
  for (const subject of dropped) forgetSubject(parts.subjects, subject);
  const corrections = parts.corrections;
  if (corrections.length > 0 && corrections.some((c) => dropped.has(c.subject))) {
    const kept = corrections.filter((c) => !dropped.has(c.subject));
    corrections.length = 0;
    corrections.push(...kept);
  }
}
