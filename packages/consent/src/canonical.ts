import { CandorError } from '@candor/core';

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
  return canonicalCopy(value).json;
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
  // Fast path: a sorted deep copy serialized by the native JSON.stringify, which then emits keys
  // in the copy's (sorted) order. Integer-like keys are ordered numerically by engines, so objects
  // with such keys take the string-building path instead.
  numericKey = false;
  const copy = sortedClone(value);
  if (copy !== INVALID && !numericKey) return { json: JSON.stringify(copy), copy: copy as T };
  const json = write(value, true);
  if (json === undefined) fail(value, '(root)');
  return { json, copy: copied as T };
}

/** Sets an own enumerable property, even one named `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else target[key] = value;
}

const INVALID: unique symbol = Symbol('invalid');
let numericKey = false;

/** A deep copy with sorted keys and no `undefined` properties, or `INVALID`. */
function sortedClone(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : INVALID;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const out = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = value[i] === undefined ? INVALID : sortedClone(value[i]);
          if (item === INVALID) return INVALID;
          out[i] = item;
        }
        return out;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return INVALID;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      let sorted = true;
      for (let i = 0; i < keys.length; i++) {
        const code = keys[i]!.charCodeAt(0);
        if (code >= 48 && code <= 57) numericKey = true;
        if (i > 0 && keys[i - 1]! > keys[i]!) sorted = false;
      }
      if (!sorted) keys.sort();
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const raw = record[key];
        if (raw === undefined) continue;
        const item = sortedClone(raw);
        if (item === INVALID) return INVALID;
        setOwn(out, key, item);
      }
      return out;
    }
    default:
      return INVALID;
  }
}

/** The copy made by the last `write(…, true)` call (avoids allocating a result per node). */
let copied: unknown;

/**
 * Serializes `value` (and, when `copy`, leaves a deep copy in `copied`), or returns `undefined`
 * when something in it cannot be carried.
 */
function write(value: unknown, copy: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
      copied = value;
      return JSON.stringify(value);
    case 'boolean':
      copied = value;
      return value ? 'true' : 'false';
    case 'number':
      copied = value;
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'object': {
      if (value === null) {
        copied = null;
        return 'null';
      }
      if (Array.isArray(value)) {
        const array: unknown[] | undefined = copy ? new Array(value.length) : undefined;
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item = value[i] === undefined ? undefined : write(value[i], copy);
          if (item === undefined) return undefined;
          if (array) array[i] = copied;
          out += i === 0 ? item : `,${item}`;
        }
        copied = array;
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return undefined;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      let sorted = true;
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1]! > keys[i]!) {
          sorted = false;
          break;
        }
      }
      if (!sorted) keys.sort();
      const object: Record<string, unknown> | undefined = copy ? {} : undefined;
      let out = '{';
      for (const key of keys) {
        const raw = record[key];
        if (raw === undefined) continue;
        const item = write(raw, copy);
        if (item === undefined) return undefined;
        if (object) setOwn(object, key, copied);
        out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${item}`;
      }
      copied = object;
      return `${out}}`;
    }
    default:
      return undefined;
  }
}

/** Finds the first value JSON cannot carry (slow path, only on failure) and throws naming it. */
function fail(value: unknown, path: string): never {
  const bad = (message: string): never => {
    throw new CandorError('consent/invalid_event', `${path}: ${message}`, { path, value });
  };
  if (typeof value === 'number') bad('numbers must be finite');
  if (typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (item === undefined) {
          throw new CandorError(
            'consent/invalid_event',
            `${path}[${i}]: arrays may not hold undefined`,
            {
              path: `${path}[${i}]`,
              value: item,
            },
          );
        }
        if (write(item, false) === undefined) fail(item, `${path}[${i}]`);
      });
    } else {
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) bad('only plain objects can be hashed');
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined && write(item, false) === undefined) fail(item, `${path}.${key}`);
      }
    }
  }
  return bad(`a ${typeof value} cannot be stored`);
}
