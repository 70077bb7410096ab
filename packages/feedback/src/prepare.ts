import type { SubjectId } from '@candor/core';
import { silently } from './announce';
import { correctionOf } from './apply';
import { feedbackError } from './errors';
import { type Follower, hydrate } from './follow';
import type { FeedbackEvent } from './schema';
import type { StoredFeedbackEvent } from './store';
import { evict, hold, subjectsToPrepare, touch } from './subject-cache';
import { applyToNumber } from './subjects';
import { checkFeedbackEvent } from './validate';

/*
 * prepare(): makes customers answerable by check(). Without a subject cache it only hydrates the
 * view once; with one it reads the customers the view lacks in one store read and drops the least
 * recently prepared beyond the bound.
 */

/** Reads of one batch before prepare() gives up on customers whose feedback keeps arriving. */
const ATTEMPTS = 4;

/** Hydrates the view unless it is loaded (sharing a hydration already in flight). */
function loaded(f: Follower): Promise<unknown> {
  return f.loaded && f.hydration === null ? Promise.resolve() : hydrate(f);
}

/**
 * Creates the loop's `prepare()` over `f`.
 *
 * @example
 * const prepare = createPrepare(follower);
 * await prepare(['cus_1', 'cus_2']);
 */
export function createPrepare(
  f: Follower,
): (subjects: SubjectId | readonly SubjectId[]) => Promise<void> {
  return async (input) => {
    const cache = f.view.cache;
    if (cache === null) {
      subjectsToPrepare(input, null);
      await loaded(f);
      return;
    }
    const batch = subjectsToPrepare(input, cache.maxSubjects);
    await loaded(f);
    const readEventsOf = f.store.readEventsOf;
    if (readEventsOf === undefined) {
      throw feedbackError(
        'feedback/invalid_option',
        'cache: the store cannot read customers one by one (it has no readEventsOf)',
        { path: 'options.cache', value: f.view.config.maxSubjects },
      );
    }
    const { view } = f;
    const numbers = view.subjects.numbers;
    let missing = batch.filter((subject) => !numbers.has(subject));
    let inOrder = false;
    for (let attempt = 0; missing.length > 0 && attempt < ATTEMPTS; attempt++) {
      // Listening first: feedback stored while they are read is announced, not lost.
      await f.feed?.ready();
      const reading = missing.filter((subject) => !cache.preparing.has(subject));
      for (const subject of reading) cache.preparing.set(subject, false);
      let rows: readonly StoredFeedbackEvent[];
      const changed = new Set<SubjectId>();
      try {
        rows = await readEventsOf.call(f.store, reading);
      } finally {
        for (const subject of reading) {
          if (cache.preparing.get(subject) === true) changed.add(subject);
          cache.preparing.delete(subject);
        }
      }
      const added = install(f, reading, rows, changed);
      // All newly held in one go, in the call's order: most recently prepared last already.
      inOrder = added === batch.length;
      missing = missing.filter((subject) => !numbers.has(subject));
    }
    if (!inOrder) for (const subject of batch) touch(view, subject);
    evict(cache, view, new Set(batch));
  };
}

/** Checks the `i`th stored row's event, naming `stored[i].event` in errors without a string per row. */
function checkStored(input: unknown, i: number): FeedbackEvent {
  try {
    return checkFeedbackEvent(input, 'stored.event');
  } catch {
    // Validation is pure: checking again with the indexed root throws the same error, pathed.
    return checkFeedbackEvent(input, `stored[${i}].event`);
  }
}

/**
 * Builds the held state of each of `subjects` from its stored events, except those whose
 * feedback was applied while they were read (`changed`: read again). Every row is checked
 * before anything is held, so a malformed one leaves the view as it was. Returns how many it
 * newly held when that is all of `subjects`, in their order (else 0).
 */
function install(
  f: Follower,
  subjects: readonly SubjectId[],
  rows: readonly StoredFeedbackEvent[],
  changed: ReadonlySet<SubjectId>,
): number {
  const { view } = f;
  const cache = view.cache;
  if (cache === null) return 0;
  const bySubject = new Map<SubjectId, { seq: number; events: FeedbackEvent[] }>();
  for (const subject of subjects) {
    if (!changed.has(subject)) bySubject.set(subject, { seq: 0, events: [] });
  }
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as StoredFeedbackEvent;
    const event = checkStored(row.event, i);
    const held = bySubject.get(event.subject);
    // This loop's own submit, stored but not yet acknowledged, applies it once it is.
    if (held === undefined || f.writing.has(event.idempotencyKey)) continue;
    held.events.push(event);
    if (row.seq > held.seq) held.seq = row.seq;
  }
  const announcer = view.announcer;
  const numbers = view.subjects.numbers;
  let added = 0;
  try {
    silently(announcer, () => {
      for (const [subject, held] of bySubject) {
        const known = numbers.size;
        const n = hold(cache, view, subject, held.seq);
        // Just numbered, it has no memoized verdicts; one held already (not expected) drops them.
        if (numbers.size > known) added++;
        else view.subjects.memos.delete(subject);
        for (const event of held.events) {
          applyToNumber(view.subjects, announcer, view.config, n, event);
          if (event.kind === 'wrong_data') view.corrections.push(correctionOf(event));
        }
      }
    });
    return added === subjects.length ? added : 0;
  } finally {
    announcer.effects = null;
  }
}
