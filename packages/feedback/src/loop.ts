import {
  duration,
  type Instant,
  isWithin,
  type SubjectId,
  type SuppressionQuery,
  type SuppressionReason,
  type SuppressionScope,
  type SuppressionVerdict,
  systemClock,
} from '@candor/core';
import {
  DEFAULT_DURATIONS,
  DEFAULT_WEIGHTS,
  type FeedbackLoopOptions,
  type TimedFeedbackKind,
} from './config';
import {
  checkNumberOption,
  feedbackError,
  requireFunction,
  requireNumber,
  requireObject,
  requireString,
} from './errors';
import { defaultScope, type FeedbackKind } from './kinds';
import type { DecisionEntry, FeedbackEvent } from './schema';
import { insertSorted, lowerBound, upperBound } from './sorted';
import { createMemoryFeedbackStore, type GuardrailResume } from './store';
import { budgetDetail, day, scopeText, suppressionDetail } from './text';
import type {
  BatchIngestResult,
  BudgetStatus,
  CorrectionRequest,
  FeedbackLoop,
  FeedbackLoopEvent,
  FeedbackObserver,
  GuardrailMetric,
  IngestResult,
  RulePause,
} from './types';
import { checkDecisionEntry, checkFeedbackEvent } from './validate';
import { type RateInterval, wilsonInterval } from './wilson';

interface Suppression {
  readonly scope: SuppressionScope;
  readonly target: string;
  readonly since: Instant;
  readonly until: Instant | null;
  readonly reason: SuppressionReason;
}

interface Adjustment {
  readonly channel: string | null;
  readonly since: Instant;
  readonly until: Instant;
  readonly reason: SuppressionReason;
}

/**
 * Fatigue and deliveries of every subject on one channel, indexed by the loop's subject number:
 * flat paged arrays, so an event reaches its subject's fatigue with one map lookup (the subject's
 * number) and no chain of small objects.
 */
interface ChannelColumn {
  /** Subjects `n` in pages of {@link PAGE} (allocated on first use, so memory follows usage). */
  pages: (ColumnPage | undefined)[];
}

/** Subjects per column page: 2^PAGE_BITS. */
const PAGE_BITS = 10;
const PAGE = 1 << PAGE_BITS;

/** One page of a column; subject `n` is slot `i = n % PAGE` of page `⌊n / PAGE⌋`. */
interface ColumnPage {
  /** Decayed score at `2·i` and the instant it was computed for at `2·i + 1`. */
  readonly fatigue: Float64Array;
  /** Sorted delivery times of slot `i` (undefined until its first delivery). */
  readonly deliveries: (Instant[] | undefined)[];
}

/** A subject's suppressions, budget reductions and escalation history (fatigue lives in columns). */
interface SubjectState {
  suppressions: Suppression[];
  adjustments: Adjustment[];
  notInterested: Map<string, Instant[]> | null;
}

interface Counts {
  /** Feedback dated at or before this instant does not count (the last resume; -1 = none). */
  since: Instant;
  exposures: number;
  helpful: number;
  not_interested: number;
  intrusive: number;
  complaint: number;
  opt_out: number;
}

const METRICS: readonly GuardrailMetric[] = [
  'helpful',
  'not_interested',
  'intrusive',
  'complaint',
  'opt_out',
];
const METRIC_OF: Partial<Record<FeedbackKind, GuardrailMetric>> = {
  helpful: 'helpful',
  not_interested: 'not_interested',
  intrusive: 'intrusive',
  complained: 'complaint',
  unsubscribed: 'opt_out',
  stop_this: 'opt_out',
};
const BIT: Record<GuardrailMetric, number> = {
  helpful: 2,
  not_interested: 4,
  intrusive: 8,
  complaint: 16,
  opt_out: 32,
};
const EMPTY: readonly FeedbackLoopEvent[] = Object.freeze([]);
const NO_SUPPRESSIONS: readonly Suppression[] = Object.freeze([]);
const NO_ADJUSTMENTS: readonly Adjustment[] = Object.freeze([]);
const NOT_SUPPRESSED: SuppressionVerdict = Object.freeze({ suppressed: false, reason: null });
/** check() asks a store's feed directly once every this many calls. */
const RECHECK_EVERY = 1024;
/** Records read per page when following other loops' writes. */
const PULL_PAGE = 1_000;

/** Runs `fn` after `ms` without keeping the process alive for it. */
function later(ms: number, fn: () => void): void {
  const timer = setTimeout(fn, ms);
  (timer as { unref?: () => void }).unref?.();
}

function newCounts(since: Instant = -1): Counts {
  return {
    since,
    exposures: 0,
    helpful: 0,
    not_interested: 0,
    intrusive: 0,
    complaint: 0,
    opt_out: 0,
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
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

/**
 * Creates the feedback loop: the `SuppressionSource` a rule engine consults, fed by feedback
 * events. Suppressions are scoped (item, rule, topic and its children, channel, all), expire,
 * escalate (repeated "not interested" on a topic mutes it), and are permanent for `stop_this`,
 * `unsubscribed` and `complained`; `too_frequent` and `intrusive` lower the subject's budget;
 * `wrong_data` opens a correction request; guardrails pause rules whose intrusive or complaint
 * rate is confidently too high. Every accepted event applies to the very next `check()`.
 *
 * @example
 * const loop = createFeedbackLoop({ clock });
 * loop.apply({ idempotencyKey: 'fb-1', kind: 'not_interested', decisionId: 'd-1', subject: 'cus_1',
 *   ruleId: 'travel-offer', topic: 'offers.travel', channel: 'push', at: clock.now(), scope: 'topic' });
 * loop.check({ subject: 'cus_1', ruleId: 'other', topic: 'offers.travel.hotels', channel: 'email', at: clock.now() }).suppressed; // true
 */
export function createFeedbackLoop(options: FeedbackLoopOptions = {}): FeedbackLoop {
  requireObject(options, 'options');
  const store = options.store ?? createMemoryFeedbackStore();
  const clock = options.clock ?? systemClock;
  const durations: Record<TimedFeedbackKind, number> = { ...DEFAULT_DURATIONS };
  for (const [kind, ms] of Object.entries(options.durations ?? {})) {
    durations[kind as TimedFeedbackKind] = checkNumberOption(ms, `durations.${kind}`, 1);
  }
  const escalateAfter = checkNumberOption(options.escalation?.after ?? 3, 'escalation.after', 1);
  const escalateWithin = checkNumberOption(
    options.escalation?.withinMs ?? 30 * duration.day,
    'escalation.withinMs',
    0,
  );
  const escalationDuration =
    options.escalation?.durationMs === null
      ? null
      : checkNumberOption(
          options.escalation?.durationMs ?? 365 * duration.day,
          'escalation.durationMs',
          1,
        );
  const f = options.fatigue ?? {};
  const halfLife = checkNumberOption(f.halfLifeMs ?? 3 * duration.day, 'fatigue.halfLifeMs', 1);
  const decayRate = Math.LN2 / halfLife;
  const weights: Partial<Record<FeedbackKind, number>> = { ...DEFAULT_WEIGHTS, ...f.weights };
  for (const [kind, w] of Object.entries(weights)) {
    checkNumberOption(w, `fatigue.weights.${kind}`, Number.NEGATIVE_INFINITY);
  }
  const windowMs = checkNumberOption(f.windowMs ?? 7 * duration.day, 'fatigue.windowMs', 1);
  const caps = f.caps ?? {};
  for (const [channel, cap] of Object.entries(caps)) {
    checkNumberOption(cap, `fatigue.caps.${channel}`, 0);
  }
  const defaultCap = checkNumberOption(f.defaultCap ?? 5, 'fatigue.defaultCap', 0);
  const crossChannelCap = checkNumberOption(f.crossChannelCap ?? 10, 'fatigue.crossChannelCap', 0);
  const sensitivity = checkNumberOption(f.sensitivity ?? 3, 'fatigue.sensitivity', 1e-9);
  const reduction = checkNumberOption(f.reduction ?? 0.5, 'fatigue.reduction', 0, 1);
  const g = options.guardrails ?? {};
  const thresholds = g.thresholds ?? { intrusive: 0.05, complaint: 0.01 };
  for (const [metric, t] of Object.entries(thresholds)) {
    checkNumberOption(t, `guardrails.thresholds.${metric}`, 0, 1);
  }
  const minExposures = checkNumberOption(g.minExposures ?? 20, 'guardrails.minExposures', 0);
  const z = checkNumberOption(g.z ?? 1.96, 'guardrails.z', 1e-9);
  const suppressPaused = g.suppressPausedRules ?? true;
  const critical = options.critical;
  const maxSkew = checkNumberOption(
    options.maxFutureSkewMs ?? 5 * duration.minute,
    'maxFutureSkewMs',
    0,
  );
  const lateAfter = checkNumberOption(options.lateAfterMs ?? 7 * duration.day, 'lateAfterMs', 0);
  const observers = options.observers ?? [];

  const seen = new Map<string, FeedbackEvent>();
  const accepted: FeedbackEvent[] = [];
  const decisions = new Map<string, DecisionEntry>();
  const reactions = new Map<string, { bits: number; variantId: string | null }>();
  /** Subjects numbered in order of their first feedback. */
  const subjectIds = new Map<SubjectId, number>();
  /** Suppressions, reductions and escalation by subject number, allocated on the first of them. */
  const subjectStates: (SubjectState | undefined)[] = [];
  const ruleCounts = new Map<string, { all: Counts; variants: Map<string, Counts> | null }>();
  const paused = new Map<string, RulePause>();
  const correctionList: CorrectionRequest[] = [];
  const listeners = new Set<(event: FeedbackLoopEvent) => void>();

  /** The latest `at` of any applied event: a resume restarts counts after it (and after now). */
  let latestAt: Instant = -1;
  const resumeInstant = () => Math.max(clock.now(), latestAt);
  /** Effects of the event (or batch) being applied, allocated only when there are some. */
  let effects: FeedbackLoopEvent[] | null = null;
  /** Loop events waiting for the state change that caused them to complete. */
  let outbox: FeedbackLoopEvent[] | null = null;
  /** True while `hydrate` replays history or feedback from elsewhere: nothing is announced twice. */
  let replaying = false;
  // A loop on its own new store is that store's only writer: nothing to follow.
  const feed = options.store == null ? undefined : store.feed;
  if (feed != null && (typeof feed !== 'object' || typeof feed.subscribe !== 'function')) {
    throw feedbackError('feedback/invalid_option', 'store.feed: must be a ChangeFeed', {
      path: 'options.store.feed',
      value: feed,
    });
  }
  /** A loop on its own new store has nothing to read; one on a store you pass must hydrate(). */
  let loaded = options.store == null;
  let hydrating = false;
  /** False while the store's feed cannot prove it has announced every write (fail closed). */
  let fresh = feed == null || feed.fresh === true;
  let closed = false;
  let recheckIn = RECHECK_EVERY;
  /** Keys of events this loop is storing: the feed's notice of them is not news. */
  const writing = new Set<string>();
  /** Subjects with feedback written elsewhere not yet read, and its highest announced position. */
  const unread = new Map<SubjectId, number>();
  /** How far the store's logs have been read, and how far the feed said they go. */
  const logs = { events: 0, decisions: 0, resumes: 0, wantEvents: 0, wantDecisions: 0 };
  let wantResumes = false;
  const emit = (event: FeedbackLoopEvent, record: boolean) => {
    if (record) {
      effects ??= [];
      effects.push(event);
    }
    if (listeners.size > 0 && !replaying) {
      outbox ??= [];
      outbox.push(event);
    }
  };
  /**
   * Tells listeners, once the state is complete. Every listener hears every event; the first
   * listener error is rethrown afterwards (the state change stands either way).
   */
  const flush = () => {
    if (outbox === null) return;
    const events = outbox;
    outbox = null;
    let failure: { error: unknown } | null = null;
    for (const event of events) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          failure ??= { error };
        }
      }
    }
    if (failure !== null) throw failure.error;
  };

  /** The subject's number, assigned on its first feedback. */
  const subjectNumber = (subject: SubjectId): number => {
    let n = subjectIds.get(subject);
    if (n === undefined) {
      n = subjectStates.length;
      subjectIds.set(subject, n);
      subjectStates.push(undefined);
    }
    return n;
  };

  /** The state of a subject seen before, if it has any suppressions or reductions. */
  const stateOf = (subject: SubjectId): SubjectState | undefined => {
    const n = subjectIds.get(subject);
    return n === undefined ? undefined : subjectStates[n];
  };

  const subjectState = (n: number): SubjectState => {
    let state = subjectStates[n];
    if (state === undefined) {
      // Share empty arrays until the first push.
      state = {
        suppressions: NO_SUPPRESSIONS as Suppression[],
        adjustments: NO_ADJUSTMENTS as Adjustment[],
        notInterested: null,
      };
      subjectStates[n] = state;
    }
    return state;
  };

  /** Channel names numbered in order of first use (few channels, many subjects). */
  const channelIds = new Map<string, number>();
  const columns: ChannelColumn[] = [];

  /** The page holding subject `n` on `channel`, if anything was recorded there. */
  const findPage = (channel: string, n: number): ColumnPage | undefined => {
    const c = channelIds.get(channel);
    return c === undefined ? undefined : (columns[c] as ChannelColumn).pages[n >> PAGE_BITS];
  };

  /** The page holding subject `n` on `channel`, created on first use. */
  const pageFor = (channel: string, n: number): ColumnPage => {
    let c = channelIds.get(channel);
    if (c === undefined) {
      c = columns.length;
      channelIds.set(channel, c);
      columns.push({ pages: [] });
    }
    const pages = (columns[c] as ChannelColumn).pages;
    const p = n >> PAGE_BITS;
    let page = pages[p];
    if (page === undefined) {
      // Pad so the array stays packed (pages are few: one per 1,024 subjects).
      while (pages.length <= p) pages.push(undefined);
      page = {
        fatigue: new Float64Array(2 * PAGE),
        deliveries: new Array<Instant[] | undefined>(PAGE).fill(undefined),
      };
      pages[p] = page;
    }
    return page;
  };

  const scoreAt = (page: ColumnPage | undefined, i: number, at: Instant): number => {
    if (page === undefined) return 0;
    const score = page.fatigue[2 * i] as number;
    const lastAt = page.fatigue[2 * i + 1] as number;
    return at > lastAt ? score * Math.exp(-decayRate * (at - lastAt)) : score;
  };

  const addFatigue = (page: ColumnPage, i: number, weight: number, at: Instant) => {
    const f = page.fatigue;
    const score = f[2 * i] as number;
    const lastAt = f[2 * i + 1] as number;
    if (at >= lastAt) {
      f[2 * i] = Math.max(0, score * Math.exp(-decayRate * (at - lastAt)) + weight);
      f[2 * i + 1] = at;
    } else {
      f[2 * i] = Math.max(0, score + weight * Math.exp(-decayRate * (lastAt - at)));
    }
  };

  const addDelivery = (page: ColumnPage, i: number, at: Instant) => {
    const list = page.deliveries[i];
    if (list === undefined) {
      // Exactly sized: most subjects see a delivery or two, not the 17 slots a first push reserves.
      page.deliveries[i] = [at];
      return;
    }
    insertSorted(list, at);
    if (list.length > 64) {
      const cut = lowerBound(list, (list[list.length - 1] as number) - 2 * windowMs);
      if (cut > 0) list.splice(0, cut);
    }
  };

  const guardKey = (ruleId: string, variantId: string | null) =>
    variantId === null ? ruleId : `${ruleId}\u0000${variantId}`;

  /** Counts of a rule, and of its variants, without building a key string per event. */
  const countsFor = (ruleId: string, variantId: string | null): Counts => {
    let rule = ruleCounts.get(ruleId);
    if (rule === undefined) {
      rule = { all: newCounts(), variants: null };
      ruleCounts.set(ruleId, rule);
    }
    if (variantId === null) return rule.all;
    rule.variants ??= new Map();
    let c = rule.variants.get(variantId);
    if (c === undefined) {
      c = newCounts();
      rule.variants.set(variantId, c);
    }
    return c;
  };

  const evaluatePause = (
    ruleId: string,
    variantId: string | null,
    c: Counts,
    metric: GuardrailMetric,
    at: Instant,
  ) => {
    if (metric === 'helpful') return;
    const threshold = thresholds[metric];
    if (threshold === undefined || c.exposures < minExposures) return;
    const key = guardKey(ruleId, variantId);
    if (paused.has(key)) return;
    const interval = wilsonInterval(Math.min(c[metric], c.exposures), c.exposures, z);
    if (interval.lower <= threshold) return;
    const level = Math.round((1 - 2 * (1 - normalCdf(z))) * 100);
    const pause: RulePause = {
      ruleId,
      variantId,
      metric,
      interval,
      threshold,
      at,
      detail: `${metric.replace('_', '-')} rate ${pct(interval.rate)} (${level}% CI ${pct(interval.lower)}–${pct(interval.upper)}) over ${c.exposures} messages exceeds ${pct(threshold)}`,
    };
    paused.set(key, pause);
    emit({ type: 'rule_paused', pause }, true);
  };

  /**
   * Guardrail counts: a `delivered` event is an exposure (idempotency makes it one per event);
   * each metric counts once per decision.
   */
  const track = (event: FeedbackEvent, variantId: string | null): void => {
    const metric = METRIC_OF[event.kind];
    if (metric === undefined) {
      if (event.kind !== 'delivered') return;
      // One lookup of the rule for both its own and its variant's exposure.
      let rule = ruleCounts.get(event.ruleId);
      if (rule === undefined) {
        rule = { all: newCounts(), variants: null };
        ruleCounts.set(event.ruleId, rule);
      }
      if (event.at > rule.all.since) rule.all.exposures++;
      if (variantId !== null) {
        rule.variants ??= new Map();
        const v = rule.variants.get(variantId);
        if (v === undefined) {
          const c = newCounts();
          c.exposures = 1;
          rule.variants.set(variantId, c);
        } else if (event.at > v.since) v.exposures++;
      }
      return;
    }
    let seenBefore = reactions.get(event.decisionId);
    if (seenBefore === undefined) {
      seenBefore = { bits: 0, variantId };
      reactions.set(event.decisionId, seenBefore);
    } else if (variantId === null) variantId = seenBefore.variantId;
    if ((seenBefore.bits & BIT[metric]) !== 0) return;
    seenBefore.bits |= BIT[metric];
    const c = countsFor(event.ruleId, null);
    if (event.at > c.since) {
      c[metric]++;
      evaluatePause(event.ruleId, null, c, metric, event.at);
    }
    if (variantId !== null) {
      const v = countsFor(event.ruleId, variantId);
      if (event.at > v.since) {
        v[metric]++;
        evaluatePause(event.ruleId, variantId, v, metric, event.at);
      }
    }
  };

  /**
   * Restarts the guardrail counts of a rule (or variant) after a resume at `at`: feedback dated at
   * or before it no longer counts, whether it arrived before the resume or arrives late, so a loop
   * rebuilt from the store counts exactly what the live loop counted.
   */
  const restartCounts = (ruleId: string, variantId: string | null, at: Instant) => {
    const c = countsFor(ruleId, variantId);
    if (at > c.since) Object.assign(c, newCounts(at));
  };

  const suppress = (
    state: SubjectState,
    event: FeedbackEvent,
    scope: SuppressionScope,
    until: Instant | null,
    code: string = event.kind,
    detail?: string,
  ) => {
    const target =
      scope === 'item'
        ? (event.itemKey as string)
        : scope === 'rule'
          ? event.ruleId
          : scope === 'topic'
            ? event.topic
            : scope === 'channel'
              ? event.channel
              : '*';
    const reason: SuppressionReason = {
      code,
      scope,
      target,
      since: event.at,
      until,
      detail: detail ?? suppressionDetail(event.kind, scope, target, event.at, until),
      feedbackId: event.idempotencyKey,
    };
    if (state.suppressions === NO_SUPPRESSIONS) state.suppressions = [];
    state.suppressions.push({ scope, target, since: event.at, until, reason });
    emit({ type: 'suppressed', subject: event.subject, reason }, true);
  };

  const lowerBudget = (
    state: SubjectState,
    event: FeedbackEvent,
    channel: string | null,
    until: Instant,
  ) => {
    const scope: SuppressionScope = channel === null ? 'all' : 'channel';
    const target = channel ?? '*';
    const reason: SuppressionReason = {
      code: event.kind,
      scope,
      target,
      since: event.at,
      until,
      detail: budgetDetail(event.kind, scope, target, event.at),
      feedbackId: event.idempotencyKey,
    };
    if (state.adjustments === NO_ADJUSTMENTS) state.adjustments = [];
    state.adjustments.push({ channel, since: event.at, until, reason });
    emit({ type: 'budget_lowered', subject: event.subject, reason }, true);
  };

  const escalate = (state: SubjectState, event: FeedbackEvent) => {
    state.notInterested ??= new Map();
    let times = state.notInterested.get(event.topic);
    if (times === undefined) {
      times = [];
      state.notInterested.set(event.topic, times);
    }
    insertSorted(times, event.at);
    const n = escalateAfter;
    const p = lowerBound(times, event.at);
    for (let i = Math.max(0, p - n + 1); i <= p && i + n - 1 < times.length; i++) {
      const last = times[i + n - 1] as number;
      if (last - (times[i] as number) > escalateWithin) continue;
      const covered = state.suppressions.some(
        (s) =>
          s.reason.code === 'not_interested_repeated' &&
          s.target === event.topic &&
          s.since <= last &&
          (s.until === null || s.until > last),
      );
      if (covered) return;
      const until = escalationDuration === null ? null : last + escalationDuration;
      suppress(
        state,
        { ...event, at: last },
        'topic',
        until,
        'not_interested_repeated',
        `No ${scopeText('topic', event.topic)} because you chose "not interested" ${n} times by ${day(last)}${until === null ? '' : ` (until ${day(until)})`}`,
      );
      return;
    }
  };

  const effectsOf = (event: FeedbackEvent) => {
    const kind = event.kind;
    const weight = weights[kind];
    // Every subject with feedback is known to `budget()`, even without fatigue or suppressions.
    const n = subjectNumber(event.subject);
    if (
      event.critical !== true &&
      ((weight !== undefined && weight !== 0) || kind === 'delivered')
    ) {
      const page = pageFor(event.channel, n);
      const i = n & (PAGE - 1);
      if (weight !== undefined && weight !== 0) addFatigue(page, i, weight, event.at);
      if (kind === 'delivered') addDelivery(page, i, event.at);
    }
    const scope = event.scope ?? defaultScope(kind, event.itemKey !== undefined);
    if (scope === null) return;
    const state = subjectState(n);
    switch (kind) {
      case 'stop_this':
      case 'unsubscribed':
      case 'complained':
        suppress(state, event, scope, null);
        return;
      case 'too_frequent': {
        const until = event.at + (event.durationMs ?? durations.too_frequent);
        if (scope === 'channel' || scope === 'all') {
          lowerBudget(state, event, scope === 'all' ? null : event.channel, until);
        } else suppress(state, event, scope, until);
        return;
      }
      case 'intrusive': {
        const until = event.at + (event.durationMs ?? durations.intrusive);
        suppress(state, event, scope, until);
        lowerBudget(state, event, null, until);
        return;
      }
      case 'wrong_data': {
        suppress(state, event, scope, event.at + (event.durationMs ?? durations.wrong_data));
        const request: CorrectionRequest = {
          id: event.idempotencyKey,
          subject: event.subject,
          decisionId: event.decisionId,
          ruleId: event.ruleId,
          topic: event.topic,
          channel: event.channel,
          at: event.at,
          ...(event.itemKey === undefined ? {} : { itemKey: event.itemKey }),
          ...(event.note === undefined ? {} : { note: event.note }),
        };
        correctionList.push(request);
        emit({ type: 'correction_requested', request }, true);
        return;
      }
      case 'not_interested':
        suppress(state, event, scope, event.at + (event.durationMs ?? durations.not_interested));
        escalate(state, event);
        return;
      case 'not_relevant':
        suppress(state, event, scope, event.at + (event.durationMs ?? durations.not_relevant));
        return;
      default:
        return;
    }
  };

  /** Throws unless `event` repeats `previous` (same key, same content). */
  const assertSame = (previous: FeedbackEvent, event: FeedbackEvent) => {
    if (
      previous.kind !== event.kind ||
      previous.decisionId !== event.decisionId ||
      previous.subject !== event.subject ||
      previous.at !== event.at ||
      previous.scope !== event.scope
    ) {
      throw feedbackError(
        'feedback/idempotency_conflict',
        `idempotency key "${event.idempotencyKey}" was used for a different event`,
        { path: 'event.idempotencyKey', value: event.idempotencyKey },
      );
    }
  };

  /** Checks a new event against the clock (read at `now`) and its decision; returns the decision if known. */
  const admit = (event: FeedbackEvent, now: Instant): DecisionEntry | undefined => {
    if (event.at > now + maxSkew) {
      throw feedbackError(
        'feedback/future_event',
        `event.at ${new Date(event.at).toISOString()} is later than the clock allows`,
        { path: 'event.at', value: event.at },
      );
    }
    if (decisions.size === 0) return undefined;
    const decision = decisions.get(event.decisionId);
    if (
      decision !== undefined &&
      (decision.subject !== event.subject || decision.ruleId !== event.ruleId)
    ) {
      throw feedbackError(
        'feedback/decision_mismatch',
        `decision "${event.decisionId}" was made for ${decision.subject} by rule ${decision.ruleId}, not ${event.subject} by ${event.ruleId}`,
        { path: 'event.decisionId', value: event.decisionId },
      );
    }
    return decision;
  };

  const DUPLICATE: IngestResult = Object.freeze({
    status: 'duplicate',
    orphaned: false,
    late: false,
    effects: EMPTY,
  });

  const results = [false, true].map((orphan) =>
    [false, true].map(
      (late): IngestResult =>
        Object.freeze({ status: 'accepted', orphaned: orphan, late, effects: EMPTY }),
    ),
  );

  /**
   * Applies a prepared event whose key is already in `seen`; returns 1 (orphan) | 2 (late) bits.
   * Its effects are appended to `effects` (which the caller sets: null, or the batch's list);
   * listeners are not flushed here.
   */
  const applyEvent = (
    event: FeedbackEvent,
    decision: DecisionEntry | undefined,
    now: Instant,
  ): number => {
    accepted.push(event);
    if (event.at > latestAt) latestAt = event.at;
    let flags = 0;
    if (decision === undefined) {
      // Listed by `orphans()` (accepted events whose decision is still unknown).
      flags = 1;
      if (listeners.size > 0) emit({ type: 'orphaned', event }, false);
    }
    track(event, event.variantId ?? decision?.variantId ?? null);
    effectsOf(event);
    for (let i = 0; i < observers.length; i++) (observers[i] as FeedbackObserver).observe(event);
    if (now - event.at > lateAfter) flags |= 2;
    return flags;
  };

  /** Applies a prepared, not yet seen event. */
  const commit = (
    event: FeedbackEvent,
    decision: DecisionEntry | undefined,
    now: Instant,
  ): IngestResult => {
    seen.set(event.idempotencyKey, event);
    effects = null;
    const flags = applyEvent(event, decision, now);
    const done = effects as FeedbackLoopEvent[] | null;
    effects = null;
    flush();
    const isOrphan = (flags & 1) !== 0;
    const late = (flags & 2) !== 0;
    if (done === null)
      return (results[isOrphan ? 1 : 0] as IngestResult[])[late ? 1 : 0] as IngestResult;
    return { status: 'accepted', orphaned: isOrphan, late, effects: done };
  };

  /** Checks the `i`th event of a batch, naming `events[i]` in errors without a string per event. */
  const checkEvent = (input: unknown, i: number): FeedbackEvent => {
    try {
      return checkFeedbackEvent(input);
    } catch {
      // Validation is pure: checking again with the indexed root throws the same error, pathed.
      return checkFeedbackEvent(input, `events[${i}]`);
    }
  };

  /**
   * Validates a batch without changing the view: every event is checked and admitted, and keys
   * already seen (or repeated within the batch) must repeat their event. Returns the new events
   * in order. When `reserve`, their keys stay in `seen` (the caller applies them at once);
   * otherwise they are released. On any error every reserved key is released and it rethrows.
   * The whole batch is checked against one reading of the clock, `now`.
   */
  const prepareBatch = (
    inputs: readonly unknown[],
    reserve: boolean,
    now: Instant,
  ): FeedbackEvent[] => {
    if (!Array.isArray(inputs)) {
      throw feedbackError('feedback/invalid_event', 'events: expected an array of events', {
        path: 'events',
        value: inputs,
      });
    }
    const fresh: FeedbackEvent[] = [];
    try {
      for (let i = 0; i < inputs.length; i++) {
        const event = checkEvent(inputs[i], i);
        const previous = seen.get(event.idempotencyKey);
        if (previous !== undefined) {
          assertSame(previous, event);
          continue;
        }
        admit(event, now);
        seen.set(event.idempotencyKey, event);
        fresh.push(event);
      }
    } catch (error) {
      for (const event of fresh) seen.delete(event.idempotencyKey);
      throw error;
    }
    if (!reserve) for (const event of fresh) seen.delete(event.idempotencyKey);
    return fresh;
  };

  /** Applies prepared events whose keys are in `seen`, then tells listeners once. */
  const applyBatch = (
    fresh: readonly FeedbackEvent[],
    duplicates: number,
    now: Instant,
  ): BatchIngestResult => {
    let orphaned = 0;
    let late = 0;
    const collected: FeedbackLoopEvent[] = [];
    // Every event's effects go straight into the batch's list.
    effects = collected;
    try {
      for (let i = 0; i < fresh.length; i++) {
        const event = fresh[i] as FeedbackEvent;
        const flags = applyEvent(
          event,
          decisions.size === 0 ? undefined : decisions.get(event.decisionId),
          now,
        );
        orphaned += flags & 1;
        late += flags >> 1;
      }
    } finally {
      effects = null;
    }
    flush();
    return {
      accepted: fresh.length,
      duplicates,
      orphaned,
      late,
      effects: collected.length === 0 ? EMPTY : collected,
    };
  };

  /**
   * Indexes orphans (accepted events whose decision is unknown) by decision id lazily, when a
   * decision is logged, so ingest pays nothing for them.
   */
  const orphanIndex = new Map<string, FeedbackEvent[]>();
  let indexedUpTo = 0;
  const waitingFor = (decisionId: string): FeedbackEvent[] | undefined => {
    for (; indexedUpTo < accepted.length; indexedUpTo++) {
      const event = accepted[indexedUpTo] as FeedbackEvent;
      if (decisions.has(event.decisionId)) continue;
      const list = orphanIndex.get(event.decisionId);
      if (list === undefined) orphanIndex.set(event.decisionId, [event]);
      else list.push(event);
    }
    return orphanIndex.get(decisionId);
  };

  const prepareDecision = (input: unknown): DecisionEntry | null => {
    const entry = checkDecisionEntry(input);
    const existing = decisions.get(entry.decisionId);
    if (existing !== undefined) {
      if (
        existing.subject !== entry.subject ||
        existing.ruleId !== entry.ruleId ||
        existing.at !== entry.at
      ) {
        throw feedbackError(
          'feedback/idempotency_conflict',
          `decision "${entry.decisionId}" was logged with different content`,
          { path: 'decision.decisionId', value: entry.decisionId },
        );
      }
      return null;
    }
    for (const event of waitingFor(entry.decisionId) ?? []) {
      if (event.subject !== entry.subject || event.ruleId !== entry.ruleId) {
        throw feedbackError(
          'feedback/decision_mismatch',
          `feedback "${event.idempotencyKey}" for decision "${entry.decisionId}" names ${event.subject}/${event.ruleId}, not ${entry.subject}/${entry.ruleId}`,
          { path: 'decision.subject', value: entry.subject },
        );
      }
    }
    return entry;
  };

  const commitDecision = (entry: DecisionEntry) => {
    if (decisions.has(entry.decisionId)) return;
    decisions.set(entry.decisionId, entry);
    const waiting = waitingFor(entry.decisionId);
    if (waiting !== undefined) {
      orphanIndex.delete(entry.decisionId);
      emit({ type: 'adopted', decisionId: entry.decisionId, events: waiting.length }, false);
      flush();
    }
  };

  const checkQuery = (query: SuppressionQuery) => {
    if (
      typeof query !== 'object' ||
      query === null ||
      typeof query.subject !== 'string' ||
      typeof query.ruleId !== 'string' ||
      typeof query.topic !== 'string' ||
      typeof query.channel !== 'string' ||
      !Number.isInteger(query.at)
    ) {
      throw feedbackError(
        'feedback/invalid_event',
        'check: expected { subject, ruleId, topic, channel, at } with at in epoch ms',
        { path: 'query', value: query },
      );
    }
  };

  const factorAt = (
    state: SubjectState | undefined,
    channel: string | null,
    at: Instant,
  ): [number, Adjustment | null] => {
    let factor = 1;
    let latest: Adjustment | null = null;
    if (state === undefined) return [factor, latest];
    for (const a of state.adjustments) {
      if (a.since > at || a.until <= at) continue;
      if (a.channel !== null && a.channel !== channel) continue;
      factor *= reduction;
      if (latest === null || a.since > latest.since) latest = a;
    }
    return [factor, latest];
  };

  const countIn = (list: readonly Instant[] | undefined, at: Instant) =>
    list === undefined ? 0 : upperBound(list, at) - upperBound(list, at - windowMs);

  const budgetOf = (subject: SubjectId, channel: string, at: Instant): BudgetStatus => {
    const n = subjectIds.get(subject);
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
        reason: allowed > 0 && cross > 0 ? null : fatigueReason(channel, at, 0, allowed, null),
      };
    }
    const state = subjectStates[n];
    const page = findPage(channel, n);
    const i = n & (PAGE - 1);
    const score = scoreAt(page, i, at);
    const [factor, adjustment] = factorAt(state, channel, at);
    const allowed = Math.floor((cap * factor) / (1 + score / sensitivity));
    const deliveries = page?.deliveries[i];
    const used = countIn(deliveries, at);
    const [crossFactor, crossAdjustment] = factorAt(state, null, at);
    const crossAllowed = Math.floor(crossChannelCap * crossFactor);
    let crossUsed = 0;
    for (const other of columns)
      crossUsed += countIn(other.pages[n >> PAGE_BITS]?.deliveries[i], at);
    let reason: SuppressionReason | null = null;
    if (used >= allowed) {
      reason =
        adjustment !== null
          ? {
              ...adjustment.reason,
              until: releaseAt(deliveries, at, used, allowed) ?? adjustment.until,
            }
          : fatigueReason(channel, at, used, allowed, releaseAt(deliveries, at, used, allowed));
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
              detail: `Paused: you have had ${crossUsed} messages in the last ${Math.round(windowMs / duration.day)} days, the most we send`,
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
  };

  const releaseAt = (
    deliveries: readonly Instant[] | undefined,
    at: Instant,
    used: number,
    allowed: number,
  ): Instant | null => {
    if (deliveries === undefined || allowed <= 0) return null;
    const start = upperBound(deliveries, at - windowMs);
    const oldest = deliveries[start + used - allowed];
    return oldest === undefined ? null : oldest + windowMs;
  };

  const fatigueReason = (
    channel: string,
    at: Instant,
    used: number,
    allowed: number,
    until: Instant | null,
  ): SuppressionReason => ({
    code: 'fatigue',
    scope: 'channel',
    target: channel,
    since: at,
    until,
    detail: `Fewer ${channel} messages: ${used} in the last ${Math.round(windowMs / duration.day)} days, ${allowed} allowed while you seem to be getting too many`,
  });

  /** Replays the store's resumes, then its decisions, then its events, into the view. */
  const replay = async (): Promise<{ decisions: number; events: number }> => {
    // Resumes first: they say from when each rule's counts restart, whatever the events' order.
    const resumes = (await store.readResumes?.()) ?? [];
    logs.resumes = resumes.length;
    for (const resume of resumes) {
      if (
        typeof resume !== 'object' ||
        resume === null ||
        typeof resume.ruleId !== 'string' ||
        (resume.variantId !== null && typeof resume.variantId !== 'string') ||
        !Number.isInteger(resume.at)
      ) {
        throw feedbackError(
          'feedback/invalid_event',
          'stored resume: expected { ruleId, variantId, at } with at in epoch ms',
          { path: 'resume', value: resume },
        );
      }
      restartCounts(resume.ruleId, resume.variantId, resume.at);
    }
    let decisionsRead = 0;
    let eventsRead = 0;
    const page = 10_000;
    for (let after = 0; ; ) {
      const rows = await store.readDecisions({ afterSeq: after, limit: page });
      for (const row of rows) {
        const entry = prepareDecision(row.entry);
        if (entry !== null) commitDecision(entry);
        after = row.seq;
      }
      if (after > logs.decisions) logs.decisions = after;
      decisionsRead += rows.length;
      if (rows.length < page) break;
    }
    for (let after = 0; ; ) {
      const rows = await store.readEvents({ afterSeq: after, limit: page });
      for (const row of rows) {
        const event = checkFeedbackEvent(row.event);
        if (!seen.has(event.idempotencyKey)) {
          commit(event, decisions.get(event.decisionId), clock.now());
        }
        after = row.seq;
      }
      if (after > logs.events) logs.events = after;
      eventsRead += rows.length;
      if (rows.length < page) break;
    }
    return { decisions: decisionsRead, events: eventsRead };
  };

  /** Reads what other loops wrote after what this one has read, silently; retries on failure. */
  let pulling = false;
  let pullAgain = false;
  const pull = async (tries = 0): Promise<void> => {
    if (pulling || hydrating) {
      pullAgain = true;
      return;
    }
    pulling = true;
    replaying = true;
    try {
      do {
        pullAgain = false;
        if (wantResumes && store.readResumes !== undefined) {
          wantResumes = false;
          const all = await store.readResumes();
          for (const r of all.slice(logs.resumes)) {
            paused.delete(guardKey(r.ruleId, r.variantId));
            restartCounts(r.ruleId, r.variantId, r.at);
          }
          logs.resumes = all.length;
        }
        // Decisions first, so that the events read next find theirs.
        while (logs.decisions < logs.wantDecisions) {
          const rows = await store.readDecisions({ afterSeq: logs.decisions, limit: PULL_PAGE });
          for (const row of rows) {
            const entry = prepareDecision(row.entry);
            if (entry !== null) commitDecision(entry);
            logs.decisions = row.seq;
          }
          if (rows.length < PULL_PAGE) break;
        }
        while (logs.events < logs.wantEvents) {
          const rows = await store.readEvents({ afterSeq: logs.events, limit: PULL_PAGE });
          for (const row of rows) {
            const event = checkFeedbackEvent(row.event);
            if (!seen.has(event.idempotencyKey)) {
              commit(event, decisions.get(event.decisionId), clock.now());
            }
            logs.events = row.seq;
          }
          if (rows.length < PULL_PAGE) break;
        }
        // The store holds nothing newer than what was read: every announced subject is current.
        for (const [subject, at] of unread) if (at <= logs.wantEvents) unread.delete(subject);
      } while (pullAgain && !closed);
    } catch {
      if (!closed) later(Math.min(2_000, 50 * 2 ** tries), () => void pull(tries + 1));
    } finally {
      replaying = false;
      pulling = false;
    }
  };

  const stopFollowing = feed?.subscribe((notice) => {
    if (closed) return;
    if (notice.type === 'stale') fresh = false;
    else if (notice.type === 'fresh') fresh = true;
    else {
      const { stream, subject, sequence, key } = notice.change;
      if (stream === 'feedback.events') {
        if (sequence > logs.wantEvents) logs.wantEvents = sequence;
        if (key !== null && (writing.has(key) || seen.has(key))) return;
        if (subject !== null) unread.set(subject, Math.max(sequence, unread.get(subject) ?? 0));
      } else if (stream === 'feedback.decisions') {
        if (sequence > logs.wantDecisions) logs.wantDecisions = sequence;
        if (key !== null && decisions.has(key)) return;
      } else if (stream === 'feedback.resumes') wantResumes = true;
      else return;
      void pull();
    }
  });

  /** Why the view cannot answer for `subject` now, or `null` when it can. */
  const problemWith = (subject: SubjectId): 'not_loaded' | 'stale_view' | null => {
    if (!loaded) return 'not_loaded';
    if (!fresh) return 'stale_view';
    return unread.size > 0 && unread.has(subject) ? 'stale_view' : null;
  };

  const heldBack = (query: SuppressionQuery, code: 'not_loaded' | 'stale_view') => ({
    suppressed: true as const,
    reason: {
      code,
      scope: 'all' as const,
      target: '*',
      since: query.at,
      until: null,
      detail:
        code === 'not_loaded'
          ? 'Held back: feedback has not been read from the store yet'
          : 'Held back: this instance may have missed feedback given elsewhere, and waits until it has caught up',
    },
  });

  const loop: FeedbackLoop = {
    check(query) {
      checkQuery(query);
      // Feedback never silences a message that protects the customer; only consent can.
      if (query.critical === true || critical?.(query) === true) return NOT_SUPPRESSED;
      if (--recheckIn === 0) {
        recheckIn = RECHECK_EVERY;
        if (feed != null && fresh && feed.fresh !== true) fresh = false;
      }
      const problem = problemWith(query.subject);
      if (problem !== null) return heldBack(query, problem);
      const state = stateOf(query.subject);
      let best: Suppression | null = null;
      if (state !== undefined) {
        for (const s of state.suppressions) {
          if (s.since > query.at || (s.until !== null && s.until <= query.at)) continue;
          if (matches(s, query) && outlasts(s, best)) best = s;
        }
      }
      if (best !== null) return { suppressed: true, reason: best.reason };
      if (suppressPaused && paused.size > 0) {
        const pause = paused.get(query.ruleId);
        if (pause !== undefined && pause.at <= query.at) {
          return {
            suppressed: true,
            reason: {
              code: 'rule_paused',
              scope: 'rule',
              target: query.ruleId,
              since: pause.at,
              until: null,
              detail: `Paused for everyone: ${pause.detail}`,
            },
          };
        }
      }
      const b = budgetOf(query.subject, query.channel, query.at);
      return b.reason === null ? NOT_SUPPRESSED : { suppressed: true, reason: b.reason };
    },
    async submit(input) {
      const event = checkFeedbackEvent(input);
      const previous = seen.get(event.idempotencyKey);
      if (previous !== undefined) {
        assertSame(previous, event);
        return DUPLICATE;
      }
      admit(event, clock.now());
      writing.add(event.idempotencyKey);
      try {
        await store.appendEvents([event]);
      } finally {
        writing.delete(event.idempotencyKey);
      }
      // Another submit of the same key may have been applied while this one was being stored.
      if (seen.has(event.idempotencyKey)) return DUPLICATE;
      return commit(event, decisions.get(event.decisionId), clock.now());
    },
    apply(input) {
      const event = checkFeedbackEvent(input);
      const previous = seen.get(event.idempotencyKey);
      if (previous !== undefined) {
        assertSame(previous, event);
        return DUPLICATE;
      }
      const now = clock.now();
      return commit(event, admit(event, now), now);
    },
    async submitMany(inputs) {
      const batch = prepareBatch(inputs, false, clock.now());
      for (const event of batch) writing.add(event.idempotencyKey);
      try {
        if (batch.length > 0) await store.appendEvents(batch);
      } finally {
        for (const event of batch) writing.delete(event.idempotencyKey);
      }
      // Another write may have applied some of these keys while the batch was being stored.
      let applied = batch;
      for (let i = 0; i < batch.length; i++) {
        if (seen.has((batch[i] as FeedbackEvent).idempotencyKey)) {
          applied = batch.filter((event) => !seen.has(event.idempotencyKey));
          break;
        }
      }
      for (const event of applied) seen.set(event.idempotencyKey, event);
      return applyBatch(applied, inputs.length - applied.length, clock.now());
    },
    applyMany(inputs) {
      const now = clock.now();
      const fresh = prepareBatch(inputs, true, now);
      return applyBatch(fresh, inputs.length - fresh.length, now);
    },
    async logDecision(input) {
      const entry = prepareDecision(input);
      if (entry === null) return;
      await store.appendDecisions([entry]);
      commitDecision(entry);
    },
    applyDecision(input) {
      const entry = prepareDecision(input);
      if (entry !== null) commitDecision(entry);
    },
    async hydrate() {
      // Listening first: feedback stored while the logs are read is announced, not lost.
      await feed?.ready();
      replaying = true;
      hydrating = true;
      try {
        const counts = await replay();
        loaded = true;
        return counts;
      } finally {
        replaying = false;
        hydrating = false;
        if (pullAgain) void pull();
      }
    },
    suppressions(subject, at = clock.now()) {
      requireString(subject, 'subject');
      requireNumber(at, 'at');
      const state = stateOf(subject);
      if (state === undefined) return [];
      const out: SuppressionReason[] = [];
      for (const s of state.suppressions) {
        if (s.since <= at && (s.until === null || s.until > at)) out.push(s.reason);
      }
      for (const a of state.adjustments) {
        if (a.since <= at && a.until > at) out.push(a.reason);
      }
      return out;
    },
    budget(subject, channel, at = clock.now()) {
      checkSubjectChannel(subject, channel, at);
      return budgetOf(subject, channel, at);
    },
    fatigue(subject, channel, at = clock.now()) {
      checkSubjectChannel(subject, channel, at);
      const n = subjectIds.get(subject);
      return n === undefined ? 0 : scoreAt(findPage(channel, n), n & (PAGE - 1), at);
    },
    ruleHealth(ruleId, variantId) {
      checkRuleVariant(ruleId, variantId);
      const key = guardKey(ruleId, variantId ?? null);
      const c = countsFor(ruleId, variantId ?? null);
      const rates = {} as Record<GuardrailMetric, RateInterval>;
      for (const metric of METRICS) {
        rates[metric] = wilsonInterval(Math.min(c[metric], c.exposures), c.exposures, z);
      }
      return {
        ruleId,
        variantId: variantId ?? null,
        exposures: c.exposures,
        rates,
        paused: paused.get(key) ?? null,
      };
    },
    isPaused(ruleId, variantId) {
      checkRuleVariant(ruleId, variantId);
      return (
        paused.has(ruleId) || (variantId !== undefined && paused.has(guardKey(ruleId, variantId)))
      );
    },
    pauses() {
      return [...paused.values()];
    },
    async resume(ruleId, variantId) {
      checkRuleVariant(ruleId, variantId);
      const variant = variantId ?? null;
      const key = guardKey(ruleId, variant);
      const pause = paused.get(key);
      if (pause === undefined) return;
      paused.delete(key);
      const resume: GuardrailResume = { ruleId, variantId: variant, at: resumeInstant() };
      restartCounts(ruleId, variant, resume.at);
      emit({ type: 'rule_resumed', ruleId, variantId: variant }, false);
      flush();
      if (store.appendResumes === undefined) return;
      try {
        await store.appendResumes([resume]);
      } catch (error) {
        // Not stored: the pause stands, as it would after a restart.
        if (!paused.has(key)) paused.set(key, pause);
        throw error;
      }
    },
    orphans() {
      return accepted.filter((event) => !decisions.has(event.decisionId));
    },
    corrections(subject) {
      if (subject !== undefined) requireString(subject, 'subject');
      return subject === undefined
        ? [...correctionList]
        : correctionList.filter((c) => c.subject === subject);
    },
    events() {
      return accepted;
    },
    subscribe(listener) {
      requireFunction(listener, 'listener');
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    viewStatus(subject) {
      requireString(subject, 'subject');
      if (feed != null && fresh && feed.fresh !== true) fresh = false;
      return problemWith(subject) ?? 'ready';
    },
    close() {
      if (closed) return;
      closed = true;
      fresh = false;
      stopFollowing?.();
    },
  };
  return loop;
}

function checkSubjectChannel(subject: unknown, channel: unknown, at: unknown): void {
  requireString(subject, 'subject');
  requireString(channel, 'channel');
  requireNumber(at, 'at');
}

function checkRuleVariant(ruleId: unknown, variantId: unknown): void {
  requireString(ruleId, 'ruleId');
  if (variantId !== undefined && variantId !== null) requireString(variantId, 'variantId');
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26), for naming an interval's confidence level. */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}
