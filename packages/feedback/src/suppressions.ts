import {
  type Instant,
  isWithin,
  type SuppressionQuery,
  type SuppressionReason,
  type SuppressionScope,
} from '@candor/core';
import { type Announcer, emit } from './announce';
import type { EscalationConfig, LoopConfig } from './config';
import type { FeedbackEvent } from './schema';
import { insertSorted, lowerBound } from './sorted';
import { cut, type Span } from './span';
import { budgetDetail, day, scopeText, suppressionDetail } from './text';

/*
 * What a subject's explicit feedback holds back: scoped suppressions (with expiry, escalation and
 * permanence), budget reductions, and the "not interested" history escalation reads. All of it is
 * one subject's, built from that subject's events alone (fatigue lives in `fatigue.ts`).
 */

/** A scope held back from `since` until `until` (`null`: permanently), and why. */
export interface Suppression {
  readonly scope: SuppressionScope;
  readonly target: string;
  readonly since: Instant;
  /**
   * The earliest signal it rests on (`since`, or for an escalation the first "not interested" of
   * its run): a lift dated from then on ends it, whichever arrived first.
   */
  readonly from: Instant;
  readonly until: Instant | null;
  readonly reason: SuppressionReason;
}

/** A budget reduction of one channel (or, with `channel: null`, of every channel). */
export interface Adjustment {
  readonly channel: string | null;
  readonly since: Instant;
  readonly until: Instant;
  readonly reason: SuppressionReason;
}

/** The customer's lift (`lifted`) of their own mutes of one scope and target, at `at`. */
export interface Lift {
  readonly scope: SuppressionScope;
  readonly target: string;
  readonly at: Instant;
}

/** A subject's suppressions, budget reductions and escalation history (fatigue lives in columns). */
export interface SubjectState {
  suppressions: Suppression[];
  adjustments: Adjustment[];
  notInterested: Map<string, Instant[]> | null;
  /** Lifts, in any order: a suppression or reduction of their scope since before one has ended. */
  lifts: Lift[] | null;
}

const NO_SUPPRESSIONS: readonly Suppression[] = /* @__PURE__ */ Object.freeze([]);
const NO_ADJUSTMENTS: readonly Adjustment[] = /* @__PURE__ */ Object.freeze([]);

/** A subject state with nothing in it (sharing empty arrays until the first push). */
export function emptySubjectState(): SubjectState {
  return {
    suppressions: NO_SUPPRESSIONS as Suppression[],
    adjustments: NO_ADJUSTMENTS as Adjustment[],
    notInterested: null,
    lifts: null,
  };
}

/**
 * Whether the customer lifted mutes of `scope`/`target` between `since` and `at`: whatever of
 * that scope started at or before a lift no longer holds from the lift on, whichever arrived first.
 */
function lifted(
  lifts: readonly Lift[],
  scope: SuppressionScope,
  target: string,
  since: Instant,
  at: Instant,
): boolean {
  for (const l of lifts) {
    if (l.at >= since && l.at <= at && l.target === target && l.scope === scope) return true;
  }
  return false;
}

/** The latest lift of `scope`/`target`, or -1. */
function latestLift(state: SubjectState, scope: SuppressionScope, target: string): Instant {
  let latest = -1;
  for (const l of state.lifts ?? []) {
    if (l.scope === scope && l.target === target && l.at > latest) latest = l.at;
  }
  return latest;
}

/** The scope and target a budget reduction counts as for lifts. */
function adjustmentScope(a: Adjustment): [SuppressionScope, string] {
  return a.channel === null ? ['all', '*'] : ['channel', a.channel];
}

/** Prefer a permanent suppression, then the one lasting longest. */
function outlasts(a: Suppression, b: Suppression | null): boolean {
  if (b === null) return true;
  if (b.until === null) return false;
  return a.until === null || a.until > b.until;
}

function matches(s: Suppression, query: SuppressionQuery): boolean {
  switch (s.scope) {
    case 'all':
      return true;
    case 'channel':
      return s.target === query.channel;
    case 'rule':
      return s.target === query.ruleId;
    case 'topic':
      return isWithin(query.topic, s.target);
    default:
      return query.itemKey !== undefined && s.target === query.itemKey;
  }
}

/** The suppression holding `query` back at `query.at` (the longest-lasting), or `null`. */
export function strongestSuppression(
  state: SubjectState | undefined,
  query: SuppressionQuery,
): Suppression | null {
  let best: Suppression | null = null;
  if (state !== undefined) {
    const lifts = state.lifts;
    for (const s of state.suppressions) {
      if (s.since > query.at || (s.until !== null && s.until <= query.at)) continue;
      if (!matches(s, query) || !outlasts(s, best)) continue;
      if (lifts === null || !lifted(lifts, s.scope, s.target, s.from, query.at)) best = s;
    }
  }
  return best;
}

/**
 * Narrows `span` (computed at `query.at`) to where the suppressions matching `query`, the budget
 * reductions and the lifts of `state` stay as they are at `query.at`: each one's start and end,
 * and each lift.
 */
export function stateSpan(
  state: SubjectState | undefined,
  query: SuppressionQuery,
  span: Span,
): void {
  if (state === undefined) return;
  const at = query.at;
  for (const s of state.suppressions) {
    if (!matches(s, query)) continue;
    cut(span, at, s.since);
    if (s.until !== null) cut(span, at, s.until);
  }
  for (const a of state.adjustments) {
    cut(span, at, a.since);
    cut(span, at, a.until);
  }
  for (const l of state.lifts ?? []) cut(span, at, l.at);
}

/** The reasons of every suppression and budget reduction active at `at`. */
export function activeReasons(state: SubjectState | undefined, at: Instant): SuppressionReason[] {
  if (state === undefined) return [];
  const out: SuppressionReason[] = [];
  const lifts = state.lifts ?? [];
  for (const s of state.suppressions) {
    if (s.since > at || (s.until !== null && s.until <= at)) continue;
    if (!lifted(lifts, s.scope, s.target, s.from, at)) out.push(s.reason);
  }
  for (const a of state.adjustments) {
    if (a.since > at || a.until <= at) continue;
    if (!lifted(lifts, ...adjustmentScope(a), a.since, at)) out.push(a.reason);
  }
  return out;
}

/**
 * The product of the budget reductions active at `at` on `channel` (with `null`, those of every
 * channel), and the latest of them.
 */
export function factorAt(
  state: SubjectState | undefined,
  reduction: number,
  channel: string | null,
  at: Instant,
): [number, Adjustment | null] {
  let factor = 1;
  let latest: Adjustment | null = null;
  if (state === undefined) return [factor, latest];
  const lifts = state.lifts;
  for (const a of state.adjustments) {
    if (a.since > at || a.until <= at) continue;
    if (a.channel !== null && a.channel !== channel) continue;
    if (lifts !== null && lifted(lifts, ...adjustmentScope(a), a.since, at)) continue;
    factor *= reduction;
    if (latest === null || a.since > latest.since) latest = a;
  }
  return [factor, latest];
}

function suppress(
  state: SubjectState,
  announcer: Announcer,
  event: FeedbackEvent,
  scope: SuppressionScope,
  until: Instant | null,
  code: string = event.kind,
  detail?: string,
  from: Instant = event.at,
): void {
  const target = targetOf(event, scope);
  const reason: SuppressionReason = {
    code,
    scope,
    target,
    since: event.at,
    until,
    detail: detail ?? suppressionDetail(event.kind, scope, event.at, until),
    feedbackId: event.idempotencyKey,
  };
  if (state.suppressions === NO_SUPPRESSIONS) state.suppressions = [];
  state.suppressions.push({ scope, target, since: event.at, from, until, reason });
  emit(announcer, { type: 'suppressed', subject: event.subject, reason }, true);
}

/** What `scope` names in `event`: its item, rule, topic or channel, or `*` for everything. */
export function targetOf(event: FeedbackEvent, scope: SuppressionScope): string {
  switch (scope) {
    case 'item':
      return event.itemKey as string;
    case 'rule':
      return event.ruleId;
    case 'topic':
      return event.topic;
    case 'channel':
      return event.channel;
    default:
      return '*';
  }
}

/** Records the customer's lift of their own mutes of `scope` (see {@link lifted}). */
function lift(
  state: SubjectState,
  announcer: Announcer,
  event: FeedbackEvent,
  scope: SuppressionScope,
): void {
  const target = targetOf(event, scope);
  state.lifts ??= [];
  state.lifts.push({ scope, target, at: event.at });
  emit(announcer, { type: 'lifted', subject: event.subject, scope, target, at: event.at }, true);
}

function lowerBudget(
  state: SubjectState,
  announcer: Announcer,
  event: FeedbackEvent,
  channel: string | null,
  until: Instant,
): void {
  const scope: SuppressionScope = channel === null ? 'all' : 'channel';
  const target = channel ?? '*';
  const reason: SuppressionReason = {
    code: event.kind,
    scope,
    target,
    since: event.at,
    until,
    detail: budgetDetail(event.kind, scope, event.at),
    feedbackId: event.idempotencyKey,
  };
  if (state.adjustments === NO_ADJUSTMENTS) state.adjustments = [];
  state.adjustments.push({ channel, since: event.at, until, reason });
  emit(announcer, { type: 'budget_lowered', subject: event.subject, reason }, true);
}

/** Mutes the topic when `after` "not interested" on it fall within `withinMs` (once per run). */
function escalate(
  state: SubjectState,
  announcer: Announcer,
  escalation: EscalationConfig,
  event: FeedbackEvent,
): void {
  state.notInterested ??= new Map();
  let times = state.notInterested.get(event.topic);
  if (times === undefined) {
    times = [];
    state.notInterested.set(event.topic, times);
  }
  insertSorted(times, event.at);
  const n = escalation.after;
  const p = lowerBound(times, event.at);
  // "Not interested" given before the customer lifted the topic's mutes no longer adds up.
  const since = lowerBound(times, latestLift(state, 'topic', event.topic) + 1);
  for (let i = Math.max(since, p - n + 1); i <= p && i + n - 1 < times.length; i++) {
    const last = times[i + n - 1] as number;
    if (last - (times[i] as number) > escalation.withinMs) continue;
    const covered = state.suppressions.some(
      (s) =>
        s.reason.code === 'not_interested_repeated' &&
        s.target === event.topic &&
        s.since <= last &&
        (s.until === null || s.until > last) &&
        !lifted(state.lifts ?? [], 'topic', s.target, s.from, last),
    );
    if (covered) return;
    const until = escalation.durationMs === null ? null : last + escalation.durationMs;
    suppress(
      state,
      announcer,
      { ...event, at: last },
      'topic',
      until,
      'not_interested_repeated',
      `No ${scopeText('topic')} because you chose "not interested" ${n} times by ${day(last)}${until === null ? '' : ` (until ${day(until)})`}`,
      times[i] as number,
    );
    return;
  }
}

/**
 * What a scoped event does to its subject's state: suppress its scope (for its duration, or
 * permanently), lower a budget (`too_frequent` on a channel or everything, `intrusive`), escalate
 * repeated "not interested". Effects are recorded with `announcer`.
 */
export function applySuppressions(
  state: SubjectState,
  announcer: Announcer,
  config: LoopConfig,
  event: FeedbackEvent,
  scope: SuppressionScope,
): void {
  const durations = config.durations;
  switch (event.kind) {
    case 'stop_this':
    case 'unsubscribed':
    case 'complained':
      suppress(state, announcer, event, scope, null);
      return;
    case 'lifted':
      lift(state, announcer, event, scope);
      return;
    case 'too_frequent': {
      const until = event.at + (event.durationMs ?? durations.too_frequent);
      if (scope === 'channel' || scope === 'all') {
        lowerBudget(state, announcer, event, scope === 'all' ? null : event.channel, until);
      } else suppress(state, announcer, event, scope, until);
      return;
    }
    case 'intrusive': {
      const until = event.at + (event.durationMs ?? durations.intrusive);
      suppress(state, announcer, event, scope, until);
      lowerBudget(state, announcer, event, null, until);
      return;
    }
    case 'wrong_data':
      suppress(
        state,
        announcer,
        event,
        scope,
        event.at + (event.durationMs ?? durations.wrong_data),
      );
      return;
    case 'not_interested':
      suppress(
        state,
        announcer,
        event,
        scope,
        event.at + (event.durationMs ?? durations.not_interested),
      );
      escalate(state, announcer, config.escalation, event);
      return;
    case 'not_relevant':
      suppress(
        state,
        announcer,
        event,
        scope,
        event.at + (event.durationMs ?? durations.not_relevant),
      );
      return;
    default:
      return;
  }
}
