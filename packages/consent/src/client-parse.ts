import { CandorError } from '@candor/core';
import type { ConsentChoice, ConsentChoiceResult, ConsentSnapshot } from './contract';

// Hand-written checks of what a browser client receives (no zod in the browser): enough that a
// malformed snapshot can never make the client allow something, and small.

const CODE = 'consent/invalid_snapshot';

function bad(path: string, value: unknown, problem: string): never {
  throw new CandorError(CODE, `${path}: ${problem}`, { path, value });
}
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0;

function needObject(value: unknown, path: string): Record<string, unknown> {
  if (!isObject(value)) bad(path, value, 'must be an object');
  return value;
}

function checkVerdict(value: unknown, path: string): void {
  const verdict = needObject(value, path);
  if (typeof verdict.allowed !== 'boolean')
    bad(`${path}.allowed`, verdict.allowed, 'must be a boolean');
  for (const field of ['status', 'reason'] as const) {
    if (typeof verdict[field] !== 'string')
      bad(`${path}.${field}`, verdict[field], 'must be a string');
  }
  if (verdict.expiresAt !== null && !isTime(verdict.expiresAt)) {
    bad(`${path}.expiresAt`, verdict.expiresAt, 'must be a time or null');
  }
}

/**
 * Checks a snapshot the server sent (see {@link ConsentSnapshot}) and returns it; throws
 * `consent/invalid_snapshot` naming the first malformed field.
 *
 * @example
 * const snapshot = parseConsentSnapshot(await (await fetch('/privacy/consent')).json());
 */
export function parseConsentSnapshot<P extends string = string>(
  value: unknown,
): ConsentSnapshot<P> {
  const snapshot = needObject(value, 'snapshot');
  if (snapshot.v !== 1) bad('snapshot.v', snapshot.v, 'must be 1');
  for (const field of ['seq', 'issuedAt', 'validUntil'] as const) {
    if (!isTime(snapshot[field]))
      bad(`snapshot.${field}`, snapshot[field], 'must be a whole number ≥ 0');
  }
  if ((snapshot.validUntil as number) < (snapshot.issuedAt as number)) {
    bad('snapshot.validUntil', snapshot.validUntil, 'must not be before issuedAt');
  }
  if (typeof snapshot.gpc !== 'boolean') bad('snapshot.gpc', snapshot.gpc, 'must be a boolean');
  const mode = needObject(snapshot.consentMode, 'snapshot.consentMode');
  for (const signal in mode) {
    if (mode[signal] !== 'granted' && mode[signal] !== 'denied') {
      bad(`snapshot.consentMode.${signal}`, mode[signal], 'must be granted or denied');
    }
  }
  const purposes = needObject(snapshot.purposes, 'snapshot.purposes');
  for (const id in purposes) {
    const path = `snapshot.purposes.${id}`;
    const purpose = needObject(purposes[id], path);
    checkVerdict(purpose.verdict, `${path}.verdict`);
    if (purpose.sensitive !== undefined) checkVerdict(purpose.sensitive, `${path}.sensitive`);
    const categories = needObject(purpose.categories, `${path}.categories`);
    for (const category in categories) {
      const entry = needObject(categories[category], `${path}.categories.${category}`);
      if (entry.choice !== undefined)
        checkVerdict(entry.choice, `${path}.categories.${category}.choice`);
    }
    if (purpose.consentMode !== undefined && !Array.isArray(purpose.consentMode)) {
      bad(`${path}.consentMode`, purpose.consentMode, 'must be an array');
    }
  }
  return value as ConsentSnapshot<P>;
}

/**
 * Checks the server's answer to `choice` (see {@link ConsentChoiceResult}): its key, a record
 * sequence, and a valid snapshot if it carries one. Throws `consent/invalid_snapshot`.
 *
 * @example
 * const result = parseChoiceResult(await response.json(), choice);
 */
export function parseChoiceResult<P extends string>(
  value: unknown,
  choice: ConsentChoice<P>,
): ConsentChoiceResult<P> {
  if (typeof choice !== 'object' || choice === null) {
    throw new CandorError('core/invalid_input', 'choice: must be the choice sent', {
      path: 'choice',
      value: choice,
    });
  }
  const result = needObject(value, 'result');
  if (result.key !== choice.key) bad('result.key', result.key, `must be ${choice.key}`);
  if (!isTime(result.sequence) || result.sequence < 1) {
    bad('result.sequence', result.sequence, 'must be a whole number ≥ 1');
  }
  if (result.snapshot !== undefined) parseConsentSnapshot(result.snapshot);
  return value as ConsentChoiceResult<P>;
}
