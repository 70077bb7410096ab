import { duration, type Instant, type SubjectId, type SuppressionReason } from '@candor/core';
import { countIn, crossChannelCount, findPage, PAGE, releaseAt, scoreAt } from './fatigue';
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
