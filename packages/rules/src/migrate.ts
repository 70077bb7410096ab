import type { Action, DataCategoryId, JsonValue, PurposeId } from '@candor/core';
import { requireArray, requireObject, rulesError } from './errors';
import type { Condition, FactCondition, Rule, Trigger } from './types';

/**
 * A json-rules-engine rule as JSON (`new Rule(json)` / `engine.addRule(json)`).
 *
 * @example
 * const jre: JsonRulesEngineRule = { name: 'big', conditions: { all: [{ fact: 'txn', path: '$.amount', operator: 'greaterThan', value: 500 }] }, event: { type: 'big-charge' } };
 */
export interface JsonRulesEngineRule {
  readonly name?: string;
  readonly priority?: number;
  readonly conditions: unknown;
  readonly event: { readonly type: string; readonly params?: Record<string, unknown> };
}

/**
 * What json-rules-engine rules do not say and Candor needs: the purpose and data categories the
 * rules read (required), and optionally the trigger, the action's channel and topic, and a
 * per-fact category map (facts not listed use the first declared category).
 *
 * @example
 * const options: MigrationOptions = { purpose: 'service.fraud_protection', dataCategories: ['user.financial.transactions'] };
 */
export interface MigrationOptions {
  readonly purpose: PurposeId;
  readonly dataCategories: readonly DataCategoryId[];
  /** Default: every event (`*`). */
  readonly trigger?: Trigger;
  /** Default `default`. */
  readonly channel?: string;
  /** Default `migrated`. */
  readonly topic?: string;
  /** Version given to every converted rule; default 1. */
  readonly version?: number | string;
}

const OPERATORS: Record<string, FactCondition['op']> = {
  equal: 'eq',
  notEqual: 'neq',
  lessThan: 'lt',
  lessThanInclusive: 'lte',
  greaterThan: 'gt',
  greaterThanInclusive: 'gte',
  in: 'in',
  notIn: 'notIn',
  contains: 'contains',
  doesNotContain: 'notContains',
};

function jsonPathToDots(path: unknown, ruleId: string, at: string): string {
  if (path === undefined) return '';
  if (typeof path !== 'string' || !path.startsWith('$'))
    throw rulesError(
      'rules/unsupported',
      'only simple JSONPath like "$.a.b[0]" is supported',
      ruleId,
      at,
      path,
    );
  const rest = path.slice(1);
  const segments: string[] = [];
  const re = /\.([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\['([^']+)'\]/y;
  let i = 0;
  while (i < rest.length) {
    re.lastIndex = i;
    const m = re.exec(rest);
    if (m === null)
      throw rulesError(
        'rules/unsupported',
        'only simple JSONPath like "$.a.b[0]" is supported',
        ruleId,
        at,
        path,
      );
    segments.push((m[1] ?? m[2] ?? m[3]) as string);
    i = re.lastIndex;
  }
  return segments.join('.');
}

function convert(c: unknown, ruleId: string, at: string): Condition {
  if (typeof c !== 'object' || c === null)
    throw rulesError('rules/invalid_rule', 'a condition must be an object', ruleId, at, c);
  const o = c as Record<string, unknown>;
  if (Array.isArray(o.all))
    return { all: o.all.map((x, i) => convert(x, ruleId, `${at}.all[${i}]`)) };
  if (Array.isArray(o.any))
    return { any: o.any.map((x, i) => convert(x, ruleId, `${at}.any[${i}]`)) };
  if (o.not !== undefined) return { not: convert(o.not, ruleId, `${at}.not`) };
  if (o.condition !== undefined)
    throw rulesError(
      'rules/unsupported',
      'shared condition references are not supported; inline them',
      ruleId,
      `${at}.condition`,
      o.condition,
    );
  if (typeof o.fact !== 'string')
    throw rulesError(
      'rules/invalid_rule',
      'a condition needs all, any, not or fact',
      ruleId,
      at,
      c,
    );
  if (o.params !== undefined)
    throw rulesError(
      'rules/unsupported',
      "fact params are not supported; pass the fact's value in the event",
      ruleId,
      `${at}.params`,
      o.params,
    );
  const op = OPERATORS[o.operator as string];
  if (op === undefined)
    throw rulesError(
      'rules/unknown_operator',
      `json-rules-engine operator ${JSON.stringify(o.operator)} has no Candor equivalent`,
      ruleId,
      `${at}.operator`,
      o.operator,
    );
  const sub = jsonPathToDots(o.path, ruleId, `${at}.path`);
  const fact = sub === '' ? o.fact : `${o.fact}.${sub}`;
  let value = o.value as JsonValue;
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as Record<string, unknown>).fact === 'string'
  ) {
    const ref = value as Record<string, unknown>;
    const refSub = jsonPathToDots(ref.path, ruleId, `${at}.value.path`);
    value = { fact: refSub === '' ? (ref.fact as string) : `${ref.fact}.${refSub}` };
  }
  return { fact, op, value };
}

/**
 * Converts json-rules-engine rules (all/any/not, fact/operator/value/path, priority, event) into
 * Candor rules. Operators map one to one (`greaterThanInclusive` → `gte`, `doesNotContain` →
 * `notContains`, …); JSONPath `path`s become dot paths; `event.type` and `event.params` become
 * the action's template key and params. Unsupported features throw `rules/unsupported`.
 *
 * @example
 * const rules = fromJsonRulesEngine(jreRules, { purpose: 'service.fraud_protection', dataCategories: ['user.financial.transactions'] });
 */
export function fromJsonRulesEngine(
  rules: readonly JsonRulesEngineRule[],
  options: MigrationOptions,
): Rule[] {
  requireArray(rules, 'rules');
  requireObject(options, 'options');
  const seen = new Map<string, number>();
  return rules.map((r, index) => {
    const at = `rules[${index}]`;
    let id =
      typeof r?.name === 'string' && r.name.length > 0
        ? r.name.replace(/[^A-Za-z0-9_.:@/-]/g, '-')
        : `rule-${index + 1}`;
    if (!/^[A-Za-z0-9]/.test(id)) id = `r${id}`;
    id = id.slice(0, 190);
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    if (n > 0) id = `${id}-${n + 1}`;
    if (typeof r !== 'object' || r === null || typeof r.event?.type !== 'string')
      throw rulesError(
        'rules/invalid_rule',
        'a json-rules-engine rule needs conditions and event.type',
        id,
        at,
        r,
      );
    const action: Action = {
      type: r.event.type.slice(0, 100) || 'event',
      channel: options.channel ?? 'default',
      topic: options.topic ?? 'migrated',
      templateKey: r.event.type.slice(0, 200) || 'event',
      ...(r.event.params === undefined
        ? {}
        : { params: r.event.params as Record<string, JsonValue> }),
    };
    const conditions = convert(r.conditions, id, `${at}.conditions`);
    const priority = r.priority ?? 1;
    return {
      id,
      version: options.version ?? 1,
      purpose: options.purpose,
      dataCategories: [...options.dataCategories],
      trigger: options.trigger ?? { type: 'event', events: ['*'] },
      conditions,
      action,
      priority,
    };
  });
}
