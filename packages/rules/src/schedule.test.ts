import { toInstant, toIso } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { invoiceUnpaid } from '../../../test-utils/rules';
import { factsOf, fakeConsent } from '../test/helpers';
import {
  backtest,
  createRuleEngine,
  diffBacktests,
  fact,
  type Rule,
  type RuleEvent,
} from './index';

const cardExpiry: Rule = {
  id: 'card-expiry',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
  trigger: { type: 'relative', fact: 'card.expiresAt', offset: '-7d', at: '10:00' },
  conditions: fact('card.hasBackup').eq(false),
  action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
};

let n = 0;
const card = (
  at: string,
  expiresAt: string,
  timeZone = 'America/New_York',
  subject = 'cus_1',
): RuleEvent => ({
  id: `c${++n}`,
  type: 'card.updated',
  subject,
  at: toInstant(at),
  timeZone,
  facts: factsOf({ card: { expiresAt, hasBackup: false } }, { card: 'user.financial.card' }),
});
const invoice = (type: string, at: string, id: string): RuleEvent => ({
  id: `i${++n}`,
  type,
  subject: 'cus_1',
  at: toInstant(at),
  facts: factsOf({ invoice: { id } }, { invoice: 'user.financial.invoice' }),
});

describe('time-relative triggers', () => {
  it('are due 7 days before the fact at 10:00 customer time, and re-planned when the fact changes', () => {
    const engine = createRuleEngine({
      rules: [cardExpiry],
      consent: fakeConsent({ '*': ['service'] }),
    });
    engine.evaluate(card('2026-06-01T12:00:00Z', '2026-06-30'));
    expect(toIso(engine.nextDueAt() ?? 0)).toBe('2026-06-23T14:00:00.000Z'); // 10:00 EDT
    expect(engine.due(toInstant('2026-06-23T13:59:00Z'))).toEqual([]);
    engine.evaluate(card('2026-06-02T12:00:00Z', '2026-09-30'));
    expect(toIso(engine.nextDueAt() ?? 0)).toBe('2026-09-23T14:00:00.000Z');
    const out = engine.runDue(toInstant('2026-09-23T14:00:00Z'));
    expect(out.map((o) => [o.ruleId, o.kind])).toEqual([['card-expiry', 'proposal']]);
    expect(engine.nextDueAt()).toBeNull();
  });

  it('keep the newest plan when an older event arrives late, and skip instants no date holds', () => {
    const engine = createRuleEngine({
      rules: [cardExpiry],
      consent: fakeConsent({ '*': ['service'] }),
    });
    engine.evaluate(card('2026-06-02T12:00:00Z', '2026-09-30'));
    // The card as it was the day before, delivered late: the renewed card's plan stands.
    engine.evaluate(card('2026-06-01T12:00:00Z', '2026-06-30'));
    expect(toIso(engine.nextDueAt() ?? 0)).toBe('2026-09-23T14:00:00.000Z');
    const odd = (expiresAt: number): RuleEvent => ({
      ...card('2026-06-03T12:00:00Z', '2026-06-30', 'America/New_York', 'cus_2'),
      facts: factsOf({ card: { expiresAt, hasBackup: false } }, { card: 'user.financial.card' }),
    });
    for (const instant of [1e300, -1e300, Number.MAX_VALUE])
      expect(engine.evaluate(odd(instant))).toEqual([]);
    expect(engine.due(Number.MAX_SAFE_INTEGER).map((e) => e.subject)).toEqual(['cus_1']);
    // A fraction of a millisecond is dropped: plans are whole milliseconds.
    engine.evaluate(odd(toInstant('2026-07-30T00:00:00Z') + 0.5));
    expect(engine.due(Number.MAX_SAFE_INTEGER).map((e) => Number.isSafeInteger(e.dueAt))).toEqual([
      true,
      true,
    ]);
  });

  it('are not planned without consent or without a valid time zone for a local time', () => {
    const engine = createRuleEngine({ rules: [cardExpiry], consent: fakeConsent({}) });
    engine.evaluate(card('2026-06-01T12:00:00Z', '2026-06-30'));
    expect(engine.nextDueAt()).toBeNull();
    const noZone = createRuleEngine({
      rules: [cardExpiry],
      consent: fakeConsent({ '*': ['service'] }),
    });
    noZone.evaluate(card('2026-06-01T12:00:00Z', '2026-06-30', 'Nowhere/Land'));
    expect(noZone.nextDueAt()).toBeNull();
  });

  it('re-check consent when due: a withdrawal in between suppresses the fire', () => {
    const gate = fakeConsent({ '*': ['service'] });
    const engine = createRuleEngine({ rules: [cardExpiry], consent: gate });
    engine.evaluate(card('2026-06-01T12:00:00Z', '2026-06-30'));
    gate.withdraw('cus_1', 'service.proactive_support');
    expect(
      engine
        .runDue(toInstant('2026-06-24T00:00:00Z'))
        .map((o) => o.kind === 'suppression' && o.reason),
    ).toEqual(['consent']);
  });
});

describe('absence triggers', () => {
  it('fire when the expected event does not follow in time, and not when it does', () => {
    const engine = createRuleEngine({
      rules: [invoiceUnpaid],
      consent: fakeConsent({ '*': ['service'] }),
    });
    engine.evaluate(invoice('invoice.issued', '2026-06-01T00:00:00Z', 'inv_1'));
    engine.evaluate(invoice('invoice.issued', '2026-06-01T00:00:00Z', 'inv_2'));
    engine.evaluate(invoice('payment.received', '2026-06-02T00:00:00Z', 'inv_1'));
    expect(engine.due(toInstant('2026-06-03T23:59:00Z'))).toEqual([]);
    const out = engine.runDue(toInstant('2026-06-04T00:00:00Z'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      kind: 'proposal',
      ruleId: 'invoice-unpaid',
      evidence: [{ path: 'invoice.id', value: 'inv_2' }],
    });
  });
});

describe('absence triggers counted from a promised instant (from)', () => {
  const deliveryDelay: Rule = {
    id: 'delivery-delay',
    version: 1,
    purpose: 'service.proactive_support',
    dataCategories: ['user.orders'],
    trigger: {
      type: 'absence',
      after: 'order.placed',
      expect: 'carrier.scanned',
      within: '24h',
      from: 'order.promisedHandoverAt',
      correlate: ['order.id'],
    },
    action: { type: 'notify', channel: 'email', topic: 'orders.delivery' },
  };
  const order = (type: string, at: string, id: string, promised?: string): RuleEvent => ({
    id: `o${++n}`,
    type,
    subject: 'cus_1',
    at: toInstant(at),
    facts: factsOf(
      { order: promised === undefined ? { id } : { id, promisedHandoverAt: promised } },
      { order: 'user.orders' },
    ),
  });

  it('is due 24 h after the promised hand-over, and cleared by a scan', () => {
    const engine = createRuleEngine({
      rules: [deliveryDelay],
      consent: fakeConsent({ '*': ['service'] }),
    });
    engine.evaluate(order('order.placed', '2026-06-01T10:00:00Z', 'o1', '2026-06-03T12:00:00Z'));
    engine.evaluate(order('order.placed', '2026-06-01T10:00:00Z', 'o2', '2026-06-03T12:00:00Z'));
    engine.evaluate(order('carrier.scanned', '2026-06-04T08:00:00Z', 'o1'));
    // Counted from the promise, not from the order: nothing is due a day after ordering.
    expect(engine.due(toInstant('2026-06-04T11:59:00Z'))).toEqual([]);
    const out = engine.runDue(toInstant('2026-06-04T12:00:00Z'));
    expect(out).toHaveLength(1);
    // It cites the order and the promise its wait counted from.
    expect(out[0]).toMatchObject({
      kind: 'proposal',
      evidence: [
        { value: 'o2' },
        { path: 'order.promisedHandoverAt', value: '2026-06-03T12:00:00Z' },
      ],
    });
    // The promise's reason says what did not arrive, and within how long of it.
    expect(out[0]?.kind === 'proposal' && out[0].reasons.map((r) => r.params)).toEqual([
      { fact: 'order.id', actual: 'o2' },
      {
        fact: 'order.promisedHandoverAt',
        actual: '2026-06-03T12:00:00Z',
        absence: { expect: 'carrier.scanned', after: 'order.placed', within: 86_400_000 },
      },
    ]);
  });

  it('is due at once when the promise plus the wait has already passed, and not planned without the fact', () => {
    const engine = createRuleEngine({
      rules: [deliveryDelay],
      consent: fakeConsent({ '*': ['service'] }),
    });
    engine.evaluate(order('order.placed', '2026-06-10T10:00:00Z', 'late', '2026-06-01T00:00:00Z'));
    engine.evaluate(order('order.placed', '2026-06-10T10:00:00Z', 'unknown'));
    expect(engine.due(toInstant('2026-06-10T10:00:00Z')).map((d) => d.dueAt)).toEqual([
      toInstant('2026-06-10T10:00:00Z'),
    ]);
  });

  it('cites a promise that is also a correlated fact once', () => {
    const byPromise: Rule = {
      ...deliveryDelay,
      trigger: {
        ...(deliveryDelay.trigger as Extract<Rule['trigger'], { type: 'absence' }>),
        correlate: ['order.promisedHandoverAt'],
      },
    };
    const engine = createRuleEngine({
      rules: [byPromise],
      consent: fakeConsent({ '*': ['service'] }),
    });
    engine.evaluate(order('order.placed', '2026-06-01T10:00:00Z', 'o1', '2026-06-02T00:00:00Z'));
    const [out] = engine.runDue(toInstant('2026-06-03T00:00:00Z'));
    expect(out?.kind === 'proposal' && out.evidence.map((e) => e.path)).toEqual([
      'order.promisedHandoverAt',
    ]);
    // One reason for it, not one as a correlated fact and another as the promise.
    expect(out?.kind === 'proposal' && out.reasons.map((r) => r.code)).toEqual(['trigger']);
  });

  it('refuses a malformed from path, naming it', () => {
    const bad = { ...deliveryDelay, trigger: { ...deliveryDelay.trigger, from: 'not a path!' } };
    expect(() => createRuleEngine({ rules: [bad as Rule], consent: fakeConsent({}) })).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ path: expect.stringContaining('trigger.from') }),
      }),
    );
  });
});

describe('backtest', () => {
  it('replays a log on a virtual clock and diffs two rule-set versions', () => {
    const consent = fakeConsent({ '*': ['service'] });
    const log = [
      card('2026-06-01T12:00:00Z', '2026-06-30'),
      card('2026-06-01T12:00:00Z', '2026-06-20', 'Europe/Berlin', 'cus_2'),
      invoice('invoice.issued', '2026-06-05T00:00:00Z', 'inv_9'),
    ];
    const v1 = backtest({
      rules: [cardExpiry, invoiceUnpaid],
      events: log,
      consent,
      until: toInstant('2026-07-01T00:00:00Z'),
    });
    expect(v1.rules['card-expiry']).toMatchObject({ fired: 2 });
    expect(v1.rules['invoice-unpaid']).toMatchObject({ fired: 1 });
    const quiet = { ...cardExpiry, version: 2, quietHours: { start: '09:00', end: '12:00' } };
    const v2 = backtest({
      rules: [quiet, invoiceUnpaid],
      events: log,
      consent,
      until: toInstant('2026-07-01T00:00:00Z'),
    });
    // Deferred to 12:00 local, then fired: same count, different path.
    expect(v2.rules['card-expiry']).toMatchObject({ fired: 2, suppressed: { quiet_hours: 2 } });
    const diff = diffBacktests(v1, v2);
    expect(diff.rules.find((r) => r.ruleId === 'card-expiry')).toEqual({
      ruleId: 'card-expiry',
      firedBefore: 2,
      firedAfter: 2,
    });
    expect(
      diff.changes.filter((c) => c.before === 'fired' && c.after === 'quiet_hours'),
    ).toHaveLength(2);
    expect(
      v2.outcomes
        .filter((o) => o.kind === 'proposal' && o.ruleId === 'card-expiry')
        .map((o) => toIso(o.at)),
    ).toEqual(['2026-06-13T10:00:00.000Z', '2026-06-23T16:00:00.000Z']);
  });
});
