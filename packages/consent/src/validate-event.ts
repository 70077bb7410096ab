import { type Instant, isDottedId, type SubjectId } from '@candor/core';
import {
  boolean,
  enforce,
  integer,
  is,
  list,
  object,
  oneOf,
  optional,
  type Shape,
  string,
} from './check';
import { needObject, needType, fail as raise } from './errors';
import {
  type ConsentActor,
  type ConsentEvent,
  type ConsentSignal,
  consentEventKinds,
  consentMethods,
  type NoticeRef,
} from './events';
import { legalBases } from './purposes';

const JURISDICTION = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,3})?$/;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The runtime check of a {@link ConsentEvent}: every field, and no other (an unknown field is
 * rejected, naming the field it is a near miss of). `validateEvent` also checks the times.
 */
export const eventShape: Shape<ConsentEvent> = {
  kind: oneOf(consentEventKinds),
  actor: object<ConsentActor>({
    kind: oneOf(['subject', 'company', 'agent', 'system']),
    id: optional(string(200)),
  }),
  purposes: list(is(isDottedId, 'is not a purpose id')),
  basis: optional(oneOf(legalBases)),
  notice: optional(
    object<NoticeRef>({
      id: string(200),
      version: string(100),
      contentHash: is(
        (v) => typeof v === 'string' && HEX64.test(v),
        'must be a lower-case hex SHA-256',
      ),
    }),
  ),
  at: integer(0),
  method: oneOf(consentMethods),
  surface: optional(string(200)),
  uiVersion: optional(string(100)),
  jurisdiction: optional(
    is(
      (v) => typeof v === 'string' && JURISDICTION.test(v),
      'must be an ISO 3166 code like FR or US-CA',
    ),
  ),
  expiresAt: optional(integer(0)),
  reason: optional(string(2000, 0)),
  confirmed: optional(boolean),
  signal: optional(object<ConsentSignal>({ gpc: boolean })),
};
const checkEvent = object(eventShape);

/**
 * Checks a ledger event by hand (no zod, so browser bundles stay small), throwing
 * `consent/invalid_event` naming the first bad field under `path` (an unknown field too, with the
 * field it is a near miss of). `now` bounds `at`: events may be backdated (imports) but never lie
 * in the future.
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
  needObject(event, path, 'consent/invalid_event');
  needType(now, 'number', 'now');
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256) {
    fail('subject', subject, 'must be a non-empty string of at most 256 characters');
  }
  enforce(checkEvent, event, path, 'consent/invalid_event');
  if (event.at > now) fail('at', event.at, 'must not be in the future');
  if (event.expiresAt !== undefined && event.expiresAt <= event.at) {
    fail('expiresAt', event.expiresAt, 'must be epoch ms after `at`');
  }
}
