import type { Instant, SubjectId } from '@candor/core';
import { budgetReasonAt } from './budget';
import { checkProblem, type Follower } from './follow';
import type { Guardrails } from './guardrails';
import type { Subjects } from './subjects';

/*
 * The loop's answer to the rule engine's one question per customer and event
 * (`SuppressionSource.nothingSuppressed`): true only when `check()` would let every message of
 * the customer through at that instant, whatever its rule, topic, channel or item. It errs on the
 * side of false — the engine then asks `check()` rule by rule — so it never lets through what
 * `check()` would hold back.
 */

/** Whether every channel budget allows at least one message to a customer without fatigue. */
function everyCapAllowsOne(subjects: Subjects): boolean {
  const { caps, defaultCap, crossChannelCap } = subjects.fatigue.config;
  if (!(Math.floor(defaultCap) > 0) || !(Math.floor(crossChannelCap) > 0)) return false;
  for (const channel of Object.keys(caps))
    if (!(Math.floor(caps[channel] as number) > 0)) return false;
  return true;
}

/**
 * The loop's `nothingSuppressed(subject, at)`: true only when nothing of `subject`'s can be held
 * back at `at` — the view is current and holds the customer (or needs not), no rule is paused,
 * the customer has no suppression, budget reduction or "not interested" history at all, and no
 * channel's budget is used up. Whether every budget allows a message at all is settled once here,
 * since the fatigue settings never change.
 *
 * @example
 * const nothingSuppressed = answerNothingSuppressed(subjects, follower, guardrails, cache !== null);
 * if (nothingSuppressed('cus_1', at)) skipChecks();
 */
export function answerNothingSuppressed(
  subjects: Subjects,
  follower: Follower,
  guardrails: Guardrails,
  bounded: boolean,
): (subject: SubjectId, at: Instant) => boolean {
  const capsAllowOne = everyCapAllowsOne(subjects);
  return (subject, at) => {
    if (!capsAllowOne || typeof subject !== 'string' || !Number.isInteger(at)) return false;
    if (checkProblem(follower, subject) !== null) return false;
    if (guardrails.config.suppressPaused && guardrails.paused.size > 0) return false;
    const n = subjects.numbers.get(subject);
    // A bounded loop holds every customer it prepared; one it does not hold is not loaded.
    if (n === undefined) return !bounded;
    const state = subjects.states[n];
    if (
      state !== undefined &&
      (state.suppressions.length > 0 ||
        state.adjustments.length > 0 ||
        state.notInterested !== null)
    )
      return false;
    for (const channel of subjects.fatigue.channelIds.keys())
      if (budgetReasonAt(subjects, n, channel, at) !== null) return false;
    return true;
  };
}
