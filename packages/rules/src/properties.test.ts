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
  type Rule,
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
