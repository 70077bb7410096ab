import {
  type ChangeFeed,
  type ConsentGate,
  type ConsentVerdict,
  createLocalChangeFeed,
  createVirtualClock,
  duration,
  type FeedNotice,
  type SuppressionQuery,
  toInstant,
} from '@candor/core';
import { describe, expect, it } from 'vitest';
import { factsOf, fakeConsent } from '../test/helpers';
import {
  createMemoryRuleStateStore,
  createRuleEngine,
  fact,
  type Outcome,
  type Proposal,
  type Rule,
  type RuleEvent,
  type RuleStateStore,
  type Suppression,
} from './index';
import { StateView } from './state';

const T0 = toInstant('2026-06-01T10:00:00Z');

const rule = (extra: Partial<Rule> = {}): Rule => ({
  id: 'low-balance',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.account'],
  trigger: { type: 'event', events: ['balance.changed'] },
  conditions: fact('account.balance').lt(100),
  action: { type: 'notify', channel: 'push', topic: 'billing.low_balance' },
  ...extra,
});

let seq = 0;
const event = (at: number, extra: Partial<RuleEvent> = {}): RuleEvent => ({
  id: `evt_${++seq}`,
  type: 'balance.changed',
  subject: 'cus_1',
  at,
  timeZone: 'Europe/Berlin',
  facts: factsOf({ account: { balance: 50 } }, { account: 'user.financial.account' }),
  ...extra,
});

const kinds = (o: Outcome[]) => o.map((x) => (x.kind === 'proposal' ? 'proposal' : x.reason));

/** A gate that knows time: granted, then withdrawn at `withdrawnAt` (now = the clock). */
function timedConsent(clock: { now(): number }, withdrawnAt: number): ConsentGate {
  const verdict = (allowed: boolean, purpose: string): ConsentVerdict => ({
    allowed,
    purpose,
    status: allowed ? 'granted' : 'withdrawn',
    basis: 'consent',
    reasons: [
      { code: allowed ? 'explicit_grant' : 'withdrawn', detail: allowed ? 'granted' : 'withdrawn' },
    ],
    recordIds: [],
    noticeVersion: null,
    expiresAt: null,
  });
  return {
    decide: (q) => verdict((q.at ?? clock.now()) < withdrawnAt, q.purpose),
  };
}

/** A rule-state store whose feed the test drives (stale, fresh). */
function storeWithFeed() {
  const inner = createMemoryRuleStateStore();
  const local = createLocalChangeFeed();
  let fresh = true;
  const feed: ChangeFeed & { announce(n: FeedNotice): void; setFresh(v: boolean): void } = {
    staleAfterMs: 5_000,
    get fresh() {
      return fresh;
    },
    ready: () => Promise.resolve(),
    subscribe: (listener) => local.subscribe(listener),
    announce: (notice) => local.announce(notice),
    setFresh(value) {
      fresh = value;
    },
  };
  const { feed: _ignored, ...rest } = inner;
  return { store: { ...rest, feed } as RuleStateStore, feed };
}

describe('late events', () => {
  it('an event stamped before a withdrawal but processed after it is a consent suppression', async () => {
    const clock = createVirtualClock(T0 + duration.hour);
    const consent = timedConsent(clock, T0 + 30 * duration.minute);
    const engine = createRuleEngine({ rules: [rule()], consent, clock });
    // Stamped at T0 (consent held then), processed an hour later (withdrawn since).
    const [outcome] = engine.evaluate(event(T0)) as [Suppression];
    expect(outcome).toMatchObject({ kind: 'suppression', reason: 'consent' });
    expect(outcome.consent?.status).toBe('withdrawn');
    expect(await engine.process(event(T0))).toMatchObject([{ reason: 'consent' }]);
  });

  it('an event processed while consent holds still fires', () => {
    const clock = createVirtualClock(T0 + duration.minute);
    const engine = createRuleEngine({
      rules: [rule()],
      consent: timedConsent(clock, T0 + duration.hour),
      clock,
    });
    expect(kinds(engine.evaluate(event(T0)))).toEqual(['proposal']);
  });
});

describe('critical rules', () => {
  it('tell the suppression source they are critical and mark their action so', () => {
    const asked: SuppressionQuery[] = [];
    const engine = createRuleEngine({
      rules: [
        rule({
          id: 'fraud',
          urgency: 'critical',
          action: { type: 'notify', channel: 'sms', topic: 'security.fraud' },
        }),
        rule({ id: 'offer' }),
      ],
      consent: fakeConsent({ cus_1: ['service'] }),
      suppressions: {
        check: (q) => {
          asked.push(q);
          return { suppressed: false, reason: null };
        },
      },
    });
    const outcomes = engine.evaluate(event(T0)) as Proposal[];
    expect(asked.find((q) => q.ruleId === 'fraud')?.critical).toBe(true);
    expect(asked.find((q) => q.ruleId === 'offer')?.critical).toBe(false);
    expect(outcomes.find((p) => p.ruleId === 'fraud')?.action.critical).toBe(true);
    expect(outcomes.find((p) => p.ruleId === 'offer')?.action.critical).toBeUndefined();
  });
});

describe('pauses across instances', () => {
  it('a pause made by one engine holds on another on the same store, and so does its resume', async () => {
    const store = createMemoryRuleStateStore();
    const consent = fakeConsent({ cus_1: ['service'] });
    const a = createRuleEngine({ rules: [rule()], consent, state: store });
    const b = createRuleEngine({ rules: [rule()], consent, state: store });
    await Promise.all([a.hydrate(), b.hydrate()]);
    await a.pause('low-balance', { reason: 'complaints' });
    // Right away: b holds the rule back (it has not read the pause yet, so it fails closed).
    expect(kinds(b.evaluate(event(T0)))).toEqual(['paused']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((b.evaluate(event(T0))[0] as Suppression).pause?.reason).toBe('complaints');
    await a.resume('low-balance');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(kinds(b.evaluate(event(T0)))).toEqual(['proposal']);
    expect(b.viewStatus()).toBe('ready');
  });

  it('holds back non-critical rules before the pauses are read, and process() reads them itself', async () => {
    const store = createMemoryRuleStateStore();
    await store.setPause('*', {
      ruleId: '*',
      reason: 'kill switch',
      since: T0,
      until: null,
      by: 'ops',
    });
    const engine = createRuleEngine({
      rules: [rule(), rule({ id: 'fraud', urgency: 'critical' })],
      consent: fakeConsent({ cus_1: ['service'] }),
      state: store,
    });
    expect(engine.viewStatus()).toBe('not_loaded');
    const before = engine.evaluate(event(T0)) as Suppression[];
    expect(before.find((o) => o.ruleId === 'low-balance')?.pause?.by).toBe('candor.not_loaded');
    const after = (await engine.process(event(T0))) as Suppression[];
    expect(after.map((o) => o.pause?.reason)).toEqual(['kill switch', 'kill switch']);
    expect(engine.viewStatus()).toBe('ready');
  });

  it('holds back non-critical rules while the feed is stale; critical ones go on', async () => {
    const { store, feed } = storeWithFeed();
    const engine = createRuleEngine({
      rules: [rule(), rule({ id: 'fraud', urgency: 'critical' })],
      consent: fakeConsent({ cus_1: ['service'] }),
      state: store,
    });
    await engine.hydrate();
    expect(kinds(engine.evaluate(event(T0)))).toEqual(['proposal', 'proposal']);
    feed.announce({ type: 'stale', detail: 'connection lost' });
    const stale = engine.evaluate(event(T0));
    expect(
      stale.map((o) => `${o.ruleId}:${o.kind === 'proposal' ? 'sent' : o.reason}`).sort(),
    ).toEqual(['fraud:sent', 'low-balance:paused']);
    expect((stale.find((o) => o.kind === 'suppression') as Suppression).pause?.by).toBe(
      'candor.stale_view',
    );
    feed.announce({ type: 'fresh' });
    expect(kinds(engine.evaluate(event(T0)))).toEqual(['proposal', 'proposal']);
    engine.close();
    expect(engine.viewStatus()).toBe('stale_view');
  });
});

describe('views that hold only some customers', () => {
  it('process() lets the consent gate and the suppression source read the customer first', async () => {
    const prepared: string[] = [];
    const gate = fakeConsent({ cus_1: ['service'] });
    const consent = {
      decide: (q: Parameters<typeof gate.decide>[0]) =>
        prepared.includes(`consent:${q.subject}`)
          ? gate.decide(q)
          : { ...gate.decide(q), allowed: false, status: 'unknown' as const },
      prepare: async (subjects: readonly string[]) => {
        prepared.push(...subjects.map((s) => `consent:${s}`));
      },
    };
    const suppressions = {
      check: () => ({ suppressed: false as const, reason: null }),
      prepare: async (subjects: readonly string[]) => {
        prepared.push(...subjects.map((s) => `feedback:${s}`));
      },
    };
    const engine = createRuleEngine({ rules: [rule()], consent, suppressions });
    expect(kinds(engine.evaluate(event(T0)))).toEqual(['consent']);
    expect(kinds(await engine.process(event(T0)))).toEqual(['proposal']);
    expect(prepared).toEqual(['consent:cus_1', 'feedback:cus_1']);
  });
});

describe('an engine over a state store holds a customer only while processing them', () => {
  it('forgets what it read once done, and the store still enforces caps and dedup', async () => {
    const store = createMemoryRuleStateStore();
    const engine = createRuleEngine({
      rules: [rule({ caps: [{ limit: 1, window: '1d', scope: 'rule' }] })],
      consent: fakeConsent({ '*': ['service'] }),
      state: store,
    });
    for (let i = 0; i < 50; i++) {
      expect(kinds(await engine.process(event(T0, { subject: `cus_${i}` })))).toEqual(['proposal']);
    }
    expect(kinds(await engine.process(event(T0 + duration.hour, { subject: 'cus_7' })))).toEqual([
      'cap',
    ]);
  });

  it('StateView.forget drops one subject and nothing else', () => {
    const view = new StateView();
    for (const subject of ['a', 'b']) {
      view.reserve({
        id: `r-${subject}`,
        subject,
        at: T0,
        keys: [`rule:x:${subject}`],
        limits: [],
        dedup: { key: `d:${subject}`, expiresAt: T0 + 1000 },
      });
      view.appendEvent({ id: `e-${subject}`, subject, type: 't', at: T0, fields: {} });
    }
    view.forget('a');
    expect(view.subjects).toBe(1);
    expect(view.load('a', 0)).toEqual({ fires: [], dedup: [], events: [], schedules: [] });
    expect(view.load('b', 0).fires).toHaveLength(1);
    expect(view.dedupUntil('d:b', T0)).toBe(T0 + 1000);
  });
});
