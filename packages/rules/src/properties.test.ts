import { isCandorError } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factsOf, fakeConsent, fakeSuppressions } from '../test/helpers';
import {
  all,
  any,
  type Condition,
  compileRules,
  createRuleEngine,
  fact,
  not,
  type Outcome,
  type Rule,
  toDecisionRecord,
} from './index';

const purposes = ['service.proactive_support', 'service.fraud_protection', 'marketing.push'];
const topics = ['billing.card', 'travel.disruption', 'shopping.sizing'];

const ruleArb = fc.record({
  i: fc.nat(1000),
  purpose: fc.constantFrom(...purposes),
  topic: fc.constantFrom(...topics),
  threshold: fc.integer({ min: 0, max: 10 }),
  urgency: fc.constantFrom('low', 'normal', 'critical' as const),
  cap: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
});

type RawRule = {
  purpose: string;
  topic: string;
  threshold: number;
  urgency: string;
  cap: number | undefined;
};

const toRule = (r: RawRule, k: number): Rule => ({
  id: `r${k}`,
  version: 1,
  purpose: r.purpose,
  dataCategories: ['user.financial'],
  trigger: { type: 'event', events: ['tick'] },
  conditions: fact('acct.score').gte(r.threshold),
  action: { type: 'notify', channel: 'push', topic: r.topic },
  urgency: r.urgency as 'low',
  ...(r.cap === undefined
    ? {}
    : { caps: [{ limit: r.cap, window: '1h', scope: 'rule' as const }] }),
});

const eventsArb = fc.array(
  fc.record({
    subject: fc.constantFrom('a', 'b', 'c'),
    score: fc.integer({ min: 0, max: 10 }),
    dt: fc.integer({ min: 0, max: 30 * 60_000 }),
  }),
  { maxLength: 25 },
);

describe('hard constraints (property tests)', () => {
  it('no proposal without consent for its purpose, none for a suppressed topic, caps never exceeded', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { minLength: 1, maxLength: 6 }),
        fc.dictionary(
          fc.constantFrom('a', 'b', 'c'),
          fc.subarray(['service', 'service.fraud_protection', 'marketing']),
        ),
        fc.subarray(topics),
        eventsArb,
        (rawRules, grants, suppressedTopics, events) => {
          const rules = rawRules.map(toRule);
          const gate = fakeConsent(grants);
          const suppressions = fakeSuppressions(
            suppressedTopics.map((topic) => ({ subject: 'b', topic })),
          );
          const engine = createRuleEngine({
            rules,
            consent: gate,
            suppressions,
            quietHours: { start: '22:00', end: '06:00' },
          });
          let at = 1_780_000_000_000;
          const fired: Array<{ ruleId: string; subject: string; at: number }> = [];
          events.forEach((e, n) => {
            at += e.dt;
            const out = engine.evaluate({
              id: `e${n}`,
              type: 'tick',
              subject: e.subject,
              at,
              timeZone: 'UTC',
              facts: factsOf({ acct: { score: e.score } }, { acct: 'user.financial.account' }),
            });
            for (const o of out) {
              if (o.kind !== 'proposal') continue;
              expect(
                gate.decide({
                  subject: e.subject,
                  purpose: o.purpose,
                  dataCategories: o.dataCategories,
                }).allowed,
              ).toBe(true);
              expect(e.subject === 'b' && suppressedTopics.some((t) => o.action.topic === t)).toBe(
                false,
              );
              fired.push({ ruleId: o.ruleId, subject: e.subject, at });
            }
          });
          for (const f of fired) {
            const cap = rules.find((r) => r.id === f.ruleId)?.caps?.[0]?.limit;
            if (cap === undefined) continue;
            const inWindow = fired.filter(
              (g) =>
                g.ruleId === f.ruleId &&
                g.subject === f.subject &&
                g.at <= f.at &&
                g.at > f.at - 3_600_000,
            );
            expect(inWindow.length).toBeLessThanOrEqual(cap);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('an outcome explained later says what it said at once: proposals and non-fires alike', () => {
    // Proposals and unmet conditions work out their explanation (reasons, evidence, categories,
    // trace) on first read: reading them after later evaluations must give what reading them
    // straight away gives, whatever those evaluations changed (state, windows, other facts).
    const leaf = fc.oneof(
      fc.integer({ min: 0, max: 10 }).map((t) => fact('acct.score').gte(t)),
      fc.integer({ min: 0, max: 10 }).map((t) => fact('acct.score').lt(t)),
      fc.constantFrom('FR', 'DE').map((c) => fact('txn.country').eq(c)),
      fc.integer({ min: 0, max: 500 }).map((t) => fact('txn.amount').gt(t)),
    );
    const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
      c: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((cs) => all(...cs)),
        fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((cs) => any(...cs)),
        tie('c').map((c) => not(c)),
      ),
    })).c;
    const ruleOf = (c: Condition, k: number, cap: boolean): Rule => ({
      id: `r${k}`,
      version: 1,
      purpose: 'service.proactive_support',
      dataCategories: k % 2 === 0 ? ['user.financial'] : ['user.financial.account'],
      trigger: { type: 'event', events: ['tick'] },
      conditions: c,
      action: { type: 'notify', channel: 'push', topic: 'billing.card' },
      ...(cap ? { caps: [{ limit: 1, window: '1h', scope: 'rule' as const }] } : {}),
    });
    const facts = fc.record({
      score: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
      country: fc.option(fc.constantFrom('FR', 'DE', 'US'), { nil: undefined }),
      amount: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(condition, fc.boolean()), { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b'), facts), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<readonly string[]>([], ['user.financial.transactions']),
        (specs, events, redact) => {
          const rules = specs.map(([c, cap], k) => ruleOf(c, k, cap));
          const engine = () =>
            createRuleEngine({
              rules,
              consent: fakeConsent({ '*': ['service'] }),
              suppressions: fakeSuppressions([]),
              redact,
            });
          const atOnce = engine();
          const later = engine();
          const kept: unknown[][] = [];
          const read: string[] = [];
          events.forEach(([subject, f], n) => {
            const event = {
              id: `e${n}`,
              type: 'tick',
              subject,
              at: 1_780_000_000_000 + n * 60_000,
              facts: factsOf(
                {
                  acct: f.score === undefined ? {} : { score: f.score },
                  txn: {
                    ...(f.country === undefined ? {} : { country: f.country }),
                    ...(f.amount === undefined ? {} : { amount: f.amount }),
                  },
                },
                { acct: 'user.financial.account', txn: 'user.financial.transactions' },
              ),
            };
            read.push(JSON.stringify(atOnce.evaluate(event)));
            kept.push(later.evaluate(event));
          });
          expect(kept.map((outcomes) => JSON.stringify(outcomes))).toEqual(read);
          // Field reads agree with JSON, and a decision record reads the same explanation.
          for (const outcomes of kept)
            for (const o of outcomes as Outcome[]) {
              const json = JSON.parse(JSON.stringify(o));
              if (o.trace === undefined) expect(json.trace).toBeUndefined();
              else expect(JSON.parse(JSON.stringify(o.trace))).toEqual(json.trace);
              if (o.kind !== 'proposal') continue;
              expect(JSON.parse(JSON.stringify(toDecisionRecord(o)))).toEqual({
                id: json.id,
                subject: json.subject,
                at: json.at,
                source: json.source,
                action: json.action,
                purpose: json.purpose,
                dataCategories: json.dataCategories,
                reasons: json.reasons,
                evidence: json.evidence,
                consent: json.consent,
              });
            }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('three-valued logic: not(not c) ≡ c and De Morgan hold, missing facts included', () => {
    const leaf = fc.constantFrom<Condition>(
      fact('x.a').gt(3),
      fact('x.b').eq('y'),
      fact('x.c').exists(),
      fact('x.d').lt(2),
    );
    const cond: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
      c: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.tuple(tie('c'), tie('c')).map(([p, q]) => all(p, q)),
        fc.tuple(tie('c'), tie('c')).map(([p, q]) => any(p, q)),
        tie('c').map(not),
      ),
    })).c;
    const values = fc.record({
      a: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
      b: fc.option(fc.constantFrom('y', 'z'), { nil: undefined }),
      d: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(cond, cond, values, (p, q, v) => {
        const x = Object.fromEntries(Object.entries(v).filter(([, value]) => value !== undefined));
        const outcome = (c: Condition) => {
          const set = compileRules([
            {
              id: 'r',
              version: 1,
              purpose: 'service.x',
              dataCategories: ['user'],
              trigger: { type: 'event', events: ['e'] },
              conditions: c,
              action: { type: 't', channel: 'c', topic: 't.x' },
            },
          ]);
          const rule = set.rules[0]!;
          return set.trace(rule, set.resolve(factsOf({ x }, { x: 'user.misc' }), 0, rule)).outcome;
        };
        expect(outcome(not(not(p)))).toBe(outcome(p));
        expect(outcome(not(all(p, q)))).toBe(outcome(any(not(p), not(q))));
      }),
      { numRuns: 100 },
    );
  });

  it('any input either compiles or throws a typed CandorError', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (junk) => {
        try {
          compileRules([junk as Rule]);
        } catch (error) {
          expect(isCandorError(error)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
