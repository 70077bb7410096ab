import { duration, parseDecisionRecord, toInstant } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { factsOf, fakeConsent, fakeSuppressions } from '../test/helpers';
import {
  all,
  any,
  createMemoryRuleStateStore,
  createRuleEngine,
  fact,
  type Outcome,
  type Proposal,
  type Rule,
  type RuleEvent,
  type RuleStateStore,
  ref,
  type Suppression,
  toDecisionRecord,
} from './index';

const rule = (extra: Partial<Rule> = {}): Rule => ({
  id: 'low-balance',
  version: 2,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.account'],
  trigger: { type: 'event', events: ['balance.changed'] },
  conditions: fact('account.balance').lt(100),
  action: { type: 'notify', channel: 'push', topic: 'billing.low_balance' },
  ...extra,
});

let seq = 0;
const event = (at: string | number, balance = 50, extra: Partial<RuleEvent> = {}): RuleEvent => ({
  id: `evt_${++seq}`,
  type: 'balance.changed',
  subject: 'cus_1',
  at: typeof at === 'number' ? at : toInstant(at),
  timeZone: 'Europe/Berlin',
  facts: factsOf({ account: { balance, iban: 'DE00' } }, { account: 'user.financial.account' }),
  ...extra,
});

const consent = () => fakeConsent({ cus_1: ['service'] });
const kinds = (o: Outcome[]) => o.map((x) => (x.kind === 'proposal' ? 'proposal' : x.reason));

describe('proposals', () => {
  it('are valid core DecisionRecords whose reasons cite evidence with provenance', () => {
    const engine = createRuleEngine({ rules: [rule()], consent: consent() });
    const [p] = engine.evaluate(event('2026-06-01T10:00:00Z')) as [Proposal];
    expect(p.kind).toBe('proposal');
    const record = parseDecisionRecord(toDecisionRecord(p));
    expect(record.reasons[0]).toMatchObject({
      text: 'account.balance is below 100',
      evidence: ['f1'],
    });
    expect(record.evidence[0]).toMatchObject({
      path: 'account.balance',
      value: 50,
      category: 'user.financial.account',
      provenance: { source: 'test' },
    });
    expect(p.idempotencyKey).toBe(`low-balance@2:cus_1:${p.eventId}`);
    expect(p.gatesPassed).toEqual([
      'consent',
      'suppressions',
      'pause',
      'conditions',
      'caps',
      'cooldown',
      'quiet_hours',
      'dedup',
      'conflicts',
    ]);
    expect(p.consent[0]?.allowed).toBe(true);
  });

  it('have an id made from the rule, subject and event: the same every read and evaluation, in JSON too', () => {
    const engine = createRuleEngine({ rules: [rule()], consent: consent() });
    const fixed = event('2026-06-01T10:00:00Z', 50, { id: 'evt_fixed' });
    const [p] = engine.evaluate(fixed) as [Proposal];
    // Pinned: ids are stable across versions, so a delivery or feedback keyed by one still finds it.
    expect(p.id).toBe('prop_0e8d459f7671361a');
    expect(p.id).toBe(p.id);
    expect((engine.evaluate(fixed)[0] as Proposal).id).toBe(p.id);
    expect(JSON.parse(JSON.stringify(p)).id).toBe(p.id);
    expect(toDecisionRecord(p).id).toBe(p.id);
    const other = engine.evaluate(event('2026-06-01T10:00:00Z', 50, { id: 'evt_other' }));
    expect((other[0] as Proposal).id).toMatch(/^prop_[0-9a-f]{16}$/);
    expect((other[0] as Proposal).id).not.toBe(p.id);
  });

  it('list facts compared on the right-hand side ({ fact }) as evidence too', () => {
    const engine = createRuleEngine({
      rules: [
        rule({
          id: 'foreign-charge',
          dataCategories: ['user.financial'],
          conditions: all(
            fact('account.balance').lt(100),
            fact('txn.country').neq(ref('account.country')),
          ),
        }),
      ],
      consent: consent(),
    });
    const facts = factsOf(
      { account: { balance: 50, country: 'DE' }, txn: { country: 'FR' } },
      { account: 'user.financial.account', txn: 'user.financial.transactions' },
    );
    const [p] = engine.evaluate(event('2026-06-01T10:00:00Z', 50, { facts })) as [Proposal];
    expect(p.kind).toBe('proposal');
    expect(p.evidence.map((f) => [f.path, f.value, f.category])).toEqual([
      ['account.balance', 50, 'user.financial.account'],
      ['txn.country', 'FR', 'user.financial.transactions'],
      ['account.country', 'DE', 'user.financial.account'],
    ]);
    expect(p.reasons[1]).toMatchObject({ text: expect.stringContaining('txn.country') });
    expect(p.reasons[1]?.evidence).toEqual(['f2', 'f3']);
    expect(parseDecisionRecord(toDecisionRecord(p)).evidence).toHaveLength(3);
  });

  it('redact actual values of chosen categories in traces, not the decision evidence', () => {
    const engine = createRuleEngine({
      rules: [rule()],
      consent: consent(),
      redact: ['user.financial'],
    });
    const [p] = engine.evaluate(event('2026-06-01T10:00:00Z')) as [Proposal];
    expect(p.trace.actual).toBe('[redacted]');
    expect(p.reasons[0]?.params?.actual).toBe('[redacted]');
    expect(JSON.stringify(p.trace)).not.toContain('50');
  });

  it('explain non-fires: conditions not met and insufficient data, with traces', () => {
    const engine = createRuleEngine({ rules: [rule()], consent: consent() });
    const [s] = engine.evaluate(event('2026-06-01T10:00:00Z', 500)) as [Suppression];
    expect(s).toMatchObject({
      reason: 'conditions_not_met',
      trace: { outcome: 'fail', actual: 500 },
    });
    const [m] = engine.evaluate(event('2026-06-01T10:00:00Z', 0, { facts: [] })) as [Suppression];
    expect(m).toMatchObject({
      reason: 'insufficient_data',
      trace: { outcome: 'insufficient_data' },
    });
  });

  it("counts a fact outside the rule's categories as missing: insufficient data, not unmet", () => {
    const checked = rule({
      conditions: any(fact('account.balance').lt(100), fact('trip.flight').eq('LH123')),
    });
    // Alone, and after rules reading 40 other facts (its facts then numbered past the first 32).
    const others = Array.from({ length: 40 }, (_, i) =>
      rule({ id: `other-${i}`, conditions: fact(`account.other${i}`).eq(1) }),
    );
    const facts = factsOf(
      { account: { balance: 500 }, trip: { flight: 'LH123' } },
      { account: 'user.financial.account', trip: 'user.travel.itinerary' },
    );
    for (const rules of [[checked], [...others, checked]]) {
      const engine = createRuleEngine({ rules, consent: consent() });
      const outcomes = engine.evaluate(event(0, 500, { facts }));
      // The flight would decide, but the rule may not read the trip: it cannot tell.
      expect(outcomes.find((o) => o.ruleId === 'low-balance')).toMatchObject({
        reason: 'insufficient_data',
      });
    }
  });

  it('rejects malformed events with a typed error', () => {
    const engine = createRuleEngine({ rules: [rule()], consent: consent() });
    expect(() => engine.evaluate({ ...event(0), at: -1 })).toThrow(
      expect.objectContaining({
        code: 'rules/invalid_event',
        details: expect.objectContaining({ path: 'event.at' }),
      }),
    );
  });
});

describe('gates', () => {
  it('consent comes first: without it no fact is read and the verdict is attached', () => {
    const gate = fakeConsent({ cus_1: ['marketing'] });
    const engine = createRuleEngine({ rules: [rule()], consent: gate });
    const facts = factsOf({ account: { balance: 1 } }, { account: 'user.financial.account' });
    let reads = 0;
    const spied = facts.map((f) => ({
      ...f,
      get value() {
        reads++;
        return f.value;
      },
    }));
    const [s] = engine.evaluate(event(0, 1, { facts: spied })) as [Suppression];
    expect(s.reason).toBe('consent');
    expect(s.consent?.allowed).toBe(false);
    expect(reads).toBe(0);
  });

  it('a consent gate that throws fails closed', () => {
    const engine = createRuleEngine({
      rules: [rule()],
      consent: {
        decide: () => {
          throw new Error('down');
        },
      },
    });
    expect(kinds(engine.evaluate(event(0)))).toEqual(['consent']);
  });

  it('honours suppressions, and a throwing source fails closed', () => {
    const engine = createRuleEngine({
      rules: [rule()],
      consent: consent(),
      suppressions: fakeSuppressions([{ subject: 'cus_1', topic: 'billing' }]),
    });
    const [s] = engine.evaluate(event(0)) as [Suppression];
    expect(s).toMatchObject({
      reason: 'suppressed',
      suppression: { scope: 'topic' },
      gatesPassed: ['consent'],
    });
    const broken = createRuleEngine({
      rules: [rule()],
      consent: consent(),
      suppressions: {
        check: () => {
          throw new Error('x');
        },
      },
    });
    expect(kinds(broken.evaluate(event(0)))).toEqual(['suppressed']);
  });

  it('asks the suppression source once per evaluation where it can say nothing is suppressed, else per rule (failing closed)', () => {
    const rules = [rule(), rule({ id: 'other', action: { ...rule().action, topic: 'offers' } })];
    const inner = fakeSuppressions([{ subject: 'cus_2', topic: 'billing' }]);
    const asked: string[] = [];
    let answer: () => boolean = () => true;
    // Each event evaluated when it happens (a late one is asked of as of then and as of now).
    let now = 0;
    const engine = createRuleEngine({
      rules,
      consent: fakeConsent({ cus_1: ['service'], cus_2: ['service'] }),
      clock: { now: () => now },
      suppressions: {
        check: (q) => {
          asked.push(`check ${q.ruleId}`);
          return inner.check(q);
        },
        nothingSuppressed: (subject) => {
          asked.push(`once ${subject}`);
          return answer();
        },
      },
    });
    expect(kinds(engine.evaluate(event(0)))).toEqual(['proposal', 'proposal']);
    expect(asked).toEqual(['once cus_1']);
    // Not "nothing": each rule is checked, and the suppressed topic holds.
    asked.length = 0;
    answer = () => false;
    now = 1;
    expect(kinds(engine.evaluate(event(1, 50, { subject: 'cus_2' })))).toEqual([
      'suppressed',
      'proposal',
    ]);
    expect(asked).toEqual(['once cus_2', 'check low-balance', 'check other']);
    // A failing question is no "nothing": per-rule checks decide.
    asked.length = 0;
    answer = () => {
      throw new Error('down');
    };
    now = 2;
    expect(kinds(engine.evaluate(event(2, 50, { subject: 'cus_2' })))).toEqual([
      'suppressed',
      'proposal',
    ]);
    expect(asked).toEqual(['once cus_2', 'check low-balance', 'check other']);
  });

  it('pause and the kill switch take effect on the very next evaluation', async () => {
    const engine = createRuleEngine({ rules: [rule()], consent: consent() });
    await engine.pause('low-balance', { reason: 'complaint rate 3%', by: 'feedback.guardrail' });
    expect(engine.evaluate(event(0))[0]).toMatchObject({
      reason: 'paused',
      pause: { by: 'feedback.guardrail' },
    });
    await engine.resume('low-balance');
    await engine.pause('*', { reason: 'incident' });
    expect(kinds(engine.evaluate(event(1)))).toEqual(['paused']);
    await engine.resume('*');
    expect(kinds(engine.evaluate(event(2)))).toEqual(['proposal']);
    await expect(engine.pause('nope', { reason: 'x' })).rejects.toMatchObject({
      code: 'rules/unknown_rule',
    });
    // An end that is no time pauses nothing (it would never end, or end at once).
    for (const until of [Number.NaN, 1.5, 'tomorrow', {}, -1])
      await expect(
        engine.pause('low-balance', { reason: 'x', until: until as number }),
      ).rejects.toMatchObject({
        code: 'rules/invalid_rule',
        details: expect.objectContaining({ path: 'options.until' }),
      });
    expect(engine.pauses()).toEqual([]);
  });

  it('caps per rolling window say when they free up', () => {
    const engine = createRuleEngine({
      rules: [rule({ caps: [{ limit: 2, window: '1d', scope: 'rule' }] })],
      consent: consent(),
    });
    const t = toInstant('2026-06-01T10:00:00Z');
    expect(
      kinds([
        ...engine.evaluate(event(t)),
        ...engine.evaluate(event(t + 1000)),
        ...engine.evaluate(event(t + 2000)),
      ]),
    ).toEqual(['proposal', 'proposal', 'cap']);
    const [s] = engine.evaluate(event(t + 3000)) as [Suppression];
    expect(s.retryAt).toBe(t + duration.day);
    expect(kinds(engine.evaluate(event(t + duration.day + 1)))).toEqual(['proposal']);
  });

  it("calendar-day caps follow the customer's time zone and fail closed without one", () => {
    const engine = createRuleEngine({
      rules: [rule({ caps: [{ limit: 1, window: 'calendar_day', scope: 'channel' }] })],
      consent: consent(),
    });
    // 23:30 and 23:50 Berlin on 1 June are the same local day; 00:10 on 2 June is the next.
    expect(kinds(engine.evaluate(event('2026-06-01T21:30:00Z')))).toEqual(['proposal']);
    expect(kinds(engine.evaluate(event('2026-06-01T21:50:00Z')))).toEqual(['cap']);
    // Retry at the next local midnight (00:00 Berlin on 2 June), not a day later.
    const [capped] = engine.evaluate(event('2026-06-01T21:55:00Z')) as [Suppression];
    expect(capped.retryAt).toBe(toInstant('2026-06-01T22:00:00Z'));
    expect(kinds(engine.evaluate(event('2026-06-01T22:10:00Z')))).toEqual(['proposal']);
    expect(
      kinds(engine.evaluate(event('2026-06-03T10:00:00Z', 50, { timeZone: 'Mars/Olympus' }))),
    ).toEqual(['cap']);
  });

  it('channel caps count fires of every rule on that channel', () => {
    const engine = createRuleEngine({
      rules: [
        rule({ caps: [{ limit: 1, window: '1h', scope: 'channel' }] }),
        rule({ id: 'other', trigger: { type: 'event', events: ['other'] } }),
      ],
      consent: consent(),
    });
    expect(kinds(engine.evaluate(event(0, 50, { type: 'other' })))).toEqual(['proposal']);
    expect(kinds(engine.evaluate(event(1)))).toEqual(['cap']);
  });

  it('cooldowns', () => {
    const engine = createRuleEngine({ rules: [rule({ cooldown: '2h' })], consent: consent() });
    expect(kinds(engine.evaluate(event(0)))).toEqual(['proposal']);
    const [s] = engine.evaluate(event(duration.hour)) as [Suppression];
    expect(s).toMatchObject({ reason: 'cooldown', retryAt: 2 * duration.hour });
    expect(kinds(engine.evaluate(event(2 * duration.hour)))).toEqual(['proposal']);
  });

  it('quiet hours defer to their end, critical bypasses them, an invalid zone never fails open', () => {
    // Evaluated when it happens: quiet hours hold as of when the message would go out.
    const clock = { now: () => toInstant('2026-06-01T23:00:00Z') };
    const engine = createRuleEngine({
      rules: [rule()],
      consent: consent(),
      clock,
      quietHours: { start: '21:00', end: '08:00' },
    });
    const [s] = engine.evaluate(event('2026-06-01T23:00:00Z')) as [Suppression]; // 01:00 Berlin
    expect(s).toMatchObject({ reason: 'quiet_hours', retryAt: toInstant('2026-06-02T06:00:00Z') });
    expect(engine.nextDueAt()).toBe(toInstant('2026-06-02T06:00:00Z'));
    expect(kinds(engine.runDue(toInstant('2026-06-02T06:00:00Z')))).toEqual(['proposal']);
    expect(
      kinds(engine.evaluate(event('2026-06-01T23:00:00Z', 50, { timeZone: 'Not/AZone' }))),
    ).toEqual(['quiet_hours']);
    expect(
      kinds(engine.evaluate(event('2026-06-01T23:00:00Z', 50, { timeZone: undefined as never }))),
    ).toEqual(['quiet_hours']);
    const critical = createRuleEngine({
      rules: [rule({ urgency: 'critical' })],
      consent: consent(),
      clock,
      quietHours: { start: '21:00', end: '08:00' },
    });
    const [p] = critical.evaluate(event('2026-06-01T23:00:00Z')) as [Proposal];
    expect(p.bypassed).toEqual(['quiet_hours']);
  });

  it('critical urgency never bypasses consent', () => {
    const engine = createRuleEngine({
      rules: [rule({ urgency: 'critical' })],
      consent: fakeConsent({}),
    });
    expect(kinds(engine.evaluate(event(0)))).toEqual(['consent']);
  });

  it('dedup keys render facts and expire', () => {
    const engine = createRuleEngine({
      rules: [rule({ dedup: { key: '{subject}:{account.iban}', ttl: '1d' } })],
      consent: consent(),
    });
    expect(kinds(engine.evaluate(event(0)))).toEqual(['proposal']);
    expect(engine.evaluate(event(1000))[0]).toMatchObject({
      reason: 'duplicate',
      retryAt: duration.day,
    });
    expect(kinds(engine.evaluate(event(duration.day)))).toEqual(['proposal']);
  });

  it('dedup keys name no value in a duplicate, and hold back a value that is not plain data', () => {
    const engine = createRuleEngine({
      rules: [rule({ dedup: { key: '{account.iban}', ttl: '1d' } })],
      consent: consent(),
    });
    expect(kinds(engine.evaluate(event(0)))).toEqual(['proposal']);
    const [duplicate] = engine.evaluate(event(1000));
    expect(duplicate).toMatchObject({ reason: 'duplicate' });
    expect(JSON.stringify(duplicate)).not.toContain('DE00');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const facts = factsOf(
      { account: { balance: 50, iban: cyclic } },
      { account: 'user.financial.account' },
    );
    expect(kinds(engine.evaluate(event(2000, 50, { facts })))).toEqual(['insufficient_data']);
  });
});

describe('conflicts', () => {
  const group = (id: string, priority: number, extra: Partial<Rule> = {}) =>
    rule({ id, priority, exclusionGroup: 'g', ...extra });

  it('the highest priority wins an exclusion group, then specificity, then id', () => {
    const engine = createRuleEngine({
      rules: [
        group('b', 1),
        group('a', 1),
        group('c', 1, {
          conditions: { all: [fact('account.balance').lt(100), fact('account.iban').exists()] },
        }),
        group('z', 0),
      ],
      consent: consent(),
    });
    const out = engine.evaluate(event(0));
    const fired = out.filter((o) => o.kind === 'proposal').map((o) => o.ruleId);
    expect(fired).toEqual(['c']);
    expect(out.find((o) => o.ruleId === 'a')).toMatchObject({ reason: 'conflict', winner: 'c' });
  });

  it('channel budgets limit proposals per event', () => {
    const engine = createRuleEngine({
      rules: [rule({ id: 'x', priority: 1 }), rule({ id: 'y', priority: 2 })],
      consent: consent(),
      channelBudgets: { push: 1 },
    });
    const out = engine.evaluate(event(0));
    expect(out.filter((o) => o.kind === 'proposal').map((o) => o.ruleId)).toEqual(['y']);
  });

  it('a channel has no budget but its own, and a malformed budget is refused by name', () => {
    const onChannel = (id: string, channel: string) =>
      rule({ id, action: { type: 'notify', channel, topic: 'billing.low_balance' } });
    const engine = createRuleEngine({
      rules: [onChannel('x', 'constructor'), onChannel('y', 'constructor')],
      consent: consent(),
      channelBudgets: { push: 1 },
    });
    const out = engine.evaluate(event(0));
    expect(out.filter((o) => o.kind === 'proposal').map((o) => o.ruleId)).toEqual(['x', 'y']);
    for (const [budgets, path] of [
      [{ push: -1 }, 'options.channelBudgets.push'],
      [{ push: 1.5 }, 'options.channelBudgets.push'],
      [{ push: '1' }, 'options.channelBudgets.push'],
      [[1], 'options.channelBudgets'],
    ] as const) {
      expect(() =>
        createRuleEngine({ rules: [rule()], consent: consent(), channelBudgets: budgets as never }),
      ).toThrow(
        expect.objectContaining({
          code: 'rules/invalid_rule',
          details: expect.objectContaining({ path }),
        }),
      );
    }
  });
});

describe('facts and state', () => {
  it('plans, fetches only for consented rules, then evaluates', async () => {
    const requests: string[][] = [];
    const engine = createRuleEngine({
      rules: [
        rule(),
        rule({ id: 'mkt', purpose: 'marketing.push', conditions: fact('profile.vip').eq(true) }),
      ],
      consent: consent(),
      facts: {
        fetch: async (request) => {
          requests.push([...request.paths]);
          return factsOf({ account: { balance: 10 } }, { account: 'user.financial.account' });
        },
      },
    });
    const out = await engine.process(event(0, 0, { facts: [] }));
    expect(requests).toEqual([['account.balance']]);
    expect(kinds(out)).toEqual(['proposal', 'consent']);
  });

  it('two instances sharing a store cannot both fire past a cap', async () => {
    const state = createMemoryRuleStateStore();
    const r = rule({ caps: [{ limit: 1, window: '1d', scope: 'rule' }] });
    const a = createRuleEngine({ rules: [r], consent: consent(), state });
    const b = createRuleEngine({ rules: [r], consent: consent(), state });
    const [x, y] = await Promise.all([a.process(event(0)), b.process(event(1))]);
    expect([...kinds(x!), ...kinds(y!)].sort()).toEqual(['cap', 'proposal']);
    // A third instance hydrates from the store.
    const c = createRuleEngine({ rules: [r], consent: consent(), state });
    expect(kinds(await c.process(event(2)))).toEqual(['cap']);
  });

  it('a past event the store cannot write leaves no fire behind for the proposal not returned', async () => {
    const state = createMemoryRuleStateStore();
    const failing = {
      ...state,
      reserve: state.reserve.bind(state),
      load: state.load.bind(state),
      appendEvent: () => Promise.reject(new Error('disk full')),
    } as typeof state;
    const r = rule({
      cooldown: '1d',
      // A window: the engine keeps each balance change as a past event.
      conditions: all(fact('account.balance').lt(100), {
        window: { event: 'balance.changed', within: '1d', agg: 'count' },
        category: 'user.financial.account',
        op: 'gte',
        value: 0,
      }),
    });
    const engine = createRuleEngine({ rules: [r], consent: consent(), state: failing });
    await expect(engine.process(event(0))).rejects.toThrow('disk full');
    expect((await state.load('cus_1', 0)).fires).toEqual([]);
    // Once the store writes again, nothing holds the event back.
    const healthy = createRuleEngine({ rules: [r], consent: consent(), state });
    expect(kinds(await healthy.process(event(1)))).toEqual(['proposal']);
  });

  it('pauses persist through the store', async () => {
    const state = createMemoryRuleStateStore();
    await createRuleEngine({ rules: [rule()], consent: consent(), state }).pause('low-balance', {
      reason: 'x',
    });
    const fresh = createRuleEngine({ rules: [rule()], consent: consent(), state });
    await fresh.hydrate();
    expect(kinds(fresh.evaluate(event(0)))).toEqual(['paused']);
  });

  it('a pause made elsewhere while this engine hydrates, after it read the pauses, holds', async () => {
    const state = createMemoryRuleStateStore();
    const other = createRuleEngine({ rules: [rule()], consent: consent(), state });
    await other.hydrate();
    // The pause lands just after this engine first read the pauses, before it finished hydrating.
    let reads = 0;
    const late: RuleStateStore = {
      ...state,
      listPauses: async () => {
        const pauses = await state.listPauses();
        if (++reads === 1) await other.pause('low-balance', { reason: 'incident' });
        return pauses;
      },
    };
    const engine = createRuleEngine({ rules: [rule()], consent: consent(), state: late });
    await engine.hydrate();
    expect(kinds(engine.evaluate(event(0)))).toEqual(['paused']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(engine.pauses().map((p) => p.reason)).toEqual(['incident']);
    expect(engine.viewStatus()).toBe('ready');
  });
});

describe('windows', () => {
  it('count past events per subject within the window', () => {
    const r = rule({
      id: 'returns',
      dataCategories: ['user.behavior.returns'],
      trigger: { type: 'event', events: ['order.returned'] },
      conditions: {
        window: { event: 'order.returned', within: '30d', agg: 'sum', field: 'return.amount' },
        category: 'user.behavior.returns',
        op: 'gte',
        value: 100,
      },
    });
    const engine = createRuleEngine({ rules: [r], consent: consent() });
    const ret = (at: number, amount: number, subject = 'cus_1') =>
      engine.evaluate({
        id: `r${at}${subject}`,
        type: 'order.returned',
        subject,
        at,
        facts: factsOf({ return: { amount } }, { return: 'user.behavior.returns' }),
      });
    expect(kinds(ret(0, 60))).toEqual(['conditions_not_met']);
    expect(kinds(ret(1, 30, 'cus_2'))).toEqual(['consent']);
    expect(kinds(ret(2, 50))).toEqual(['proposal']);
    expect(kinds(ret(31 * duration.day, 60))).toEqual(['conditions_not_met']);
  });

  it("never read a past event's field outside the window's category", () => {
    const r = rule({
      id: 'orders',
      dataCategories: ['user.behavior.purchase_history'],
      trigger: { type: 'event', events: ['order.placed'] },
      conditions: {
        window: { event: 'order.placed', within: '30d', agg: 'count', where: { 'rx.kind': 'x' } },
        category: 'user.behavior.purchase_history',
        op: 'gte',
        value: 2,
      },
    });
    const engine = createRuleEngine({ rules: [r], consent: consent() });
    const order = (at: number, category: string) =>
      engine.evaluate({
        id: `o${at}`,
        type: 'order.placed',
        subject: 'cus_1',
        at,
        facts: factsOf({ rx: { kind: 'x' } }, { rx: category }),
      });
    // Health data the rule did not declare: as if absent, so no order matches the filter.
    expect(kinds(order(0, 'user.health.condition'))).toEqual(['conditions_not_met']);
    expect(kinds(order(1, 'user.health.condition'))).toEqual(['conditions_not_met']);
    // The same field as purchase history: read.
    expect(kinds(order(2, 'user.behavior.purchase_history'))).toEqual(['conditions_not_met']);
    expect(kinds(order(3, 'user.behavior.purchase_history'))).toEqual(['proposal']);
  });
});
