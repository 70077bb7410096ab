import { isCandorError } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { factsOf, fakeConsent } from '../test/helpers';
import {
  compileRules,
  createRuleEngine,
  fact,
  MAX_MATCH_INPUT,
  type Rule,
  type RuleEvent,
  type Suppression,
} from './index';
import { linearMatcher } from './regex';

const rule = (pattern: string, flags?: string): Rule => ({
  id: 'sku-pattern',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.behavior'],
  trigger: { type: 'event', events: ['order.returned'] },
  conditions:
    flags === undefined
      ? fact('order.sku').matches(pattern)
      : { fact: 'order.sku', op: 'matches', value: pattern, flags },
  action: { type: 'notify', channel: 'email', topic: 'shopping.sizing_guide' },
});

let seq = 0;
const returned = (sku: string): RuleEvent => ({
  id: `evt_${++seq}`,
  type: 'order.returned',
  subject: 'cus_1',
  at: 1_780_000_000_000,
  facts: factsOf({ order: { sku } }, { order: 'user.behavior.returns' }),
});

/** Whether the rule holding `pattern` fires for `sku`, evaluated through the engine. */
const fires = (pattern: string, sku: string, flags?: string): boolean => {
  const engine = createRuleEngine({
    rules: [rule(pattern, flags)],
    consent: fakeConsent({ cus_1: ['service'] }),
  });
  const [outcome] = engine.evaluate(returned(sku));
  return outcome?.kind === 'proposal';
};

const isRegExp = (pattern: string, flags: string): boolean => {
  try {
    return new RegExp(pattern, flags) instanceof RegExp;
  } catch {
    return false;
  }
};

/** The problem `linearMatcher` reports, or the match result for `input`. */
const run = (pattern: string, input: string, flags = ''): boolean => {
  const m = linearMatcher(pattern, flags);
  if (typeof m === 'string') throw new Error(m);
  return m.test(input);
};

describe('matches runs in time linear in its input', () => {
  // Each of these takes a backtracking engine (JavaScript's RegExp) longer than a test run lasts.
  it('a pattern the load-time check accepts cannot stall evaluate()', () => {
    // It matches every string (each a{0,40} may be empty just before the end), as RegExp says
    // for short input; on this one RegExp does not finish within a minute.
    const pattern = 'a{0,40}a{0,40}a{0,40}a{0,40}a{0,40}$';
    expect(new RegExp(pattern).test('aaaa!')).toBe(true);
    expect(() => compileRules([rule(pattern)])).not.toThrow();
    expect(fires(pattern, `${'a'.repeat(200)}!`)).toBe(true);
    expect(fires(`^${pattern}`, `${'a'.repeat(200)}!`)).toBe(false);
    expect(fires(`^${pattern}`, 'a'.repeat(200))).toBe(true);
  }, 5_000);

  it('a?ⁿaⁿ against aⁿ (exponential for a backtracking engine) answers at once', () => {
    const pattern = `^${'a?'.repeat(30)}${'a'.repeat(30)}$`;
    expect(fires(pattern, 'a'.repeat(30))).toBe(true);
    expect(fires(pattern, 'a'.repeat(61))).toBe(false);
  }, 5_000);

  it('classic ReDoS patterns, run by the matcher directly, answer at once on adversarial input', () => {
    const attack = `${'a'.repeat(MAX_MATCH_INPUT - 1)}!`;
    expect(run('(a+)+$', attack)).toBe(false);
    expect(run('(a+)+$', 'a'.repeat(MAX_MATCH_INPUT))).toBe(true);
    expect(run('(a|aa)+$', attack)).toBe(false);
    expect(run('(a|aa)+$', `!${'a'.repeat(100)}`)).toBe(true);
    expect(run('(.*a){12}', `${'a'.repeat(11)}${'b'.repeat(900)}`)).toBe(false);
    expect(run('(.*a){12}', `${'ab'.repeat(12)}`)).toBe(true);
    expect(run('(x+x+)+y', 'x'.repeat(MAX_MATCH_INPUT))).toBe(false);
    expect(run('^(\\w+\\s?)*$', `${'word '.repeat(150)}!`)).toBe(false);
  }, 5_000);

  it('input longer than MAX_MATCH_INPUT is insufficient data, never scanned', () => {
    const engine = createRuleEngine({
      rules: [rule('^a')],
      consent: fakeConsent({ cus_1: ['service'] }),
    });
    const [outcome] = engine.evaluate(returned('a'.repeat(MAX_MATCH_INPUT + 1))) as [Suppression];
    expect(outcome.reason).toBe('insufficient_data');
    expect(fires('^a', 'a'.repeat(MAX_MATCH_INPUT))).toBe(true);
  });
});

describe('patterns the linear-time matcher cannot run are rejected at load', () => {
  const rejected = (pattern: string, flags?: string) => {
    try {
      compileRules([rule(pattern, flags)]);
    } catch (error) {
      expect(isCandorError(error, 'rules/unsafe_regex')).toBe(true);
      expect((error as { details: { path: string; ruleId: string } }).details).toMatchObject({
        path: 'rules[0].conditions.value',
        ruleId: 'sku-pattern',
      });
      return (error as Error).message;
    }
    throw new Error(`expected ${pattern} to be rejected`);
  };

  it('lookahead and lookbehind', () => {
    expect(rejected('a(?=b)')).toMatch(/lookaround/);
    expect(rejected('(?<!a)b')).toMatch(/lookaround/);
  });
  it('named backreferences', () => {
    expect(rejected('(?<x>a)\\k<x>')).toMatch(/backreference/);
  });
  it('repeat counts over 1,000', () => {
    expect(rejected('a{1001}')).toMatch(/repeat count/);
  });
  it('escapes that mean one thing to JavaScript and another to RE2', () => {
    expect(rejected('\\Aabc')).toMatch(/\\A/);
    expect(rejected('\\p{L}')).toMatch(/\\p/);
    expect(rejected('[\\1]')).toMatch(/\\1/);
  });
});

describe('patterns keep their JavaScript meaning', () => {
  it.each([
    ['^\\s$', '\u00a0', '', true],
    ['^\\s$', '\u000b', '', true],
    ['^\\S$', '\u2003', '', false],
    ['^[\\s\\d]+$', ' 1\u3000', '', true],
    ['^[^\\S]$', '\ufeff', '', true],
    ['^[\\S]$', '\u00a0', '', false],
    ['^.$', '\r', '', false],
    ['^.$', '\u2028', '', false],
    ['^.$', '\r', 's', true],
    ['^a.c$', 'a\nc', 's', true],
    ['^b', 'a\nb', 'm', true],
    ['^b', 'a\nb', '', false],
    ['GOLD', 'gold-member', 'i', true],
    ['^caf\\u00e9$', 'café', '', true],
    ['^caf\\u{e9}$', 'café', 'u', true],
    ['^\\p{Lu}', 'Édith', 'u', true],
    ['^\\p{Script=Greek}+$', 'αβγ', 'u', true],
    ['^(?<year>\\d{4})-\\d{2}$', '2026-06', '', true],
    ['^[^]$', '\n', '', true],
    ['[]', 'anything', '', false],
    ['^a\\/b$', 'a/b', '', true],
    ['^[\\w-]+$', 'sku-41_b', '', true],
    ['^[\\d-x]+$', '1-x', '', true],
    ['^\\cJ$', '\n', '', true],
    ['^a{2}$', 'aa', '', true],
    ['^a{,2}$', 'a{,2}', '', true],
    ['^{}$', '{}', '', true],
    ['\\bvip\\b', 'plus vip', '', true],
    ['[\\b]', '\b', '', true],
    ['^\\0$', '\0', '', true],
    ['^[[:alpha:]]$', ':]', '', true],
    ['^[[:alpha:]]$', 'a', '', false],
    ['', 'x', '', true],
  ])('%j on %j (flags %j) is %s', (pattern, input, flags, expected) => {
    expect(new RegExp(pattern, flags).test(input)).toBe(expected);
    expect(run(pattern, input, flags)).toBe(expected);
  });

  it('agrees with RegExp on generated patterns and inputs', () => {
    const atom = fc.constantFrom(
      'a',
      'b',
      'A',
      '\u00e9',
      '.',
      '\\s',
      '\\S',
      '\\d',
      '\\w',
      '\\W',
      '\\b',
      '[ab]',
      '[^a\\s]',
      '[\\s-]',
      '[a-c\\d]',
      '\\.',
      '\\n',
    );
    const quantifier = fc.constantFrom('', '', '?', '*', '+', '{2}', '{0,2}', '{1,}', '*?');
    const piece = fc.tuple(atom, quantifier).map(([a, q]) => a + q);
    const branch = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
    const pattern = fc
      .tuple(
        fc.constantFrom('', '^'),
        fc.array(branch, { minLength: 1, maxLength: 2 }),
        fc.constantFrom('', '', '(?:ab)?', '(b|\\d)'),
        fc.constantFrom('', '$'),
      )
      .map(([start, branches, group, end]) => `${start}(?:${branches.join('|')})${group}${end}`);
    const input = fc
      .array(
        fc.constantFrom(
          'a',
          'b',
          'A',
          'B',
          '\u00e9',
          '\u00c9',
          ' ',
          '\u00a0',
          '\n',
          '\r',
          '1',
          '_',
          '-',
          '.',
        ),
        {
          maxLength: 8,
        },
      )
      .map((cs) => cs.join(''));
    const flags = fc.constantFrom('', 'i', 'm', 's', 'u', 'is', 'imsu');
    fc.assert(
      fc.property(pattern, input, flags, (p, x, f) => {
        fc.pre(isRegExp(p, f));
        // Known difference: with `m`, RE2's ^ and $ take only \n as a line break.
        fc.pre(!(f.includes('m') && /[\r\u2028\u2029]/.test(x)));
        expect(run(p, x, f), `${p} /${f} on ${JSON.stringify(x)}`).toBe(new RegExp(p, f).test(x));
      }),
      { numRuns: 2_000 },
    );
  });
});
