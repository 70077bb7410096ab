import { toInstant } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factsOf, fakeConsent } from '../test/helpers';
import { createRuleEngine, fact, type Outcome, type Rule, type Suppression } from './index';

const rule = (start: string, end: string): Rule => ({
  id: 'low-balance',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.account'],
  trigger: { type: 'event', events: ['balance.changed'] },
  conditions: fact('account.balance').lt(100),
  action: { type: 'notify', channel: 'push', topic: 'billing.low_balance' },
  quietHours: { start, end },
});

let seq = 0;
/**
 * Evaluates a fresh engine holding one rule with these quiet hours, on an event at `at` in
 * `timeZone`, processed as it happens.
 */
function evaluateAt(at: number, timeZone: string, start: string, end: string): Outcome {
  const engine = createRuleEngine({
    rules: [rule(start, end)],
    consent: fakeConsent({ cus_1: ['service'] }),
    clock: { now: () => at },
  });
  const [outcome] = engine.evaluate({
    id: `evt_${++seq}`,
    type: 'balance.changed',
    subject: 'cus_1',
    at,
    timeZone,
    facts: factsOf({ account: { balance: 50 } }, { account: 'user.financial.account' }),
  });
  return outcome as Outcome;
}

const quietRetry = (o: Outcome): number | null =>
  o.kind === 'suppression' && o.reason === 'quiet_hours' ? (o.retryAt as number) : null;

describe('quiet hours across daylight-saving changes', () => {
  it('ending inside the spring-forward gap, they defer to the first instant that exists after it', () => {
    // 2026-03-08 in New York: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that night.
    const at = toInstant('2026-03-08T06:59:00Z'); // 01:59 EST
    const deferred = evaluateAt(at, 'America/New_York', '21:00', '02:30') as Suppression;
    expect(deferred.reason).toBe('quiet_hours');
    expect(deferred.retryAt).toBe(toInstant('2026-03-08T07:00:00Z')); // 03:00 EDT
    expect(evaluateAt(deferred.retryAt as number, 'America/New_York', '21:00', '02:30').kind).toBe(
      'proposal',
    );
  });

  it('ending in the hour that repeats at fall-back, the second pass defers to the second 01:30', () => {
    // 2026-11-01 in New York: 01:00–02:00 happens in EDT, then again in EST.
    const secondPass = toInstant('2026-11-01T06:10:00Z'); // 01:10 EST
    const deferred = evaluateAt(secondPass, 'America/New_York', '21:00', '01:30') as Suppression;
    expect(deferred.retryAt).toBe(toInstant('2026-11-01T06:30:00Z')); // 01:30 EST
    const firstPass = toInstant('2026-11-01T05:10:00Z'); // 01:10 EDT
    expect(quietRetry(evaluateAt(firstPass, 'America/New_York', '21:00', '01:30'))).toBe(
      toInstant('2026-11-01T05:30:00Z'), // 01:30 EDT
    );
  });

  // Zones with DST at midnight (Havana, Santiago, Asunción), half-hour DST (Lord Howe), negative
  // DST (Dublin), odd offsets (St John's, Chatham), both hemispheres, and zones without DST.
  const ZONES = [
    'America/New_York',
    'America/Los_Angeles',
    'America/St_Johns',
    'America/Havana',
    'America/Santiago',
    'America/Asuncion',
    'Europe/London',
    'Europe/Berlin',
    'Europe/Dublin',
    'Africa/Casablanca',
    'Asia/Jerusalem',
    'Asia/Beirut',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'Pacific/Auckland',
    'Pacific/Chatham',
    'Asia/Kolkata',
    'UTC',
  ];
  const HOUR = 3_600_000;

  /** The zone's UTC offset at `t`, read from Intl (independently of the code under test). */
  const offsetOf = (() => {
    const formats = new Map<string, Intl.DateTimeFormat>();
    return (t: number, zone: string): number => {
      let f = formats.get(zone);
      if (f === undefined) {
        f = new Intl.DateTimeFormat('en-US', {
          timeZone: zone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
        formats.set(zone, f);
      }
      const p = new Map<string, number>(f.formatToParts(t).map((x) => [x.type, Number(x.value)]));
      const n = (k: string) => p.get(k) as number;
      const wall = Date.UTC(
        n('year'),
        n('month') - 1,
        n('day'),
        n('hour'),
        n('minute'),
        n('second'),
      );
      return wall - (t - (t % 1000));
    };
  })();

  /** Every offset change of the zone in 2025–2027, found by sampling and bisecting. */
  function transitions(zone: string): number[] {
    const out: number[] = [];
    const from = Date.UTC(2025, 0, 1);
    for (let t = from; t < Date.UTC(2028, 0, 1); t += 6 * HOUR) {
      if (offsetOf(t, zone) === offsetOf(t + 6 * HOUR, zone)) continue;
      let lo = t;
      let hi = t + 6 * HOUR;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (offsetOf(mid, zone) === offsetOf(lo, zone)) lo = mid;
        else hi = mid;
      }
      out.push(hi);
    }
    return out;
  }

  const cases = ZONES.map((zone) => ({ zone, changes: transitions(zone) }));
  const hhmm = (minutes: number) =>
    `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

  it('found the offset changes the property below aims at', () => {
    const byZone = Object.fromEntries(cases.map((c) => [c.zone, c.changes.length]));
    expect(byZone['America/New_York']).toBe(6);
    expect(byZone['Australia/Lord_Howe']).toBe(6);
    expect(byZone.UTC).toBe(0);
  });

  it('retryAt is always after the evaluation, is not quiet, and nothing earlier would be', () => {
    const near = fc
      .record({
        zone: fc.constantFrom(...cases),
        pick: fc.nat(),
        // Instants around an offset change (or anywhere in 2026 for zones without one).
        shift: fc.integer({ min: -26 * 60, max: 26 * 60 }),
        seconds: fc.integer({ min: 0, max: 59 }),
        // Quiet-hour bounds near the local times the change skips or repeats, or anywhere.
        start: fc.oneof(fc.integer({ min: -90, max: 90 }), fc.integer({ min: 0, max: 1439 })),
        end: fc.oneof(fc.integer({ min: -90, max: 90 }), fc.integer({ min: 0, max: 1439 })),
        nearChange: fc.boolean(),
      })
      .map(({ zone, pick, shift, seconds, start, end, nearChange }) => {
        const change = zone.changes[pick % Math.max(zone.changes.length, 1)];
        const base = change ?? Date.UTC(2026, pick % 12, 1 + (pick % 28));
        // Wall-clock minute of the day just before the change: where gaps and repeats begin.
        const before = base - 1 + offsetOf(base - 1, zone.zone);
        const wallMinute = Math.floor((before % 86_400_000) / 60_000);
        const bound = (m: number) => (((nearChange ? wallMinute + m : m) % 1440) + 1440) % 1440;
        return {
          zone: zone.zone,
          at: base + shift * 60_000 + seconds * 1000,
          start: hhmm(bound(start)),
          end: hhmm(bound(end)),
        };
      });
    fc.assert(
      fc.property(near, ({ zone, at, start, end }) => {
        // Quiet hours that start when they end are refused when the rule is compiled.
        if (start === end) return;
        const retryAt = quietRetry(evaluateAt(at, zone, start, end));
        if (retryAt === null) return;
        expect(retryAt).toBeGreaterThan(at);
        // Not quiet again at retryAt, unless a whole new window began (the free time between
        // two windows fell into a gap): then the next retry is a day or so later.
        const again = quietRetry(evaluateAt(retryAt, zone, start, end));
        if (again !== null) expect(again - retryAt).toBeGreaterThan(12 * HOUR);
        // The earliest such instant: a second before retryAt, quiet hours still held.
        if (retryAt - 1000 > at)
          expect(quietRetry(evaluateAt(retryAt - 1000, zone, start, end))).toBe(retryAt);
      }),
      { numRuns: 1_000 },
    );
  });
});
