import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTimeZone, localDays } from './index';

const intlDay = (timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });

describe('localDays', () => {
  it('matches Intl for every instant, in zones with DST, half and quarter hours', () => {
    const zones = [
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'Asia/Kolkata',
      'Pacific/Chatham',
      'America/St_Johns',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.parse('2024-01-01'), max: Date.parse('2028-12-31') }),
        (timeZone, at) => {
          expect(localDays(timeZone)(at)).toBe(intlDay(timeZone).format(at));
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('matches Intl minute by minute across DST changes, with one cache per zone', () => {
    const windows = [
      ['2026-03-27', '2026-04-07'],
      ['2026-09-25', '2026-10-06'],
      ['2026-10-23', '2026-11-03'],
    ];
    for (const timeZone of [
      'Europe/Berlin',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'America/St_Johns',
    ]) {
      const format = intlDay(timeZone);
      const dateOf = localDays(timeZone);
      for (const [from, to] of windows)
        for (let at = Date.parse(from as string); at < Date.parse(to as string); at += 7 * 60_000)
          if (dateOf(at) !== format.format(at))
            expect.fail(`${timeZone} ${new Date(at).toISOString()}: ${dateOf(at)}`);
    }
  });

  it('counts a quarter-hour zone’s day from its own midnight', () => {
    const dayOf = localDays('Asia/Kathmandu'); // UTC+05:45
    expect(dayOf(Date.parse('2026-12-03T18:14:59.999Z'))).toBe('2026-12-03');
    expect(dayOf(Date.parse('2026-12-03T18:15:00Z'))).toBe('2026-12-04');
  });
});

describe('checkTimeZone', () => {
  it('accepts IANA names and refuses offsets and unknown zones, naming the path', () => {
    expect(checkTimeZone('America/St_Johns')).toBe('America/St_Johns');
    expect(checkTimeZone('Etc/GMT+5')).toBe('Etc/GMT+5');
    for (const bad of ['+05:45', 'Mars/Olympus', '', 'UTC; drop table x'])
      expect(() => checkTimeZone(bad, 'options.timeZone')).toThrow(
        expect.objectContaining({
          code: 'core/invalid_input',
          details: expect.objectContaining({ path: 'options.timeZone', value: bad }),
        }),
      );
  });
});
