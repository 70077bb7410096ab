import type { Instant, SubjectId } from '@candor/core';
import type { Announcer } from './announce';
import type { CheckMemo } from './check-memo';
import type { LoopConfig } from './config';
import {
  addDelivery,
  addFatigue,
  clearSlot,
  createFatigueColumns,
  type FatigueColumns,
  PAGE,
  pageFor,
} from './fatigue';
import { defaultScope } from './kinds';
import type { FeedbackEvent } from './schema';
import { applySuppressions, emptySubjectState, type SubjectState } from './suppressions';

/**
 * Every subject the loop has heard of, and what it holds about each: the per-subject part of the
 * view. A subject is a number `n`; its state is `states[n]` (suppressions, budget reductions,
 * escalation history) plus slot `n` of every fatigue column (score and deliveries per channel).
 * All of it is built from the subject's own events ({@link applyToSubject}) and dropped with
 * {@link forgetSubject}, which, like every event applied, drops the subject's memoized `check()`
 * verdicts; nothing global (guardrail counts, pauses, decisions) lives here.
 */
export interface Subjects {
  /** Subjects numbered in order of their first feedback (reusing forgotten subjects' numbers). */
  readonly numbers: Map<SubjectId, number>;
  /** Suppressions, reductions and escalation by subject number, allocated on the first of them. */
  readonly states: (SubjectState | undefined)[];
  /** Fatigue and deliveries by subject number. */
  readonly fatigue: FatigueColumns;
  /** `check()` verdicts by subject, dropped whenever the subject's state changes. */
  readonly memos: Map<SubjectId, CheckMemo>;
  /** The instant memo spans are relative to (`NaN` until the first memo). */
  memoBase: Instant;
  /** Numbers of forgotten subjects, given to new subjects first. */
  readonly free: number[];
}

/** No subjects yet. */
export function createSubjects(config: LoopConfig): Subjects {
  return {
    numbers: new Map(),
    states: [],
    fatigue: createFatigueColumns(config.fatigue),
    memos: new Map(),
    memoBase: Number.NaN,
    free: [],
  };
}

/** The subject's number, assigned on its first feedback. */
export function subjectNumber(subjects: Subjects, subject: SubjectId): number {
  let n = subjects.numbers.get(subject);
  if (n === undefined) {
    if (subjects.free.length > 0) n = subjects.free.pop() as number;
    else {
      n = subjects.states.length;
      subjects.states.push(undefined);
    }
    subjects.numbers.set(subject, n);
  }
  return n;
}

/**
 * Drops everything held about `subject` (suppressions, reductions, escalation history, fatigue
 * and deliveries), as if it had never given feedback; its number goes to the next new subject.
 * Applying its events again ({@link applyToSubject}, in their order) rebuilds the same state.
 * Returns false when the subject was not held.
 */
export function forgetSubject(subjects: Subjects, subject: SubjectId): boolean {
  const n = subjects.numbers.get(subject);
  if (n === undefined) return false;
  subjects.numbers.delete(subject);
  subjects.states[n] = undefined;
  subjects.memos.delete(subject);
  clearSlot(subjects.fatigue, n);
  subjects.free.push(n);
  return true;
}

/** The state of a subject seen before, if it has any suppressions or reductions. */
export function stateOf(subjects: Subjects, subject: SubjectId): SubjectState | undefined {
  const n = subjects.numbers.get(subject);
  return n === undefined ? undefined : subjects.states[n];
}

/** The state of subject `n`, created on first use. */
function stateAt(subjects: Subjects, n: number): SubjectState {
  let state = subjects.states[n];
  if (state === undefined) {
    state = emptySubjectState();
    subjects.states[n] = state;
  }
  return state;
}

/**
 * What one event does to its subject: fatigue and deliveries (critical deliveries excepted), then,
 * for kinds that suppress, suppressions, budget reductions and escalation. Reads nothing but the
 * subject's own state and `config`; effects are recorded with `announcer`.
 */
export function applyToSubject(
  subjects: Subjects,
  announcer: Announcer,
  config: LoopConfig,
  event: FeedbackEvent,
): void {
  // Every subject with feedback is known to `budget()`, even without fatigue or suppressions.
  const n = subjectNumber(subjects, event.subject);
  if (subjects.memos.size > 0) subjects.memos.delete(event.subject);
  applyToNumber(subjects, announcer, config, n, event);
}

/**
 * {@link applyToSubject} for the subject numbered `n`, whose memoized `check()` verdicts the
 * caller has dropped (a subject just numbered has none: only held subjects have memos).
 *
 * @example
 * applyToNumber(subjects, announcer, config, subjectNumber(subjects, event.subject), event);
 */
export function applyToNumber(
  subjects: Subjects,
  announcer: Announcer,
  config: LoopConfig,
  n: number,
  event: FeedbackEvent,
): void {
  const kind = event.kind;
  const weight = config.fatigue.weights[kind];
  if (event.critical !== true && ((weight !== undefined && weight !== 0) || kind === 'delivered')) {
    const page = pageFor(subjects.fatigue, event.channel, n);
    const i = n & (PAGE - 1);
    if (weight !== undefined && weight !== 0)
      addFatigue(subjects.fatigue, page, i, weight, event.at);
    if (kind === 'delivered') addDelivery(subjects.fatigue, page, i, event.at);
  }
  const scope = event.scope ?? defaultScope(kind, event.itemKey !== undefined);
  if (scope === null) return;
  applySuppressions(stateAt(subjects, n), announcer, config, event, scope);
}
