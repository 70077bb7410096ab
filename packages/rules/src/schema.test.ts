import { isCandorError } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  all,
  any,
  compileRules,
  count,
  defineRule,
  fact,
  not,
  parseRule,
  parseRuleFile,
  type Rule,
  Rule as RuleSchema,
  rulesJsonSchema,
  safeParseRule,
} from './index';

const built = defineRule({
  id: 'sizing-guide',
  version: 3,
  purpose: 'service.proactive_support',
  dataCategories: ['user.behavior.returns'],
  trigger: { type: 'event', events: ['order.returned'] },
  conditions: all(
    count('order.returned', '60d', 'user.behavior.returns', { 'return.reason': 'size' }).gte(2),
    any(fact('return.sku').startsWith('boot'), not(fact('return.size').in([40, 41]))),
  ),
  action: {
    type: 'notify',
    channel: 'email',
    topic: 'shopping.sizing_guide',
    templateKey: 'sizing-guide',
  },
  cooldown: '30d',
  caps: [{ limit: 1, window: 'calendar_day', scope: 'channel' }],
  quietHours: { start: '21:00', end: '08:00' },
});

describe('JSON format', () => {
  it('the builder output round-trips through JSON and parseRule unchanged', () => {
    const json: unknown = JSON.parse(JSON.stringify(built));
    expect(parseRule(json)).toEqual(built);
    expect(parseRuleFile({ rules: [json] }).rules).toHaveLength(1);
  });

  it('names the path of a malformed field', () => {
    const result = safeParseRule({ ...built, purpose: 'Not A Purpose' });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.error.code).toBe('rules/invalid_rule');
      expect(result.error.details.path).toBe('rule.purpose');
      expect(result.error.details.ruleId).toBe('sizing-guide');
    }
  });

  it("applies the compiler's safety checks to JSON too", () => {
    const evil = {
      ...built,
      conditions: { fact: 'return.sku', op: 'matches', value: '(a*)*b' },
    } as Rule;
    expect(() => parseRule(evil)).toThrow(expect.objectContaining({ code: 'rules/unsafe_regex' }));
    const proto = { ...built, conditions: { fact: '__proto__.polluted', op: 'exists' } } as Rule;
    const result = safeParseRule(proto);
    expect(!result.success && isCandorError(result.error)).toBe(true);
  });

  it('exports a JSON Schema that requires purpose and data categories', () => {
    const schema = rulesJsonSchema('Rule') as {
      required?: string[];
      properties?: Record<string, unknown>;
    };
    expect(schema.required).toEqual(
      expect.arrayContaining(['id', 'version', 'purpose', 'dataCategories', 'trigger', 'action']),
    );
    expect(Object.keys(schema.properties ?? {})).toContain('quietHours');
    expect(JSON.stringify(rulesJsonSchema('RuleFile'))).toContain('"rules"');
  });
});

/** What a validator said about a rule: accepted, or the code and path (relative to the rule). */
type Verdict = { ok: true } | { ok: false; code: string; path: string };

function verdict(run: () => unknown, prefix: string): Verdict {
  try {
    run();
    return { ok: true };
  } catch (error) {
    if (!isCandorError(error)) throw error;
    const path = String((error.details as { path?: unknown }).path);
    expect(path.startsWith(prefix), `${path} starts with ${prefix}`).toBe(true);
    return { ok: false, code: error.code, path: path.slice(prefix.length) };
  }
}

/** JSON text, parsed: how rules arrive, and the only way to get an own `__proto__` key. */
const json = (text: string): unknown => JSON.parse(text);

const badPaths = [
  '__proto__',
  'a.__proto__',
  'constructor',
  'a.constructor.name',
  'prototype.x',
  '',
  'a..b',
  '.a',
  'a b',
  'a.b.c.d.e.f.g.h.i',
  'x'.repeat(65),
  '1234567',
  'é',
];
const badRegexes = [
  '(a+)+$',
  '(a|aa)+$',
  '(.*a){12}',
  'a(?=b)',
  '(?<!a)b',
  '(a)\\1',
  'a{1001}',
  '[',
  '\\A',
  'a'.repeat(257),
];
const anyValue = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    undefined,
    0,
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'x',
    '7d',
    '-7d',
    '0d',
    '25:00',
    '*',
    true,
    [],
    {},
    [1, 2],
    [2, 1],
    json('{"__proto__": {"polluted": 1}}'),
    json('{"constructor": {"prototype": {"polluted": 1}}}'),
  ),
  fc.constantFrom(...badPaths),
  fc.constantFrom(...badRegexes),
);

const leaf = fc.oneof(
  fc.record({
    fact: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('order.sku', 'order.size', 'return.reason') },
      fc.constantFrom(...badPaths),
    ),
    op: fc.constantFrom('eq', 'gt', 'in', 'matches', 'exists', 'between', 'like', '__proto__'),
    value: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom<unknown>(
          1,
          'boot',
          '^b',
          [1, 2],
          { fact: 'order.size' },
          { fact: '__proto__' },
        ),
      },
      fc.constantFrom(...badRegexes),
      anyValue,
    ),
  }),
  fc.record({
    fact: fc.constant('order.sku'),
    op: fc.constant('matches'),
    value: fc.constant('^b'),
    flags: fc.constantFrom('i', 'g', 'ii', 'x', 7),
  }),
);
const windowed = fc.record({
  window: fc.record(
    {
      event: fc.constantFrom('order.returned', 'order.returned', '*', 'bad type', 7),
      within: fc.constantFrom<unknown>('60d', '60d', '0d', '-1d', 0, 'soon'),
      agg: fc.constantFrom('count', 'count', 'sum', 'avg'),
      field: fc.oneof(
        { weight: 4, arbitrary: fc.constant('return.amount') },
        fc.constantFrom(...badPaths),
      ),
      where: fc.oneof(
        { weight: 4, arbitrary: fc.constant<unknown>({ 'return.reason': 'size' }) },
        fc.constantFrom<unknown>(
          json('{"__proto__": "size"}'),
          json('{"constructor.name": "x"}'),
          { 'return.reason': { nested: true } },
          [],
        ),
        fc.dictionary(
          fc.constantFrom(...badPaths, 'ok.path'),
          fc.constantFrom<unknown>('x', 1, null, []),
        ),
      ),
    },
    { requiredKeys: ['event', 'within', 'agg'] },
  ),
  category: fc.constantFrom(
    'user.behavior.returns',
    'user.behavior.returns',
    'user.financial',
    'Not A Category',
  ),
  op: fc.constantFrom('gte', 'gte', 'between', 'matches'),
  value: fc.constantFrom<unknown>(2, 2, [1, 3], [3, 1], 'two', Number.NaN),
});
const condition = fc.letrec<{ c: unknown }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: leaf },
    { weight: 2, arbitrary: windowed },
    fc.record({ all: fc.array(tie('c'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('c'), { maxLength: 3 }) }),
    fc.record({ not: tie('c') }),
    anyValue,
    fc.constant(json('{"__proto__": {"fact": "a", "op": "exists"}}')),
  ),
})).c;

/** `arb` one time in four, otherwise nothing. */
const rarely = <T>(arb: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> =>
  fc.oneof({ weight: 3, arbitrary: fc.constant([] as T[]) }, { weight: 1, arbitrary: arb });

const valid = (): Record<string, unknown> => JSON.parse(JSON.stringify(built));
const topKeys = [
  'id',
  'version',
  'purpose',
  'dataCategories',
  'trigger',
  'conditions',
  'action',
  'priority',
  'urgency',
  'caps',
  'cooldown',
  'dedup',
  'exclusionGroup',
  'quietHours',
  '__proto__',
  'constructor',
  'extra',
];
/** A valid rule with some fields replaced by arbitrary values and its conditions regenerated. */
const ruleish = fc
  .tuple(
    condition,
    rarely(
      fc.array(fc.tuple(fc.constantFrom(...topKeys), anyValue), { minLength: 1, maxLength: 2 }),
    ),
    rarely(
      fc.array(
        fc.tuple(
          fc.constantFrom('trigger', 'action', 'dedup', 'quietHours', 'caps.0'),
          fc.constantFrom(
            'type',
            'events',
            'fact',
            'offset',
            'at',
            'key',
            'ttl',
            'start',
            'end',
            'limit',
            'window',
            'topic',
            'params',
            '__proto__',
          ),
          anyValue,
        ),
        { minLength: 1, maxLength: 2 },
      ),
    ),
  )
  .map(([conditions, top, nested]) => {
    const r = valid();
    r.conditions = conditions;
    for (const [k, v] of top)
      Object.defineProperty(r, k, {
        value: v,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    for (const [where, k, v] of nested) {
      const [a, b] = where.split('.') as [string, string | undefined];
      let target = r[a] as Record<string, unknown> | undefined;
      if (b !== undefined && Array.isArray(target))
        target = target[Number(b)] as Record<string, unknown>;
      if (typeof target === 'object' && target !== null)
        Object.defineProperty(target, k, {
          value: v,
          enumerable: true,
          configurable: true,
          writable: true,
        });
    }
    return r;
  });

describe('parseRule and compileRules share one validator', () => {
  it('accept and reject the same rules, with the same code and path', () => {
    fc.assert(
      fc.property(ruleish, (input) => {
        const parsed = verdict(() => parseRule(input), 'rule');
        const compiled = verdict(() => compileRules([input as unknown as Rule]), 'rules[0]');
        expect(parsed).toEqual(compiled);
        const inFile = verdict(() => parseRuleFile({ rules: [input] }), 'rules[0]');
        expect(inFile).toEqual(compiled);
        expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      }),
      { numRuns: 3_000 },
    );
  });

  it('every rule they accept is valid against the published schema (JSON Schema for editors)', () => {
    fc.assert(
      fc.property(ruleish, (input) => {
        if (safeParseRule(input).success) expect(RuleSchema.safeParse(input).success).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('a __proto__ key in a window filter is an unsafe path to both', () => {
    const input = {
      ...built,
      conditions: json(
        '{"window": {"event": "order.returned", "within": "60d", "agg": "count", "where": {"__proto__": "size"}}, "category": "user.behavior.returns", "op": "gte", "value": 2}',
      ),
    };
    const expected = {
      ok: false,
      code: 'rules/unsafe_path',
      path: '.conditions.window.where.__proto__',
    };
    expect(verdict(() => parseRule(input), 'rule')).toEqual(expected);
    expect(verdict(() => compileRules([input as unknown as Rule]), 'rules[0]')).toEqual(expected);
  });
});
