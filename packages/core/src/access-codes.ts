import type { AccessOutcome, AccessRecord } from './access';
import type { AccessBatch, AccessIdOf, AccessShape } from './access-batch';
import { CandorError } from './errors';

// How a batch codes each record's outcome and detail in seven bits, and makes the record back:
// shared by batches being filled (access-batch.ts) and batches a log keeps (access-kept.ts).

/** @internal Throws `core/invalid_input` for `value` at `path`. */
export const invalid = (path: string, value: unknown, problem: string): never => {
  throw new CandorError('core/invalid_input', `${path}: ${problem}`, { path, value });
};

/**
 * @internal The outcomes, by code (a record's code is its outcome's place here, times
 * {@link DETAILS}).
 */
export const OUTCOMES: readonly AccessOutcome[] = ['held_back', 'sent', 'looked_up', 'explained'];
/**
 * @internal Details many records share, by code: none, then the reasons rules hold back for (a
 * record's code is its outcome's code times `DETAILS`, plus its detail's place here, or one of
 * the two codes after them: a detail of its own, kept on the side, or a decision id made when
 * read).
 */
export const SHARED_DETAILS: readonly (string | undefined)[] = [
  undefined,
  'conditions_not_met',
  'insufficient_data',
  'consent',
  'suppressed',
  'paused',
  'cap',
  'cooldown',
  'quiet_hours',
  'duplicate',
  'conflict',
];
// Written out, not computed from the list: a module-level `.length` would keep the list in every
// bundle of any helper (the property test of batches fails if these drift from the list).
export const OWN_DETAIL = 11;
export const MADE_DECISION_ID = 12;
export const DETAILS = 13;

/** @internal Record `i` of `list`'s first `size` (else `core/invalid_input`). */
export function shapeAt(list: readonly AccessShape[], size: number, i: number): AccessShape {
  const shape = Number.isInteger(i) && i >= 0 && i < size ? list[i] : undefined;
  if (shape === undefined)
    invalid('i', i, `must be a record's place in the batch (0 to ${size - 1})`);
  return shape as AccessShape;
}

/**
 * @internal Record `i` of `batch`, whose shape is `shape` and whose outcome and detail are coded
 * `code`, its id (and a `sent` record's decision id, where it is made) made by `idOf`
 * (`decisionIdOf`).
 */
export function recordOf(
  batch: AccessBatch,
  i: number,
  shape: AccessShape,
  code: number,
  idOf: AccessIdOf,
  decisionIdOf: AccessIdOf | undefined,
  ownDetails: ReadonlyMap<number, string> | null,
): AccessRecord {
  const id = idOf(shape, i, batch);
  if (typeof id !== 'string' || id.length === 0 || id.length > 200)
    invalid(`batch[${i}].id`, id, 'must be a string of 1 to 200 characters');
  const outcome = OUTCOMES[Math.floor(code / DETAILS)] as AccessOutcome;
  const detailCode = code % DETAILS;
  const detail =
    detailCode === OWN_DETAIL
      ? ownDetails?.get(i)
      : detailCode === MADE_DECISION_ID
        ? decisionIdOf?.(shape, i, batch)
        : SHARED_DETAILS[detailCode];
  if (
    detailCode === MADE_DECISION_ID &&
    (typeof detail !== 'string' || detail.length === 0 || detail.length > 200)
  )
    invalid(`batch[${i}].decisionId`, detail, 'must be a string of 1 to 200 characters');
  const record: AccessRecord = {
    id,
    subject: batch.subject,
    at: batch.at,
    accessor: shape.accessor,
    purpose: shape.purpose,
    dataCategories: shape.dataCategories,
    evidence: shape.evidence,
    outcome,
  };
  if (detail !== undefined) {
    if (outcome === 'held_back') record.heldBackBecause = detail;
    else record.decisionId = detail;
  }
  return record;
}

/** @internal `batch`'s records `from` to `to` (exclusive), in order. */
export function recordsOf(batch: AccessBatch, from: number, to: number): AccessRecord[] {
  const out: AccessRecord[] = [];
  for (let i = from; i < to; i++) out.push(batch.record(i));
  return out;
}
