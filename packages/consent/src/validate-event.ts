import { type Instant, isDottedId, type SubjectId } from '@candor/core';
import { needObject, needType, fail as raise } from './errors';
import { type ConsentEvent, consentEventKinds, consentMethods } from './events';

const JURISDICTION = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,3})?$/;
const HEX64 = /^[0-9a-f]{64}$/;
const ACTORS = ['subject', 'company', 'agent', 'system'];

/**
 * Checks a ledger event by hand (no zod, so browser bundles stay small), throwing
 * `consent/invalid_event` naming the first bad field under `path`. `now` bounds `at`: events
 * may be backdated (imports) but never lie in the future.
 *
 * @example
 * validateEvent('cus_1', event, clock.now(), 'records[3]');
 */
export function validateEvent(
  subject: SubjectId,
  event: ConsentEvent,
  now: Instant,
  path = 'event',
): void {
  const fail = (field: string, value: unknown, problem: string): never =>
    raise('consent/invalid_event', `${path}.${field}`, value, problem);
  const text = (field: string, value: unknown, max: number) => {
    if (
      value !== undefined &&
      (typeof value !== 'string' || value.length === 0 || value.length > max)
    ) {
      fail(field, value, `must be a non-empty string of at most ${max} characters`);
    }
  };
  needObject(event, path, 'consent/invalid_event');
  needType(now, 'number', 'now');
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256) {
    fail('subject', subject, 'must be a non-empty string of at most 256 characters');
  }
  if (!consentEventKinds.includes(event.kind)) fail('kind', event.kind, 'is not an event kind');
  if (!consentMethods.includes(event.method)) fail('method', event.method, 'is not a method');
  if (
    typeof event.actor !== 'object' ||
    event.actor === null ||
    !ACTORS.includes(event.actor.kind)
  ) {
    fail('actor.kind', event.actor?.kind, `must be one of ${ACTORS.join(', ')}`);
  }
  text('actor.id', event.actor.id, 200);
  if (!Array.isArray(event.purposes)) fail('purposes', event.purposes, 'must be an array');
  event.purposes.forEach((p, i) => {
    if (!isDottedId(p)) fail(`purposes[${i}]`, p, 'is not a purpose id');
  });
  if (!Number.isInteger(event.at) || event.at < 0) fail('at', event.at, 'must be epoch ms');
  if (event.at > now) fail('at', event.at, 'must not be in the future');
  if (
    event.expiresAt !== undefined &&
    (!Number.isInteger(event.expiresAt) || event.expiresAt <= event.at)
  ) {
    fail('expiresAt', event.expiresAt, 'must be epoch ms after `at`');
  }
  if (event.jurisdiction !== undefined && !JURISDICTION.test(event.jurisdiction)) {
    fail('jurisdiction', event.jurisdiction, 'must be an ISO 3166 code like FR or US-CA');
  }
  text('surface', event.surface, 200);
  text('uiVersion', event.uiVersion, 100);
  if (
    event.reason !== undefined &&
    (typeof event.reason !== 'string' || event.reason.length > 2000)
  ) {
    fail('reason', event.reason, 'must be a string of at most 2,000 characters');
  }
  if (event.notice !== undefined) {
    if (typeof event.notice !== 'object' || event.notice === null) {
      fail('notice', event.notice, 'must be a notice reference ({ id, version, contentHash })');
    }
    text('notice.id', event.notice.id, 200);
    text('notice.version', event.notice.version, 100);
    if (typeof event.notice.contentHash !== 'string' || !HEX64.test(event.notice.contentHash)) {
      fail('notice.contentHash', event.notice.contentHash, 'must be a lower-case hex SHA-256');
    }
  }
}
