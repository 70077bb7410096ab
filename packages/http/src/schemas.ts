import { checkTimeZone, JsonValue, SuppressionScope } from '@candor/core';
import { ExplicitFeedbackKind, MAX_MUTE_MS } from '@candor/feedback';
import * as z from 'zod/mini';

/** A client-chosen idempotency key: 1–100 visible ASCII characters (a UUID fits). */
const IdempotencyKey = /* @__PURE__ */ (() =>
  z.string().check(z.regex(/^[\x21-\x7e]{1,100}$/, 'must be 1–100 visible ASCII characters')))();

/**
 * What the customer says about one of their messages, by decision id: a feedback kind
 * (`not_interested`, `too_frequent`, `stop_this`, … and `lifted` to undo their mute of a scope),
 * optionally its scope, item, duration and a note. The rule, topic and channel come from the
 * decision on the server, never from the body.
 *
 * @example
 * const body: FeedbackBody = { idempotencyKey: crypto.randomUUID(), decisionId: 'd-1', kind: 'not_interested', scope: 'topic' };
 */
export const FeedbackBody = /* @__PURE__ */ (() =>
  z.strictObject({
    idempotencyKey: IdempotencyKey,
    decisionId: z.string().check(z.minLength(1), z.maxLength(200)),
    kind: ExplicitFeedbackKind,
    scope: z.optional(SuppressionScope),
    itemKey: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    durationMs: z.optional(
      z.int().check(z.gt(0), z.lte(MAX_MUTE_MS, 'must be at most ten years, in milliseconds')),
    ),
    note: z.optional(z.string().check(z.maxLength(2000))),
    subject: z.optional(z.string()),
  }))();
/** What the customer says about one of their messages. */
export type FeedbackBody = z.infer<typeof FeedbackBody>;

/**
 * Which of the customer's mutes to lift, as `GET /feedback/suppressions` lists it: its `scope`
 * and `target` (no message or decision id needed).
 *
 * @example
 * const body: LiftBody = { idempotencyKey: crypto.randomUUID(), scope: 'topic', target: 'offers.travel' };
 */
export const LiftBody = /* @__PURE__ */ (() =>
  z.strictObject({
    idempotencyKey: IdempotencyKey,
    scope: SuppressionScope,
    target: z.string().check(z.minLength(1), z.maxLength(200)),
    subject: z.optional(z.string()),
  }))();
/** Which of the customer's mutes to lift. */
export type LiftBody = z.infer<typeof LiftBody>;

/**
 * A correction the customer asks for: which of the facts held about them (`path`, as
 * `GET /corrections` or an explanation's "wrong data" control names it), the value they say is
 * right, and optionally why, in their words.
 *
 * @example
 * const body: CorrectionBody = { idempotencyKey: crypto.randomUUID(), path: 'card.expiresAt', proposed: '2028-03-31' };
 */
export const CorrectionBody = /* @__PURE__ */ (() =>
  z.strictObject({
    idempotencyKey: IdempotencyKey,
    path: z.string().check(z.minLength(1), z.maxLength(200)),
    // Any JSON value (a recursive schema would leave the OpenAPI document an unresolvable ref).
    proposed: z
      .unknown()
      .check(z.refine((value) => JsonValue.safeParse(value).success, 'must be a JSON value')),
    note: z.optional(z.string().check(z.maxLength(2000))),
    subject: z.optional(z.string()),
  }))();
/** A correction the customer asks for. */
export type CorrectionBody = z.infer<typeof CorrectionBody>;

/**
 * The query of `GET /decisions/{decisionId}/explanation`: the layer and locale.
 *
 * @example
 * ExplanationQuery.parse({ layer: 'detailed', locale: 'de' });
 */
export const ExplanationQuery = /* @__PURE__ */ (() =>
  z.strictObject({
    layer: z.optional(z.enum(['short', 'standard', 'detailed'])),
    locale: z.optional(z.string().check(z.regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/))),
  }))();
/** The query of `GET /decisions/{decisionId}/explanation`. */
export type ExplanationQuery = z.infer<typeof ExplanationQuery>;

/**
 * The query of `GET /access`: how many days back (1–400, default 90), the locale and time zone.
 *
 * @example
 * AccessQueryParams.parse({ days: '30', locale: 'en' });
 */
export const AccessQueryParams = /* @__PURE__ */ (() =>
  z.strictObject({
    days: z.optional(
      z.pipe(
        z.string().check(z.regex(/^\d{1,3}$/, 'must be a whole number of days')),
        z.pipe(z.transform(Number), z.number().check(z.gte(1), z.lte(400))),
      ),
    ),
    locale: z.optional(z.string().check(z.regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/))),
    timeZone: z.optional(
      z
        .string()
        .check(
          z.maxLength(64),
          z.refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"'),
        ),
    ),
  }))();
/** The query of `GET /access`. */
export type AccessQueryParams = z.infer<typeof AccessQueryParams>;

/**
 * The body of every error response (see `HttpErrorBody`).
 *
 * @example
 * ErrorBody.parse(await response.json());
 */
export const ErrorBody = /* @__PURE__ */ (() =>
  z.strictObject({
    error: z.strictObject({
      code: z.string(),
      message: z.string(),
      path: z.optional(z.string()),
    }),
  }))();

/** Whether `timeZone` is an IANA time zone the runtime knows. */
function isTimeZone(timeZone: string): boolean {
  try {
    checkTimeZone(timeZone);
    return true;
  } catch {
    return false;
  }
}
