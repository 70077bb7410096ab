import { type Clock, duration, type SuppressionQuery } from '@candor/core';
import type { FeedbackKind } from './kinds';
import type { FeedbackStore } from './store';
import type { FeedbackObserver, GuardrailMetric } from './types';

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
  /** Learners fed every accepted event (e.g. a Thompson sampler). */
  readonly observers?: readonly FeedbackObserver[];
}

export const DEFAULT_DURATIONS: Record<TimedFeedbackKind, number> = {
  not_relevant: 30 * duration.day,
  not_interested: 90 * duration.day,
  too_frequent: 14 * duration.day,
  intrusive: 90 * duration.day,
  wrong_data: 30 * duration.day,
};
export const DEFAULT_WEIGHTS: Partial<Record<FeedbackKind, number>> = {
  delivered: 0.25,
  ignored: 1,
  dismissed: 1.5,
  opened: -0.5,
  clicked: -1,
  converted: -1,
};
