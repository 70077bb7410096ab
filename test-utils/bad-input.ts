import { CandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';

/** An object without a prototype: `String(value)` and template literals throw on it. */
export const NULL_PROTO = Object.create(null) as object;
/** Values that are not objects. */
export const NOT_OBJECT: unknown[] = [null, undefined, 'x', 42];
/** Values that are not arrays. */
export const NOT_ARRAY: unknown[] = [null, undefined, 'x', 42, {}, NULL_PROTO];
/** Values that are not strings. */
export const NOT_STRING: unknown[] = [null, undefined, 42, {}, [], NULL_PROTO];
/** Values that are not numbers (NaN included). */
export const NOT_NUMBER: unknown[] = [null, 'x', {}, [], NULL_PROTO, Number.NaN];
/** One value of every kind a caller might pass by mistake. */
export const ALL_BAD: unknown[] = [null, undefined, 'x', 42, {}, [], NULL_PROTO];

/** One public call, the bad values to give it, and the error code and `details.path` it must throw. */
export type BadInputRow = [
  name: string,
  call: (input: unknown) => unknown,
  inputs: unknown[],
  code: string,
  path: string,
];

/** A bad value as a test title shows it. */
export function show(value: unknown): string {
  if (value === NULL_PROTO) return 'null-prototype object';
  if (value === undefined) return 'undefined';
  if (Number.isNaN(value)) return 'NaN';
  return JSON.stringify(value);
}

const typed = (code: string, path: string) =>
  expect.objectContaining({ code, details: expect.objectContaining({ path }) });

/**
 * One test per row and bad value: `sync` rows must throw, `async` rows must reject, each with a
 * {@link CandorError} of the row's code whose `details.path` is the row's path.
 *
 * @example
 * describeBadInput([['compileRules', (v) => compileRules(v as never), NOT_ARRAY, 'rules/invalid_rule', 'rules']], []);
 */
export function describeBadInput(sync: BadInputRow[], async: BadInputRow[]): void {
  describe('bad input throws a typed CandorError naming the argument', () => {
    for (const [name, call, inputs, code, path] of sync) {
      for (const input of inputs) {
        it(`${name} with ${show(input)} → ${code} at ${path}`, () => {
          expect(() => call(input)).toThrow(typed(code, path));
        });
      }
    }
    for (const [name, call, inputs, code, path] of async) {
      for (const input of inputs) {
        it(`${name} with ${show(input)} rejects with ${code} at ${path}`, async () => {
          await expect(call(input)).rejects.toThrow(typed(code, path));
        });
      }
    }
  });
}

/**
 * Calls every lower-case function a module exports with each of {@link ALL_BAD}: whatever it throws
 * or rejects with must be a {@link CandorError}.
 *
 * @example
 * describeOnlyCandorErrors(await import('./index'));
 */
export function describeOnlyCandorErrors(module: object): void {
  describe('no export throws anything but a CandorError', () => {
    const fns = Object.entries(module as Record<string, unknown>).filter(
      ([name, value]) => typeof value === 'function' && /^[a-z]/.test(name),
    ) as [string, (input: unknown) => unknown][];
    it.each(fns)('%s', async (_, fn) => {
      for (const input of ALL_BAD) {
        try {
          const result = fn(input);
          if (result instanceof Promise) {
            await result.catch((e) => expect(e, show(input)).toBeInstanceOf(CandorError));
          }
        } catch (error) {
          expect(error, show(input)).toBeInstanceOf(CandorError);
        }
      }
    });
  });
}
