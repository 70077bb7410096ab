import { type Code, fail, rejectUnknownKeys } from './errors';

// Runtime checks of consent's plain-data formats without zod (the browser bundle is
// size-benchmarked): each format is one `Shape`, a table with a check per field. The table is
// typed against the format's TypeScript type, so a field missing from it or not in the type is a
// compile error, and its keys are what `object()` accepts: an unknown field is rejected with the
// field it is a near miss of. `schema-parity.test.ts` runs the same inputs through these checks
// and through the zod schemas the JSON Schemas come from (`schema.ts`).

/**
 * Checks one value at `path`, throwing `code` naming the offending (sub)field. Internal.
 *
 * @example
 * const check: Check = string(100);
 * check('', 'policy.id', 'consent/invalid_policy'); // throws: policy.id: must be a non-empty string …
 */
export type Check = (value: unknown, path: string, code: Code) => void;

/**
 * A check for every field of `T`, and no other. Internal.
 *
 * @example
 * const actor: Shape<ConsentActor> = { kind: oneOf(['subject', 'company']), id: optional(string(200)) };
 */
export type Shape<T> = { readonly [K in keyof T]-?: Check };

/**
 * An object with the fields of `shape` (each checked, in order) and no other (an unknown field is
 * rejected first, naming the field it is a near miss of). Internal.
 *
 * @example
 * object(policyPackShape)(pack, 'policy', 'consent/invalid_policy');
 */
export const object =
  <T>(shape: Shape<T>): Check =>
  (value, path, code) => {
    if (typeof value !== 'object' || value === null) fail(code, path, value, 'must be an object');
    rejectUnknownKeys(value, shape, path, code);
    for (const key in shape) {
      shape[key](value[key as keyof typeof value], `${path}.${key}`, code);
    }
  };

/**
 * `undefined`, or what `check` accepts. Internal.
 *
 * @example
 * optional(boolean);
 */
export const optional =
  (check: Check): Check =>
  (value, path, code) => {
    if (value !== undefined) check(value, path, code);
  };

/**
 * A value `ok` accepts; else `problem`. Internal: the base of the other checks.
 *
 * @example
 * is(isDottedId, 'must be a data category id');
 */
export const is =
  (ok: (value: unknown) => boolean, problem: string): Check =>
  (value, path, code) => {
    if (!ok(value)) fail(code, path, value, problem);
  };

/**
 * A string of `min` (default 1) to `max` (default: any number of) characters. Internal.
 *
 * @example
 * string(200); // non-empty, at most 200
 */
export const string = (max?: number, min = 1): Check =>
  is(
    (value) =>
      typeof value === 'string' &&
      value.length >= min &&
      (max === undefined || value.length <= max),
    `must be a ${min ? 'non-empty ' : ''}string${max ? ` of at most ${max} characters` : ''}`,
  );

/** Any string, empty or not. Internal. */
export const text: Check = is((value) => typeof value === 'string', 'must be a string');

/** A boolean. Internal. */
export const boolean: Check = is((value) => typeof value === 'boolean', 'must be a boolean');

/**
 * A safe integer from `min` (to `max`, when given). Internal.
 *
 * @example
 * integer(1, 11);
 */
export const integer = (min: number, max?: number): Check =>
  is(
    (value) =>
      Number.isSafeInteger(value) &&
      (value as number) >= min &&
      (max === undefined || (value as number) <= max),
    `must be an integer ${max ? `from ${min} to ${max}` : `≥ ${min}`}`,
  );

/**
 * One of `values`. Internal.
 *
 * @example
 * oneOf(['opt_in', 'opt_out']);
 */
export const oneOf = (values: readonly unknown[]): Check =>
  is((value) => values.includes(value), `must be one of ${values.join(', ')}`);

/**
 * An array whose items `item` accepts (named `path[i]`), not empty when `nonEmpty`. Internal.
 *
 * @example
 * list(oneOf(legalBases), true);
 */
export const list =
  (item: Check, nonEmpty = false): Check =>
  (value, path, code) => {
    if (!Array.isArray(value)) fail(code, path, value, 'must be an array');
    if (nonEmpty && value.length === 0) fail(code, path, value, 'must not be empty');
    value.forEach((v, i) => {
      item(v, `${path}[${i}]`, code);
    });
  };
