import { duration, type Instant, type SubjectId, type SuppressionReason } from '@candor/core';
import {
  countIn,
  crossChannelCount,
  deliverySpan,
  findPage,
  PAGE,
  releaseAt,
  scoreAt,
} from './fatigue';
import { cut, type Span } from './span';
import type { Subjects } from './subjects';
import { factorAt } from './suppressions';
import type { BudgetStatus } from './types';

/*
 * What a subject may still receive: each channel's cap lowered by fatigue and by budget
 * reductions, and the cross-channel cap, against the deliveries in the window.
 */

/** The subject's budget on `channel` at `at`: allowed, used, fatigue, and why not. */
export function budgetOf(
  subjects: Subjects,
  subject: SubjectId,
  channel: string,
  at: Instant,
): BudgetStatus {
  return budgetAt(subjects, subjects.numbers.get(subject), channel, at);
}

/**
 * `check()`'s budget gate: why subject number `n` (`undefined`: no feedback) may not get another
 * message on `channel` at `at`, or `null`. The same answer as `budgetAt(…).reason`, without
 * building a status: a subject within budget (the usual case) allocates nothing.
 */
export function budgetReasonAt(
  subjects: Subjects,
  n: number | undefined,
  channel: string,
  at: Instant,
): SuppressionReason | null {
  const f = subjects.fatigue;
  const { caps, defaultCap, crossChannelCap, sensitivity } = f.config;
  const cap = caps[channel] ?? defaultCap;
  if (n !== undefined) {
    const state = subjects.states[n];
    // Budget reductions need their reasons: the full computation names them.
    if (state !== undefined && state.adjustments.length > 0) {
      return budgetAt(subjects, n, channel, at).reason;
    }
    const page = findPage(f, channel, n);
    const i = n & (PAGE - 1);
    const allowed = allowedOn(cap, 1, scoreAt(f, page, i, at), sensitivity);
    if (countIn(f, page?.deliveries[i], at) >= allowed)
      return budgetAt(subjects, n, channel, at).reason;
    if (crossChannelCount(f, n, at) >= Math.floor(crossChannelCap)) {
      return budgetAt(subjects, n, channel, at).reason;
    }
    return null;
  }
  if (Math.floor(cap) > 0 && Math.floor(crossChannelCap) > 0) return null;
  return budgetAt(subjects, n, channel, at).reason;
}

/** The budget of subject number `n` (`undefined`: a subject not held) on `channel` at `at`. */
export function budgetAt(
  subjects: Subjects,
  n: number | undefined,
  channel: string,
  at: Instant,
): BudgetStatus {
  const f = subjects.fatigue;
  const { caps, defaultCap, crossChannelCap, sensitivity, reduction } = f.config;
  const cap = caps[channel] ?? defaultCap;
  if (n === undefined) {
    const allowed = Math.floor(cap);
    const cross = Math.floor(crossChannelCap);
    return {
      channel,
      allowed,
      used: 0,
      remaining: allowed,
      crossChannel: { allowed: cross, used: 0, remaining: cross },
      fatigue: 0,
      factor: 1,
      withinBudget: allowed > 0 && cross > 0,
      reason:
        allowed > 0 && cross > 0 ? null : fatigueReason(subjects, channel, at, 0, allowed, null),
    };
  }
  const state = subjects.states[n];
  const page = findPage(f, channel, n);
  const i = n & (PAGE - 1);
  const score = scoreAt(f, page, i, at);
  const [factor, adjustment] = factorAt(state, reduction, channel, at);
  const allowed = allowedOn(cap, factor, score, sensitivity);
  const deliveries = page?.deliveries[i];
  const used = countIn(f, deliveries, at);
  const [crossFactor, crossAdjustment] = factorAt(state, reduction, null, at);
  const crossAllowed = Math.floor(crossChannelCap * crossFactor);
  const crossUsed = crossChannelCount(f, n, at);
  let reason: SuppressionReason | null = null;
  if (used >= allowed) {
    reason =
      adjustment !== null
        ? {
            ...adjustment.reason,
            until: releaseAt(f, deliveries, at, used, allowed) ?? adjustment.until,
          }
        : fatigueReason(
            subjects,
            channel,
            at,
            used,
            allowed,
            releaseAt(f, deliveries, at, used, allowed),
          );
  } else if (crossUsed >= crossAllowed) {
    reason =
      crossAdjustment !== null
        ? crossAdjustment.reason
        : {
            code: 'cross_channel_budget',
            scope: 'all',
            target: '*',
            since: at,
            until: null,
            detail: `Paused: you have had ${crossUsed} messages in the last ${Math.round(f.config.windowMs / duration.day)} days, the most we send`,
          };
  }
  return {
    channel,
    allowed,
    used,
    remaining: Math.max(0, allowed - used),
    crossChannel: {
      allowed: crossAllowed,
      used: crossUsed,
      remaining: Math.max(0, crossAllowed - crossUsed),
    },
    fatigue: score,
    factor,
    withinBudget: reason === null,
    reason,
  };
}

/** How far ahead {@link budgetSpan} looks for the allowance to grow (about 1,100 years). */
const REACH = 2 ** 45;

/**
 * Narrows `span` (computed at `at`) to where the budget verdict of subject number `n` on
 * `channel` stays as it is at `at` (`suppressed` or not): no delivery count changes (see
 * {@link deliverySpan}; reductions are {@link stateSpan}'s) and the allowance fatigue leaves stays
 * the same. After the subject's latest signal its score only decays, so the allowance only grows:
 * a subject within budget stays within it; one held back is, until the instant it grows (found
 * by doubling steps, then halving, with the very computation `check()` makes).
 */
export function budgetSpan(
  subjects: Subjects,
  n: number,
  channel: string,
  at: Instant,
  suppressed: boolean,
  span: Span,
): void {
  const f = subjects.fatigue;
  deliverySpan(f, n, at, span);
  const page = findPage(f, channel, n);
  const i = n & (PAGE - 1);
  if (page === undefined || page.fatigue[2 * i] === 0) return;
  const lastAt = page.fatigue[2 * i + 1] as number;
  if (at <= lastAt) {
    // The score holds until its latest signal, then decays.
    if (suppressed) cut(span, at, lastAt + 1);
    return;
  }
  // Before `at` the score was higher, the allowance perhaps smaller.
  cut(span, at, at);
  if (!suppressed) return;
  const { caps, defaultCap, sensitivity, reduction } = f.config;
  const cap = caps[channel] ?? defaultCap;
  const [factor] = factorAt(subjects.states[n], reduction, channel, at);
  const allowed = (t: Instant) => allowedOn(cap, factor, scoreAt(f, page, i, t), sensitivity);
  const now = allowed(at);
  let same = at;
  let grown = at + 1;
  while (allowed(grown) === now) {
    if (grown - at >= REACH) {
      cut(span, at, grown);
      return;
    }
    same = grown;
    grown = at + 2 * (grown - at);
  }
  while (grown - same > 1) {
    const mid = same + Math.floor((grown - same) / 2);
    if (allowed(mid) === now) same = mid;
    else grown = mid;
  }
  cut(span, at, grown);
}

/** Deliveries allowed on a channel: its cap, lowered by budget reductions and by fatigue. */
function allowedOn(cap: number, factor: number, score: number, sensitivity: number): number {
  return Math.floor((cap * factor) / (1 + score / sensitivity));
}

function fatigueReason(
  subjects: Subjects,
  channel: string,
  at: Instant,
  used: number,
  allowed: number,
  until: Instant | null,
): SuppressionReason {
  return {
    code: 'fatigue',
    scope: 'channel',
    target: channel,
    since: at,
    until,
    detail: `Fewer ${channel} messages: ${used} in the last ${Math.round(subjects.fatigue.config.windowMs / duration.day)} days, ${allowed} allowed while you seem to be getting too many`,
  };
}
