import {
  Action,
  CandorError,
  DataCategoryId,
  JsonValue,
  PurposeId,
  parsers,
  type SafeParseResult,
} from '@candor/core';
import * as z from 'zod/mini';
import { compileRules } from './compile';
import type { RulesErrorCode } from './errors';
import { operators } from './operators';
import type { Condition as ConditionType, Rule as RuleType } from './types';

const durationString = z
  .string()
  .check(z.regex(/^-?\d{1,9}(ms|s|m|h|d|w)$/, 'a duration such as "7d", "90m" or "-7d"'));
const duration = z.union([z.int(), durationString]);
const positiveDuration = z.union([z.int().check(z.positive()), durationString]);
const clockTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM'));
const eventType = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/, 'an event type such as "card.updated"'));
const factPath = z.string().check(
  z.minLength(1),
  z.maxLength(200),
  z.regex(
    /^(?:[A-Za-z_$][A-Za-z0-9_$-]*|\d+)(?:\.(?:[A-Za-z_$][A-Za-z0-9_$-]*|\d+)){0,7}$/,
    'a dot path such as "card.expiresAt"',
  ),
  z.refine(
    (p) => !/(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(p),
    'paths may not reach __proto__, constructor or prototype',
  ),
);
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const factRef = z.strictObject({ fact: factPath });

const factCondition = z.strictObject({
  fact: factPath,
  op: z.enum(operators),
  value: z.optional(z.union([factRef, JsonValue])),
  flags: z.optional(z.string().check(z.regex(/^[imsu]{0,4}$/))),
});

const windowCondition = z.strictObject({
  window: z.strictObject({
    event: eventType,
    within: positiveDuration,
    agg: z.enum(['count', 'sum']),
    field: z.optional(factPath),
    where: z.optional(z.record(factPath, scalar)),
  }),
  category: DataCategoryId,
  op: z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between']),
  value: z.union([z.number(), z.tuple([z.number(), z.number()])]),
});

/**
 * Schema of a condition tree (`all` / `any` / `not` / fact test / window test).
 *
 * @example
 * Condition.parse({ all: [{ fact: 'txn.amount', op: 'gt', value: 500 }] });
 */
export const Condition: z.ZodMiniType<ConditionType> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(Condition).check(z.maxLength(256)) }),
    z.strictObject({ any: z.array(Condition).check(z.maxLength(256)) }),
    z.strictObject({ not: Condition }),
    factCondition,
    windowCondition,
  ]),
) as unknown as z.ZodMiniType<ConditionType>;
/** A condition tree. */
export type Condition = ConditionType;

const trigger = z.union([
  z.strictObject({
    type: z.literal('event'),
    events: z.array(z.union([z.literal('*'), eventType])).check(z.minLength(1), z.maxLength(64)),
  }),
  z.strictObject({
    type: z.literal('relative'),
    fact: factPath,
    offset: duration,
    at: z.optional(clockTime),
    events: z.optional(z.array(eventType).check(z.minLength(1), z.maxLength(64))),
  }),
  z.strictObject({
    type: z.literal('absence'),
    after: eventType,
    expect: eventType,
    within: positiveDuration,
    correlate: z.optional(z.array(factPath).check(z.maxLength(4))),
  }),
]);

const ruleShape = z.strictObject({
  id: z
    .string()
    .check(
      z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/, 'letters, digits and _.:@/-, at most 200'),
    ),
  version: z.union([z.int().check(z.gte(0)), z.string().check(z.minLength(1), z.maxLength(100))]),
  description: z.optional(z.string().check(z.maxLength(2_000))),
  purpose: PurposeId,
  dataCategories: z
    .array(DataCategoryId)
    .check(z.minLength(1, 'a rule must declare the data categories it reads'), z.maxLength(64)),
  trigger,
  conditions: z.optional(Condition),
  action: Action,
  priority: z.optional(z.int().check(z.gte(-1_000_000), z.lte(1_000_000))),
  urgency: z.optional(z.enum(['low', 'normal', 'high', 'critical'])),
  caps: z.optional(
    z
      .array(
        z.strictObject({
          limit: z.int().check(z.gte(1), z.lte(1_000_000)),
          window: z.union([z.literal('calendar_day'), positiveDuration]),
          scope: z.enum(['rule', 'channel', 'topic']),
        }),
      )
      .check(z.maxLength(8)),
  ),
  cooldown: z.optional(positiveDuration),
  dedup: z.optional(
    z.strictObject({
      key: z.string().check(z.minLength(1), z.maxLength(500)),
      ttl: positiveDuration,
    }),
  ),
  exclusionGroup: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  quietHours: z.optional(z.strictObject({ start: clockTime, end: clockTime })),
});

/**
 * Schema of a rule in JSON. `parseRule` also compiles it, so regex safety, depth and size limits
 * and category checks apply too.
 *
 * @example
 * const rule = Rule.parse(JSON.parse(text));
 */
export const Rule = ruleShape as unknown as z.ZodMiniType<RuleType>;
/** A proactive rule as data. */
export type Rule = RuleType;

/**
 * Schema of a rules file: `{ rules: Rule[] }`.
 *
 * @example
 * const file = RuleFile.parse(JSON.parse(text));
 */
export const RuleFile = z.strictObject({
  rules: z.array(ruleShape).check(z.maxLength(100_000)),
}) as unknown as z.ZodMiniType<{
  rules: RuleType[];
}>;
/** A rules file. */
export type RuleFile = { rules: RuleType[] };

const ruleParsers = parsers(Rule, 'rules/invalid_rule', 'rule');
const fileParsers = parsers(RuleFile, 'rules/invalid_rule', '');

/**
 * Validates a rule from JSON (shape via zod, then the compiler's checks: operators, regex safety,
 * paths, depth, size); throws a `rules/*` CandorError naming the rule id and JSON path.
 *
 * @example
 * const rule = parseRule(JSON.parse(readFileSync('card-expiry.json', 'utf8')));
 */
export function parseRule(input: unknown): RuleType {
  const result = ruleParsers.safeParse(input);
  if (!result.success) {
    const id = (input as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') throw result.error;
    throw new CandorError(`rules/invalid_rule`, `rule "${id}": ${result.error.message}`, {
      ...result.error.details,
      ruleId: id,
    });
  }
  const rule = result.data;
  compileRules([rule], { root: 'rule' });
  return rule;
}

/**
 * Like {@link parseRule} but returns `{ success, data | error }`.
 *
 * @example
 * const result = safeParseRule(json);
 * if (!result.success) console.error(result.error.details.path);
 */
export function safeParseRule(input: unknown): SafeParseResult<RuleType, RulesErrorCode> {
  try {
    return { success: true, data: parseRule(input) };
  } catch (error) {
    return { success: false, error: error as never };
  }
}

/**
 * Validates a rules file `{ rules: [...] }` and compiles every rule (ids must be unique).
 *
 * @example
 * const { rules } = parseRuleFile(JSON.parse(text));
 */
export function parseRuleFile(input: unknown): RuleFile {
  const file = fileParsers.parse(input);
  compileRules(file.rules);
  return file;
}

/**
 * JSON Schema (draft 2020-12) of a rule or a rules file, for editors and other languages.
 *
 * @example
 * writeFileSync('rule.schema.json', JSON.stringify(rulesJsonSchema('Rule'), null, 2));
 */
export function rulesJsonSchema(name: 'Rule' | 'RuleFile' = 'Rule'): Record<string, unknown> {
  return z.toJSONSchema(name === 'Rule' ? Rule : RuleFile, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
}
