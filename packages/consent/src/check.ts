import { type Code, fail, unknownField } from './errors';

// Runtime checks of consent's plain-data formats without zod (the browser bundle is
// size-benchmarked): each format is one `Shape`, a table with a check per field. The table is
// typed against the format's TypeScript type, so a field missing from it or not in the type is a
// compile error, and its keys are what `object()` accepts: an unknown field is rejected with the
// field it is a near miss of. `schema-parity.test.ts` runs the same inputs through these checks
// and through the zod schemas the JSON Schemas come from (`schema.ts`).
//
// A check returns nothing for a good value (no allocation: writes run these on every event), or
// the first issue: where below the value it is, the offending value, and the problem.

/**
 * What is wrong with a value: where below it (`''`, `.title`, `[2].kind`), the offending value,
 * and the problem. Internal.
 */
export type Issue = readonly [at: string, value: unknown, problem: string];

/**
 * Checks one value: `undefined` when it is good, else its first {@link Issue}. Internal.
 *
 * @example
 * const check: Check = string(100);
 * check(''); // ['', '', 'must be a non-empty string of at most 100 characters']
 */
export type Check = (value: unknown) => Issue | undefined;

/**
 * A check for every field of `T`, and no other. Internal.
 *
 * @example
 * const actor: Shape<ConsentActor> = { kind: oneOf(['subject', 'company']), id: optional(string(200)) };
 */
export type Shape<T> = { readonly [K in keyof T]-?: Check };

/**
 * Runs `check` on `value` and throws `code` naming `path` plus the issue's place. Internal.
 *
 * @example
 * enforce(policyPack, pack, 'policy', 'consent/invalid_policy'); // throws at policy.gpcScope[0]
 */
export function enforce(check: Check, value: unknown, path: string, code: Code): void {
  const issue = check(value);
  if (issue !== undefined) fail(code, path + issue[0], issue[1], issue[2]);
}

/**
 * A value `ok` accepts; else `problem`. Internal: the base of the other checks.
 *
 * @example
 * is(isDottedId, 'must be a data category id');
 */
/* @__NO_SIDE_EFFECTS__ */
export function is(ok: (value: unknown) => boolean, problem: string): Check {
  return (value) => (ok(value) ? undefined : ['', value, problem]);
}

/**
 * An object with no own key but those of `fields` (the first other one is the issue, naming the
 * field it is a near miss of). Internal.
 *
 * @example
 * noUnknownKeys({ id: 1, version: 1 })({ id: 'n', versoin: '2' }); // ['.versoin', '2', 'unknown field "versoin"; did you mean "version"?']
 */
/* @__NO_SIDE_EFFECTS__ */
export function noUnknownKeys(fields: object): Check {
  return (value) => {
    for (const key in value as object) {
      if (Object.hasOwn(value as object, key) && !Object.hasOwn(fields, key)) {
        return [
          /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`,
          (value as Record<string, unknown>)[key],
          unknownField(key, Object.keys(fields)),
        ];
      }
    }
    return undefined;
  };
}

/**
 * An object with the fields of `shape` (each checked, in order) and no other (an unknown field is
 * the first issue, naming the field it is a near miss of). Internal.
 *
 * @example
 * enforce(object(policyPackShape), pack, 'policy', 'consent/invalid_policy');
 */
/* @__NO_SIDE_EFFECTS__ */
export function object<T>(shape: Shape<T>): Check {
  const unknown = noUnknownKeys(shape);
  return (value) => {
    if (typeof value !== 'object' || value === null) return ['', value, 'must be an object'];
    const issue = unknown(value);
    if (issue !== undefined) return issue;
    for (const key in shape) {
      const inner = shape[key]((value as Record<string, unknown>)[key]);
      if (inner !== undefined) return [`.${key}${inner[0]}`, inner[1], inner[2]];
    }
    return undefined;
  };
}

/**
 * `undefined`, or what `check` accepts. Internal.
 *
 * @example
 * optional(boolean);
 */
/* @__NO_SIDE_EFFECTS__ */
export function optional(check: Check): Check {
  return (value) => (value === undefined ? undefined : check(value));
}

/**
 * A string of `min` (default 1) to `max` (default: any number of) characters. Internal.
 *
 * @example
 * string(200); // non-empty, at most 200
 */
/* @__NO_SIDE_EFFECTS__ */
export function string(max?: number, min = 1): Check {
  return is(
    (value) =>
      typeof value === 'string' &&
      value.length >= min &&
      (max === undefined || value.length <= max),
    `must be a ${min ? 'non-empty ' : ''}string${max ? ` of at most ${max} characters` : ''}`,
  );
}

/** Any string, empty or not. Internal. */
export const text: Check = /* @__PURE__ */ is(
  (value) => typeof value === 'string',
  'must be a string',
);

/** A boolean. Internal. */
export const boolean: Check = /* @__PURE__ */ is(
  (value) => typeof value === 'boolean',
  'must be a boolean',
);

/**
 * A safe integer from `min` (to `max`, when given). Internal.
 *
 * @example
 * integer(1, 11);
 */
/* @__NO_SIDE_EFFECTS__ */
export function integer(min: number, max?: number): Check {
  return is(
    (value) =>
      Number.isSafeInteger(value) &&
      (value as number) >= min &&
      (max === undefined || (value as number) <= max),
    `must be an integer ${max ? `from ${min} to ${max}` : `≥ ${min}`}`,
  );
}

/**
 * One of `values`. Internal.
 *
 * @example
 * oneOf(['opt_in', 'opt_out']);
 */
/* @__NO_SIDE_EFFECTS__ */
export function oneOf(values: readonly unknown[]): Check {
  return is((value) => values.includes(value), `must be one of ${values.join(', ')}`);
}

/**
 * An array whose items `item` accepts (an issue names `[i]`), not empty when `nonEmpty`.
 * Internal.
 *
 * @example
 * list(oneOf(legalBases), true);
 */
/* @__NO_SIDE_EFFECTS__ */
export function list(item: Check, nonEmpty = false): Check {
  return (value) => {
    if (!Array.isArray(value)) return ['', value, 'must be an array'];
    if (nonEmpty && value.length === 0) return ['', value, 'must not be empty'];
    for (let i = 0; i < value.length; i++) {
      const inner = item(value[i]);
      if (inner !== undefined) return [`[${i}]${inner[0]}`, inner[1], inner[2]];
    }
    return undefined;
  };
}
