import type { Instant } from '@candor/core';
import type { GuardrailConfig } from './config';
import { type Counts, type Guardrails, guardKey, METRICS } from './guardrails';
import type { GuardrailMetric, RulePause } from './types';

/*
 * Checkpoints of the global part of a view (guardrail counts, reactions and pauses): a loop with a
 * subject cache starts from the latest one and reads only the events stored after it, so its
 * start-up does not grow with the feedback log.
 */

/** Counts in order: since, exposures, helpful, not_interested, intrusive, complaint, opt_out. */
type CountsRow = readonly [Instant, number, number, number, number, number, number];

/**
 * The global part of a feedback loop's view after the store's first `events` events and
 * `resumes` resumes, as plain JSON. Loops with a subject cache write one now and then
 * (`cache.checkpointEvery`) and start from the latest.
 *
 * @example
 * const checkpoint = await store.readCheckpoint?.(key);
 * if (checkpoint !== null) console.log(`starts after event ${checkpoint.events}`);
 */
export interface FeedbackCheckpoint {
  /** Events read: the `seq` of the last one the state includes. */
  readonly events: number;
  /** Guardrail resumes read. */
  readonly resumes: number;
  /** The latest `at` of any event applied. */
  readonly latestAt: Instant;
  /** Per rule: its counts, and its variants' counts. */
  readonly rules: readonly (readonly [
    string,
    CountsRow,
    readonly (readonly [string, CountsRow])[],
  ])[];
  /**
   * Per decision that drew a guardrail metric: the metric bits counted, and its variant, as
   * columns (one entry per decision at the same index): hundreds of thousands of them parse
   * several times faster than as many small arrays.
   */
  readonly reactions: {
    readonly ids: readonly string[];
    readonly bits: readonly number[];
    readonly variants: readonly (string | null)[];
  };
  readonly paused: readonly RulePause[];
}

/**
 * The key a loop's checkpoints are stored under: its guardrail settings (pauses depend on them;
 * loops with other settings keep their own checkpoints).
 *
 * @example
 * checkpointKey(config.guardrails); // 'guardrails:{"complaint":0.01,"intrusive":0.05}|20|1.96'
 */
export function checkpointKey(config: GuardrailConfig): string {
  const thresholds = Object.entries(config.thresholds).sort(([a], [b]) => (a < b ? -1 : 1));
  return `guardrails:${JSON.stringify(Object.fromEntries(thresholds))}|${config.minExposures}|${config.z}`;
}

/**
 * The checkpoint of `g` after `events` events and `resumes` resumes.
 *
 * @example
 * const checkpoint = saveCheckpoint(view.guardrails, 10_000, 0, view.latestAt);
 */
export function saveCheckpoint(
  g: Guardrails,
  events: number,
  resumes: number,
  latestAt: Instant,
): FeedbackCheckpoint {
  const row = (c: Counts): CountsRow => [
    c.since,
    c.exposures,
    c.helpful,
    c.not_interested,
    c.intrusive,
    c.complaint,
    c.opt_out,
  ];
  return {
    events,
    resumes,
    latestAt,
    rules: [...g.rules].map(([ruleId, rule]) => [
      ruleId,
      row(rule.all),
      [...(rule.variants ?? [])].map(([variantId, c]) => [variantId, row(c)] as const),
    ]),
    reactions: reactionColumns(g.reactions),
    paused: [...g.paused.values()],
  };
}

function reactionColumns(reactions: Guardrails['reactions']): FeedbackCheckpoint['reactions'] {
  const ids: string[] = [];
  const bits: number[] = [];
  const variants: (string | null)[] = [];
  for (const [id, r] of reactions) {
    ids.push(id);
    bits.push(r.bits);
    variants.push(r.variantId);
  }
  return { ids, bits, variants };
}

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= -1;
const isId = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

function countsOf(row: unknown): Counts | null {
  if (!Array.isArray(row) || row.length !== 7 || !row.every(isCount)) return null;
  const [since, exposures, helpful, not_interested, intrusive, complaint, opt_out] =
    row as number[];
  return {
    since: since as number,
    exposures: exposures as number,
    helpful: helpful as number,
    not_interested: not_interested as number,
    intrusive: intrusive as number,
    complaint: complaint as number,
    opt_out: opt_out as number,
  };
}

function isPause(p: unknown): p is RulePause {
  if (typeof p !== 'object' || p === null) return false;
  const r = p as Record<string, unknown>;
  return (
    isId(r.ruleId) &&
    (r.variantId === null || isId(r.variantId)) &&
    METRICS.includes(r.metric as GuardrailMetric) &&
    typeof r.interval === 'object' &&
    r.interval !== null &&
    typeof r.threshold === 'number' &&
    Number.isSafeInteger(r.at) &&
    typeof r.detail === 'string'
  );
}

/**
 * Restores `g` (empty) from a stored checkpoint; returns false, changing nothing, when it is not
 * a well-formed checkpoint (the loop then reads every event instead).
 *
 * @example
 * if (!restoreCheckpoint(view.guardrails, stored)) await replayEverything();
 */
export function restoreCheckpoint(g: Guardrails, input: unknown): input is FeedbackCheckpoint {
  if (typeof input !== 'object' || input === null) return false;
  const cp = input as Record<string, unknown>;
  if (!isCount(cp.events) || !isCount(cp.resumes) || !Number.isSafeInteger(cp.latestAt)) {
    return false;
  }
  if (!Array.isArray(cp.rules) || !Array.isArray(cp.paused)) return false;
  const columns = cp.reactions as FeedbackCheckpoint['reactions'] | null | undefined;
  if (typeof columns !== 'object' || columns === null) return false;
  const { ids, bits, variants } = columns;
  if (!Array.isArray(ids) || !Array.isArray(bits) || !Array.isArray(variants)) return false;
  if (bits.length !== ids.length || variants.length !== ids.length) return false;
  const rules: Guardrails['rules'] = new Map();
  for (const entry of cp.rules as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 3 || !isId(entry[0])) return false;
    const all = countsOf(entry[1]);
    if (all === null || !Array.isArray(entry[2])) return false;
    const variants = new Map<string, Counts>();
    for (const v of entry[2] as unknown[]) {
      if (!Array.isArray(v) || v.length !== 2 || !isId(v[0])) return false;
      const c = countsOf(v[1]);
      if (c === null) return false;
      variants.set(v[0], c);
    }
    rules.set(entry[0], { all, variants: variants.size === 0 ? null : variants });
  }
  const reactions: Guardrails['reactions'] = new Map();
  for (let i = 0; i < ids.length; i++) {
    const id: unknown = ids[i];
    const b: unknown = bits[i];
    const variant: unknown = variants[i];
    if (!isId(id) || !isCount(b) || (variant !== null && !isId(variant))) return false;
    reactions.set(id, { bits: b, variantId: variant });
  }
  if (!(cp.paused as unknown[]).every(isPause)) return false;
  for (const [k, v] of rules) g.rules.set(k, v);
  for (const [k, v] of reactions) g.reactions.set(k, v);
  for (const p of cp.paused as RulePause[]) g.paused.set(guardKey(p.ruleId, p.variantId), p);
  return true;
}
