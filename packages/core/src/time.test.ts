import { describe, expect, it } from 'vitest';
import { isCandorError } from './errors';
import { createVirtualClock, duration, toInstant, toIso } from './time';

describe('instants', () => {
  it('reads numbers, dates and zoned ISO strings', () => {
    const ms = Date.UTC(2026, 5, 30, 10);
    expect(toInstant(ms)).toBe(ms);
    expect(toInstant(new Date(ms))).toBe(ms);
    expect(toInstant('2026-06-30T10:00:00Z')).toBe(ms);
    expect(toInstant('2026-06-30T12:00:00+02:00')).toBe(ms);
    expect(toIso(ms)).toBe('2026-06-30T10:00:00.000Z');
  });

  it.each(['2026-06-30', '2026-06-30T10:00:00', 'tomorrow', Number.NaN, -1, 1.5])(
    'rejects %j',
    (bad) => {
      expect(() => toInstant(bad as number)).toThrowError(/not a valid instant/);
      try {
        toInstant(bad as number, 'notice.effectiveAt');
      } catch (error) {
        expect(isCandorError(error, 'core/invalid_time')).toBe(true);
        if (isCandorError(error)) expect(error.details.path).toBe('notice.effectiveAt');
      }
    },
  );
});

describe('virtual clock', () => {
  it('moves only when told, and only forward', () => {
    const clock = createVirtualClock('2026-05-03T09:00:00Z');
    const start = clock.now();
    expect(clock.now()).toBe(start);
    expect(clock.advance(duration.day)).toBe(start + duration.day);
    expect(() => clock.set(start)).toThrowError(/only moves forward/);
    expect(() => clock.advance(-1)).toThrowError(/non-negative/);
    expect(clock.set(start + 2 * duration.day)).toBe(start + 2 * duration.day);
  });
});
