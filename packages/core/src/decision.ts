import { z } from 'zod';
import { Fact, JsonValue } from './fact';
import { DataCategoryId, PurposeId, SubjectId, TopicId } from './ids';
import { ConsentVerdict } from './ports';
import { Instant } from './time';
import { parsers } from './validate';

/**
 * What a decision does: its `type` (e.g. `notify`), `channel`, `topic`, an optional
 * `templateKey` for the message, and parameters for it.
 *
 * @example
 * Action.parse({ type: 'notify', channel: 'email', topic: 'billing.card_expiry', templateKey: 'card-expiry' });
 */
export const Action = z.strictObject({
  type: z.string().min(1).max(100),
  channel: z.string().min(1).max(100),
  topic: TopicId,
  templateKey: z.string().min(1).max(200).optional(),
  params: z.record(z.string(), JsonValue).optional(),
});
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
export const Reason = z.strictObject({
  id: z.string().min(1).max(200),
  code: z.string().min(1).max(100),
  text: z.string().max(2_000),
  evidence: z.array(z.string().min(1)).min(1, 'a reason must rest on at least one fact').readonly(),
  params: z.record(z.string(), JsonValue).optional(),
});
/** One reason for a decision, resting on facts. */
export type Reason = z.infer<typeof Reason>;

/**
 * Who made the decision: a rule (id and version), a model, or a person's configuration.
 *
 * @example
 * DecisionSource.parse({ kind: 'rule', id: 'card-expiry', version: 3 });
 */
export const DecisionSource = z.strictObject({
  kind: z.enum(['rule', 'model', 'manual']),
  id: z.string().min(1).max(200),
  version: z.union([z.number().int().nonnegative(), z.string().min(1)]),
});
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
export const DecisionRecord = z
  .strictObject({
    id: z.string().min(1).max(200),
    subject: SubjectId,
    at: Instant,
    source: DecisionSource,
    action: Action,
    purpose: PurposeId,
    dataCategories: z.array(DataCategoryId).readonly(),
    reasons: z.array(Reason).min(1, 'a decision needs at least one reason').readonly(),
    evidence: z.array(Fact).readonly(),
    consent: z.array(ConsentVerdict).readonly(),
  })
  .superRefine((record, ctx) => {
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
  });
/** What any explainable decision carries. */
export type DecisionRecord = z.infer<typeof DecisionRecord>;

const decisionParsers = parsers(DecisionRecord, 'core/invalid_input', 'decision');

/**
 * Validates a {@link DecisionRecord}, including that every reason's evidence resolves; throws a
 * `core/invalid_input` {@link CandorError} naming the path and value.
 *
 * @example
 * const record = parseDecisionRecord(JSON.parse(body));
 */
export const parseDecisionRecord = decisionParsers.parse;

/**
 * Like {@link parseDecisionRecord} but returns `{ success, data | error }`.
 *
 * @example
 * const result = safeParseDecisionRecord(input);
 * if (!result.success) console.error(result.error.details.path);
 */
export const safeParseDecisionRecord = decisionParsers.safeParse;
