import * as z from 'zod/mini';
import { DataCategoryId, Instant, PurposeId, SubjectId, TopicId } from './schemas';

/**
 * The legal basis a processing purpose relies on (GDPR Art. 6).
 *
 * @example
 * LegalBasis.parse('legitimate_interest');
 */
export const LegalBasis = /* @__PURE__ */ (() =>
  z.enum(['consent', 'legitimate_interest', 'contract', 'legal_obligation']))();
/** `consent` | `legitimate_interest` | `contract` | `legal_obligation`. */
export type LegalBasis = z.infer<typeof LegalBasis>;

/**
 * Where a subject stands for one purpose: `granted`, `refused`, `withdrawn`, `revoked` (by the
 * company), `objected` (Art. 21), `expired`, `opted_out` (US-style opt-out or GPC), `not_asked`,
 * `not_required` (a basis other than consent applies), or `unknown` (the view cannot tell right
 * now, because it was never loaded or is stale: never allowed).
 *
 * @example
 * ConsentStatus.parse('withdrawn');
 */
export const ConsentStatus = /* @__PURE__ */ (() =>
  z.enum([
    'granted',
    'refused',
    'withdrawn',
    'revoked',
    'objected',
    'expired',
    'opted_out',
    'not_asked',
    'not_required',
    'unknown',
  ]))();
/** Where a subject stands for one purpose. */
export type ConsentStatus = z.infer<typeof ConsentStatus>;

/**
 * One reason behind a consent verdict: a machine `code` (e.g. `explicit_grant`, `gpc_opt_out`,
 * `category_not_declared`), a plain-language `detail`, and what it is about.
 *
 * @example
 * ConsentReason.parse({ code: 'explicit_grant', detail: 'Granted in the preference center on 2026-05-03' });
 */
export const ConsentReason = /* @__PURE__ */ (() =>
  z.strictObject({
    code: z.string().check(z.minLength(1)),
    detail: z.string(),
    purpose: z.optional(PurposeId),
    dataCategory: z.optional(DataCategoryId),
    recordId: z.optional(z.string()),
  }))();
/** One reason behind a consent verdict. */
export type ConsentReason = z.infer<typeof ConsentReason>;

/**
 * A question to a {@link ConsentGate}: may `purpose` use `dataCategories` of `subject` at `at`
 * (default: now)?
 *
 * @example
 * const query: ConsentQuery = { subject: 'cus_1', purpose: 'service.proactive_support', dataCategories: ['user.financial.card'] };
 */
export const ConsentQuery = /* @__PURE__ */ (() =>
  z.strictObject({
    subject: SubjectId,
    purpose: PurposeId,
    dataCategories: z.readonly(z.array(DataCategoryId)),
    at: z.optional(Instant),
  }))();
/** A question to a {@link ConsentGate}. */
export type ConsentQuery = z.infer<typeof ConsentQuery>;

/**
 * A consent gate's answer, with the why: status, legal basis, reasons, the ledger records it rests
 * on, the notice version in force and when the answer stops holding.
 *
 * @example
 * if (!verdict.allowed) log(verdict.reasons.map((r) => r.detail));
 */
export const ConsentVerdict = /* @__PURE__ */ (() =>
  z.strictObject({
    allowed: z.boolean(),
    purpose: PurposeId,
    status: ConsentStatus,
    basis: z.nullable(LegalBasis),
    reasons: z.readonly(z.array(ConsentReason)),
    recordIds: z.readonly(z.array(z.string())),
    noticeVersion: z.nullable(z.string()),
    expiresAt: z.nullable(Instant),
  }))();
/** A consent gate's answer, with the why. */
export type ConsentVerdict = z.infer<typeof ConsentVerdict>;

/**
 * The port consent implements and everything else consults. Synchronous over a materialized
 * view so it can sit on every hot path; it must fail closed (unknown → not allowed).
 *
 * @example
 * const gate: ConsentGate = { decide: (q) => ledger.decide(q) };
 * gate.decide({ subject: 'cus_1', purpose: 'marketing.email', dataCategories: ['user.contact.email'] }).allowed;
 */
export interface ConsentGate {
  decide(query: ConsentQuery): ConsentVerdict;
  /**
   * Optional: makes these subjects answerable by `decide()` (a view that keeps only some
   * customers in memory reads the others, in one batch). The rule engine awaits it before it
   * evaluates an event it processes.
   */
  prepare?(subjects: readonly SubjectId[]): Promise<void>;
}

/**
 * How wide a customer's "no" reaches: one `item`, a `rule`, a `topic` (and its children), a
 * `channel`, or `all` proactive messages.
 *
 * @example
 * SuppressionScope.parse('topic');
 */
export const SuppressionScope = /* @__PURE__ */ (() =>
  z.enum(['item', 'rule', 'topic', 'channel', 'all']))();
/** `item` | `rule` | `topic` | `channel` | `all`. */
export type SuppressionScope = z.infer<typeof SuppressionScope>;

/**
 * A question to a {@link SuppressionSource}: is this rule's message on this topic and channel
 * suppressed for `subject` at `at`? `critical` marks a message that protects the customer (a
 * fraud or security alert): feedback never silences it, only consent can.
 *
 * @example
 * const query: SuppressionQuery = { subject: 'cus_1', ruleId: 'card-expiry', topic: 'billing.card_expiry', channel: 'email', at: Date.now() };
 */
export const SuppressionQuery = /* @__PURE__ */ (() =>
  z.strictObject({
    subject: SubjectId,
    ruleId: z.string().check(z.minLength(1)),
    topic: TopicId,
    channel: z.string().check(z.minLength(1)),
    itemKey: z.optional(z.string()),
    at: Instant,
    critical: z.optional(z.boolean()),
  }))();
/** A question to a {@link SuppressionSource}. */
export type SuppressionQuery = z.infer<typeof SuppressionQuery>;

/**
 * Why something is suppressed, in words an explanation can render ("fewer of these because you
 * chose 'too frequent' on 3 May"): the scope, the signal that caused it, since when and until when
 * (`null` = permanent).
 *
 * @example
 * const reason: SuppressionReason = { code: 'not_interested', scope: 'topic', target: 'billing', since: t, until: null, detail: 'You chose "not interested"' };
 */
export const SuppressionReason = /* @__PURE__ */ (() =>
  z.strictObject({
    code: z.string().check(z.minLength(1)),
    scope: SuppressionScope,
    target: z.string(),
    since: Instant,
    until: z.nullable(Instant),
    detail: z.string(),
    feedbackId: z.optional(z.string()),
  }))();
/** Why something is suppressed. */
export type SuppressionReason = z.infer<typeof SuppressionReason>;

/**
 * A suppression source's answer.
 *
 * @example
 * if (verdict.suppressed) skip(verdict.reason.detail);
 */
export type SuppressionVerdict =
  | { readonly suppressed: false; readonly reason: null }
  | { readonly suppressed: true; readonly reason: SuppressionReason };

/**
 * The port feedback implements and the rule engine consults before acting. Synchronous; a
 * suppression applies to the very next check.
 *
 * @example
 * const never: SuppressionSource = { check: () => ({ suppressed: false, reason: null }) };
 */
export interface SuppressionSource {
  check(query: SuppressionQuery): SuppressionVerdict;
  /**
   * Optional: one question per customer and instant instead of one per rule. `true` only when
   * `check()` would answer "not suppressed" for every rule, topic and channel of `subject` at
   * `at` (nothing of theirs muted, paused or over budget, and the source able to answer). The
   * rule engine asks it once per evaluation and then skips `check()`; `false` (or a throw) sends
   * it back to `check()` for each rule.
   */
  nothingSuppressed?(subject: SubjectId, at: Instant): boolean;
  /** Optional: makes these subjects answerable by `check()` (see {@link ConsentGate.prepare}). */
  prepare?(subjects: readonly SubjectId[]): Promise<void>;
}
