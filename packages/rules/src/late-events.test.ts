import { type ConsentGate, toInstant, toIso } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cardExpiryReminder, invoiceUnpaid } from '../../../test-utils/rules';
import { factsOf, fakeConsent } from '../test/helpers';
import {
  createMemoryRuleStateStore,
  createRuleEngine,
  type Rule,
  type RuleEvent,
  type RuleStateStore,
  type ScheduleEntry,
} from './index';

// Timed rules when events arrive late or out of order, or on two instances: a reminder is never
// sent for an invoice whose payment came, in whichever order the two were processed, and a plan
// rests on the newest fact wherever it was processed.

const DAY = 86_400_000;
const T0 = toInstant('2026-06-01T00:00:00Z');
let n = 0;
const invoice = (
  type: 'invoice.issued' | 'payment.received',
  at: number,
  id: string,
): RuleEvent => ({
  id: `e${++n}`,
  type,
  subject: 'cus_1',
  at,
  facts: factsOf({ invoice: { id } }, { invoice: 'user.financial.invoice' }),
});
const reminded = (
  outcomes: readonly { kind: string; evidence?: readonly { value: unknown }[] }[],
) => outcomes.filter((o) => o.kind === 'proposal').map((o) => o.evidence?.[0]?.value);
/** An engine with the unpaid-invoice rule, every customer allowed, no state store. */
const invoiceEngine = () =>
  createRuleEngine({ rules: [invoiceUnpaid], consent: fakeConsent({ '*': ['service'] }) });

describe('absence deadlines and late events', () => {
  it('a payment processed before its invoice (dated after it) answers it: nothing is due', () => {
    const engine = invoiceEngine();
    engine.evaluate(invoice('payment.received', T0 + DAY, 'inv_1'));
    engine.evaluate(invoice('invoice.issued', T0, 'inv_1'));
    engine.evaluate(invoice('invoice.issued', T0, 'inv_2'));
    expect(reminded(engine.runDue(T0 + 4 * DAY))).toEqual(['inv_2']);
  });

  it('a payment dated before the invoice does not answer it', () => {
    const engine = invoiceEngine();
    engine.evaluate(invoice('payment.received', T0 - DAY, 'inv_1'));
    engine.evaluate(invoice('invoice.issued', T0, 'inv_1'));
    expect(reminded(engine.runDue(T0 + 4 * DAY))).toEqual(['inv_1']);
  });

  it('a late, older invoice event does not move a newer deadline earlier', () => {
    const engine = invoiceEngine();
    engine.evaluate(invoice('invoice.issued', T0 + DAY, 'inv_1'));
    engine.evaluate(invoice('invoice.issued', T0, 'inv_1'));
    expect(engine.due(T0 + 3 * DAY + 1)).toEqual([]);
    expect(engine.due(T0 + 4 * DAY).map((e) => e.dueAt)).toEqual([T0 + 4 * DAY]);
  });

  it('a payment processed without consent leaves no answer behind', () => {
    let allowed = false;
    const [granted, none] = [fakeConsent({ '*': ['service'] }), fakeConsent({})];
    const consent: ConsentGate = { decide: (q) => (allowed ? granted : none).decide(q) };
    const engine = createRuleEngine({ rules: [invoiceUnpaid], consent });
    engine.evaluate(invoice('payment.received', T0 + DAY, 'inv_1'));
    allowed = true;
    engine.evaluate(invoice('invoice.issued', T0, 'inv_1'));
    expect(reminded(engine.runDue(T0 + 4 * DAY))).toEqual(['inv_1']);
  });

  it('a payment processed on another instance cancels the deadline, known there or not', async () => {
    const state = createMemoryRuleStateStore();
    const options = { rules: [invoiceUnpaid], consent: fakeConsent({ '*': ['service'] }), state };
    const a = createRuleEngine({ ...options, clock: { now: () => T0 } });
    const b = createRuleEngine({ ...options, clock: { now: () => T0 } });
    await a.hydrate();
    await b.hydrate();
    await a.process(invoice('invoice.issued', T0, 'inv_1'));
    await b.process(invoice('payment.received', T0 + DAY, 'inv_1'));
    expect(await state.listSchedules()).toEqual([]);
    expect(await a.processDue(T0 + 4 * DAY)).toEqual([]);
    expect(await b.processDue(T0 + 4 * DAY)).toEqual([]);
  });

  it('a deadline planned at the same time as its payment is dropped when due', async () => {
    const state = createMemoryRuleStateStore();
    const options = { rules: [invoiceUnpaid], consent: fakeConsent({ '*': ['service'] }), state };
    const a = createRuleEngine(options);
    const b = createRuleEngine(options);
    await b.process(invoice('payment.received', T0 + DAY, 'inv_1'));
    // Instance a read the customer before b wrote the payment: it plans the deadline all the same.
    a.evaluate(invoice('invoice.issued', T0, 'inv_1'));
    const [planned] = a.due(T0 + 3 * DAY);
    await state.putSchedule(planned as ScheduleEntry);
    expect(await state.listSchedules()).toHaveLength(1);
    expect(await b.processDue(T0 + 4 * DAY)).toEqual([]);
    expect(await state.listSchedules()).toEqual([]);
  });
});

describe('absence deadlines on two instances, racing', () => {
  const consent = () => fakeConsent({ '*': ['service'] });

  it('a payment saved late by one instance leaves a newer deadline another planned meanwhile', async () => {
    const state = createMemoryRuleStateStore();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Instance b read the customer before a wrote, and saves after a is done.
    const slow: RuleStateStore = {
      ...state,
      appendEvent: async (e) => {
        await gate;
        return state.appendEvent(e);
      },
    };
    const gates = consent();
    const a = createRuleEngine({ rules: [invoiceUnpaid], consent: gates, state });
    const b = createRuleEngine({ rules: [invoiceUnpaid], consent: gates, state: slow });
    const paying = b.process(invoice('payment.received', T0 + DAY, 'sub_1')); // the first period
    await a.process(invoice('invoice.issued', T0 + 2 * DAY, 'sub_1')); // the next period's invoice
    release();
    await paying;
    expect(reminded(await a.processDue(T0 + 6 * DAY))).toEqual(['sub_1']);
  });

  it('a deadline counted from a promised date is dropped when due, answered long before', async () => {
    const handover: Rule = {
      ...invoiceUnpaid,
      id: 'handover-late',
      trigger: {
        type: 'absence',
        after: 'invoice.issued',
        expect: 'payment.received',
        within: '1d',
        from: 'invoice.dueAt',
        correlate: ['invoice.id'],
      },
    };
    const state = createMemoryRuleStateStore();
    const options = { rules: [handover], consent: consent(), state };
    const [a, b] = [createRuleEngine(options), createRuleEngine(options)];
    await b.process(invoice('payment.received', T0 + DAY, 'inv_1'));
    // Planned by a at the same time: it had not read the payment.
    a.evaluate({
      ...invoice('invoice.issued', T0, 'inv_1'),
      facts: factsOf(
        { invoice: { id: 'inv_1', dueAt: toIso(T0 + 10 * DAY) } },
        { invoice: 'user.financial.invoice' },
      ),
    });
    await state.putSchedule(a.due(T0 + 11 * DAY)[0] as ScheduleEntry);
    expect(await b.processDue(T0 + 11 * DAY)).toEqual([]);
  });

  it('an invoice event without consent drops the deadline another instance planned', async () => {
    const state = createMemoryRuleStateStore();
    const gates = consent();
    const options = { rules: [invoiceUnpaid], consent: gates, state };
    const [a, b] = [createRuleEngine(options), createRuleEngine(options)];
    await a.hydrate();
    await a.process(invoice('invoice.issued', T0, 'inv_1'));
    gates.withdraw('cus_1', 'service.proactive_support');
    await b.process(invoice('invoice.issued', T0 + DAY, 'inv_1'));
    expect(await state.listSchedules()).toEqual([]);
  });
});

describe('plans read from a store', () => {
  it('another instance’s removals and runs leave this instance’s view', async () => {
    const state = createMemoryRuleStateStore();
    const gates = fakeConsent({ '*': ['service'] });
    const options = { rules: [invoiceUnpaid], consent: gates, state };
    const [a, b] = [createRuleEngine(options), createRuleEngine(options)];
    await a.process(invoice('invoice.issued', T0, 'inv_1'));
    await a.process(invoice('invoice.issued', T0, 'inv_2'));
    expect(reminded(await b.processDue(T0 + 4 * DAY)).sort()).toEqual(['inv_1', 'inv_2']);
    // a ran nothing: what it still held as due was run elsewhere, so nothing stays due.
    expect(await a.processDue(T0 + 4 * DAY)).toEqual([]);
    expect(a.nextDueAt()).toBeNull();
    await a.process(invoice('invoice.issued', T0 + 5 * DAY, 'inv_3'));
    gates.withdraw('cus_1', 'service.proactive_support');
    expect((await b.recheckPlans('cus_1')).length).toBe(1);
    expect(await a.recheckPlans('cus_1')).toEqual([]); // already dropped, by b
  });

  it('a malformed schedule entry from the store is a typed error naming it; nothing is merged', async () => {
    const state = createMemoryRuleStateStore();
    const answers: unknown[] = [{}, [null], [{ key: 'k' }], [{ ...schedule(), event: null }]];
    const paths = ['schedules', 'schedules[0]', 'schedules[0].ruleId', 'schedules[0].event'];
    for (const [i, schedules] of answers.entries()) {
      const odd: RuleStateStore = {
        ...state,
        load: async (subject, since) => ({ ...(await state.load(subject, since)), schedules }),
      } as RuleStateStore;
      const engine = createRuleEngine({
        rules: [invoiceUnpaid],
        consent: fakeConsent({ '*': ['service'] }),
        state: odd,
      });
      await expect(engine.process(invoice('invoice.issued', T0, 'inv_1'))).rejects.toMatchObject({
        code: 'rules/invalid_state',
        details: expect.objectContaining({ path: paths[i] }),
      });
      await expect(engine.recheckPlans('cus_1')).rejects.toMatchObject({
        code: 'rules/invalid_state',
      });
      expect(engine.due(T0 + 365 * DAY)).toEqual([]);
    }
    function schedule(): ScheduleEntry {
      return {
        key: 'absence:invoice-unpaid:cus_1:x',
        kind: 'absence',
        ruleId: 'invoice-unpaid',
        subject: 'cus_1',
        dueAt: T0,
        event: invoice('invoice.issued', T0, 'inv_1'),
      };
    }
  });
});

describe('property: processing order and instance do not bring back an answered reminder', () => {
  it('reminds of exactly the invoices without a payment, in any order, on two instances', async () => {
    const arbitraryCase = fc.record({
      invoices: fc.array(
        fc.record({
          issuedAt: fc.integer({ min: 0, max: 5 * DAY }),
          paidAfter: fc.option(fc.integer({ min: 0, max: 6 * DAY }), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      order: fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
      instances: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
    });
    await fc.assert(
      fc.asyncProperty(arbitraryCase, async ({ invoices, order, instances }) => {
        const state = createMemoryRuleStateStore();
        const options = {
          rules: [invoiceUnpaid],
          consent: fakeConsent({ '*': ['service'] }),
          state,
          clock: { now: () => T0 + 12 * DAY },
        };
        const engines = [createRuleEngine(options), createRuleEngine(options)];
        for (const e of engines) await e.hydrate();
        const events = invoices.flatMap((inv, i) => [
          invoice('invoice.issued', T0 + inv.issuedAt, `inv_${i}`),
          ...(inv.paidAfter === undefined
            ? []
            : [invoice('payment.received', T0 + inv.issuedAt + inv.paidAfter, `inv_${i}`)]),
        ]);
        // A random processing order, each event on a random instance.
        const shuffled = events
          .map((e, i) => ({ e, rank: order[i] ?? 0 }))
          .sort((x, y) => x.rank - y.rank)
          .map((x) => x.e);
        for (let i = 0; i < shuffled.length; i++)
          await engines[instances[i] ? 1 : 0]?.process(shuffled[i] as RuleEvent);
        const sent = [
          ...reminded((await engines[0]?.processDue(T0 + 12 * DAY)) ?? []),
          ...reminded((await engines[1]?.processDue(T0 + 12 * DAY)) ?? []),
        ];
        const unpaid = invoices.flatMap((inv, i) =>
          inv.paidAfter === undefined ? [`inv_${i}`] : [],
        );
        expect(sent.sort()).toEqual(unpaid.sort());
      }),
      { numRuns: 150 },
    );
  });
});

describe('relative triggers across instances', () => {
  const cardExpiry = cardExpiryReminder;
  const card = (at: number, expiresAt: string): RuleEvent => ({
    id: `c${++n}`,
    type: 'card.updated',
    subject: 'cus_1',
    at,
    facts: factsOf({ card: { expiresAt } }, { card: 'user.financial.card' }),
  });

  it('a late, older event on another instance leaves the newer plan in place', async () => {
    const state = createMemoryRuleStateStore();
    const options = { rules: [cardExpiry], consent: fakeConsent({ '*': ['service'] }), state };
    const [a, b] = [createRuleEngine(options), createRuleEngine(options)];
    await a.hydrate();
    await b.hydrate();
    await a.process(card(T0 + DAY, '2026-09-30T00:00:00Z'));
    await b.process(card(T0, '2026-06-30T00:00:00Z'));
    expect((await state.listSchedules()).map((e) => e.dueAt)).toEqual([
      toInstant('2026-09-23T00:00:00Z'),
    ]);
  });

  it('recheckPlans drops at once the plans a withdrawal ends, whichever instance made them', async () => {
    const state = createMemoryRuleStateStore();
    const consent = fakeConsent({ '*': ['service'] });
    const options = { rules: [cardExpiry, invoiceUnpaid], consent, state };
    const [a, b] = [createRuleEngine(options), createRuleEngine(options)];
    await a.hydrate();
    await b.hydrate();
    await a.process(card(T0, '2026-09-30T00:00:00Z'));
    await a.process(invoice('invoice.issued', T0, 'inv_1'));
    await a.process({ ...card(T0, '2026-09-30T00:00:00Z'), subject: 'cus_2' });
    expect(await b.recheckPlans('cus_1')).toEqual([]); // consent still allows them
    consent.withdraw('cus_1', 'service.proactive_support');
    const dropped = await b.recheckPlans('cus_1');
    expect(dropped.map((e) => [e.kind, e.subject]).sort()).toEqual([
      ['absence', 'cus_1'],
      ['relative', 'cus_1'],
    ]);
    // Gone from the store, the other customer's plan kept; nothing left for any instance to run.
    expect((await state.listSchedules()).map((e) => e.subject)).toEqual(['cus_2']);
    expect((await a.processDue(T0 + 365 * DAY)).map((o) => o.subject)).toEqual(['cus_2']);
    await expect(b.recheckPlans(42 as never)).rejects.toMatchObject({
      details: expect.objectContaining({ path: 'subject' }),
    });
  });

  it('a withdrawal seen on another instance drops the plan from the store', async () => {
    const state = createMemoryRuleStateStore();
    const consent = fakeConsent({ '*': ['service'] });
    const options = { rules: [cardExpiry], consent, state };
    const [a, b] = [createRuleEngine(options), createRuleEngine(options)];
    await a.hydrate();
    await b.hydrate();
    await a.process(card(T0, '2026-09-30T00:00:00Z'));
    consent.withdraw('cus_1', 'service.proactive_support');
    await b.process(card(T0 + DAY, '2026-09-30T00:00:00Z'));
    expect(await state.listSchedules()).toEqual([]);
  });

  it('property: after recheckPlans, the store keeps exactly the plans consent still allows', async () => {
    const renewal: Rule = {
      ...cardExpiry,
      id: 'renewal-offer',
      purpose: 'marketing.email',
      action: { type: 'notify', channel: 'email', topic: 'offers.renewal' },
    };
    const subjects = ['cus_1', 'cus_2', 'cus_3'];
    const purposes = ['service.proactive_support', 'marketing.email'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...subjects), fc.constantFrom(...purposes)), {
          maxLength: 6,
        }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        async (withdrawals, onB) => {
          const state = createMemoryRuleStateStore();
          const consent = fakeConsent({ '*': ['service', 'marketing'] });
          const options = { rules: [cardExpiry, renewal], consent, state };
          const [a, b] = [createRuleEngine(options), createRuleEngine(options)];
          await a.hydrate();
          await b.hydrate();
          for (const subject of subjects)
            await a.process({ ...card(T0, '2026-09-30T00:00:00Z'), subject });
          for (const [subject, purpose] of withdrawals) consent.withdraw(subject, purpose);
          for (const [i, subject] of subjects.entries())
            await (onB[i] ? b : a).recheckPlans(subject);
          const purposeOf = { [cardExpiry.id]: cardExpiry.purpose, [renewal.id]: renewal.purpose };
          const kept = (await state.listSchedules()).map((e) => `${e.subject} ${e.ruleId}`).sort();
          const allowed = subjects
            .flatMap((subject) =>
              [cardExpiry.id, renewal.id].map((ruleId) => ({ subject, ruleId })),
            )
            .filter(
              ({ subject, ruleId }) =>
                !withdrawals.some(([s, p]) => s === subject && p === purposeOf[ruleId]),
            )
            .map(({ subject, ruleId }) => `${subject} ${ruleId}`)
            .sort();
          expect(kept).toEqual(allowed);
        },
      ),
      { numRuns: 60 },
    );
  });
});
