import type { Instant, SuppressionQuery, SuppressionVerdict } from '@candor/core';
import { type Announcer, emit } from './announce';
import type { GuardrailConfig } from './config';
import type { FeedbackKind } from './kinds';
import type { FeedbackEvent } from './schema';
import type { GuardrailMetric, RuleHealth, RulePause } from './types';
import { type RateInterval, wilsonInterval } from './wilson';

/*
 * Rule guardrails, global across subjects: per rule (and variant) counts of exposures and of each
 * metric (once per decision), Wilson intervals over them, and the pauses they trigger.
 */

/** Guardrail counts of one rule or variant. */
export interface Counts {
  /** Feedback dated at or before this instant does not count (the last resume; -1 = none). */
  since: Instant;
  exposures: number;
  helpful: number;
  not_interested: number;
  intrusive: number;
  complaint: number;
  opt_out: number;
}

/** Counts of a rule and of its variants. */
interface RuleCounts {
  all: Counts;
  variants: Map<string, Counts> | null;
}

/** The guardrails' state: counts, the metrics each decision has counted, and the pauses. */
export interface Guardrails {
  readonly config: GuardrailConfig;
  readonly rules: Map<string, RuleCounts>;
  /** Metric bits each decision has counted (each counts once per decision), and its variant. */
  readonly reactions: Map<string, { bits: number; variantId: string | null }>;
  /** Active pauses by {@link guardKey}. */
  readonly paused: Map<string, RulePause>;
}

/** Every guardrail metric, in a fixed order. */
export const METRICS: readonly GuardrailMetric[] = [
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

/** No counts, no pauses. */
export function createGuardrails(config: GuardrailConfig): Guardrails {
  return { config, rules: new Map(), reactions: new Map(), paused: new Map() };
}

/** The key of a rule's (or variant's) pause. */
export function guardKey(ruleId: string, variantId: string | null): string {
  return variantId === null ? ruleId : `${ruleId}\u0000${variantId}`;
}

/** Counts of a rule, and of its variants, without building a key string per event. */
function countsFor(g: Guardrails, ruleId: string, variantId: string | null): Counts {
  let rule = g.rules.get(ruleId);
  if (rule === undefined) {
    rule = { all: newCounts(), variants: null };
    g.rules.set(ruleId, rule);
  }
  if (variantId === null) return rule.all;
  rule.variants ??= new Map();
  let c = rule.variants.get(variantId);
  if (c === undefined) {
    c = newCounts();
    rule.variants.set(variantId, c);
  }
  return c;
}

function evaluatePause(
  g: Guardrails,
  announcer: Announcer,
  ruleId: string,
  variantId: string | null,
  c: Counts,
  metric: GuardrailMetric,
  at: Instant,
): void {
  if (metric === 'helpful') return;
  const { thresholds, minExposures, z } = g.config;
  const threshold = thresholds[metric];
  if (threshold === undefined || c.exposures < minExposures) return;
  const key = guardKey(ruleId, variantId);
  if (g.paused.has(key)) return;
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
  g.paused.set(key, pause);
  emit(announcer, { type: 'rule_paused', pause }, true);
}

/**
 * Guardrail counts: a `delivered` event is an exposure (idempotency makes it one per event);
 * each metric counts once per decision. A pause it triggers is recorded with `announcer`.
 */
export function track(
  g: Guardrails,
  announcer: Announcer,
  event: FeedbackEvent,
  variantId: string | null,
): void {
  const metric = METRIC_OF[event.kind];
  if (metric === undefined) {
    if (event.kind !== 'delivered') return;
    // One lookup of the rule for both its own and its variant's exposure.
    let rule = g.rules.get(event.ruleId);
    if (rule === undefined) {
      rule = { all: newCounts(), variants: null };
      g.rules.set(event.ruleId, rule);
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
  let seenBefore = g.reactions.get(event.decisionId);
  if (seenBefore === undefined) {
    seenBefore = { bits: 0, variantId };
    g.reactions.set(event.decisionId, seenBefore);
  } else if (variantId === null) variantId = seenBefore.variantId;
  if ((seenBefore.bits & BIT[metric]) !== 0) return;
  seenBefore.bits |= BIT[metric];
  const c = countsFor(g, event.ruleId, null);
  if (event.at > c.since) {
    c[metric]++;
    evaluatePause(g, announcer, event.ruleId, null, c, metric, event.at);
  }
  if (variantId !== null) {
    const v = countsFor(g, event.ruleId, variantId);
    if (event.at > v.since) {
      v[metric]++;
      evaluatePause(g, announcer, event.ruleId, variantId, v, metric, event.at);
    }
  }
}

/**
 * Restarts the guardrail counts of a rule (or variant) after a resume at `at`: feedback dated at
 * or before it no longer counts, whether it arrived before the resume or arrives late, so a loop
 * rebuilt from the store counts exactly what the live loop counted.
 */
export function restartCounts(
  g: Guardrails,
  ruleId: string,
  variantId: string | null,
  at: Instant,
): void {
  const c = countsFor(g, ruleId, variantId);
  if (at > c.since) Object.assign(c, newCounts(at));
}

/** Lifts the pause of a rule (or variant), if any, and restarts its counts after `at`. */
export function liftPause(
  g: Guardrails,
  ruleId: string,
  variantId: string | null,
  at: Instant,
): void {
  g.paused.delete(guardKey(ruleId, variantId));
  restartCounts(g, ruleId, variantId, at);
}

/** Rates of a rule (or variant), each with its Wilson interval, and its pause. */
export function ruleHealth(g: Guardrails, ruleId: string, variantId: string | null): RuleHealth {
  const c = countsFor(g, ruleId, variantId);
  const rates = {} as Record<GuardrailMetric, RateInterval>;
  for (const metric of METRICS) {
    rates[metric] = wilsonInterval(Math.min(c[metric], c.exposures), c.exposures, g.config.z);
  }
  return {
    ruleId,
    variantId,
    exposures: c.exposures,
    rates,
    paused: g.paused.get(guardKey(ruleId, variantId)) ?? null,
  };
}

/** `check()`'s pause gate: the verdict when the query's rule is paused (and enforced), or `null`. */
export function pauseVerdict(g: Guardrails, query: SuppressionQuery): SuppressionVerdict | null {
  if (!g.config.suppressPaused || g.paused.size === 0) return null;
  const pause = g.paused.get(query.ruleId);
  if (pause === undefined || pause.at > query.at) return null;
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
