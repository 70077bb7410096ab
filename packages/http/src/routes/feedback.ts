import { canonicalJson, isCandorError, type SubjectId, sha256Hex } from '@candor/core';
import type { FeedbackLoop } from '@candor/feedback';
import { httpError } from '../errors';
import type { IdempotencyCache } from '../idempotency';
import type { DecisionLookup } from '../options';
import { json } from '../respond';
import type { Route } from '../route';
import { FeedbackBody, LiftBody } from '../schemas';
import { ownDecision } from './decisions';

/**
 * The idempotency key a write is stored under: the customer's key, scoped to the customer (so
 * two customers' keys never collide) and to what it is for.
 *
 * @example
 * scopedKey('feedback', 'cus_1', 'k-1'); // 'http:feedback:…64 hex…'
 */
export function scopedKey(kind: string, subject: SubjectId, key: string): string {
  return `http:${kind}:${sha256Hex(canonicalJson([subject, key]))}`;
}

/**
 * `POST /feedback` (a customer's reaction to one of their messages, `lifted` to undo a mute),
 * `GET /feedback/suppressions` (what they muted, to show and undo) and
 * `POST /feedback/suppressions/lift` (undo one of those by its scope and target).
 *
 * @example
 * const routes = feedbackRoutes({ feedback: loop, decisions, idempotency, clock });
 */
export function feedbackRoutes(ports: {
  readonly feedback: FeedbackLoop;
  readonly decisions: DecisionLookup | undefined;
  readonly idempotency: IdempotencyCache;
  readonly now: () => number;
}): Route[] {
  const { feedback, decisions, idempotency, now } = ports;
  const list: Route = {
    method: 'GET',
    path: '/feedback/suppressions',
    operationId: 'listSuppressions',
    summary: 'What the customer muted or turned down, and until when',
    responses: { 200: { description: 'Active suppressions, each with its reason in words' } },
    async handle({ subject }) {
      await feedback.prepare(subject);
      return json(200, { suppressions: feedback.suppressions(subject, now()) });
    },
  };
  const lift: Route = {
    method: 'POST',
    path: '/feedback/suppressions/lift',
    operationId: 'liftSuppression',
    summary: 'Unmute: lift one of the listed mutes by its scope and target',
    body: LiftBody,
    responses: {
      200: { description: 'Lifted (or a replay of the same request): the suppressions now' },
    },
    async handle({ subject, body }) {
      const input = await body(LiftBody);
      const key = scopedKey('lift', subject, input.idempotencyKey);
      const { scope, target } = input;
      const reply = await idempotency.once(key, canonicalJson({ scope, target }), async () => {
        await feedback.prepare(subject);
        try {
          const result = await feedback.lift({
            idempotencyKey: key,
            subject,
            scope,
            target,
            at: now(),
          });
          return { status: result.status, suppressions: feedback.suppressions(subject, now()) };
        } catch (error) {
          if (isCandorError(error, 'feedback/unknown_suppression'))
            throw httpError('http/not_found', 'Nothing like this is muted', { path: 'target' });
          throw error;
        }
      });
      return json(200, reply);
    },
  };
  if (decisions === undefined) return [list, lift];
  const submit: Route = {
    method: 'POST',
    path: '/feedback',
    operationId: 'submitFeedback',
    summary: 'React to a message: not interested, too frequent, stop this, … or lift a mute',
    body: FeedbackBody,
    responses: {
      200: { description: 'Applied (or a replay of the same request): the suppressions now' },
    },
    async handle({ subject, body }) {
      const input = await body(FeedbackBody);
      const key = scopedKey('feedback', subject, input.idempotencyKey);
      const { subject: _named, idempotencyKey: _key, ...content } = input;
      const reply = await idempotency.once(key, canonicalJson(content), async () => {
        const record = await ownDecision(decisions, subject, input.decisionId);
        await feedback.prepare(subject);
        const result = await feedback.submit({
          idempotencyKey: key,
          kind: input.kind,
          decisionId: record.id,
          subject,
          ruleId: record.source.id,
          topic: record.action.topic,
          channel: record.action.channel,
          at: now(),
          ...(input.scope === undefined ? {} : { scope: input.scope }),
          ...(input.itemKey === undefined ? {} : { itemKey: input.itemKey }),
          ...(input.durationMs === undefined ? {} : { durationMs: input.durationMs }),
          ...(input.note === undefined ? {} : { note: input.note }),
        });
        return {
          status: result.status,
          suppressions: feedback.suppressions(subject, now()),
        };
      });
      return json(200, reply);
    },
  };
  return [submit, list, lift];
}
