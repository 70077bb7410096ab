import { type Clock, systemClock } from '@candor/core';
import { httpError } from './errors';

/**
 * The rate-limit port: `take(key)` spends one request for `key` and answers how many
 * milliseconds to wait before the next is allowed (0: allowed now). Implement it over a shared
 * store (Redis, PostgreSQL) when several instances serve the API.
 *
 * @example
 * const never: RateLimiter = { take: () => 0 };
 */
export interface RateLimiter {
  take(key: string): number | Promise<number>;
}

/**
 * Options of {@link createTokenBucketLimiter}.
 *
 * @example
 * const options: TokenBucketOptions = { capacity: 30, refillPerSecond: 0.5 };
 */
export interface TokenBucketOptions {
  /** Requests a key may make in a burst (default 60). */
  readonly capacity?: number;
  /** Requests a key regains per second (default 1). */
  readonly refillPerSecond?: number;
  /** Keys kept in memory; past that, the least recently used is forgotten (default 10,000). */
  readonly maxKeys?: number;
  /** Where time comes from (default the system clock). */
  readonly clock?: Clock;
}

/**
 * An in-memory token bucket per key: `capacity` requests at once, refilled at `refillPerSecond`.
 * Per process: several instances each count their own.
 *
 * @example
 * const limiter = createTokenBucketLimiter({ capacity: 2, refillPerSecond: 1 });
 * limiter.take('cus_1'); // 0
 * limiter.take('cus_1'); // 0
 * limiter.take('cus_1'); // 1000: wait a second
 */
export function createTokenBucketLimiter(options: TokenBucketOptions = {}): RateLimiter {
  const capacity = positive(options.capacity ?? 60, 'capacity');
  const perMs = positive(options.refillPerSecond ?? 1, 'refillPerSecond') / 1000;
  const maxKeys = positive(options.maxKeys ?? 10_000, 'maxKeys');
  const clock = options.clock ?? systemClock;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const now = clock.now();
      const held = buckets.get(key);
      const bucket = held ?? { tokens: capacity, at: now };
      bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
      bucket.at = now;
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - bucket.tokens) / perMs);
    },
  };
}

function positive(value: number, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw httpError('http/invalid_option', `rateLimit.${path}: must be a positive number`, {
      path: `rateLimit.${path}`,
    });
  return value;
}
