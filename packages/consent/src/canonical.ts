import { fail } from './errors';
import type { ConsentEvent } from './events';

/**
 * Serializes a JSON value canonically (RFC 8785 style): object keys sorted by UTF-16 code units,
 * no whitespace, `undefined` properties omitted, numbers as `JSON.stringify` renders them. Two
 * equal values always give the same string, whatever their key order, so it is what the ledger
 * hashes. Throws `consent/invalid_event` on values JSON cannot carry faithfully (non-finite
 * numbers, bigints, functions, symbols, `undefined` inside arrays, non-plain objects).
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null, 'x'] }); // '{"a":[true,null,"x"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return write(value, '(root)', false);
}

/**
 * Like {@link canonicalJson}, and also returns a fresh deep copy of `value` (plain objects with
 * sorted keys, `undefined` properties dropped), made in the same pass. Stores keep the copy so a
 * caller mutating its object later cannot change what was hashed.
 *
 * @example
 * const { json, copy } = canonicalCopy(event);
 */
export function canonicalCopy<T>(value: T): { readonly json: string; readonly copy: T } {
  const json = write(value, '(root)', true);
  return { json, copy: copied as T };
}

/** The copy made by the last `write(…, true)` call (avoids allocating a result per node). */
let copied: unknown;

function bad(path: string, value: unknown, problem: string): never {
  fail('consent/invalid_event', path, value, problem);
}

/**
 * Serializes `value` at `path` canonically (and, when `copy`, leaves a deep copy in `copied`);
 * throws naming the first value JSON cannot carry.
 */
function write(value: unknown, path: string, copy: boolean): string {
  copied = value;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : bad(path, value, 'must be finite');
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        const array: unknown[] | undefined = copy ? new Array(value.length) : undefined;
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const at = `${path}[${i}]`;
          if (value[i] === undefined) bad(at, undefined, 'undefined cannot be stored in an array');
          out += (i === 0 ? '' : ',') + write(value[i], at, copy);
          if (array) array[i] = copied;
        }
        copied = array;
        return `${out}]`;
      }
      if (!isPlain(value)) bad(path, value, 'only plain objects can be hashed');
      const object: Record<string, unknown> | undefined = copy ? {} : undefined;
      let out = '{';
      for (const key of Object.keys(value).sort()) {
        const raw = value[key];
        if (raw === undefined) continue;
        const item = write(raw, `${path}.${key}`, copy);
        // Sets an own enumerable property, even one named `__proto__`.
        if (object)
          Object.defineProperty(object, key, {
            value: copied,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${item}`;
      }
      copied = object;
      return `${out}}`;
    }
    default:
      return bad(path, value, `a ${typeof value} cannot be stored`);
  }
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
  'expiresAt',
  'jurisdiction',
  'kind',
  'method',
  'notice',
  'purposes',
  'reason',
  'signal',
  'surface',
  'uiVersion',
]);
const ACTOR_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set(['id', 'kind']);
const NOTICE_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set(['contentHash', 'id', 'version']);
const SIGNAL_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set(['gpc']);

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
  const { purposes, reason, signal, surface, uiVersion } = event;
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
    (notice !== undefined &&
      !(
        isPlain(notice) &&
        onlyKeys(notice, NOTICE_KEYS) &&
        typeof notice.contentHash === 'string' &&
        typeof notice.id === 'string' &&
        typeof notice.version === 'string'
      )) ||
    (signal !== undefined &&
      !(isPlain(signal) && onlyKeys(signal, SIGNAL_KEYS) && typeof signal.gpc === 'boolean'))
  ) {
    return undefined;
  }
  const copy: Record<string, unknown> = {
    actor: actor.id === undefined ? { kind: actor.kind } : { id: actor.id, kind: actor.kind },
    at,
  };
  if (basis !== undefined) copy.basis = basis;
  if (confirmed !== undefined) copy.confirmed = confirmed;
  if (expiresAt !== undefined) copy.expiresAt = expiresAt;
  if (jurisdiction !== undefined) copy.jurisdiction = jurisdiction;
  copy.kind = kind;
  copy.method = method;
  if (notice !== undefined) {
    copy.notice = { contentHash: notice.contentHash, id: notice.id, version: notice.version };
  }
  copy.purposes = purposes.slice();
  if (reason !== undefined) copy.reason = reason;
  if (signal !== undefined) copy.signal = { gpc: signal.gpc };
  if (surface !== undefined) copy.surface = surface;
  if (uiVersion !== undefined) copy.uiVersion = uiVersion;
  return copy as unknown as ConsentEvent;
}
