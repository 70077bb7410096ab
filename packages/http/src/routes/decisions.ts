import type { DecisionRecord, SubjectId } from '@candor/core';
import { httpError } from '../errors';
import type { DecisionLookup } from '../options';

/**
 * The signed-in customer's decision `decisionId`, or `http/not_found` — also when the app's
 * lookup returns someone else's record (fail closed: one customer never reads another's).
 *
 * @example
 * const record = await ownDecision(options.decisions, subject, params.decisionId);
 */
export async function ownDecision(
  lookup: DecisionLookup,
  subject: SubjectId,
  decisionId: string,
): Promise<DecisionRecord> {
  const record = await lookup(subject, decisionId);
  if (
    record === undefined ||
    record === null ||
    record.subject !== subject ||
    record.id !== decisionId
  )
    throw httpError('http/not_found', 'No such message', { path: 'decisionId' });
  return record;
}
