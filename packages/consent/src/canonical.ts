import {
  canonicalCopy as coreCanonicalCopy,
  canonicalJson as coreCanonicalJson,
} from '@candor/core';
import type { ConsentEvent } from './events';

/**
 * `@candor/core`'s `canonicalJson` (one implementation for every package), offered here as it
 * always was: a value JSON cannot carry throws `consent/invalid_event` with the path from
 * `(root)`, e.g. `(root).purposes[0]`.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null, 'x'] }); // '{"a":[true,null,"x"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return coreCanonicalJson(value, 'consent/invalid_event', '(root)');
}

/**
 * `@candor/core`'s `canonicalCopy`: the canonical JSON and a fresh deep copy (sorted keys,
 * `undefined` properties dropped) in one pass. Stores keep the copy so a caller mutating its
 * object later cannot change what was hashed. Throws as {@link canonicalJson} does.
 *
 * @example
 * const { json, copy } = canonicalCopy(event);
 */
export function canonicalCopy<T>(value: T): { readonly json: string; readonly copy: T } {
  return coreCanonicalCopy(value, 'consent/invalid_event', '(root)');
}

const isPlain = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/** Whether every own key with a defined value is one of `known`. */
function onlyKeys(value: Record<string, unknown>, known: ReadonlySet<string>): boolean {
  for (const key in value) {
    if (value[key] !== undefined && !known.has(key)) return false;
  }
  return true;
}

// Every field of a ConsentEvent (and of its nested objects).
const EVENT_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set([
  'actor',
  'at',
  'basis',
  'confirmed',
  'dataCategories',
  'expiresAt',
  'jurisdiction',
  'kind',
  'method',
  'notice',
  'offer',
  'purposes',
  'reason',
  'signal',
  'surface',
  'uiVersion',
]);
const ACTOR_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set(['id', 'kind']);
const NOTICE_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set(['contentHash', 'id', 'version']);
const SIGNAL_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set(['gpc']);
const OFFER_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set(['id', 'version']);

/** An array of strings without holes. */
function isStrings(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
}

type Optional<T> = T | undefined;
const isText = (value: unknown): value is Optional<string> =>
  value === undefined || typeof value === 'string';

/**
 * A deep copy of an event of the documented shape, built field by field in canonical order, so
 * that the native `JSON.stringify` (which keeps insertion order for such keys) writes exactly its
 * canonical JSON; `undefined` when the event has any other field or type (then only the generic
 * path gives the canonical bytes).
 *
 * @example
 * const copy = sortedEventCopy(event);
 * if (copy) JSON.stringify(copy) === canonicalJson(event); // true
 */
export function sortedEventCopy(event: ConsentEvent): ConsentEvent | undefined {
  if (!isPlain(event) || !onlyKeys(event, EVENT_KEYS)) return undefined;
  const { actor, at, basis, confirmed, expiresAt, jurisdiction, kind, method, notice } = event;
  const { purposes, reason, signal, surface, uiVersion, dataCategories, offer } = event;
  if (
    !isPlain(actor) ||
    !onlyKeys(actor, ACTOR_KEYS) ||
    typeof actor.kind !== 'string' ||
    !isText(actor.id) ||
    typeof at !== 'number' ||
    !Number.isFinite(at) ||
    !isText(basis) ||
    (confirmed !== undefined && typeof confirmed !== 'boolean') ||
    (expiresAt !== undefined && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) ||
    !isText(jurisdiction) ||
    typeof kind !== 'string' ||
    typeof method !== 'string' ||
    !isText(reason) ||
    !isText(surface) ||
    !isText(uiVersion) ||
    !isStrings(purposes) ||
    (dataCategories !== undefined && !isStrings(dataCategories)) ||
    (notice !== undefined &&
      !(
        isPlain(notice) &&
        onlyKeys(notice, NOTICE_KEYS) &&
        typeof notice.contentHash === 'string' &&
        typeof notice.id === 'string' &&
        typeof notice.version === 'string'
      )) ||
    (signal !== undefined &&
      !(isPlain(signal) && onlyKeys(signal, SIGNAL_KEYS) && typeof signal.gpc === 'boolean')) ||
    (offer !== undefined &&
      !(
        isPlain(offer) &&
        onlyKeys(offer, OFFER_KEYS) &&
        typeof offer.id === 'string' &&
        typeof offer.version === 'string'
      ))
  ) {
    return undefined;
  }
  const copy: Record<string, unknown> = {
    actor: actor.id === undefined ? { kind: actor.kind } : { id: actor.id, kind: actor.kind },
    at,
  };
  if (basis !== undefined) copy.basis = basis;
  if (confirmed !== undefined) copy.confirmed = confirmed;
  if (dataCategories !== undefined) copy.dataCategories = dataCategories.slice();
  if (expiresAt !== undefined) copy.expiresAt = expiresAt;
  if (jurisdiction !== undefined) copy.jurisdiction = jurisdiction;
  copy.kind = kind;
  copy.method = method;
  if (notice !== undefined) {
    copy.notice = { contentHash: notice.contentHash, id: notice.id, version: notice.version };
  }
  if (offer !== undefined) copy.offer = { id: offer.id, version: offer.version };
  copy.purposes = purposes.slice();
  if (reason !== undefined) copy.reason = reason;
  if (signal !== undefined) copy.signal = { gpc: signal.gpc };
  if (surface !== undefined) copy.surface = surface;
  if (uiVersion !== undefined) copy.uiVersion = uiVersion;
  return copy as unknown as ConsentEvent;
}
