import { duration, type Instant, isWithin, type SubjectId } from '@candor/core';
import { checkNumberOption, feedbackError, requireObject } from './errors';
import type { FeedbackKind } from './kinds';
import type { FeedbackEvent } from './schema';
import { checkFeedbackEvent } from './validate';

/**
 * Options of {@link computeTrustMetrics}.
 *
 * @example
 * computeTrustMetrics(events, { bucketMs: duration.week, efficacyWindowMs: 14 * duration.day });
 */
export interface TrustMetricsOptions {
  /** Width of a time bucket. Default 1 day. */
  readonly bucketMs?: number;
  /** How long after a "not interested" a delivery on that topic counts as leaked. Default 30 days. */
  readonly efficacyWindowMs?: number;
}

/**
 * Trust rates of one rule on one channel in one time bucket (by when messages were sent).
 *
 * @example
 * for (const b of computeTrustMetrics(events).buckets) console.log(b.ruleId, b.channel, b.intrusiveRate);
 */
export interface TrustBucket {
  readonly ruleId: string;
  readonly channel: string;
  /** Start of the bucket (epoch ms). */
  readonly bucketStart: Instant;
  /** Distinct decisions with any feedback, dated by their first event. */
  readonly exposures: number;
  readonly helpfulRate: number;
  readonly intrusiveRate: number;
  readonly notInterestedRate: number;
  readonly complaintRate: number;
  /** Share of messages followed by an unsubscribe or "stop this" on that message. */
  readonly optOutRate: number;
}

/**
 * Whether "not interested" worked: after one, how much of that topic the subject still got.
 *
 * @example
 * const { efficacy, leakedDeliveries } = computeTrustMetrics(events).controlEfficacy;
 */
export interface ControlEfficacy {
  /** "Not interested" signals measured. */
  readonly signals: number;
  /** Signals after which no delivery on the topic (or its children) followed within the window. */
  readonly honored: number;
  /** `honored / signals` (1 when there are no signals). */
  readonly efficacy: number;
  /** Deliveries on a muted topic within the window, over all signals. */
  readonly leakedDeliveries: number;
}

/**
 * Trust metrics per rule, channel and time bucket, and control efficacy.
 *
 * @example
 * const { buckets, controlEfficacy } = computeTrustMetrics(loop.events());
 */
export interface TrustMetrics {
  readonly buckets: readonly TrustBucket[];
  readonly controlEfficacy: ControlEfficacy;
}

const BITS: Partial<Record<FeedbackKind, number>> = {
  helpful: 1,
  intrusive: 2,
  not_interested: 4,
  complained: 8,
  unsubscribed: 16,
  stop_this: 16,
};

interface DecisionAgg {
  ruleId: string;
  channel: string;
  first: Instant;
  bits: number;
}

/**
 * Computes trust metrics from feedback events (e.g. `loop.events()` or a store read): per rule,
 * channel and time bucket the helpful, intrusive, not-interested, complaint and opt-out-after
 * rates, and control efficacy — after a "not interested" on a topic, how much of that topic the
 * subject still received.
 *
 * @example
 * const { buckets, controlEfficacy } = computeTrustMetrics(loop.events(), { bucketMs: duration.week });
 * console.log(controlEfficacy.efficacy); // 1 = every "not interested" stopped its topic
 */
export function computeTrustMetrics(
  events: readonly FeedbackEvent[],
  options: TrustMetricsOptions = {},
): TrustMetrics {
  if (!Array.isArray(events))
    throw feedbackError('feedback/invalid_event', 'events: expected an array of feedback events', {
      path: 'events',
      value: events,
    });
  requireObject(options, 'options');
  const bucketMs = checkNumberOption(options.bucketMs ?? duration.day, 'bucketMs', 1);
  const window = checkNumberOption(
    options.efficacyWindowMs ?? 30 * duration.day,
    'efficacyWindowMs',
    0,
  );
  const decisions = new Map<string, DecisionAgg>();
  const deliveries = new Map<SubjectId, { topic: string; at: Instant }[]>();
  const signals: FeedbackEvent[] = [];
  events.forEach((input, i) => {
    const event = checkFeedbackEvent(input, `events[${i}]`);
    const agg = decisions.get(event.decisionId);
    const bit = BITS[event.kind] ?? 0;
    if (agg === undefined) {
      decisions.set(event.decisionId, {
        ruleId: event.ruleId,
        channel: event.channel,
        first: event.at,
        bits: bit,
      });
    } else {
      agg.bits |= bit;
      if (event.at < agg.first) agg.first = event.at;
    }
    if (event.kind === 'delivered') {
      const list = deliveries.get(event.subject);
      if (list === undefined) deliveries.set(event.subject, [{ topic: event.topic, at: event.at }]);
      else list.push({ topic: event.topic, at: event.at });
    } else if (event.kind === 'not_interested') signals.push(event);
  });
  const groups = new Map<
    string,
    { ruleId: string; channel: string; start: Instant; n: number[] }
  >();
  for (const agg of decisions.values()) {
    const start = Math.floor(agg.first / bucketMs) * bucketMs;
    const key = `${agg.ruleId}\u0000${agg.channel}\u0000${start}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { ruleId: agg.ruleId, channel: agg.channel, start, n: [0, 0, 0, 0, 0, 0] };
      groups.set(key, group);
    }
    const n = group.n;
    n[0] = (n[0] as number) + 1;
    for (let b = 0; b < 5; b++) if (agg.bits & (1 << b)) n[b + 1] = (n[b + 1] as number) + 1;
  }
  const buckets: TrustBucket[] = [...groups.values()]
    .sort(
      (a, b) =>
        a.start - b.start || a.ruleId.localeCompare(b.ruleId) || a.channel.localeCompare(b.channel),
    )
    .map(({ ruleId, channel, start, n }) => {
      const exposures = n[0] as number;
      const rate = (i: number) => (n[i] as number) / exposures;
      return {
        ruleId,
        channel,
        bucketStart: start,
        exposures,
        helpfulRate: rate(1),
        intrusiveRate: rate(2),
        notInterestedRate: rate(3),
        complaintRate: rate(4),
        optOutRate: rate(5),
      };
    });
  let honored = 0;
  let leaked = 0;
  for (const signal of signals) {
    let count = 0;
    for (const d of deliveries.get(signal.subject) ?? []) {
      if (d.at > signal.at && d.at <= signal.at + window && isWithin(d.topic, signal.topic))
        count++;
    }
    if (count === 0) honored++;
    leaked += count;
  }
  return {
    buckets,
    controlEfficacy: {
      signals: signals.length,
      honored,
      efficacy: signals.length === 0 ? 1 : honored / signals.length,
      leakedDeliveries: leaked,
    },
  };
}
