import { checkNumberOption, feedbackError, requireFunction, show } from './errors';

/**
 * A seeded source of uniform numbers in [0, 1).
 *
 * @example
 * const random: Random = createRandom(7);
 */
export type Random = () => number;

/**
 * A fast seeded PRNG (sfc32, seeded through splitmix32): the same seed gives the same sequence
 * on every platform, so simulations, tests and exploration are reproducible.
 *
 * @example
 * const random = createRandom(42);
 * random(); // always the same first number for seed 42
 */
export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) {
    throw feedbackError('feedback/invalid_option', `seed ${show(seed)} must be a finite number`, {
      path: 'seed',
      value: seed,
    });
  }
  let s = seed >>> 0 || 0x9e3779b9;
  const split = () => {
    s = (s + 0x9e3779b9) | 0;
    let t = s ^ (s >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

function normal(random: Random): number {
  let u = random();
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * A Gamma(shape, 1) sample (Marsaglia–Tsang; shapes below 1 by the boost `G(a+1)·U^(1/a)`).
 *
 * @example
 * sampleGamma(createRandom(1), 2.5);
 */
export function sampleGamma(random: Random, shape: number): number {
  requireFunction(random, 'random');
  checkNumberOption(shape, 'shape', Number.MIN_VALUE);
  return gamma(random, shape);
}

function gamma(random: Random, shape: number): number {
  if (shape < 1) {
    let u = random();
    while (u === 0) u = random();
    return gamma(random, shape + 1) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(random);
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * A Beta(alpha, beta) sample, as `X / (X + Y)` of two Gamma samples.
 *
 * @example
 * sampleBeta(createRandom(1), 3, 7); // near 0.3 on average
 */
export function sampleBeta(random: Random, alpha: number, beta: number): number {
  requireFunction(random, 'random');
  checkNumberOption(alpha, 'alpha', Number.MIN_VALUE);
  checkNumberOption(beta, 'beta', Number.MIN_VALUE);
  return drawBeta(random, alpha, beta);
}

/** @internal {@link sampleBeta} without the argument checks, for callers that validated them. */
export function drawBeta(random: Random, alpha: number, beta: number): number {
  const x = gamma(random, alpha);
  const y = gamma(random, beta);
  return x + y === 0 ? 0.5 : x / (x + y);
}
