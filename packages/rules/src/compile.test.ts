import { isCandorError, isWithin } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factsOf, fakeConsent } from '../test/helpers';
import type { Condition, Rule, RuleEvent } from './index';
import { all, any, compileRules, count, createRuleEngine, fact, not, ref } from './index';

const base = (conditions: Condition | undefined, extra: Partial<Rule> = {}): Rule => ({
  id: 'r1',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial'],
  trigger: { type: 'event', events: ['e'] },
  ...(conditions === undefined ? {} : { conditions }),
  action: { type: 'notify', channel: 'email', topic: 'billing.x' },
  ...extra,
});

const event = (
  values: Record<string, unknown>,
  at = 1_780_000_000_000,
  category = 'user.financial.card',
): RuleEvent => ({
  id: 'e1',
  type: 'e',
  subject: 's',
  at,
  facts: factsOf(values, Object.fromEntries(Object.keys(values).map((k) => [k, category]))),
});

const fires = (c: Condition, values: Record<string, unknown>, at?: number) =>
  compileRules([base(c)]).match(event(values, at)).length === 1;

function rejects(rule: unknown, code: string, path: string) {
  try {
    compileRules([rule as Rule]);
  } catch (error) {
    expect(isCandorError(error, code)).toBe(true);
    expect((error as { details: { path: string } }).details.path).toBe(path);
    expect((error as { details: { ruleId?: string } }).details.ruleId).toBe((rule as Rule).id);
    return;
  }
  throw new Error('expected a rejection');
}

describe('operators', () => {
  const card = { card: { n: 5, s: 'gold-member', tags: ['a', 'b'], at: '2026-06-30', nil: null } };
  it.each([
    [fact('card.n').eq(5), true],
    [fact('card.n').neq(5), false],
    [fact('card.n').gt(4), true],
    [fact('card.n').gte(6), false],
    [fact('card.n').lt(6), true],
    [fact('card.n').lte(4), false],
    [fact('card.n').in([1, 5]), true],
    [fact('card.n').notIn([1, 5]), false],
    [fact('card.tags').contains('b'), true],
    [fact('card.tags').notContains('b'), false],
    [fact('card.s').contains('member'), true],
    [fact('card.s').contains('silver'), false],
    [fact('card.s').notContains('silver'), true],
    [fact('card.n').contains(5), false],
    [fact('card.n').notContains(5), false],
    [fact('card.tags').contains(null), false],
    [fact('card.tags').notContains('c'), true],
    [fact('card.s').contains(5), false],
    [fact('card.s').notContains(5), true],
    [fact('card.s').startsWith('gold'), true],
    [fact('card.n').between(5, 9), true],
    [fact('card.n').between(6, 9), false],
    [fact('card.nil').exists(), true],
    [fact('card.missing').exists(false), true],
    [fact('card.s').matches('^GOLD-', 'i'), true],
    [fact('card.s').matches('^silver'), false],
    [fact('card.at').daysUntil(0, 30), true],
    [fact('card.at').daysUntil(0, 10), false],
    [fact('card.at').before('2026-07-01T00:00:00Z'), true],
    [fact('card.at').after('2026-07-01T00:00:00Z'), false],
    [fact('card.n').gt('4'), false],
  ] as const)('%j → %s', (condition, expected) => {
    expect(fires(condition, card, Date.parse('2026-06-10T00:00:00Z'))).toBe(expected);
  });

  it('withinLast compares against the event time', () => {
    const at = Date.parse('2026-06-10T00:00:00Z');
    expect(fires(fact('card.seen').withinLast('2d'), { card: { seen: at - 3_600_000 } }, at)).toBe(
      true,
    );
    expect(
      fires(fact('card.seen').withinLast('2d'), { card: { seen: at - 3 * 86_400_000 } }, at),
    ).toBe(false);
  });

  it('compares with another fact through { fact }', () => {
    expect(fires(fact('card.a').neq(ref('card.b')), { card: { a: 'DE', b: 'FR' } })).toBe(true);
    expect(fires(fact('card.a').gt(ref('card.b')), { card: { a: 1, b: 2 } })).toBe(false);
  });
});

describe('three-valued logic and missing data', () => {
  it('a missing fact is insufficient data, never a crash, and not(missing) does not fire', () => {
    const set = compileRules([base(not(fact('card.nope').eq(1)))]);
    expect(set.match(event({ card: {} }))).toEqual([]);
    const [m] = compileRules([base(any(fact('card.nope').eq(1), fact('card.n').eq(1)))]).match(
      event({ card: { n: 1 } }),
      { trace: true },
    );
    expect(m?.trace?.outcome).toBe('pass');
  });

  it('traces say which condition failed and with what value', () => {
    const set = compileRules([base(all(fact('card.n').gt(1), fact('card.s').eq('x')))]);
    const rule = set.rules[0]!;
    const slots = set.resolve(event({ card: { n: 5, s: 'y' } }).facts, 0, rule);
    const trace = set.trace(rule, slots);
    expect(trace.outcome).toBe('fail');
    expect(trace.children?.[1]).toMatchObject({
      path: 'conditions.all[1]',
      outcome: 'fail',
      actual: 'y',
      expected: 'x',
    });
  });

  it("reads only facts within the rule's declared categories", () => {
    const set = compileRules([base(fact('card.n').eq(5))]);
    expect(set.match(event({ card: { n: 5 } }, undefined, 'user.financial.card')).length).toBe(1);
    expect(set.match(event({ card: { n: 5 } }, undefined, 'user.health.condition')).length).toBe(0);
  });

  it('never reads inherited properties', () => {
    expect(fires(fact('card.toString').exists(), { card: {} })).toBe(false);
    expect(fires(fact('card.length').eq(2), { card: ['a', 'b'] })).toBe(true);
  });
});

describe('index', () => {
  it('finds candidates by trigger type, with * for every event', () => {
    const set = compileRules([
      base(undefined, { id: 'a', trigger: { type: 'event', events: ['x'] } }),
      base(undefined, { id: 'b', trigger: { type: 'event', events: ['*'] } }),
      base(undefined, { id: 'c', trigger: { type: 'event', events: ['y'] } }),
    ]);
    expect(set.candidates('x').map((r) => r.id)).toEqual(['a', 'b']);
    expect(set.candidates('z').map((r) => r.id)).toEqual(['b']);
  });
});

describe('actions', () => {
  it('null is not a default: priority and urgency must be absent or valid', () => {
    rejects(
      base(undefined, { priority: null as never }),
      'rules/invalid_rule',
      'rules[0].priority',
    );
    rejects(base(undefined, { urgency: null as never }), 'rules/invalid_rule', 'rules[0].urgency');
  });

  it('may be marked critical, as core Action allows', () => {
    const critical = base(undefined, {
      action: { type: 'verify', channel: 'push', topic: 'security.x', critical: true },
    });
    expect(compileRules([critical]).get('r1')?.rule.action.critical).toBe(true);
    rejects(
      { ...critical, action: { ...critical.action, critical: 'yes' } },
      'rules/invalid_rule',
      'rules[0].action.critical',
    );
  });
});

describe('bad input is rejected at load with the rule id and JSON path', () => {
  it('unknown operator', () =>
    rejects(
      base({ fact: 'a', op: 'like' as never, value: 1 }),
      'rules/unknown_operator',
      'rules[0].conditions.op',
    ));
  it('nested quantifiers', () =>
    rejects(
      base({ all: [{ fact: 'a', op: 'matches', value: '(a+)+$' }] }),
      'rules/unsafe_regex',
      'rules[0].conditions.all[0].value',
    ));
  it('alternation under a quantifier', () =>
    rejects(
      base(fact('a').matches('(x|xy)*z')),
      'rules/unsafe_regex',
      'rules[0].conditions.value',
    ));
  it('backreferences', () =>
    rejects(base(fact('a').matches('(a)\\1')), 'rules/unsafe_regex', 'rules[0].conditions.value'));
  it('stateful flags', () =>
    rejects(
      base({ fact: 'a', op: 'matches', value: 'a', flags: 'g' }),
      'rules/unsafe_regex',
      'rules[0].conditions.value',
    ));
  it('quiet hours that start when they end (no quiet hours at all)', () => {
    rejects(
      base(undefined, { quietHours: { start: '22:00', end: '22:00' } }),
      'rules/invalid_rule',
      'rules[0].quietHours.end',
    );
    expect(() =>
      createRuleEngine({
        rules: [base(undefined)],
        consent: fakeConsent({}),
        quietHours: { start: '07:00', end: '07:00' },
      }),
    ).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ path: 'options.quietHours.end' }),
      }),
    );
  });
  it('__proto__ paths', () =>
    rejects(base(fact('card.__proto__.x').eq(1)), 'rules/unsafe_path', 'rules[0].conditions.fact'));
  it('constructor in a right-hand fact', () =>
    rejects(
      base(fact('a').eq(ref('constructor.name'))),
      'rules/unsafe_path',
      'rules[0].conditions.value.fact',
    ));
  it('too deep', () => {
    let c: Condition = fact('a').eq(1);
    for (let i = 0; i < 20; i++) c = not(c);
    rejects(base(c), 'rules/too_deep', `rules[0].conditions${'.not'.repeat(16)}`);
  });
  it('too large', () =>
    rejects(
      base(all(...Array.from({ length: 600 }, () => fact('a').eq(1)))),
      'rules/too_large',
      'rules[0].conditions.all',
    ));
  it('cycles', () => {
    const c: { all: Condition[] } = { all: [] };
    c.all.push(c);
    rejects(base(c), 'rules/cycle', 'rules[0].conditions.all[0]');
  });
  it('a cycle below a shared, acyclic subcondition', () => {
    const shared = fact('card.n').gt(1);
    const loop: { any: Condition[] } = { any: [shared] };
    loop.any.push(not(loop as Condition) as Condition);
    rejects(base(all(shared, loop)), 'rules/cycle', 'rules[0].conditions.all[1].any[1].not');
  });
  it('accepts one subcondition used twice (not a cycle)', () => {
    const shared = fact('card.n').gt(1);
    const c = all(shared, any(shared, fact('card.s').eq('x')), not(shared));
    expect(fires(c, { card: { n: 5, s: 'y' } })).toBe(false);
    expect(compileRules([base(c)]).get('r1')?.specificity).toBe(4);
  });
  it('values that are not JSON', () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    rejects(
      base({ fact: 'a', op: 'eq', value: cyclic } as unknown as Condition),
      'rules/invalid_rule',
      'rules[0].conditions.value',
    );
    rejects(
      base({ fact: 'a', op: 'eq', value: JSON.parse('{"__proto__": 1}') } as Condition),
      'rules/invalid_rule',
      'rules[0].conditions.value',
    );
    rejects(
      base({ fact: 'a', op: 'eq', value: [{ at: new Date(0) }] } as unknown as Condition),
      'rules/invalid_rule',
      'rules[0].conditions.value',
    );
    expect(() =>
      compileRules([base({ fact: 'a', op: 'eq', value: [[1], { b: [2, null] }] })]),
    ).not.toThrow();
  });
  it('an unknown key in a nested condition', () =>
    rejects(
      base(all(fact('a').eq(1), { fact: 'b', op: 'eq', value: 1, note: 'x' } as Condition)),
      'rules/invalid_rule',
      'rules[0].conditions.all[1].note',
    ));
  it('a missing purpose', () =>
    rejects({ ...base(undefined), purpose: undefined }, 'rules/invalid_rule', 'rules[0].purpose'));
  it('no data categories', () =>
    rejects(
      { ...base(undefined), dataCategories: [] },
      'rules/invalid_rule',
      'rules[0].dataCategories',
    ));
  it('a window outside the declared categories', () =>
    rejects(
      base(count('order.returned', '30d', 'user.behavior.returns').gte(2)),
      'rules/invalid_rule',
      'rules[0].conditions.category',
    ));
  it('an unknown key', () =>
    rejects({ ...base(undefined), colour: 'red' }, 'rules/invalid_rule', 'rules[0].colour'));
  it('duplicate ids', () => {
    expect(() => compileRules([base(undefined), base(undefined)])).toThrow(/appears twice/);
  });
  it('accepts safe patterns', () => {
    expect(() => compileRules([base(fact('a').matches('^[A-Z]{2}\\d+(-[a-z]+)?$'))])).not.toThrow();
  });
  it('caps matches input length', () => {
    expect(fires(fact('card.s').matches('a'), { card: { s: 'a'.repeat(2_000) } })).toBe(false);
  });
});

describe('match', () => {
  it('records traces of fired rules, rendered on read and included in JSON', () => {
    const set = compileRules([base(all(fact('card.n').gt(1), fact('card.s').eq('x')))]);
    const [m] = set.match(event({ card: { n: 5, s: 'x' } }), { trace: true });
    const json = JSON.parse(JSON.stringify(m));
    expect(json.trace).toMatchObject({
      outcome: 'pass',
      children: [{ actual: 5 }, { actual: 'x' }],
    });
  });

  it('the threshold index never changes what fires', () => {
    const ops = ['gt', 'gte', 'lt', 'lte'] as const;
    const rules = Array.from({ length: 60 }, (_, i) =>
      base(
        i % 3 === 0
          ? fact('card.n')[ops[i % 4]!](i % 11)
          : all(fact('card.n')[ops[i % 4]!](i % 7), fact('card.m').lt(i % 5)),
        { id: `r${i}` },
      ),
    );
    const set = compileRules(rules);
    for (let n = -1; n <= 12; n++) {
      for (const m of [0, 3, 9]) {
        const e = event({ card: { n, m } });
        const slots = set.resolve(e.facts, e.at, set.rules[0]!);
        const naive = set.rules.filter((r) => r.fn(slots.values) === 1).map((r) => r.id);
        expect(set.match(e).map((x) => x.ruleId)).toEqual(naive);
      }
    }
    expect(set.match(event({ card: { n: 'five' } }))).toEqual([]);
  });

  it('gates read each rule through its own data categories', () => {
    const num = fc.integer({ min: 0, max: 4 });
    const str = fc.constantFrom('a', 'b');
    const leaf: fc.Arbitrary<Condition> = fc.oneof(
      num.map((k) => fact('card.n').gte(k)),
      num.map((k) => fact('acct.n').lt(k)),
      str.map((k) => fact('card.s').eq(k)),
      str.map((k) => fact('acct.s').neq(k)),
      str.map((k) => not(fact('acct.s').in([k]))),
    );
    const cond = fc.oneof(
      leaf,
      fc.array(leaf, { minLength: 1, maxLength: 3 }).map((xs) => all(...xs)),
      fc.array(leaf, { minLength: 1, maxLength: 3 }).map((xs) => any(...xs)),
      fc
        .tuple(leaf, fc.array(leaf, { minLength: 1, maxLength: 2 }))
        .map(([a, xs]) => all(a, any(...xs))),
    );
    const categories = fc.constantFrom(
      ['user.financial'],
      ['user.financial.card'],
      ['user.financial.account'],
    );
    const value = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const side = fc.record({ n: value(num), s: value(str) });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cond, categories), { minLength: 1, maxLength: 10 }),
        side,
        side,
        (specs, card, acct) => {
          const set = compileRules(
            specs.map(([c, dataCategories], i) => base(c, { id: `r${i}`, dataCategories })),
          );
          const strip = (o: object) =>
            Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
          const e: RuleEvent = {
            id: 'e1',
            type: 'e',
            subject: 's',
            at: 1_780_000_000_000,
            facts: factsOf(
              { card: strip(card), acct: strip(acct) },
              { card: 'user.financial.card', acct: 'user.financial.account' },
            ),
          };
          // Each rule alone, on only the facts its categories cover, must agree.
          const naive = set.rules
            .filter((r) => {
              const facts = e.facts.filter((f) =>
                r.rule.dataCategories.some((c) => isWithin(f.category, c)),
              );
              return compileRules([r.rule]).match({ ...e, facts }).length === 1;
            })
            .map((r) => r.id);
          expect(set.match(e).map((x) => x.ruleId)).toEqual(naive);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('equality, negative and `any` gates never change what fires', () => {
    const num = fc.integer({ min: -2, max: 6 });
    const str = fc.constantFrom('a', 'b', 'c');
    const leaf: fc.Arbitrary<Condition> = fc.oneof(
      num.map((k) => fact('card.n').gt(k)),
      num.map((k) => fact('card.n').lte(k)),
      fc.tuple(num, num).map(([a, b]) => fact('card.m').between(Math.min(a, b), Math.max(a, b))),
      str.map((k) => fact('card.s').eq(k)),
      str.map((k) => fact('card.s').neq(k)),
      fc.uniqueArray(str, { minLength: 1 }).map((k) => fact('card.s').in(k)),
      fc.array(str, { minLength: 1, maxLength: 3 }).map((k) => fact('card.t').notIn(k)),
      fc.boolean().map((k) => fact('card.b').eq(k)),
      fc.boolean().map((k) => not(fact('card.b').eq(k))),
      num.map((k) => fact('card.n').eq(k)),
      str.map((k) => fact('card.l').contains(k)),
      str.map((k) => fact('card.l').notContains(k)),
    );
    const cond = fc.letrec<{ c: Condition }>((tie) => ({
      c: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('c'), { minLength: 1, maxLength: 4 }).map((xs) => all(...xs)),
        fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((xs) => any(...xs)),
        tie('c').map((x) => not(x)),
      ),
    })).c;
    const value = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const card = fc.record({
      n: value(fc.oneof(num, fc.constant(Number.NaN), str)),
      m: value(num),
      s: value(fc.oneof(str, num)),
      t: value(str),
      b: value(fc.oneof(fc.boolean(), str)),
      l: value(fc.oneof(fc.array(str, { maxLength: 3 }), str, num)),
    });
    fc.assert(
      fc.property(
        fc.array(cond, { minLength: 1, maxLength: 12 }),
        fc.array(card, { minLength: 1, maxLength: 4 }),
        (conds, cards) => {
          const set = compileRules(conds.map((c, i) => base(c, { id: `r${i}` })));
          for (const c of cards) {
            const e = event({
              card: Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)),
            });
            const slots = set.resolve(e.facts, e.at, set.rules[0]!);
            const naive = set.rules.filter((r) => r.fn(slots.values) === 1).map((r) => r.id);
            expect(set.match(e).map((x) => x.ruleId)).toEqual(naive);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('compiled rules', () => {
  it('list the fact paths they read: conditions first, then the dedup key and the trigger', () => {
    const rule = base(all(fact('card.n').gt(ref('card.m')), fact('card.n').lt(9)), {
      trigger: { type: 'relative', fact: 'card.expiresAt', offset: '-7d' },
      dedup: { key: '{subject}:{card.id}', ttl: '1d' },
    });
    const compiled = compileRules([rule]).get('r1');
    expect(compiled?.paths).toEqual(['card.n', 'card.m', 'card.id', 'card.expiresAt']);
    expect(compiled?.specificity).toBe(2);
  });
});

describe('rules at the gate limit', () => {
  it('fire exactly when their 32 gate leaves (negative ones included) all hold', () => {
    const range = Array.from({ length: 16 }, (_, i) => i);
    const rules = [
      // 16 negative and 16 threshold leaves: every one is a gate.
      base(
        all(
          ...range.map((i) => fact('card.n').neq(100 + i)),
          ...range.map((i) => fact('card.n').gt(-i)),
        ),
        {
          id: 'own',
        },
      ),
      // One own gate plus an `any` of 31 one-leaf alternatives, all of which may hold at once.
      base(
        all(
          fact('card.m').neq(7),
          any(...Array.from({ length: 31 }, (_, i) => fact('card.n').lt(200 + i))),
        ),
        { id: 'alternatives' },
      ),
    ];
    const set = compileRules(rules);
    const fired = (card: Record<string, unknown>) =>
      set.match(event({ card })).map((m) => m.ruleId);
    expect(fired({ n: 1, m: 0 })).toEqual(['own', 'alternatives']);
    expect(fired({ n: 1, m: 7 })).toEqual(['own']);
    expect(fired({ n: 0, m: 7 })).toEqual([]);
    expect(fired({ n: 105, m: 0 })).toEqual(['alternatives']);
    expect(fired({ n: 230, m: 0 })).toEqual(['own']);
    expect(fired({ n: -1, m: 0 })).toEqual(['alternatives']);
    expect(fired({ m: 0 })).toEqual([]);
  });
});
