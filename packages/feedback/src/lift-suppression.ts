import {
  type Instant,
  type SubjectId,
  type SuppressionReason,
  SuppressionScope,
} from '@candor/core';
import { feedbackError, requireObject, requireString } from './errors';
import type { FeedbackEvent } from './schema';
import { targetOf } from './suppressions';

/**
 * A customer's lift of one of their suppressions or budget reductions as
 * `loop.suppressions()` lists it: by its `scope` and `target`, with no decision id. `at`
 * defaults to the loop's clock.
 *
 * @example
 * const lift: SuppressionLift = { idempotencyKey: 'unmute-1', subject: 'cus_1', scope: 'topic', target: 'offers.travel' };
 */
export interface SuppressionLift {
  readonly idempotencyKey: string;
  readonly subject: SubjectId;
  readonly scope: SuppressionScope;
  readonly target: string;
  readonly at?: Instant;
}

/** @internal Throws `feedback/invalid_event` or `feedback/invalid_scope` for a malformed lift. */
export function checkSuppressionLift(input: unknown): SuppressionLift {
  requireObject(input, 'lift', 'feedback/invalid_event');
  const lift = input as SuppressionLift;
  for (const field of ['idempotencyKey', 'subject', 'target'] as const) {
    requireString(lift[field], `lift.${field}`);
    if (lift[field].length === 0)
      throw feedbackError('feedback/invalid_event', `lift.${field}: must not be empty`, {
        path: `lift.${field}`,
        value: lift[field],
      });
  }
  if (!SuppressionScope.safeParse(lift.scope).success)
    throw feedbackError(
      'feedback/invalid_scope',
      'lift.scope: must be one of item, rule, topic, channel, all',
      { path: 'lift.scope', value: lift.scope },
    );
  if (lift.at !== undefined && !Number.isSafeInteger(lift.at))
    throw feedbackError('feedback/invalid_event', 'lift.at: must be epoch milliseconds', {
      path: 'lift.at',
      value: lift.at,
    });
  return lift;
}

/** @internal The active reason `lift` names, if any. */
export function reasonLifted(
  reasons: readonly SuppressionReason[],
  lift: SuppressionLift,
): SuppressionReason | undefined {
  return reasons.find((r) => r.scope === lift.scope && r.target === lift.target);
}

/**
 * @internal The `lifted` event that ends what `lift` names, answering the decision of `source`
 * (the feedback that muted it), or `null` when `source` does not name that scope and target.
 */
export function liftEventOf(
  lift: SuppressionLift,
  source: FeedbackEvent,
  at: Instant,
): FeedbackEvent | null {
  const event: FeedbackEvent = {
    idempotencyKey: lift.idempotencyKey,
    kind: 'lifted',
    decisionId: source.decisionId,
    subject: lift.subject,
    ruleId: source.ruleId,
    ...(source.variantId === undefined ? {} : { variantId: source.variantId }),
    topic: source.topic,
    channel: source.channel,
    at,
    scope: lift.scope,
    ...(lift.scope === 'item' && source.itemKey !== undefined ? { itemKey: source.itemKey } : {}),
  };
  return source.subject === lift.subject && targetOf(event, lift.scope) === lift.target
    ? event
    : null;
}

/** @internal Whether `previous` is the `lifted` event an earlier call with `lift` recorded. */
export function isSameLift(previous: FeedbackEvent, lift: SuppressionLift): boolean {
  return (
    previous.kind === 'lifted' &&
    previous.subject === lift.subject &&
    previous.scope === lift.scope &&
    targetOf(previous, lift.scope) === lift.target &&
    (lift.at === undefined || previous.at === lift.at)
  );
}
