import * as z from 'zod/mini';
import { Fact, JsonValue } from './fact';
import { ConsentVerdict } from './ports';
import { DataCategoryId, Instant, PurposeId, SubjectId, TopicId } from './schemas';
import { type SafeParseResult, zodToCandorError } from './validate';

/**
 * What a decision does: its `type` (e.g. `notify`), `channel`, `topic`, an optional
 * `templateKey` for the message, and parameters for it. `critical` marks a message that protects
 * the customer (a fraud or security alert): feedback never silences it, only consent can, and an
 * explanation offers no mute for it.
 *
 * @example
 * Action.parse({ type: 'notify', channel: 'email', topic: 'billing.card_expiry', templateKey: 'card-expiry' });
 */
export const Action = /* @__PURE__ */ (() =>
  z.strictObject({
    type: z.string().check(z.minLength(1), z.maxLength(100)),
    channel: z.string().check(z.minLength(1), z.maxLength(100)),
    topic: TopicId,
    templateKey: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    params: z.optional(z.record(z.string(), JsonValue)),
    critical: z.optional(z.boolean()),
  }))();
/** What a decision does. */
export type Action = z.infer<typeof Action>;

/**
 * One reason for a decision, resting on facts the decision really used: `evidence` lists fact
 * ids from the record's `evidence`. `code` names the kind of reason (a rule's condition, a model
 * feature) and `params` carries the values an explanation may cite.
 *
 * @example
 * Reason.parse({ id: 'r1', code: 'condition', text: 'card.expiresAt is within 30 days', evidence: ['f1'] });
 */
export const Reason = /* @__PURE__ */ (() =>
  z.strictObject({
    id: z.string().check(z.minLength(1), z.maxLength(200)),
    code: z.string().check(z.minLength(1), z.maxLength(100)),
    text: z.string().check(z.maxLength(2_000)),
    evidence: z.readonly(
      z
        .array(z.string().check(z.minLength(1)))
        .check(z.minLength(1, 'a reason must rest on at least one fact')),
    ),
    params: z.optional(z.record(z.string(), JsonValue)),
  }))();
/** One reason for a decision, resting on facts. */
export type Reason = z.infer<typeof Reason>;

/**
 * Who made the decision: a rule (id and version), a model, or a person's configuration.
 *
 * @example
 * DecisionSource.parse({ kind: 'rule', id: 'card-expiry', version: 3 });
 */
export const DecisionSource = /* @__PURE__ */ (() =>
  z.strictObject({
    kind: z.enum(['rule', 'model', 'manual']),
    id: z.string().check(z.minLength(1), z.maxLength(200)),
    version: z.union([z.int().check(z.gte(0)), z.string().check(z.minLength(1))]),
  }))();
/** Who made the decision. */
export type DecisionSource = z.infer<typeof DecisionSource>;

/**
 * What any explainable decision carries: id, subject, the action, the purpose and data categories
 * it relied on, its reasons (each pointing at evidence), the evidence facts, the consent verdicts
 * it checked, and when. A rules `Proposal` is one; a team's own recommender can produce one too.
 * Every reason's evidence must resolve to a fact in `evidence`.
 *
 * @example
 * const record = parseDecisionRecord(json); // throws core/invalid_input naming the bad path
 */
export const DecisionRecord = /* @__PURE__ */ (() =>
  z
    .strictObject({
      id: z.string().check(z.minLength(1), z.maxLength(200)),
      subject: SubjectId,
      at: Instant,
      source: DecisionSource,
      action: Action,
      purpose: PurposeId,
      dataCategories: z.readonly(z.array(DataCategoryId)),
      reasons: z.readonly(
        z.array(Reason).check(z.minLength(1, 'a decision needs at least one reason')),
      ),
      evidence: z.readonly(z.array(Fact)),
      consent: z.readonly(z.array(ConsentVerdict)),
    })
    .check(
      z.superRefine((record, ctx) => {
        const ids = new Set<string>();
        record.evidence.forEach((fact, index) => {
          if (ids.has(fact.id))
            ctx.addIssue({
              code: 'custom',
              message: `duplicate fact id "${fact.id}"`,
              path: ['evidence', index, 'id'],
            });
          ids.add(fact.id);
          if (!record.dataCategories.includes(fact.category)) {
            ctx.addIssue({
              code: 'custom',
              message: `fact "${fact.id}" has category "${fact.category}", which the decision does not declare in dataCategories`,
              path: ['evidence', index, 'category'],
            });
          }
        });
        record.reasons.forEach((reason, r) => {
          reason.evidence.forEach((factId, e) => {
            if (!ids.has(factId)) {
              ctx.addIssue({
                code: 'custom',
                message: `reason "${reason.id}" cites fact "${factId}", which is not in evidence`,
                path: ['reasons', r, 'evidence', e],
              });
            }
          });
        });
      }),
    ))();
/** What any explainable decision carries. */
export type DecisionRecord = z.infer<typeof DecisionRecord>;

/**
 * Validates a {@link DecisionRecord}, including that every reason's evidence resolves; throws a
 * `core/invalid_input` {@link CandorError} naming the path and value.
 *
 * @example
 * const record = parseDecisionRecord(JSON.parse(body));
 */
export function parseDecisionRecord(input: unknown): DecisionRecord {
  const result = safeParseDecisionRecord(input);
  if (!result.success) throw result.error;
  return result.data;
}

/**
 * Like {@link parseDecisionRecord} but returns `{ success, data | error }`.
 *
 * @example
 * const result = safeParseDecisionRecord(input);
 * if (!result.success) console.error(result.error.details.path);
 */
export function safeParseDecisionRecord(
  input: unknown,
): SafeParseResult<DecisionRecord, 'core/invalid_input'> {
  const result = DecisionRecord.safeParse(input);
  return result.success
    ? { success: true, data: result.data }
    : {
        success: false,
        error: zodToCandorError('core/invalid_input', result.error, input, 'decision'),
      };
}
