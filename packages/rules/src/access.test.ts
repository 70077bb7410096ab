import { type AccessLog, type AccessRecord, createMemoryAccessLog, toInstant } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factsOf, fakeConsent, fakeSuppressions } from '../test/helpers';
import {
  all,
  createMemoryRuleStateStore,
  createRuleEngine,
  fact,
  type Proposal,
  type Rule,
  type RuleEvent,
} from './index';

// Issue #14: the engine records one access per rule evaluation that read the customer's facts,
// with exactly the categories and paths it read, fired or not; nothing when it stopped earlier.

const cardExpiry: Rule = {
  id: 'card-expiry',
  version: 3,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.payment_card'],
  trigger: { type: 'event', events: ['card.checked'] },
  conditions: fact('card.daysLeft').lte(30),
  action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
};

const AT = toInstant('2026-12-03T10:00:00Z');
const NOW = toInstant('2026-12-03T10:00:05Z');
const clock = { now: () => NOW };
let seq = 0;
const cardEvent = (daysLeft: number | null, extra: Record<string, unknown> = {}): RuleEvent => ({
  id: `evt_${++seq}`,
  type: 'card.checked',
  subject: 'cus_ana',
  at: AT,
  timeZone: 'Europe/Berlin',
  facts: factsOf(
    { card: daysLeft === null ? { brand: 'visa' } : { daysLeft, brand: 'visa' }, ...extra },
    { card: 'user.financial.payment_card', trip: 'user.travel.itinerary' },
  ),
});
/** An event of cus_1's carrying the fact `x` (of value `x`) under `category`. */
const xEvent = (id: string, category: string, x: number): RuleEvent => ({
  id,
  type: 'card.checked',
  subject: 'cus_1',
  at: AT,
  facts: factsOf({ x }, { x: category }),
});
const consent = () => fakeConsent({ cus_ana: ['service'] });
/** An engine with the card-expiry rule, Ana allowed, recording in a new in-memory log. */
const cardEngine = () => {
  const log = createMemoryAccessLog();
  return {
    log,
    engine: createRuleEngine({ rules: [cardExpiry], consent: consent(), clock, accessLog: log }),
  };
};
/** An access log whose every write fails. */
const failing: AccessLog = {
  append: () => Promise.reject(new Error('disk full')),
  query: async () => [],
  purge: async () => 0,
};

describe('access records written by the rules engine', () => {
  it('records an evaluation that read the card and sent nothing: categories, paths, reason', async () => {
    const { log, engine } = cardEngine();
    const [outcome] = await engine.process(cardEvent(90));
    expect(outcome?.kind).toBe('suppression');
    const records = await log.query({ subject: 'cus_ana' });
    expect(records).toEqual([
      {
        id: expect.any(String),
        subject: 'cus_ana',
        at: NOW,
        accessor: { kind: 'rule', id: 'card-expiry', version: 3 },
        purpose: 'service.proactive_support',
        dataCategories: ['user.financial.payment_card'],
        evidence: ['card.daysLeft'],
        outcome: 'held_back',
        heldBackBecause: 'conditions_not_met',
      },
    ]);
  });

  it('records a fired rule as sent, tied to its proposal', async () => {
    const { log, engine } = cardEngine();
    const [p] = (await engine.process(cardEvent(12))) as [Proposal];
    expect(p.kind).toBe('proposal');
    const [record] = await log.query({ subject: 'cus_ana' });
    expect(record).toMatchObject({
      outcome: 'sent',
      decisionId: p.id,
      evidence: ['card.daysLeft'],
    });
  });

  it('records an evaluation retried on the same event once, as a durable log would', async () => {
    const { log, engine } = cardEngine();
    const event = cardEvent(12);
    await engine.process(event);
    engine.evaluate(event); // the same event again: the same use of the card
    await engine.process(event);
    expect(await log.query({ subject: 'cus_ana' })).toHaveLength(1);
  });

  it('records nothing when consent, a suppression or a pause stopped the rule before it read', async () => {
    const log = createMemoryAccessLog();
    const refused = createRuleEngine({
      rules: [cardExpiry],
      consent: fakeConsent({}),
      clock,
      accessLog: log,
    });
    expect((await refused.process(cardEvent(12)))[0]).toMatchObject({ reason: 'consent' });
    const muted = createRuleEngine({
      rules: [cardExpiry],
      consent: consent(),
      suppressions: fakeSuppressions([{ subject: 'cus_ana', topic: 'billing' }]),
      clock,
      accessLog: log,
    });
    expect((await muted.process(cardEvent(12)))[0]).toMatchObject({ reason: 'suppressed' });
    const paused = createRuleEngine({
      rules: [cardExpiry],
      consent: consent(),
      clock,
      accessLog: log,
      state: createMemoryRuleStateStore(),
    });
    await paused.pause('card-expiry', { reason: 'checking complaints' });
    expect((await paused.process(cardEvent(12)))[0]).toMatchObject({ reason: 'paused' });
    expect(await log.query({ subject: 'cus_ana' })).toEqual([]);
  });

  it('records nothing when the rule found none of its facts, and never a fact outside its categories', async () => {
    const { log, engine } = cardEngine();
    expect((await engine.process(cardEvent(null)))[0]).toMatchObject({
      reason: 'insufficient_data',
    });
    expect(await log.query({ subject: 'cus_ana' })).toEqual([]);
    const both = createRuleEngine({
      rules: [
        {
          ...cardExpiry,
          conditions: all(fact('card.daysLeft').lte(30), fact('trip.flight').exists()),
        },
      ],
      consent: consent(),
      clock,
      accessLog: log,
    });
    // The trip is outside the rule's declared categories: it was not readable, so not read,
    // whether the card's leaf held or not.
    await both.process(cardEvent(12, { trip: { flight: 'LH123' } }));
    await both.process(cardEvent(90, { trip: { flight: 'LH123' } }));
    const records = await log.query({ subject: 'cus_ana' });
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record.dataCategories).toEqual(['user.financial.payment_card']);
      expect(record.evidence).toEqual(['card.daysLeft']);
    }
  });

  it('records a window over past events by its event type and category', async () => {
    const log = createMemoryAccessLog();
    const engine = createRuleEngine({
      rules: [
        {
          id: 'sizing-help',
          version: 1,
          purpose: 'service.proactive_support',
          dataCategories: ['user.behavior.returns'],
          trigger: { type: 'event', events: ['order.returned'] },
          conditions: {
            window: { event: 'order.returned', within: '30d', agg: 'count' },
            category: 'user.behavior.returns',
            op: 'gte',
            value: 2,
          },
          action: { type: 'notify', channel: 'email', topic: 'shopping.sizing' },
        },
      ],
      consent: consent(),
      clock,
      accessLog: log,
    });
    const returned = (n: number) =>
      engine.process({
        id: `ret_${n}`,
        type: 'order.returned',
        subject: 'cus_ana',
        at: AT + n,
        facts: [],
      });
    await returned(1);
    await returned(2);
    const records = await log.query({ subject: 'cus_ana' });
    expect(records.map((r) => [r.outcome, r.dataCategories, r.evidence])).toEqual([
      ['sent', ['user.behavior.returns'], ['events.order.returned']],
      ['held_back', ['user.behavior.returns'], ['events.order.returned']],
    ]);
  });

  it('names each read by the category its fact carried, and keeps ids short whatever the ids', async () => {
    const log = createMemoryAccessLog();
    const errors: unknown[] = [];
    const engine = createRuleEngine({
      rules: [
        {
          ...cardExpiry,
          id: 'any-x',
          dataCategories: ['user.financial', 'user.travel'],
          conditions: fact('x').exists(),
        },
      ],
      consent: fakeConsent({ '*': ['service'] }),
      clock,
      accessLog: log,
      onAccessLogError: (e) => errors.push(e),
    });
    const subject = `cus_${'a'.repeat(150)}`;
    const withX = (id: string, category: string): RuleEvent => ({
      id,
      type: 'card.checked',
      subject,
      at: AT,
      facts: factsOf({ x: 1 }, { x: category }),
    });
    await engine.process(withX(`evt_${'e'.repeat(120)}`, 'user.financial.card'));
    await engine.process(withX('evt_2', 'user.travel.trip'));
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toEqual([]);
    const records = await log.query({ subject });
    expect(records.map((r) => r.dataCategories)).toEqual([
      ['user.travel.trip'],
      ['user.financial.card'],
    ]);
    for (const r of records) expect(r.id.length).toBeLessThanOrEqual(200);
  });

  it('names the categories of its own event when a port evaluates another event in its midst', async () => {
    const log = createMemoryAccessLog();
    const granted = fakeConsent({ '*': ['service'] });
    let inner = false;
    const engine = createRuleEngine({
      // Two purposes, so the gate is asked again for the second rule, in the middle of the event.
      rules: ['service.proactive_support', 'service.fraud_protection'].map((purpose, n) => ({
        ...cardExpiry,
        id: `x-${n}`,
        purpose,
        dataCategories: ['user.financial', 'user.travel'],
        conditions: fact('x').gt(3),
      })),
      consent: {
        decide(query) {
          // Asked about the second rule, the gate looks at another event: x is travel data there.
          if (query.purpose === 'service.fraud_protection' && !inner) {
            inner = true;
            engine.evaluate(xEvent('evt_inner', 'user.travel.trip', 5));
          }
          return granted.decide(query);
        },
      },
      clock,
      accessLog: log,
    });
    engine.evaluate(xEvent('evt_outer', 'user.financial.card', 5));
    await new Promise((r) => setTimeout(r, 0));
    // Each event's two rules read x under the category it carried on that event.
    const records = await log.query({ subject: 'cus_1' });
    expect(records.map((r) => r.dataCategories).sort()).toEqual([
      ['user.financial.card'],
      ['user.financial.card'],
      ['user.travel.trip'],
      ['user.travel.trip'],
    ]);
  });

  it('names the category a fact carried on each event, also for rules that held back with every fact present', async () => {
    const log = createMemoryAccessLog();
    const engine = createRuleEngine({
      // Two rules: the first to read on an event checks the facts' categories, for both.
      rules: [5, 6].map((n) => ({
        ...cardExpiry,
        id: `big-x-${n}`,
        dataCategories: ['user.financial', 'user.travel'],
        conditions: fact('x').gt(n),
      })),
      consent: fakeConsent({ '*': ['service'] }),
      clock,
      accessLog: log,
    });
    for (const [id, category] of [
      ['evt_1', 'user.financial.card'],
      ['evt_2', 'user.financial.card'],
      ['evt_3', 'user.travel.trip'],
      ['evt_4', 'user.travel.trip'],
    ] as const)
      expect(engine.evaluate(xEvent(id, category, 1)).map((o) => o.kind)).toEqual([
        'suppression',
        'suppression',
      ]);
    await new Promise((r) => setTimeout(r, 0));
    const records = await log.query({ subject: 'cus_1' });
    const travel = [['user.travel.trip'], 'conditions_not_met'];
    const card = [['user.financial.card'], 'conditions_not_met'];
    expect(records.map((r) => [r.dataCategories, r.heldBackBecause])).toEqual([
      ...[travel, travel, travel, travel],
      ...[card, card, card, card],
    ]);
  });

  it('reports reads it cannot record to the observer, each evaluation its own, and still decides', async () => {
    // A window over an event type of 199 characters is read as `events.<type>`: too long a path
    // for an access record, so the rule's reads cannot be recorded.
    const type = `order.${'r'.repeat(193)}`;
    const log = createMemoryAccessLog();
    const errors: unknown[] = [];
    const engine = createRuleEngine({
      rules: [
        {
          id: 'long-window',
          version: 1,
          purpose: 'service.proactive_support',
          dataCategories: ['user.behavior.returns'],
          trigger: { type: 'event', events: [type] },
          conditions: {
            window: { event: type, within: '30d', agg: 'count' },
            category: 'user.behavior.returns',
            op: 'gte',
            value: 1,
          },
          action: { type: 'notify', channel: 'email', topic: 'shopping.sizing' },
        },
      ],
      consent: consent(),
      clock,
      accessLog: log,
      onAccessLogError: (e) => errors.push(e),
    });
    const event = (n: number): RuleEvent => ({
      id: `ret_${n}`,
      type,
      subject: 'cus_ana',
      at: AT + n,
      facts: [],
    });
    expect(engine.evaluate(event(1)).map((o) => o.kind)).toEqual(['proposal']);
    expect(engine.evaluate(event(2)).map((o) => o.kind)).toEqual(['proposal']);
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(2);
    expect(errors[0]).not.toBe(errors[1]);
    for (const e of errors)
      expect(e).toMatchObject({
        code: 'core/invalid_input',
        message: expect.stringMatching(/^shape\.evidence/),
      });
    expect(await log.query({ subject: 'cus_ana' })).toEqual([]);
  });

  it('never holds a decision up on a failing log: the error goes to the observer', async () => {
    const errors: unknown[] = [];
    const engine = createRuleEngine({
      rules: [cardExpiry],
      consent: consent(),
      clock,
      accessLog: failing,
      onAccessLogError: (e) => errors.push(e),
    });
    expect((await engine.process(cardEvent(12)))[0]?.kind).toBe('proposal');
    expect(engine.evaluate(cardEvent(12))[0]?.kind).toBe('proposal');
    await new Promise((r) => setTimeout(r, 0));
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk full', 'disk full']);
  });

  it('keeps nothing per call in a synchronous loop of evaluate() on a log answering one promise', () => {
    // The in-memory log answers every write with one promise: a loop that never yields (a
    // backfill, say) must not queue a handler per evaluation until it ends.
    const stored = Promise.resolve();
    let handlers = 0;
    const then = stored.then.bind(stored);
    // biome-ignore lint/suspicious/noThenProperty: counts how often the engine watches the promise
    stored.then = ((...args: Parameters<typeof then>) => {
      handlers++;
      return then(...args);
    }) as typeof stored.then;
    const looping = createRuleEngine({
      rules: [cardExpiry],
      consent: consent(),
      clock,
      accessLog: { ...failing, append: () => stored },
    });
    for (let i = 0; i < 1_000; i++) looping.evaluate(cardEvent(12));
    expect(handlers).toBe(1);
  });

  it('reports each failure of a log answering its writes with one rejected promise', async () => {
    const down = Promise.reject(new Error('log down'));
    down.catch(() => {});
    const errors: unknown[] = [];
    const engine = createRuleEngine({
      rules: [cardExpiry],
      consent: consent(),
      clock,
      accessLog: { ...failing, append: () => down },
      onAccessLogError: (e) => errors.push(e),
    });
    // Two writes before it is seen to fail share its one failure; a write after it, its own.
    engine.evaluate(cardEvent(12));
    engine.evaluate(cardEvent(12));
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
    expect(engine.evaluate(cardEvent(12))[0]?.kind).toBe('proposal');
    await new Promise((r) => setTimeout(r, 0));
    expect(errors.map((e) => (e as Error).message)).toEqual(['log down', 'log down']);
  });

  it('fails closed in strict mode: process() throws and evaluate() refuses', async () => {
    const engine = createRuleEngine({
      rules: [cardExpiry],
      consent: consent(),
      clock,
      accessLog: failing,
      strictAccessLog: true,
    });
    await expect(engine.process(cardEvent(12))).rejects.toThrow('disk full');
    expect(() => engine.evaluate(cardEvent(12))).toThrow(
      expect.objectContaining({ code: 'rules/unsupported' }),
    );
    const log = createMemoryAccessLog();
    const strict = createRuleEngine({
      rules: [cardExpiry],
      consent: consent(),
      clock,
      accessLog: log,
      strictAccessLog: true,
    });
    const [p] = await strict.process(cardEvent(12));
    expect((await log.query({ subject: 'cus_ana' }))[0]?.decisionId).toBe((p as Proposal).id);
  });

  it('rejects an access log that is not one, naming the option', () => {
    expect(() =>
      createRuleEngine({
        rules: [cardExpiry],
        consent: consent(),
        accessLog: {} as AccessLog,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'rules/invalid_rule',
        message: expect.stringContaining('options.accessLog'),
      }),
    );
  });
});

describe('property: a record names exactly what was read', () => {
  const paths = ['card.daysLeft', 'card.limit', 'trip.flight', 'trip.delayMin'] as const;
  const categoryOf = (p: string) =>
    p.startsWith('card') ? 'user.financial.payment_card' : 'user.travel.itinerary';
  const rules: Rule[] = [
    cardExpiry,
    {
      ...cardExpiry,
      id: 'big-limit',
      conditions: fact('card.limit').gt(1000),
      action: { ...cardExpiry.action, topic: 'billing.limit' },
    },
    {
      id: 'storm',
      version: 1,
      purpose: 'service.proactive_support',
      dataCategories: ['user.travel.itinerary'],
      trigger: { type: 'event', events: ['card.checked'] },
      conditions: all(fact('trip.flight').exists(), fact('trip.delayMin').gt(60)),
      action: { type: 'notify', channel: 'push', topic: 'travel.storm' },
    },
    {
      id: 'marketing-offer',
      version: 1,
      purpose: 'marketing.personalized',
      dataCategories: ['user.financial.payment_card'],
      trigger: { type: 'event', events: ['card.checked'] },
      conditions: fact('card.limit').gt(10),
      action: { type: 'notify', channel: 'email', topic: 'offers.card' },
    },
  ];

  it('every recorded category and path was present and declared; every rule that read one is recorded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          daysLeft: fc.option(fc.integer({ min: 0, max: 90 }), { nil: undefined }),
          limit: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
          flight: fc.option(fc.constantFrom('LH1', 'BA2'), { nil: undefined }),
          delayMin: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
        }),
        fc.subarray(['service', 'marketing'] as const),
        async (values, granted) => {
          const log = createMemoryAccessLog();
          const engine = createRuleEngine({
            rules,
            consent: fakeConsent({ cus_ana: granted }),
            clock,
            accessLog: log,
          });
          // A log that stores records only (no batches) is given the same records.
          const appended: AccessRecord[] = [];
          const recordsOnly = createRuleEngine({
            rules,
            consent: fakeConsent({ cus_ana: granted }),
            clock,
            accessLog: {
              append: async (r) => {
                appended.push(...r);
              },
              query: async () => [],
              purge: async () => 0,
            },
            strictAccessLog: true,
          });
          const card = Object.fromEntries(
            Object.entries({ daysLeft: values.daysLeft, limit: values.limit }).filter(
              ([, v]) => v !== undefined,
            ),
          );
          const trip = Object.fromEntries(
            Object.entries({ flight: values.flight, delayMin: values.delayMin }).filter(
              ([, v]) => v !== undefined,
            ),
          );
          const event: RuleEvent = {
            id: `evt_${++seq}`,
            type: 'card.checked',
            subject: 'cus_ana',
            at: AT,
            facts: factsOf(
              { card, trip },
              { card: 'user.financial.payment_card', trip: 'user.travel.itinerary' },
            ),
          };
          const outcomes = await engine.process(event);
          const records = await log.query({ subject: 'cus_ana' });
          await recordsOnly.process(event);
          expect(appended.reverse()).toEqual(records);
          const present = new Set(
            paths.filter((p) => {
              const [head, tail] = p.split('.') as [string, string];
              return (head === 'card' ? card : trip)[tail] !== undefined;
            }),
          );
          const byRule = new Map<string, AccessRecord>(
            records.map((r) => [(r.accessor as { id: string }).id, r]),
          );
          for (const rule of rules) {
            const outcome = outcomes.find((o) => o.ruleId === rule.id);
            const reachedConditions =
              outcome?.kind === 'proposal' || (outcome?.gatesPassed.includes('pause') ?? false);
            const readable = paths.filter(
              (p) =>
                present.has(p) &&
                rule.dataCategories.includes(categoryOf(p)) &&
                JSON.stringify(rule.conditions).includes(p),
            );
            const record = byRule.get(rule.id);
            if (!reachedConditions || readable.length === 0) {
              expect(record).toBeUndefined();
              continue;
            }
            expect(record?.evidence).toEqual(readable);
            expect(record?.dataCategories).toEqual([...new Set(readable.map(categoryOf))]);
            expect(record?.outcome).toBe(outcome?.kind === 'proposal' ? 'sent' : 'held_back');
            if (outcome?.kind === 'proposal') expect(record?.decisionId).toBe(outcome.id);
            else expect(record?.heldBackBecause).toBe(outcome?.reason);
          }
          expect(records.length).toBe(byRule.size);
        },
      ),
      { numRuns: 200 },
    );
  });
});
