import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalCopy, canonicalJson, isCandorError } from './index';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units at every level, integer-like keys too (RFC 8785)', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined })).toBe(
      '{"a":[true,null,"x"],"b":1}',
    );
    expect(canonicalJson({ b: 1, 10: 2, 9: 3 })).toBe('{"10":2,"9":3,"b":1}');
    expect(canonicalJson({ x: { z: 1, y: 2 } })).toBe(canonicalJson({ x: { y: 2, z: 1 } }));
    expect(canonicalJson(Object.create(null))).toBe('{}');
  });

  it('equals JSON.stringify of the same value with sorted keys, for any JSON (property)', () => {
    const sorted = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(sorted)
        : value !== null && typeof value === 'object'
          ? new Map(
              Object.keys(value)
                .sort()
                .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
            )
          : value;
    const write = (value: unknown): string =>
      value instanceof Map
        ? `{${[...value].map(([k, v]) => `${JSON.stringify(k)}:${write(v)}`).join(',')}}`
        : Array.isArray(value)
          ? `[${value.map(write).join(',')}]`
          : JSON.stringify(value);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(write(sorted(value)));
      }),
      { numRuns: 200 },
    );
  });

  it('names the path of the first value JSON cannot carry', () => {
    const at = (value: unknown) => {
      try {
        canonicalJson(value);
      } catch (error) {
        if (isCandorError(error, 'core/invalid_input')) return error.details.path;
        throw error;
      }
      return undefined;
    };
    expect(at({ a: { b: Number.NaN } })).toBe('value.a.b');
    expect(at({ a: [1, undefined] })).toBe('value.a[1]');
    expect(at({ d: new Date(0) })).toBe('value.d');
    expect(at({ f: () => 1 })).toBe('value.f');
    expect(at([1n])).toBe('value[0]');
    const cyclic: Record<string, unknown> = { list: [] };
    (cyclic.list as unknown[]).push(cyclic);
    expect(at(cyclic)).toBe('value.list[0]');
    try {
      canonicalJson({ at: Number.NaN }, 'consent/invalid_event', '(root)');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        code: 'consent/invalid_event',
        message: '(root).at: must be finite',
        details: { path: '(root).at' },
      });
    }
    // The same object twice, side by side, is not a cycle.
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });
});

describe('canonicalCopy', () => {
  it('returns the canonical JSON and a deep copy that JSON.stringify writes the same way', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { json, copy } = canonicalCopy(value);
        expect(json).toBe(canonicalJson(value));
        expect(canonicalJson(copy)).toBe(json);
        if (value !== null && typeof value === 'object') expect(copy).not.toBe(value);
      }),
      { numRuns: 200 },
    );
    const { copy } = canonicalCopy({ ['__proto__']: { polluted: true }, a: undefined });
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
