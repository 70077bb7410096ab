import { isCandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';
import {
  all,
  any,
  count,
  defineRule,
  fact,
  not,
  parseRule,
  parseRuleFile,
  type Rule,
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
