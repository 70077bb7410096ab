import { checkTimeZone, type DecisionRecord, type Fact } from '@candor/core';
import { explainError } from '../errors';
import type { ExplainOptions } from '../explain';
import type { ExplanationLayer } from '../types';

function invalid(path: string, value: unknown, why: string): never {
  throw explainError('explain/invalid_input', `${path}: ${why}`, { path, value });
}

/**
 * Throws `explain/invalid_input` (path `options.consent`) unless `options` carries a consent gate.
 *
 * @example
 * checkExplainOptions({ consent: ledger });
 */
export function checkExplainOptions(options: ExplainOptions): void {
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.consent?.decide !== 'function'
  )
    invalid('options.consent', options?.consent, 'must be a ConsentGate with decide()');
}

/**
 * The customer's time zone asked for, checked (`undefined`: UTC); throws `explain/invalid_input`
 * (path `options.timeZone`) for anything but an IANA zone.
 *
 * @example
 * checkExplainTimeZone('Europe/Lisbon'); // 'Europe/Lisbon'
 */
export function checkExplainTimeZone(timeZone: unknown): string | undefined {
  if (timeZone === undefined) return undefined;
  if (typeof timeZone === 'string' && knownZones.has(timeZone)) return timeZone;
  try {
    checkTimeZone(timeZone, 'options.timeZone');
  } catch {
    invalid('options.timeZone', timeZone, 'must be an IANA time zone such as "Europe/Berlin"');
  }
  if (knownZones.size < 1_000) knownZones.add(timeZone as string);
  return timeZone as string;
}

/** Zones already found valid (checking one builds a formatter). */
const knownZones = new Set<string>();

const layers: readonly ExplanationLayer[] = ['short', 'standard', 'detailed'];

/**
 * The layer asked for (default `standard`); throws `explain/invalid_input` for any other value.
 *
 * @example
 * checkLayer(undefined); // 'standard'
 */
export function checkLayer(requested: ExplanationLayer | undefined): ExplanationLayer {
  const layer = requested ?? 'standard';
  if (!layers.includes(layer))
    invalid('options.layer', layer, "must be 'short', 'standard' or 'detailed'");
  return layer;
}

/**
 * Checks the decision record's shape and that every reason cites evidence it carries; returns its
 * facts by id. Throws `explain/invalid_input`, `explain/clause_without_evidence` or
 * `explain/unresolved_evidence`, naming the path.
 *
 * @example
 * const facts = checkRecord(proposal); // Map<factId, Fact>
 */
export function checkRecord(record: DecisionRecord): Map<string, Fact> {
  if (typeof record !== 'object' || record === null)
    invalid('decision', record, 'must be a DecisionRecord');
  if (typeof record.id !== 'string' || record.id === '')
    invalid('decision.id', record.id, 'must be a non-empty string');
  if (typeof record.subject !== 'string' || record.subject === '')
    invalid('decision.subject', record.subject, 'must be a non-empty string');
  if (typeof record.purpose !== 'string')
    invalid('decision.purpose', record.purpose, 'must be a purpose id');
  if (typeof record.action !== 'object' || record.action === null)
    invalid('decision.action', record.action, 'must be an action');
  if (typeof record.action.topic !== 'string' || typeof record.action.channel !== 'string')
    invalid('decision.action', record.action, 'must have a string topic and channel');
  if (record.action.critical !== undefined && typeof record.action.critical !== 'boolean')
    invalid('decision.action.critical', record.action.critical, 'must be a boolean if present');
  if (
    typeof record.source !== 'object' ||
    record.source === null ||
    typeof record.source.id !== 'string'
  )
    invalid('decision.source', record.source, 'must be a decision source');
  if (!Array.isArray(record.evidence))
    invalid('decision.evidence', record.evidence, 'must be an array');
  if (!Array.isArray(record.reasons) || record.reasons.length === 0)
    invalid('decision.reasons', record.reasons, 'a decision needs at least one reason');
  const facts = new Map<string, Fact>();
  record.evidence.forEach((fact, index) => {
    if (typeof fact !== 'object' || fact === null || typeof fact.id !== 'string')
      invalid(`decision.evidence[${index}]`, fact, 'must be a fact');
    if (facts.has(fact.id))
      invalid(`decision.evidence[${index}].id`, fact.id, `duplicate fact id "${fact.id}"`);
    if (typeof fact.category !== 'string')
      invalid(`decision.evidence[${index}].category`, fact.category, 'must be a data category id');
    if (
      typeof fact.provenance !== 'object' ||
      fact.provenance === null ||
      !Number.isFinite(fact.provenance.observedAt)
    )
      invalid(`decision.evidence[${index}].provenance`, fact.provenance, 'must be a provenance');
    facts.set(fact.id, fact);
  });
  record.reasons.forEach((reason, r) => {
    if (!Array.isArray(reason?.evidence) || reason.evidence.length === 0)
      throw explainError(
        'explain/clause_without_evidence',
        `decision.reasons[${r}]: reason "${reason?.id}" cites no evidence, so nothing may be said about it`,
        { path: `decision.reasons[${r}].evidence`, value: reason?.evidence },
      );
    reason.evidence.forEach((factId: string, e: number) => {
      if (!facts.has(factId))
        throw explainError(
          'explain/unresolved_evidence',
          `decision.reasons[${r}].evidence[${e}]: reason "${reason.id}" cites fact "${factId}", which is not in evidence`,
          { path: `decision.reasons[${r}].evidence[${e}]`, value: factId },
        );
    });
  });
  return facts;
}
