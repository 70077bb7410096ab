import { CandorError, showValue } from './errors';
import type { Instant } from './schemas';

/**
 * The latest instant a `Date` can hold (year 275760), in epoch milliseconds: no {@link Instant}
 * lies after it, so every one can be shown as a date.
 *
 * @example
 * if (at > MAX_INSTANT) refuse();
 */
export const MAX_INSTANT = 8_640_000_000_000_000;

/**
 * Whether `value` is a time in whole epoch milliseconds that a date can hold (before 1970 too):
 * what a query range, a purge's `now` or a retention must be.
 *
 * @example
 * isEpochMillis(1.5); // false
 */
export function isEpochMillis(value: unknown): value is number {
  return Number.isSafeInteger(value) && Math.abs(value as number) <= MAX_INSTANT;
}

/**
 * Reads an instant from epoch milliseconds, a `Date`, or an ISO 8601 string with a zone
 * (`Z` or `±hh:mm`); throws a `core/invalid_time` {@link CandorError} otherwise.
 *
 * @example
 * toInstant('2026-06-30T10:00:00Z'); // 1782813600000
 */
export function toInstant(value: number | string | Date, path = 'time'): Instant {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else if (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  )
    ms = Date.parse(value);
  else ms = Number.NaN;
  if (!Number.isInteger(ms) || ms < 0) {
    const where = typeof path === 'string' ? path : 'time';
    throw new CandorError(
      'core/invalid_time',
      `${where}: ${showValue(value)} is not a valid instant (epoch ms, Date or ISO 8601 with a zone)`,
      {
        path: where,
        value,
      },
    );
  }
  return ms;
}

/**
 * Renders an instant as ISO 8601 UTC (`2026-06-30T10:00:00.000Z`); throws a `core/invalid_time`
 * {@link CandorError} when `instant` is not a number a `Date` can hold.
 *
 * @example
 * toIso(0); // '1970-01-01T00:00:00.000Z'
 */
export function toIso(instant: Instant): string {
  const date = new Date(typeof instant === 'number' ? instant : Number.NaN);
  if (Number.isNaN(date.getTime()))
    throw new CandorError(
      'core/invalid_time',
      `instant: ${showValue(instant)} is not a valid instant (epoch milliseconds)`,
      { path: 'instant', value: instant },
    );
  return date.toISOString();
}

/** Milliseconds in common durations, for readable arithmetic: `3 * duration.day`. */
export const duration = /* @__PURE__ */ Object.freeze({
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
});

/**
 * Where Candor reads the time. Nothing in Candor calls `Date.now()` directly, so tests and
 * backtests can run on a {@link VirtualClock}.
 *
 * @example
 * const clock: Clock = systemClock;
 * clock.now();
 */
export interface Clock {
  /** The current instant in epoch milliseconds. */
  now(): Instant;
}

/**
 * The wall clock.
 *
 * @example
 * createThing({ clock: systemClock });
 */
export const systemClock: Clock = /* @__PURE__ */ Object.freeze({ now: () => Date.now() });

/** A clock that only moves when told to: for tests, simulations and backtests. */
export interface VirtualClock extends Clock {
  /** Moves the clock forward by `ms` milliseconds (never backwards) and returns the new time. */
  advance(ms: number): Instant;
  /** Sets the clock to `instant`; it may not go backwards. */
  set(instant: Instant): Instant;
}

/**
 * Creates a {@link VirtualClock} starting at `start` (epoch ms, `Date` or ISO string).
 *
 * @example
 * const clock = createVirtualClock('2026-05-03T09:00:00Z');
 * clock.advance(duration.day);
 */
export function createVirtualClock(start: number | string | Date = 0): VirtualClock {
  let current = toInstant(start, 'start');
  return {
    now: () => current,
    advance(ms) {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new CandorError(
          'core/invalid_time',
          `advance: ${showValue(ms)} must be a non-negative number of milliseconds`,
          {
            path: 'ms',
            value: ms,
          },
        );
      }
      current += Math.round(ms);
      return current;
    },
    set(instant) {
      const next = toInstant(instant, 'instant');
      if (next < current) {
        throw new CandorError(
          'core/invalid_time',
          `set: ${toIso(next)} is before the clock's ${toIso(current)}; virtual time only moves forward`,
          {
            path: 'instant',
            value: instant,
          },
        );
      }
      current = next;
      return current;
    },
  };
}
