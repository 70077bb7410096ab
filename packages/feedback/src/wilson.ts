import { feedbackError, show } from './errors';

/**
 * A proportion with its Wilson score interval.
 *
 * @example
 * const { rate, lower, upper } = wilsonInterval(12, 400);
 */
export interface RateInterval {
  /** Successes over trials (0 when there are no trials). */
  readonly rate: number;
  /** Lower bound of the interval. */
  readonly lower: number;
  /** Upper bound of the interval. */
  readonly upper: number;
  readonly count: number;
  readonly trials: number;
}

/**
 * The Wilson score interval of `count` successes in `trials` at normal quantile `z` (1.96 ≈ 95%):
 * well-behaved for small samples and rates near 0, unlike the normal approximation. With no
 * trials the interval is [0, 1].
 *
 * @example
 * wilsonInterval(8, 100); // { rate: 0.08, lower: ≈0.041, upper: ≈0.150, count: 8, trials: 100 }
 */
export function wilsonInterval(count: number, trials: number, z = 1.96): RateInterval {
  if (
    !Number.isInteger(count) ||
    !Number.isInteger(trials) ||
    count < 0 ||
    trials < 0 ||
    count > trials
  ) {
    throw feedbackError(
      'feedback/invalid_reward',
      `wilsonInterval: ${show(count)} of ${show(trials)} is not a whole count within its trials`,
      Number.isInteger(trials) && trials >= 0
        ? { path: 'count', value: count }
        : { path: 'trials', value: trials },
    );
  }
  if (!Number.isFinite(z) || z <= 0) {
    throw feedbackError(
      'feedback/invalid_option',
      `wilsonInterval: z ${show(z)} must be positive`,
      {
        path: 'z',
        value: z,
      },
    );
  }
  if (trials === 0) return { rate: 0, lower: 0, upper: 1, count, trials };
  const p = count / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const margin = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return {
    rate: p,
    lower: Math.max(0, centre - margin),
    upper: Math.min(1, centre + margin),
    count,
    trials,
  };
}
