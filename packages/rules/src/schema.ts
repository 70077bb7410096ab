import {
  Action,
  DataCategoryId,
  isContextCategory,
  isDottedId,
  JsonValue,
  PurposeId,
  type SafeParseResult,
} from '@candor/core';
import * as z from 'zod/mini';
import { compileRules } from './compile';
import { checkRule } from './compile/rule';
import { type RulesErrorCode, rulesError } from './errors';
import { operators } from './operators';
import type { Condition as ConditionType, Rule as RuleType } from './types';

// The schemas are built on first use, not at import: zod calls at module level would keep zod
// in every bundle that imports one small helper (`fact`) from the package.
function buildSchemas() {
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
  const Condition: z.ZodMiniType<ConditionType> = z.lazy(() =>
    z.union([
      z.strictObject({ all: z.array(Condition).check(z.maxLength(256)) }),
      z.strictObject({ any: z.array(Condition).check(z.maxLength(256)) }),
      z.strictObject({ not: Condition }),
      factCondition,
      windowCondition,
    ]),
  ) as unknown as z.ZodMiniType<ConditionType>;

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
      from: z.optional(factPath),
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
    change: z.optional(
      z.strictObject({
        type: z.string().check(z.refine(isDottedId, 'a change type such as "booking.rebook"')),
        purpose: PurposeId,
        undoWithin: positiveDuration,
      }),
    ),
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
    contextual: z.optional(
      z.strictObject({
        dataCategories: z
          .array(
            DataCategoryId.check(
              z.refine(isContextCategory, 'a context category such as "context.weather"'),
            ),
          )
          .check(z.minLength(1), z.maxLength(16)),
        conditions: z.optional(Condition),
        action: Action,
      }),
    ),
  });
  const RuleFile = z.strictObject({
    rules: z.array(ruleShape).check(z.maxLength(100_000)),
  }) as unknown as z.ZodMiniType<{
    rules: RuleType[];
  }>;
  return {
    Condition,
    Rule: ruleShape as unknown as z.ZodMiniType<RuleType>,
    RuleFile,
  };
}

let built: ReturnType<typeof buildSchemas> | undefined;
const schemas = () => {
  built ??= buildSchemas();
  return built;
};

/**
 * Schema of a condition tree (`all` / `any` / `not` / fact test / window test).
 *
 * @example
 * Condition.parse({ all: [{ fact: 'txn.amount', op: 'gt', value: 500 }] });
 */
export const Condition: z.ZodMiniType<ConditionType> = /* @__PURE__ */ (() =>
  schemas().Condition)();
/** A condition tree. */
export type Condition = ConditionType;

/**
 * Schema of a rule in JSON, for editors and other languages (see {@link rulesJsonSchema}). Every
 * rule `parseRule` accepts satisfies it; `parseRule` checks more (regex safety, paths, depth and
 * size limits, categories), so validate with `parseRule`, not with this schema alone.
 *
 * @example
 * const valid = Rule.safeParse(JSON.parse(text)).success;
 */
export const Rule: z.ZodMiniType<RuleType> = /* @__PURE__ */ (() => schemas().Rule)();
/** A proactive rule as data. */
export type Rule = RuleType;

/**
 * Schema of a rules file: `{ rules: Rule[] }`.
 *
 * @example
 * const file = RuleFile.parse(JSON.parse(text));
 */
export const RuleFile: z.ZodMiniType<{ rules: RuleType[] }> = /* @__PURE__ */ (() =>
  schemas().RuleFile)();
/** A rules file. */
export type RuleFile = { rules: RuleType[] };

/**
 * Validates a rule from JSON with the checks `compileRules` runs (one validator: the same codes and
 * paths): fields and their types, operators, regex safety, paths, depth, size, categories. Throws a
 * `rules/*` CandorError naming the rule id and JSON path (`rule.conditions.all[1].op`); returns the
 * input, typed as a Rule.
 *
 * @example
 * const rule = parseRule(JSON.parse(readFileSync('card-expiry.json', 'utf8')));
 */
export function parseRule(input: unknown): RuleType {
  checkRule(input, 'rule');
  return input as RuleType;
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
 * Validates a rules file `{ rules: [...] }` with the checks `compileRules` runs (ids must be
 * unique); errors name the rule id and path (`rules[3].trigger.events[0]`). Returns the input.
 *
 * @example
 * const { rules } = parseRuleFile(JSON.parse(text));
 */
export function parseRuleFile(input: unknown): RuleFile {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw rulesError(
      'rules/invalid_rule',
      'must be an object { rules: [...] }',
      undefined,
      '(root)',
      input,
    );
  for (const key in input)
    if (Object.hasOwn(input, key) && key !== 'rules')
      throw rulesError(
        'rules/invalid_rule',
        `unknown key "${key}"`,
        undefined,
        key,
        (input as Record<string, unknown>)[key],
      );
  compileRules((input as { rules?: unknown }).rules as RuleType[]);
  return input as RuleFile;
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
