import { type Instant, type SuppressionSource, toInstant } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factsOf, fakeConsent } from '../test/helpers';
import { createRuleEngine, fact, type Outcome, type Rule, type RuleEvent } from './index';

// The gates that guard what goes out hold as of the event and as of now: a late event (queued,
// retried, backfilled) is held back by a "stop this" given since, one stamped ahead of the clock
// by a mute still running, and a backlog processed at night waits for morning.

const lowBalance: Rule = {
  id: 'low-balance',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.account'],
  trigger: { type: 'event', events: ['balance.changed'] },
  conditions: fact('account.balance').lt(100),
  action: { type: 'notify', channel: 'push', topic: 'billing.low_balance' },
};

let seq = 0;
const balanceEvent = (at: Instant): RuleEvent => ({
  id: `evt_${++seq}`,
  type: 'balance.changed',
  subject: 'cus_1',
  at,
  timeZone: 'Europe/Berlin',
  facts: factsOf({ account: { balance: 50 } }, { account: 'user.financial.account' }),
});

/** A suppression source muting cus_1's rule from `since` (inclusive) to `until` (exclusive). */
const mutedBetween = (since: Instant, until: Instant | null): SuppressionSource => ({
  check: ({ at }) =>
    at >= since && (until === null || at < until)
      ? {
          suppressed: true,
          reason: {
            code: 'stop_this',
            scope: 'rule',
            target: 'low-balance',
            since,
            until,
            detail: 'the customer asked to stop this',
          },
        }
      : { suppressed: false, reason: null },
  nothingSuppressed: () => false,
});

const engineAt = (now: Instant, extra: Partial<Parameters<typeof createRuleEngine>[0]> = {}) =>
  createRuleEngine({
    rules: [lowBalance],
    consent: fakeConsent({ cus_1: ['service'] }),
    clock: { now: () => now },
    ...extra,
  });

const kindOf = (o: Outcome | undefined) => (o?.kind === 'suppression' ? o.reason : o?.kind);

const T = toInstant('2026-06-24T10:00:00Z');
const HOUR = 3_600_000;

describe('suppressions and pauses hold as of the event and as of now', () => {
  it('a "stop this" given after the event happened holds back its late evaluation', () => {
    const engine = engineAt(T + HOUR, { suppressions: mutedBetween(T + 30 * 60_000, null) });
    const [late] = engine.evaluate(balanceEvent(T));
    expect(kindOf(late)).toBe('suppressed');
    expect(late).toMatchObject({ suppression: { code: 'stop_this' } });
  });

  it('a mute running now holds back an event stamped after it ends (a clock ahead)', () => {
    const engine = engineAt(T, { suppressions: mutedBetween(T - HOUR, T + HOUR) });
    expect(kindOf(engine.evaluate(balanceEvent(T + 2 * HOUR))[0])).toBe('suppressed');
  });

  it('a pause running now holds back an event stamped after it ends', async () => {
    const engine = engineAt(T);
    await engine.pause('low-balance', { reason: 'template fix', until: T + HOUR });
    expect(kindOf(engine.evaluate(balanceEvent(T + 2 * HOUR))[0])).toBe('paused');
  });

  it('the kill switch holds a rule whose own pause has ended', async () => {
    let now = T;
    const engine = createRuleEngine({
      rules: [lowBalance],
      consent: fakeConsent({ cus_1: ['service'] }),
      clock: { now: () => now },
    });
    await engine.pause('low-balance', { reason: 'template fix', until: T + HOUR });
    now = T + 2 * HOUR;
    await engine.pause('*', { reason: 'incident: stop everything' });
    const [held] = engine.evaluate(balanceEvent(now));
    expect(kindOf(held)).toBe('paused');
    expect(held).toMatchObject({ detail: 'paused: incident: stop everything' });
  });

  it('property: a rule is proposed only where no mute covers the event time or now', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -48, max: 48 }),
        fc.integer({ min: -48, max: 48 }),
        fc.integer({ min: 1, max: 48 }),
        (eventHours, sinceHours, lengthHours) => {
          const since = T + sinceHours * HOUR;
          const until = since + lengthHours * HOUR;
          const at = T + eventHours * HOUR;
          const engine = engineAt(T, { suppressions: mutedBetween(since, until) });
          const muted = (t: Instant) => t >= since && t < until;
          const [outcome] = engine.evaluate(balanceEvent(at));
          expect(kindOf(outcome)).toBe(muted(at) || muted(T) ? 'suppressed' : 'proposal');
        },
      ),
    );
  });
});

describe('quiet hours hold as of when the message would go out', () => {
  const quietHours = { start: '21:00', end: '08:00' };
  it('defers an evening event processed at 3 a.m. to the end of the night', () => {
    const threeAm = toInstant('2026-06-24T01:00:00Z'); // 03:00 in Berlin
    const engine = engineAt(threeAm, { quietHours });
    const [deferred] = engine.evaluate(balanceEvent(toInstant('2026-06-23T18:30:00Z')));
    expect(kindOf(deferred)).toBe('quiet_hours');
    expect(deferred).toMatchObject({ retryAt: toInstant('2026-06-24T06:00:00Z') }); // 08:00
  });

  it('sends at noon an event of 3 a.m. processed then', () => {
    const noon = toInstant('2026-06-24T10:00:00Z');
    const engine = engineAt(noon, { quietHours });
    expect(kindOf(engine.evaluate(balanceEvent(toInstant('2026-06-24T01:00:00Z')))[0])).toBe(
      'proposal',
    );
  });

  it('defers an event stamped in the night ahead of a clock still in the evening', () => {
    const evening = toInstant('2026-06-23T18:55:00Z'); // 20:55 in Berlin
    const engine = engineAt(evening, { quietHours });
    const [deferred] = engine.evaluate(balanceEvent(toInstant('2026-06-23T19:05:00Z')));
    expect(kindOf(deferred)).toBe('quiet_hours');
  });
});
