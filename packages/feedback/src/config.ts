import { type Clock, duration, type SuppressionQuery } from '@candor/core';
import { checkNumberOption, feedbackError, requireObject } from './errors';
import type { FeedbackKind } from './kinds';
import type { FeedbackStore } from './store';
import type { FeedbackObserver, GuardrailMetric } from './types';

/*
 * The loop's options, as users write them, and their resolution into a frozen `LoopConfig` (every
 * default applied, every number checked) that the other parts are given.
 */

/**
 * Kinds whose suppression lasts a while (the others are permanent or suppress nothing).
 *
 * @example
 * createFeedbackLoop({ durations: { too_frequent: 7 * duration.day } });
 */
export type TimedFeedbackKind =
  | 'not_relevant'
  | 'not_interested'
  | 'too_frequent'
  | 'intrusive'
  | 'wrong_data';

/**
 * How fatigue and budgets work; every field has a default.
 *
 * @example
 * createFeedbackLoop({ fatigue: { caps: { email: 3, push: 5 }, crossChannelCap: 6, halfLifeMs: 2 * duration.day } });
 */
export interface FatigueOptions {
  /** Half-life of the fatigue score. Default 3 days. */
  readonly halfLifeMs?: number;
  /** Score added per signal; negative weights (engagement) lower it. */
  readonly weights?: Partial<Record<FeedbackKind, number>>;
  /** The window caps count deliveries in. Default 7 days. */
  readonly windowMs?: number;
  /** Deliveries per window per channel before fatigue and feedback adjust it. */
  readonly caps?: Readonly<Record<string, number>>;
  /** Cap for channels not in `caps`. Default 5. */
  readonly defaultCap?: number;
  /** Deliveries per window across all channels. Default 10. */
  readonly crossChannelCap?: number;
  /** Fatigue score at which a channel's cap halves. Default 3. */
  readonly sensitivity?: number;
  /** Factor a `too_frequent` or `intrusive` signal multiplies the budget by. Default 0.5. */
  readonly reduction?: number;
}

/**
 * When a rule (or variant) is paused automatically.
 *
 * @example
 * createFeedbackLoop({ guardrails: { thresholds: { intrusive: 0.03, complaint: 0.005, opt_out: 0.05 }, minExposures: 50 } });
 */
export interface GuardrailOptions {
  /**
   * Rate thresholds: a rule pauses when the Wilson lower bound of the metric's rate exceeds its
   * threshold. Default `{ intrusive: 0.05, complaint: 0.01 }`; add `not_interested` or `opt_out`
   * to guard them too.
   */
  readonly thresholds?: Partial<Record<Exclude<GuardrailMetric, 'helpful'>, number>>;
  /** Fewest exposed decisions before a pause. Default 20. */
  readonly minExposures?: number;
  /** Normal quantile of the interval. Default 1.96 (95%). */
  readonly z?: number;
  /**
   * Whether `check()` suppresses a paused rule itself (never for messages the loop's `critical`
   * option marks critical: those pauses are flagged only). Default true.
   */
  readonly suppressPausedRules?: boolean;
}

/**
 * Options of {@link createFeedbackLoop}; every field has a default.
 *
 * @example
 * createFeedbackLoop({ store, clock, durations: { not_interested: 30 * duration.day }, critical: (q) => q.topic.startsWith('security') });
 */
export interface FeedbackLoopOptions {
  /** Where events and decisions are persisted by `submit` and read by `hydrate`. Default in memory. */
  readonly store?: FeedbackStore;
  readonly clock?: Clock;
  /**
   * How long a timed kind suppresses when the event names no `durationMs`. Defaults:
   * not_relevant 30 days, not_interested 90 days, too_frequent 14 days, intrusive 90 days,
   * wrong_data 30 days.
   */
  readonly durations?: Partial<Record<TimedFeedbackKind, number>>;
  /**
   * Escalation: `after` "not interested" signals on one topic within `withinMs` mute the topic
   * for `durationMs` (`null` = permanently). Defaults 3, 30 days, 365 days.
   */
  readonly escalation?: {
    readonly after?: number;
    readonly withinMs?: number;
    readonly durationMs?: number | null;
  };
  readonly fatigue?: FatigueOptions;
  readonly guardrails?: GuardrailOptions;
  /**
   * True for messages that protect the customer (e.g. fraud alerts), besides those whose query
   * says `critical: true` (the rule engine sets it for rules of urgency `critical`). Feedback never
   * silences them: `check()` lets them through whatever the subject's mutes, "not interested",
   * fatigue or budgets, and a guardrail pause of such a rule is only flagged (listed in
   * `pauses()`, announced as `rule_paused`): muting fraud alerts would harm the customers they
   * protect. Their feedback is still recorded and counted. Only consent can stop them.
   */
  readonly critical?: (query: SuppressionQuery) => boolean;
  /** Events dated more than this after the clock are refused. Default 5 minutes. */
  readonly maxFutureSkewMs?: number;
  /** Events older than this are flagged `late` (and still applied). Default 7 days. */
  readonly lateAfterMs?: number;
  /**
   * Learners fed every accepted event (e.g. a Thompson sampler). One that throws stops neither
   * the event nor the other observers: its error is rethrown once the event (or batch) is applied,
   * as a listener's is (and ignored while history is replayed).
   */
  readonly observers?: readonly FeedbackObserver[];
  /**
   * Holds at most `maxSubjects` customers' feedback in memory instead of everyone's: `prepare()`
   * reads the customers a batch needs in one store read (the store must offer `readEventsOf`),
   * the least recently prepared are dropped beyond the bound, and `check()` holds back a customer
   * it has not prepared (`not_loaded`). Guardrail counts still cover every customer: the loop
   * starts from the store's latest checkpoint of them (if it keeps checkpoints) and writes one
   * every `checkpointEvery` events read (default 10,000). Decisions are stored, not held: give
   * feedback its `variantId` for per-variant guardrails.
   */
  readonly cache?: { readonly maxSubjects: number; readonly checkpointEvery?: number };
}

const DEFAULT_DURATIONS: Record<TimedFeedbackKind, number> = /* @__PURE__ */ (() => ({
  not_relevant: 30 * duration.day,
  not_interested: 90 * duration.day,
  too_frequent: 14 * duration.day,
  intrusive: 90 * duration.day,
  wrong_data: 30 * duration.day,
}))();
const DEFAULT_WEIGHTS: Partial<Record<FeedbackKind, number>> = {
  delivered: 0.25,
  ignored: 1,
  dismissed: 1.5,
  opened: -0.5,
  clicked: -1,
  converted: -1,
};

/** How fatigue and budgets work, resolved: every default applied, every number checked. */
export interface FatigueConfig {
  /** `ln 2 / halfLifeMs`: the score decays by `e^(-decayRate·Δt)`. */
  readonly decayRate: number;
  readonly weights: Readonly<Partial<Record<FeedbackKind, number>>>;
  readonly windowMs: number;
  readonly caps: Readonly<Record<string, number>>;
  readonly defaultCap: number;
  readonly crossChannelCap: number;
  readonly sensitivity: number;
  readonly reduction: number;
}

/** When rules pause, resolved. */
export interface GuardrailConfig {
  readonly thresholds: Readonly<Partial<Record<Exclude<GuardrailMetric, 'helpful'>, number>>>;
  readonly minExposures: number;
  readonly z: number;
  readonly suppressPaused: boolean;
}

/** Repeated "not interested" on a topic, resolved. */
export interface EscalationConfig {
  readonly after: number;
  readonly withinMs: number;
  /** `null`: the topic is muted permanently. */
  readonly durationMs: number | null;
}

/**
 * The loop's options with every default applied and every number checked, frozen: what each part
 * of the loop is given instead of the raw options.
 */
export interface LoopConfig {
  readonly durations: Readonly<Record<TimedFeedbackKind, number>>;
  readonly escalation: EscalationConfig;
  readonly fatigue: FatigueConfig;
  readonly guardrails: GuardrailConfig;
  readonly critical: ((query: SuppressionQuery) => boolean) | undefined;
  /** Events dated more than this after the clock are refused. */
  readonly maxSkew: number;
  /** Events older than this are flagged `late`. */
  readonly lateAfter: number;
  readonly observers: readonly FeedbackObserver[];
  /** Most customers held in memory; `undefined`: every customer with feedback. */
  readonly maxSubjects: number | undefined;
  /** With a subject cache: events read between checkpoints of the guardrails. */
  readonly checkpointEvery: number;
}

/**
 * Resolves {@link FeedbackLoopOptions} (except `store` and `clock`, which are parts, not
 * settings) into a frozen {@link LoopConfig}; throws `feedback/invalid_option` naming the first
 * option out of range.
 */
export function resolveLoopConfig(options: FeedbackLoopOptions): LoopConfig {
  requireObject(options, 'options');
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
  const weights: Partial<Record<FeedbackKind, number>> = { ...DEFAULT_WEIGHTS, ...f.weights };
  for (const [kind, w] of Object.entries(weights)) {
    checkNumberOption(w, `fatigue.weights.${kind}`, Number.NEGATIVE_INFINITY);
  }
  const windowMs = checkNumberOption(f.windowMs ?? 7 * duration.day, 'fatigue.windowMs', 1);
  const caps = { ...f.caps };
  for (const [channel, cap] of Object.entries(caps)) {
    checkNumberOption(cap, `fatigue.caps.${channel}`, 0);
  }
  const defaultCap = checkNumberOption(f.defaultCap ?? 5, 'fatigue.defaultCap', 0);
  const crossChannelCap = checkNumberOption(f.crossChannelCap ?? 10, 'fatigue.crossChannelCap', 0);
  const sensitivity = checkNumberOption(f.sensitivity ?? 3, 'fatigue.sensitivity', 1e-9);
  const reduction = checkNumberOption(f.reduction ?? 0.5, 'fatigue.reduction', 0, 1);
  const g = options.guardrails ?? {};
  const thresholds = { ...(g.thresholds ?? { intrusive: 0.05, complaint: 0.01 }) };
  for (const [metric, t] of Object.entries(thresholds)) {
    checkNumberOption(t, `guardrails.thresholds.${metric}`, 0, 1);
  }
  const minExposures = checkNumberOption(g.minExposures ?? 20, 'guardrails.minExposures', 0);
  const z = checkNumberOption(g.z ?? 1.96, 'guardrails.z', 1e-9);
  const maxSkew = checkNumberOption(
    options.maxFutureSkewMs ?? 5 * duration.minute,
    'maxFutureSkewMs',
    0,
  );
  const lateAfter = checkNumberOption(options.lateAfterMs ?? 7 * duration.day, 'lateAfterMs', 0);
  let maxSubjects: number | undefined;
  let checkpointEvery = 10_000;
  if (options.cache !== undefined) {
    requireObject(options.cache, 'cache');
    maxSubjects = wholeNumber(options.cache.maxSubjects, 'cache.maxSubjects');
    checkpointEvery = wholeNumber(options.cache.checkpointEvery ?? 10_000, 'cache.checkpointEvery');
  }
  return Object.freeze({
    durations: Object.freeze(durations),
    escalation: Object.freeze({
      after: escalateAfter,
      withinMs: escalateWithin,
      durationMs: escalationDuration,
    }),
    fatigue: Object.freeze({
      decayRate: Math.LN2 / halfLife,
      weights: Object.freeze(weights),
      windowMs,
      caps: Object.freeze(caps),
      defaultCap,
      crossChannelCap,
      sensitivity,
      reduction,
    }),
    guardrails: Object.freeze({
      thresholds: Object.freeze(thresholds),
      minExposures,
      z,
      suppressPaused: g.suppressPausedRules ?? true,
    }),
    critical: checkFunction(options.critical, 'critical'),
    maxSkew,
    lateAfter,
    observers: checkObservers(options.observers),
    maxSubjects,
    checkpointEvery,
  });
}

/** A function option (or none); else `feedback/invalid_option` naming it. */
function checkFunction<F>(value: F | undefined, path: string): F | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw feedbackError('feedback/invalid_option', `${path}: must be a function`, {
      path,
      value,
    });
  return value;
}

/** A list of observers, each with an `observe` function (none: an empty list). */
function checkObservers(
  value: readonly FeedbackObserver[] | undefined,
): readonly FeedbackObserver[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw feedbackError('feedback/invalid_option', 'observers: must be a list of observers', {
      path: 'observers',
      value,
    });
  value.forEach((observer, i) => {
    if (typeof (observer as Partial<FeedbackObserver> | null)?.observe !== 'function')
      throw feedbackError(
        'feedback/invalid_option',
        `observers[${i}]: must have an observe(event) function`,
        { path: `observers[${i}]`, value: observer },
      );
  });
  return [...value];
}

function wholeNumber(value: number, path: string): number {
  checkNumberOption(value, path, 1);
  if (!Number.isInteger(value)) {
    throw feedbackError('feedback/invalid_option', `${path}: must be a whole number`, {
      path,
      value,
    });
  }
  return value;
}
