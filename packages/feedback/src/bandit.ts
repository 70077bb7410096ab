import { type Clock, duration, type Instant, systemClock } from '@candor/core';
import {
  checkNumberOption,
  feedbackError,
  requireFunction,
  requireNumber,
  requireObject,
  requireString,
  show,
} from './errors';
import type { FeedbackKind } from './kinds';
import { createRandom, drawBeta, type Random } from './random';
import type { FeedbackEvent } from './schema';
import type { FeedbackObserver } from './types';

/**
 * Options of {@link createThompsonSampler}; every field has a default.
 *
 * @example
 * createThompsonSampler({ seed: 42, minExploration: 0.02, lambda: 2, waitMs: duration.day });
 */
export interface ThompsonOptions {
  /** Seed of the sampler's PRNG. Default 1. */
  readonly seed?: number;
  /**
   * Minimum exploration weight: this share of the probability is spread evenly over the
   * eligible variants, so none starves. In [0, 1). Default 0.01.
   */
  readonly minExploration?: number;
  /** Monte Carlo draws used to compute the Thompson probabilities. Default 1,000. */
  readonly draws?: number;
  /** Recompute probabilities once updates since the last reach this share of all. Default 0.05. */
  readonly refreshRatio?: number;
  /** Beta prior of every variant. Default `{ alpha: 1, beta: 1 }`. */
  readonly prior?: { readonly alpha: number; readonly beta: number };
  /** Weight λ of intrusiveness in `reward = value − λ·intrusiveness`. Default 1. */
  readonly lambda?: number;
  /** How long after a choice its feedback counts toward the reward. Default 3 days. */
  readonly waitMs?: number;
  /** Reward of a decision with no feedback when its window closes. Default 0. */
  readonly defaultReward?: number;
  /**
   * Value of each kind (an event's own `value` overrides it). Defaults: helpful 1, converted 1,
   * clicked 0.6, opened 0.2.
   */
  readonly values?: Partial<Record<FeedbackKind, number>>;
  /**
   * Intrusiveness of each kind. Defaults: intrusive 1, complained 1, unsubscribed 1, stop_this 1,
   * not_interested 0.5, too_frequent 0.5, not_relevant 0.3, wrong_data 0.3, dismissed 0.1.
   */
  readonly intrusiveness?: Partial<Record<FeedbackKind, number>>;
  /** Settled choices kept for `log()` and off-policy estimates. Default 100,000. */
  readonly maxLog?: number;
  readonly clock?: Clock;
}

/**
 * What `choose` picked, with the probability it had (for off-policy estimates).
 *
 * @example
 * const { variantId, propensity } = sampler.choose({ ruleId: 'r', eligible: ['a', 'b'] });
 */
export interface VariantChoice {
  /** The decision the choice belongs to, or `null` when none was given (not joined to rewards). */
  readonly decisionId: string | null;
  readonly ruleId: string;
  readonly variantId: string;
  /**
   * Probability with which this variant was issued for the decision. For a first choice, its
   * probability among `eligible`; after a re-check with a changed eligible set, the probability of
   * every way it could have come out (kept from before, or chosen again), so IPS stays unbiased.
   */
  readonly propensity: number;
  /** The eligible set of the latest `choose` call for this decision. */
  readonly eligible: readonly string[];
  /** When the decision was first chosen; its reward window runs from here. */
  readonly at: Instant;
}

/**
 * A choice with its reward once its wait window closed.
 *
 * @example
 * for (const c of sampler.log()) console.log(c.variantId, c.propensity, c.reward);
 */
export interface LoggedChoice extends VariantChoice {
  /** `value − λ·intrusiveness` (may be negative), or the default reward when nothing came. */
  readonly reward: number;
  /** True when no feedback arrived within the window and `defaultReward` was used. */
  readonly defaulted: boolean;
}

/**
 * A variant's Beta posterior.
 *
 * @example
 * sampler.posterior('card-expiry').map((p) => `${p.variantId}: ${p.mean.toFixed(2)}`);
 */
export interface VariantPosterior {
  readonly variantId: string;
  readonly alpha: number;
  readonly beta: number;
  /** Posterior mean `alpha / (alpha + beta)`. */
  readonly mean: number;
  /** Settled rewards counted. */
  readonly updates: number;
}

/**
 * What `choose` needs: the rule, the eligible variants, and the decision to join rewards to.
 *
 * @example
 * sampler.choose({ ruleId: 'card-expiry', eligible: ['short', 'friendly'], decisionId: 'd-1' });
 */
export interface ChooseInput {
  readonly ruleId: string;
  /**
   * Variants allowed for this subject right now: the caller removes suppressed, capped and
   * unconsented ones. Only these can be chosen, exploration included.
   */
  readonly eligible: readonly string[];
  readonly decisionId?: string;
  readonly at?: Instant;
}

/**
 * Thompson sampling over each rule's variants, learning within the constraints: only eligible
 * variants are ever chosen, rewards are joined to decisions by id within a wait window, and every
 * choice logs its propensity.
 *
 * @example
 * const sampler: ThompsonSampler = createThompsonSampler({ seed: 1 });
 */
export interface ThompsonSampler extends FeedbackObserver {
  /**
   * Chooses a variant among `eligible`; throws `feedback/no_eligible_variant` if there is none.
   * Asking again with the decision id of a choice still in its wait window re-checks it against
   * this call's `eligible`: the remembered variant is returned if it is still eligible (the very
   * same choice when `eligible` is unchanged), otherwise a variant is chosen again among the
   * eligible ones and replaces it, so one decision logs one choice. The propensity is updated to
   * the probability the issued variant really had over both calls. With nothing eligible, the
   * earlier choice is dropped (nothing may be sent for it, so nothing is learned from it) and
   * `feedback/no_eligible_variant` is thrown.
   */
  choose(input: ChooseInput): VariantChoice;
  /** Folds a feedback event into its decision's pending reward (feed it from the loop). */
  observe(event: FeedbackEvent): void;
  /** Adds a reward signal to a decision directly; NaN or negative parts throw `feedback/invalid_reward`. */
  reward(
    decisionId: string,
    signal: { readonly value?: number; readonly intrusiveness?: number },
  ): void;
  /** Closes every wait window ending by `at`, updating posteriors; returns how many closed. */
  settle(at?: Instant): number;
  /** The Beta posterior of each variant of a rule. */
  posterior(ruleId: string): readonly VariantPosterior[];
  /** The probability each eligible variant has of being chosen now. */
  probabilities(ruleId: string, eligible: readonly string[]): Readonly<Record<string, number>>;
  /** Settled choices, oldest first (at most `maxLog`). */
  log(): readonly LoggedChoice[];
}

interface Arm {
  readonly id: string;
  alpha: number;
  beta: number;
  updates: number;
  stamp: number;
}

/** An eligible set seen recently: its ids (a private frozen copy), arms and probabilities. */
interface Resolved {
  readonly ids: readonly string[];
  /** Arm indices, ascending. */
  readonly members: readonly number[];
  readonly key: number | string;
  probs: Float64Array | null;
  version: number;
}

interface RuleState {
  readonly arms: Arm[];
  readonly index: Map<string, number>;
  readonly cache: Map<number | string, Float64Array>;
  /** Most recently used eligible sets, checked id by id (no hashing) before resolving anew. */
  readonly recent: Resolved[];
  /** Bumped whenever cached probabilities go stale (new arm, refresh). */
  version: number;
  updatesSinceRefresh: number;
  totalUpdates: number;
}

interface Pending {
  choice: VariantChoice;
  /** Arm indices (ascending) the issued variant may be, and the probability of each. */
  members: readonly number[];
  dist: ArrayLike<number>;
  value: number;
  intrusiveness: number;
  heard: boolean;
  /** Dropped by a re-check with nothing eligible: neither settled nor logged. */
  cancelled: boolean;
}

const DEFAULT_VALUES: Partial<Record<FeedbackKind, number>> = {
  helpful: 1,
  converted: 1,
  clicked: 0.6,
  opened: 0.2,
};
const DEFAULT_INTRUSIVENESS: Partial<Record<FeedbackKind, number>> = {
  intrusive: 1,
  complained: 1,
  unsubscribed: 1,
  stop_this: 1,
  not_interested: 0.5,
  too_frequent: 0.5,
  not_relevant: 0.3,
  wrong_data: 0.3,
  dismissed: 0.1,
};

function checkReward(value: number | undefined, path: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw feedbackError(
      'feedback/invalid_reward',
      `${path}: ${show(value)} must be a finite, non-negative number`,
      { path, value },
    );
  }
  return value;
}

/**
 * Creates a Thompson sampler: each rule's variants have a Beta posterior; a choice samples a
 * variant with its posterior probability of being the best among the eligible ones (computed by
 * seeded Monte Carlo and refreshed as rewards arrive), mixed with a minimum exploration weight.
 * The exact probability used is logged as the propensity, so IPS and SNIPS estimates are
 * unbiased. Rewards are `value − λ·intrusiveness`, clamped to [0, 1] for the posterior.
 *
 * @example
 * const sampler = createThompsonSampler({ seed: 7 });
 * const choice = sampler.choose({ ruleId: 'card-expiry', eligible: ['short', 'friendly'], decisionId: 'd-1' });
 * sampler.reward('d-1', { value: 1 });
 * sampler.settle(Date.now() + 4 * 86_400_000);
 */
export function createThompsonSampler(options: ThompsonOptions = {}): ThompsonSampler {
  requireObject(options, 'options');
  const random: Random = createRandom(options.seed ?? 1);
  const epsilon = checkNumberOption(options.minExploration ?? 0.01, 'minExploration', 0, 0.999999);
  const draws = Math.round(checkNumberOption(options.draws ?? 1000, 'draws', 1));
  const refreshRatio = checkNumberOption(options.refreshRatio ?? 0.05, 'refreshRatio', 0, 1);
  const priorAlpha = checkNumberOption(options.prior?.alpha ?? 1, 'prior.alpha', 1e-9);
  const priorBeta = checkNumberOption(options.prior?.beta ?? 1, 'prior.beta', 1e-9);
  const lambda = checkNumberOption(options.lambda ?? 1, 'lambda', 0);
  const waitMs = checkNumberOption(options.waitMs ?? 3 * duration.day, 'waitMs', 0);
  const defaultReward = checkNumberOption(options.defaultReward ?? 0, 'defaultReward', -1e9);
  const values = { ...DEFAULT_VALUES, ...options.values };
  const intrusiveness = { ...DEFAULT_INTRUSIVENESS, ...options.intrusiveness };
  for (const [kind, v] of Object.entries(values)) checkReward(v, `values.${kind}`);
  for (const [kind, v] of Object.entries(intrusiveness)) checkReward(v, `intrusiveness.${kind}`);
  const maxLog = Math.round(checkNumberOption(options.maxLog ?? 100_000, 'maxLog', 1));
  const clock = options.clock ?? systemClock;

  const rules = new Map<string, RuleState>();
  const pending = new Map<string, Pending>();
  const queue: Pending[] = [];
  let head = 0;
  const early = new Map<string, { value: number; intrusiveness: number; at: Instant }>();
  let settled: LoggedChoice[] = [];
  let stamp = 0;
  let lastSweep = Number.NEGATIVE_INFINITY;

  const ruleState = (ruleId: string): RuleState => {
    let state = rules.get(ruleId);
    if (state === undefined) {
      state = {
        arms: [],
        index: new Map(),
        cache: new Map(),
        recent: [],
        version: 0,
        updatesSinceRefresh: 0,
        totalUpdates: 0,
      };
      rules.set(ruleId, state);
    }
    return state;
  };

  const armIndex = (state: RuleState, id: string): number => {
    let i = state.index.get(id);
    if (i === undefined) {
      if (typeof id !== 'string' || id.length === 0) {
        throw feedbackError(
          'feedback/invalid_event',
          `variant id ${JSON.stringify(id)} must be a non-empty string`,
          {
            path: 'eligible',
            value: id,
          },
        );
      }
      i = state.arms.length;
      state.arms.push({ id, alpha: priorAlpha, beta: priorBeta, updates: 0, stamp: 0 });
      state.index.set(id, i);
      state.cache.clear();
      state.version++;
    }
    return i;
  };

  /** Thompson probabilities over the arms `members`, by seeded Monte Carlo. */
  const thompson = (state: RuleState, members: readonly number[]): Float64Array => {
    const k = members.length;
    const wins = new Float64Array(k);
    if (k === 1) {
      wins[0] = 1;
      return wins;
    }
    for (let d = 0; d < draws; d++) {
      let best = 0;
      let bestValue = -1;
      for (let j = 0; j < k; j++) {
        const arm = state.arms[members[j] as number] as Arm;
        const x = drawBeta(random, arm.alpha, arm.beta);
        if (x > bestValue) {
          bestValue = x;
          best = j;
        }
      }
      wins[best] = (wins[best] as number) + 1;
    }
    for (let j = 0; j < k; j++) {
      wins[j] = epsilon / k + ((1 - epsilon) * (wins[j] as number)) / draws;
    }
    return wins;
  };

  /** Resolves eligible ids to distinct arm indices (ascending) and the cache key of that set. */
  const resolve = (state: RuleState, eligible: readonly string[]): Resolved => {
    stamp++;
    const members: number[] = [];
    for (const id of eligible) {
      const i = armIndex(state, id);
      const arm = state.arms[i] as Arm;
      if (arm.stamp === stamp) continue;
      arm.stamp = stamp;
      members.push(i);
    }
    members.sort((a, b) => a - b);
    const wide = members.length > 0 && (members[members.length - 1] as number) >= 31;
    let key: number | string = 0;
    if (wide) key = members.join(',');
    else for (const m of members) key |= 1 << m;
    return { ids: Object.freeze([...eligible]), members, key, probs: null, version: -1 };
  };

  const sameIds = (a: readonly string[], b: readonly string[]): boolean => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };

  /** The eligible set's resolution with current probabilities. */
  const prepare = (state: RuleState, eligible: readonly string[]): Resolved => {
    if (eligible.length === 0) {
      throw feedbackError(
        'feedback/no_eligible_variant',
        'choose: no eligible variant to choose from',
        { path: 'eligible', value: eligible },
      );
    }
    if (
      state.updatesSinceRefresh > 0 &&
      state.updatesSinceRefresh >= Math.max(1, state.totalUpdates * refreshRatio)
    ) {
      state.cache.clear();
      state.version++;
      state.updatesSinceRefresh = 0;
    }
    const recent = state.recent;
    let r: Resolved | undefined;
    for (let i = 0; i < recent.length; i++) {
      const candidate = recent[i] as Resolved;
      if (sameIds(candidate.ids, eligible)) {
        r = candidate;
        break;
      }
    }
    if (r === undefined) {
      r = resolve(state, eligible);
      recent.unshift(r);
      if (recent.length > 8) recent.pop();
    }
    if (r.version !== state.version || r.probs === null) {
      let probs = state.cache.get(r.key);
      if (probs === undefined) {
        probs = thompson(state, r.members);
        state.cache.set(r.key, probs);
      }
      r.probs = probs;
      r.version = state.version;
    }
    return r;
  };

  /** Samples a position in `probs` (which sums to 1). */
  const sample = (probs: ArrayLike<number>): number => {
    let u = random();
    for (let j = 0; j < probs.length; j++) {
      u -= probs[j] as number;
      if (u < 0) return j;
    }
    return probs.length - 1;
  };

  /**
   * Re-checks a remembered choice against a new eligible set `r`: keeps its variant if still
   * eligible, else samples again from `r`'s probabilities. The issued variant's distribution is
   * `P(v) = P_before(v)·[v eligible] + P_before(no longer eligible)·P_now(v)`, and its propensity
   * is the issued variant's share of it.
   */
  const recheck = (state: RuleState, p: Pending, r: Resolved): VariantChoice => {
    const members = r.members;
    const probs = r.probs as Float64Array;
    const dist = new Float64Array(members.length);
    let gone = 0;
    let j = 0;
    for (let i = 0; i < p.members.length; i++) {
      const arm = p.members[i] as number;
      while (j < members.length && (members[j] as number) < arm) j++;
      if (j < members.length && members[j] === arm) dist[j] = p.dist[i] as number;
      else gone += p.dist[i] as number;
    }
    let total = 0;
    for (let k = 0; k < members.length; k++) {
      dist[k] = (dist[k] as number) + gone * (probs[k] as number);
      total += dist[k] as number;
    }
    // Mathematically the shares sum to 1; rounding over many re-checks must not push one past it
    // (a propensity above 1 is not a probability, and IPS would refuse the log).
    if (total > 0) for (let k = 0; k < members.length; k++) dist[k] = (dist[k] as number) / total;
    const current = members.indexOf(state.index.get(p.choice.variantId) as number);
    const pick = current >= 0 ? current : sample(probs);
    p.members = members;
    p.dist = dist;
    p.choice = {
      ...p.choice,
      variantId: (state.arms[members[pick] as number] as Arm).id,
      propensity: dist[pick] as number,
      eligible: r.ids,
    };
    return p.choice;
  };

  const update = (ruleId: string, variantId: string, reward: number) => {
    const state = ruleState(ruleId);
    const arm = state.arms[armIndex(state, variantId)] as Arm;
    const r = Math.max(0, Math.min(reward, 1));
    arm.alpha += r;
    arm.beta += 1 - r;
    arm.updates++;
    state.updatesSinceRefresh++;
    state.totalUpdates++;
  };

  const fold = (target: { value: number; intrusiveness: number }, value: number, intr: number) => {
    if (value > target.value) target.value = value;
    if (intr > target.intrusiveness) target.intrusiveness = intr;
  };

  const signal = (decisionId: string, value: number, intr: number, at: Instant) => {
    const p = pending.get(decisionId);
    if (p !== undefined) {
      if (at > p.choice.at + waitMs) return;
      fold(p, value, intr);
      p.heard = true;
      return;
    }
    const e = early.get(decisionId);
    if (e === undefined) early.set(decisionId, { value, intrusiveness: intr, at });
    else fold(e, value, intr);
  };

  const sampler: ThompsonSampler = {
    choose(input) {
      if (
        typeof input !== 'object' ||
        input === null ||
        typeof input.ruleId !== 'string' ||
        !Array.isArray(input.eligible)
      ) {
        throw feedbackError(
          'feedback/invalid_event',
          'choose: expected { ruleId, eligible: string[] }',
          {
            path: 'input',
            value: input,
          },
        );
      }
      if (
        (input.decisionId !== undefined &&
          (typeof input.decisionId !== 'string' || input.decisionId.length === 0)) ||
        (input.at !== undefined && (!Number.isInteger(input.at) || input.at < 0))
      ) {
        throw feedbackError(
          'feedback/invalid_event',
          'choose: decisionId must be a non-empty string and at whole epoch milliseconds',
          { path: 'input', value: input },
        );
      }
      const existing = input.decisionId === undefined ? undefined : pending.get(input.decisionId);
      if (existing !== undefined && existing.choice.ruleId === input.ruleId) {
        // Asking again for a pending decision: the same choice while the eligible set is the
        // same; otherwise re-checked against this call's eligible set.
        if (sameIds(existing.choice.eligible, input.eligible)) return existing.choice;
        if (input.eligible.length === 0) {
          existing.cancelled = true;
          pending.delete(input.decisionId as string);
        }
        const state = ruleState(input.ruleId);
        return recheck(state, existing, prepare(state, input.eligible));
      }
      const state = ruleState(input.ruleId);
      const r = prepare(state, input.eligible);
      const probs = r.probs as Float64Array;
      const sorted = r.members;
      const pick = sample(probs);
      const arm = state.arms[sorted[pick] as number] as Arm;
      const at = input.at ?? clock.now();
      const choice: VariantChoice = {
        decisionId: input.decisionId ?? null,
        ruleId: input.ruleId,
        variantId: arm.id,
        propensity: probs[pick] as number,
        eligible: r.ids,
        at,
      };
      if (input.decisionId !== undefined) {
        const p: Pending = {
          choice,
          members: sorted,
          dist: probs,
          value: 0,
          intrusiveness: 0,
          heard: false,
          cancelled: false,
        };
        const e = early.get(input.decisionId);
        if (e !== undefined) {
          early.delete(input.decisionId);
          if (e.at <= at + waitMs) {
            fold(p, e.value, e.intrusiveness);
            p.heard = true;
          }
        }
        pending.set(input.decisionId, p);
        queue.push(p);
      }
      return choice;
    },
    observe(event) {
      requireObject(event, 'event', 'feedback/invalid_event');
      const value = event.value ?? values[event.kind] ?? 0;
      const intr = intrusiveness[event.kind] ?? 0;
      if (value === 0 && intr === 0) return;
      signal(event.decisionId, value, intr, event.at);
    },
    reward(decisionId, input) {
      requireString(decisionId, 'decisionId');
      requireObject(input, 'signal', 'feedback/invalid_reward');
      const value = checkReward(input.value, 'signal.value');
      const intr = checkReward(input.intrusiveness, 'signal.intrusiveness');
      const p = pending.get(decisionId);
      signal(decisionId, value, intr, p === undefined ? clock.now() : p.choice.at);
    },
    settle(at = clock.now()) {
      requireNumber(at, 'at');
      let closed = 0;
      // Choices usually arrive in time order; a late-dated one is settled once those before it are.
      while (head < queue.length) {
        const p = queue[head] as Pending;
        if (p.choice.at + waitMs > at) break;
        head++;
        if (p.cancelled) continue;
        closed++;
        const id = p.choice.decisionId as string;
        if (pending.get(id) === p) pending.delete(id);
        const reward = p.heard ? p.value - lambda * p.intrusiveness : defaultReward;
        update(p.choice.ruleId, p.choice.variantId, reward);
        settled.push({ ...p.choice, reward, defaulted: !p.heard });
      }
      if (head > 1024 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      if (settled.length > 2 * maxLog) settled = settled.slice(settled.length - maxLog);
      // Signals for decisions this sampler never chose are dropped once they cannot join any more.
      if (early.size > 0 && at - lastSweep >= waitMs) {
        lastSweep = at;
        for (const [id, e] of early) if (e.at + 2 * waitMs < at) early.delete(id);
      }
      return closed;
    },
    posterior(ruleId) {
      requireString(ruleId, 'ruleId');
      return (rules.get(ruleId)?.arms ?? []).map((arm) => ({
        variantId: arm.id,
        alpha: arm.alpha,
        beta: arm.beta,
        mean: arm.alpha / (arm.alpha + arm.beta),
        updates: arm.updates,
      }));
    },
    probabilities(ruleId, eligible) {
      requireString(ruleId, 'ruleId');
      if (!Array.isArray(eligible))
        throw feedbackError(
          'feedback/invalid_event',
          'eligible: expected an array of variant ids',
          {
            path: 'eligible',
            value: eligible,
          },
        );
      const state = ruleState(ruleId);
      const r = prepare(state, eligible);
      // Entries defined, not assigned: a variant named `__proto__` is an entry like any other.
      return Object.fromEntries(
        r.members.map((m, j) => [
          (state.arms[m] as Arm).id,
          (r.probs as Float64Array)[j] as number,
        ]),
      );
    },
    log() {
      return settled.length > maxLog ? settled.slice(settled.length - maxLog) : settled;
    },
  };
  return sampler;
}

/**
 * An off-policy estimate of a candidate policy's mean reward from logged choices.
 *
 * @example
 * const { ips, snips, effectiveSampleSize } = offPolicyEstimate(sampler.log(), policy);
 */
export interface OffPolicyEstimate {
  /** Inverse propensity scoring: unbiased, high variance. */
  readonly ips: number;
  /** Self-normalized IPS: slightly biased, much lower variance. */
  readonly snips: number;
  /** Logged choices used. */
  readonly n: number;
  /** Effective sample size `(Σw)² / Σw²`: how many logged choices the estimate is worth. */
  readonly effectiveSampleSize: number;
}

/**
 * Estimates how a candidate policy would have done on logged choices (IPS and SNIPS), where
 * `policy(choice)` is the probability the candidate gives the logged variant in that context.
 *
 * @example
 * const estimate = offPolicyEstimate(sampler.log(), (c) => (c.variantId === 'friendly' ? 1 : 0));
 * console.log(estimate.snips);
 */
export function offPolicyEstimate(
  log: readonly LoggedChoice[],
  policy: (choice: LoggedChoice) => number,
): OffPolicyEstimate {
  if (!Array.isArray(log))
    throw feedbackError('feedback/invalid_option', 'log: expected an array of logged choices', {
      path: 'log',
      value: log,
    });
  requireFunction(policy, 'policy');
  let sumWR = 0;
  let sumW = 0;
  let sumW2 = 0;
  log.forEach((choice, i) => {
    requireObject(choice, `log[${i}]`, 'feedback/invalid_reward');
    const target = policy(choice);
    if (typeof target !== 'number' || !(target >= 0 && target <= 1)) {
      throw feedbackError(
        'feedback/invalid_option',
        `policy returned ${show(target)} for log[${i}]; expected a probability`,
        {
          path: `log[${i}]`,
          value: target,
        },
      );
    }
    if (!(choice.propensity > 0 && choice.propensity <= 1) || !Number.isFinite(choice.reward)) {
      throw feedbackError(
        'feedback/invalid_reward',
        `log[${i}] has propensity ${show(choice.propensity)} and reward ${show(choice.reward)}`,
        {
          path: `log[${i}]`,
          value: choice,
        },
      );
    }
    const w = target / choice.propensity;
    sumWR += w * choice.reward;
    sumW += w;
    sumW2 += w * w;
  });
  const n = log.length;
  return {
    ips: n === 0 ? 0 : sumWR / n,
    snips: sumW === 0 ? 0 : sumWR / sumW,
    n,
    effectiveSampleSize: sumW2 === 0 ? 0 : (sumW * sumW) / sumW2,
  };
}
