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
  categoryEventKinds,
  consentEventKinds,
  consentMethods,
  type NoticeRef,
} from './events';
import { SHA256_HEX } from './hex';
import type { OfferRef } from './offers';
import { legalBases } from './purposes';

const JURISDICTION = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,3})?$/;
const actorKinds: readonly ConsentActor['kind'][] = ['subject', 'company', 'agent', 'system'];

/**
 * The runtime check of a {@link ConsentEvent}: every field, and no other (an unknown field is
 * rejected, naming the field it is a near miss of). `validateEvent` also checks the times.
 */
export const eventShape: Shape<ConsentEvent> = {
  kind: /* @__PURE__ */ oneOf(consentEventKinds),
  actor: /* @__PURE__ */ object<ConsentActor>({
    kind: /* @__PURE__ */ oneOf(actorKinds),
    id: /* @__PURE__ */ optional(/* @__PURE__ */ string(200)),
  }),
  purposes: /* @__PURE__ */ list(/* @__PURE__ */ is(isDottedId, 'is not a purpose id')),
  dataCategories: /* @__PURE__ */ optional(
    /* @__PURE__ */ list(/* @__PURE__ */ is(isDottedId, 'is not a data category id'), true),
  ),
  basis: /* @__PURE__ */ optional(/* @__PURE__ */ oneOf(legalBases)),
  notice: /* @__PURE__ */ optional(
    /* @__PURE__ */ object<NoticeRef>({
      id: /* @__PURE__ */ string(200),
      version: /* @__PURE__ */ string(100),
      contentHash: /* @__PURE__ */ is(
        (v) => typeof v === 'string' && SHA256_HEX.test(v),
        'must be a lower-case hex SHA-256',
      ),
    }),
  ),
  at: /* @__PURE__ */ integer(0),
  method: /* @__PURE__ */ oneOf(consentMethods),
  surface: /* @__PURE__ */ optional(/* @__PURE__ */ string(200)),
  uiVersion: /* @__PURE__ */ optional(/* @__PURE__ */ string(100)),
  jurisdiction: /* @__PURE__ */ optional(
    /* @__PURE__ */ is(
      (v) => typeof v === 'string' && JURISDICTION.test(v),
      'must be an ISO 3166 code like FR or US-CA',
    ),
  ),
  expiresAt: /* @__PURE__ */ optional(/* @__PURE__ */ integer(0)),
  reason: /* @__PURE__ */ optional(/* @__PURE__ */ string(2000, 0)),
  confirmed: /* @__PURE__ */ optional(boolean),
  signal: /* @__PURE__ */ optional(/* @__PURE__ */ object<ConsentSignal>({ gpc: boolean })),
  offer: /* @__PURE__ */ optional(
    /* @__PURE__ */ object<OfferRef>({
      id: /* @__PURE__ */ string(200),
      version: /* @__PURE__ */ string(100),
    }),
  ),
};
const checkEvent = /* @__PURE__ */ object(eventShape);

const isText = (value: unknown, max: number) =>
  typeof value === 'string' && value.length > 0 && value.length <= max;
const isInstant = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

// Whether every enumerable key of a value is a field of its format (so no unknown field). A switch
// over the names: several times cheaper than a Set per key. The names are `eventShape`'s, its
// actor's, notice reference's and signal's (schema-parity.test.ts holds them to the shapes).
function onlyEventKeys(value: object): boolean {
  for (const key in value) {
    switch (key) {
      case 'kind':
      case 'actor':
      case 'purposes':
      case 'dataCategories':
      case 'basis':
      case 'notice':
      case 'at':
      case 'method':
      case 'surface':
      case 'uiVersion':
      case 'jurisdiction':
      case 'expiresAt':
      case 'reason':
      case 'confirmed':
      case 'signal':
      case 'offer':
        continue;
      default:
        return false;
    }
  }
  return true;
}
function onlyActorKeys(value: object): boolean {
  for (const key in value) if (key !== 'kind' && key !== 'id') return false;
  return true;
}
function onlyNoticeKeys(value: object): boolean {
  for (const key in value) {
    if (key !== 'id' && key !== 'version' && key !== 'contentHash') return false;
  }
  return true;
}
function onlySignalKeys(value: object): boolean {
  for (const key in value) if (key !== 'gpc') return false;
  return true;
}

/**
 * Whether `checkEvent` accepts `event`, decided by direct reads: every write runs this, and
 * `checkEvent`'s walk over `eventShape` costs several times more. A `true` is always right
 * (`schema-parity.test.ts` checks it against `checkEvent` and the zod schema); on `false`
 * `checkEvent` runs and words the issue, so the messages have one source. Internal.
 */
export function isWellFormedEvent(event: ConsentEvent): boolean {
  const { actor, notice, purposes, signal, dataCategories } = event;
  if (
    !onlyEventKeys(event) ||
    !consentEventKinds.includes(event.kind) ||
    typeof actor !== 'object' ||
    actor === null ||
    !onlyActorKeys(actor) ||
    !actorKinds.includes(actor.kind) ||
    (actor.id !== undefined && !isText(actor.id, 200)) ||
    !Array.isArray(purposes) ||
    (event.basis !== undefined && !legalBases.includes(event.basis)) ||
    !isInstant(event.at) ||
    !consentMethods.includes(event.method) ||
    (event.surface !== undefined && !isText(event.surface, 200)) ||
    (event.uiVersion !== undefined && !isText(event.uiVersion, 100)) ||
    (event.jurisdiction !== undefined &&
      !(typeof event.jurisdiction === 'string' && JURISDICTION.test(event.jurisdiction))) ||
    (event.expiresAt !== undefined && !isInstant(event.expiresAt)) ||
    (event.reason !== undefined &&
      !(typeof event.reason === 'string' && event.reason.length <= 2000)) ||
    (event.confirmed !== undefined && typeof event.confirmed !== 'boolean') ||
    (event.offer !== undefined &&
      (typeof event.offer !== 'object' ||
        event.offer === null ||
        Object.keys(event.offer).length !== 2 ||
        !isText(event.offer.id, 200) ||
        !isText(event.offer.version, 100)))
  ) {
    return false;
  }
  for (let i = 0; i < purposes.length; i++) if (!isDottedId(purposes[i])) return false;
  if (dataCategories !== undefined) {
    if (!Array.isArray(dataCategories) || dataCategories.length === 0) return false;
    for (let i = 0; i < dataCategories.length; i++) {
      if (!isDottedId(dataCategories[i])) return false;
    }
  }
  if (notice !== undefined) {
    if (
      typeof notice !== 'object' ||
      notice === null ||
      !onlyNoticeKeys(notice) ||
      !isText(notice.id, 200) ||
      !isText(notice.version, 100) ||
      !(typeof notice.contentHash === 'string' && SHA256_HEX.test(notice.contentHash))
    ) {
      return false;
    }
  }
  if (signal !== undefined) {
    if (
      typeof signal !== 'object' ||
      signal === null ||
      !onlySignalKeys(signal) ||
      typeof signal.gpc !== 'boolean'
    ) {
      return false;
    }
  }
  return true;
}

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
  if (!isWellFormedEvent(event)) enforce(checkEvent, event, path, 'consent/invalid_event');
  if (event.at > now) fail('at', event.at, 'must not be in the future');
  if (event.dataCategories !== undefined && !categoryEventKinds.includes(event.kind)) {
    fail('dataCategories', event.dataCategories, `a ${event.kind} event is about whole purposes`);
  }
  if (event.offer !== undefined && event.kind !== 'given') {
    fail('offer', event.offer, 'only a grant is made under an offer');
  }
  if (event.expiresAt !== undefined && event.expiresAt <= event.at) {
    fail('expiresAt', event.expiresAt, 'must be epoch ms after `at`');
  }
}
