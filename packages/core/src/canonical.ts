import { CandorError } from './errors';

/**
 * Serializes a JSON value canonically (RFC 8785 style): object keys sorted by UTF-16 code units
 * (integer-like keys too), no whitespace, `undefined` properties omitted, numbers as
 * `JSON.stringify` renders them. Two equal values always give the same string, whatever their key
 * order, so it is what Candor hashes (consent's ledger, explain's audits). Throws a
 * {@link CandorError} with `code` (default `core/invalid_input`) naming the path from `root`
 * (default `value`, e.g. `value.a[2]`) of the first value JSON cannot carry faithfully:
 * non-finite numbers, bigints, functions, symbols, `undefined` at the root or inside an array,
 * objects that are not plain (dates, maps, class instances), cycles.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null, 'x'] }); // '{"a":[true,null,"x"],"b":1}'
 * canonicalJson(event, 'consent/invalid_event', 'event'); // a NaN throws at `event.at`
 */
export function canonicalJson(value: unknown, code = 'core/invalid_input', root = 'value'): string {
  start(code, root);
  return write(value, root, false);
}

/**
 * Like {@link canonicalJson}, and also returns a fresh deep copy of `value` (plain objects with
 * sorted keys, `undefined` properties dropped), made in the same pass. Keep the copy when a
 * caller mutating its object later must not change what was hashed.
 *
 * @example
 * const { json, copy } = canonicalCopy({ b: 1, a: { c: undefined } }); // json '{"a":{},"b":1}'
 */
export function canonicalCopy<T>(
  value: T,
  code = 'core/invalid_input',
  root = 'value',
): { readonly json: string; readonly copy: T } {
  start(code, root);
  const json = write(value, root, true);
  return { json, copy: copied as T };
}

/** The code errors of the current call throw. */
let errorCode = 'core/invalid_input';

/** Checks `code` and `root`, and resets what a call that threw may have left. */
function start(code: unknown, root: unknown): void {
  errorCode = 'core/invalid_input';
  if (typeof code !== 'string') bad('code', code, 'must be a string');
  if (typeof root !== 'string') bad('root', root, 'must be a string');
  errorCode = code;
  ancestors.length = 0;
}

/** The copy made by the last `write(…, true)` call (avoids allocating a result per node). */
let copied: unknown;
/** The arrays and objects being written, outermost first: a value met again is a cycle. */
const ancestors: object[] = [];

function bad(path: string, value: unknown, problem: string): never {
  throw new CandorError(errorCode, `${path}: ${problem}`, { path, value });
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
      if (ancestors.includes(value)) bad(path, value, 'contains itself (a cycle)');
      if (Array.isArray(value)) {
        ancestors.push(value);
        const array: unknown[] | undefined = copy ? new Array(value.length) : undefined;
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const at = `${path}[${i}]`;
          if (value[i] === undefined) bad(at, undefined, 'undefined cannot be stored in an array');
          out += (i === 0 ? '' : ',') + write(value[i], at, copy);
          if (array) array[i] = copied;
        }
        ancestors.pop();
        copied = array;
        return `${out}]`;
      }
      if (!isPlain(value)) bad(path, value, 'only plain objects can be hashed');
      ancestors.push(value);
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
      ancestors.pop();
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
