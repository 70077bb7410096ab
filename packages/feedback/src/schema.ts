import {
  Instant,
  type SafeParseResult,
  SubjectId,
  SuppressionScope,
  TopicId,
  zodToCandorError,
} from '@candor/core';
import * as z from 'zod/mini';
import { type FeedbackErrorCode, feedbackError } from './errors';
import {
  explicitFeedbackKinds,
  feedbackKinds,
  implicitFeedbackKinds,
  isPermanentKind,
  isScopedKind,
  MAX_MUTE_MS,
} from './kinds';

const id = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/**
 * Schema of any feedback kind (see `feedbackKinds`).
 *
 * @example
 * FeedbackKind.parse('not_interested');
 */
export const FeedbackKind = /* @__PURE__ */ (() => z.enum(feedbackKinds))();
/** Any feedback kind, explicit or implicit. */
export type FeedbackKind = z.infer<typeof FeedbackKind>;

/**
 * Schema of an explicit feedback kind: what the customer said.
 *
 * @example
 * ExplicitFeedbackKind.parse('intrusive');
 */
export const ExplicitFeedbackKind = /* @__PURE__ */ (() => z.enum(explicitFeedbackKinds))();
/** An explicit feedback kind. */
export type ExplicitFeedbackKind = z.infer<typeof ExplicitFeedbackKind>;

/**
 * Schema of an implicit feedback kind: what delivery and behaviour reported.
 *
 * @example
 * ImplicitFeedbackKind.parse('ignored');
 */
export const ImplicitFeedbackKind = /* @__PURE__ */ (() => z.enum(implicitFeedbackKinds))();
/** An implicit feedback kind. */
export type ImplicitFeedbackKind = z.infer<typeof ImplicitFeedbackKind>;

/**
 * One feedback signal about one decision: its `kind`, the `decisionId` it answers, the
 * `subject`, `ruleId` (and `variantId`), `topic` and `channel` of the message, when it happened
 * (`at`), an `idempotencyKey` (the same key twice is one event), and for kinds that suppress, a
 * `scope` (`item`, `rule`, `topic`, `channel`, `all`) and a `durationMs`. `value` is a
 * non-negative business value for rewards (e.g. a conversion's worth), `critical` marks a
 * delivery exempt from fatigue, `note` carries what a `wrong_data` report says is wrong.
 *
 * @example
 * const event = parseFeedbackEvent({
 *   idempotencyKey: 'fb-1', kind: 'not_interested', decisionId: 'd-1', subject: 'cus_1',
 *   ruleId: 'travel-insurance', topic: 'offers.travel', channel: 'push', at: 1_780_000_000_000,
 *   scope: 'topic', durationMs: 30 * 86_400_000,
 * });
 */
export const FeedbackEvent = /* @__PURE__ */ (() =>
  z
    .strictObject({
      idempotencyKey: id(200),
      kind: FeedbackKind,
      decisionId: id(200),
      subject: SubjectId,
      ruleId: id(200),
      variantId: z.optional(id(200)),
      topic: TopicId,
      channel: id(100),
      at: Instant,
      scope: z.optional(SuppressionScope),
      durationMs: z.optional(
        z
          .int()
          .check(
            z.gt(0, 'duration must be positive'),
            z.lte(MAX_MUTE_MS, 'duration must be at most ten years'),
          ),
      ),
      itemKey: z.optional(id(200)),
      value: z.optional(
        z.number().check(z.gte(0, 'value must not be negative'), z.refine(Number.isFinite)),
      ),
      critical: z.optional(z.boolean()),
      note: z.optional(z.string().check(z.maxLength(2000))),
    })
    .check(
      z.superRefine((event, ctx) => {
        if (event.scope !== undefined && !isScopedKind(event.kind)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${event.kind}" feedback suppresses nothing, so it takes no scope`,
            path: ['scope'],
          });
        }
        if (event.scope === 'item' && event.itemKey === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: 'scope "item" needs an itemKey naming the item',
            path: ['scope'],
          });
        }
        if (
          event.durationMs !== undefined &&
          (!isScopedKind(event.kind) || isPermanentKind(event.kind))
        ) {
          ctx.addIssue({
            code: 'custom',
            message: `"${event.kind}" feedback takes no duration`,
            path: ['durationMs'],
          });
        }
      }),
    ))();
/** One feedback signal about one decision. */
export type FeedbackEvent = z.infer<typeof FeedbackEvent>;

/**
 * What was sent, so feedback can be joined to it by `decisionId`: the subject, rule (and
 * variant), topic, channel, when, and the propensity with which the variant was chosen.
 *
 * @example
 * const entry = parseDecisionEntry({ decisionId: 'd-1', subject: 'cus_1', ruleId: 'card-expiry', topic: 'billing.card_expiry', channel: 'email', at: 0 });
 */
export const DecisionEntry = /* @__PURE__ */ (() =>
  z.strictObject({
    decisionId: id(200),
    subject: SubjectId,
    ruleId: id(200),
    variantId: z.optional(id(200)),
    topic: TopicId,
    channel: id(100),
    at: Instant,
    propensity: z.optional(z.number().check(z.gt(0), z.lte(1))),
  }))();
/** What was sent, so feedback can be joined to it. */
export type DecisionEntry = z.infer<typeof DecisionEntry>;

function codeFor(path: readonly PropertyKey[]): FeedbackErrorCode {
  switch (path[0]) {
    case 'scope':
      return 'feedback/invalid_scope';
    case 'durationMs':
      return 'feedback/invalid_duration';
    case 'value':
      return 'feedback/invalid_reward';
    default:
      return 'feedback/invalid_event';
  }
}

/**
 * Like {@link parseFeedbackEvent} but returns `{ success, data | error }`.
 *
 * @example
 * const result = safeParseFeedbackEvent(input);
 * if (!result.success) console.error(result.error.code, result.error.details.path);
 */
export function safeParseFeedbackEvent(
  input: unknown,
): SafeParseResult<FeedbackEvent, FeedbackErrorCode> {
  const result = FeedbackEvent.safeParse(input);
  if (result.success) return { success: true, data: result.data };
  const first = result.error.issues[0]?.path ?? [];
  return {
    success: false,
    error: zodToCandorError(codeFor(first as PropertyKey[]), result.error, input, 'event'),
  };
}

/**
 * Validates a {@link FeedbackEvent}; throws a typed `CandorError`: `feedback/invalid_scope`,
 * `feedback/invalid_duration`, `feedback/invalid_reward` or `feedback/invalid_event`, with
 * `details.path` and `details.value`.
 *
 * @example
 * const event = parseFeedbackEvent(JSON.parse(body));
 */
export function parseFeedbackEvent(input: unknown): FeedbackEvent {
  const result = safeParseFeedbackEvent(input);
  if (!result.success) throw result.error;
  return result.data;
}

/**
 * Like {@link parseDecisionEntry} but returns `{ success, data | error }`.
 *
 * @example
 * safeParseDecisionEntry({}).success; // false
 */
export function safeParseDecisionEntry(
  input: unknown,
): SafeParseResult<DecisionEntry, 'feedback/invalid_event'> {
  const result = DecisionEntry.safeParse(input);
  return result.success
    ? { success: true, data: result.data }
    : {
        success: false,
        error: zodToCandorError('feedback/invalid_event', result.error, input, 'decision'),
      };
}

/**
 * Validates a {@link DecisionEntry}; throws `feedback/invalid_event` naming the path.
 *
 * @example
 * parseDecisionEntry({ decisionId: 'd-1', subject: 'cus_1', ruleId: 'r', topic: 'billing', channel: 'email', at: 0 });
 */
export function parseDecisionEntry(input: unknown): DecisionEntry {
  const result = safeParseDecisionEntry(input);
  if (!result.success) throw result.error;
  return result.data;
}

const schemas = { FeedbackEvent, DecisionEntry } as const;

/**
 * The feedback formats with a JSON Schema.
 *
 * @example
 * feedbackJsonSchema('DecisionEntry');
 */
export type FeedbackSchemaName = keyof typeof schemas;

/**
 * JSON Schema (draft 2020-12) for a feedback format, generated from the zod schema that
 * validates it.
 *
 * @example
 * const schema = feedbackJsonSchema('FeedbackEvent');
 */
export function feedbackJsonSchema(name: FeedbackSchemaName): Record<string, unknown> {
  if (typeof name !== 'string' || !Object.hasOwn(schemas, name))
    throw feedbackError(
      'feedback/invalid_option',
      `name: expected one of ${Object.keys(schemas).join(', ')}`,
      { path: 'name', value: name },
    );
  return z.toJSONSchema(schemas[name], { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
