import { F, T } from './program';
import type { Tri } from './types';

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const isScalar = (v: unknown): v is string | number | boolean | null =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v));
export const isRef = (v: unknown): v is { fact: string } =>
  isObject(v) && Object.keys(v).length === 1 && typeof v.fact === 'string';

/**
 * Whether `v` is JSON data: finite numbers, plain objects and arrays, no cycles, at most 16 levels.
 * `ancestors` (the containers being checked) is only created once a container holds another.
 */
export function isJson(v: unknown, depth = 0, ancestors?: unknown[]): boolean {
  if (isScalar(v)) return true;
  if (depth > 16 || typeof v !== 'object' || v === null || ancestors?.includes(v)) return false;
  const nested = (x: unknown): boolean => {
    if (ancestors === undefined) ancestors = [];
    ancestors.push(v);
    const ok = isJson(x, depth + 1, ancestors);
    ancestors.pop();
    return ok;
  };
  if (Array.isArray(v)) {
    if (v.length > 10_000) return false;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      // Holes are skipped, as `every` skips them.
      if (!isScalar(x) && (x !== undefined || i in v) && !nested(x)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in v) {
    if (!Object.hasOwn(v, key)) continue;
    if (key === '__proto__') return false;
    const x = (v as Record<string, unknown>)[key];
    if (!isScalar(x) && !nested(x)) return false;
  }
  return true;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) &&
      deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

export function compare(op: string, x: unknown, y: unknown): Tri {
  if (typeof x === 'number' && typeof y === 'number') {
    return (op === 'gt' ? x > y : op === 'gte' ? x >= y : op === 'lt' ? x < y : x <= y) ? T : F;
  }
  if (typeof x === 'string' && typeof y === 'string') {
    return (op === 'gt' ? x > y : op === 'gte' ? x >= y : op === 'lt' ? x < y : x <= y) ? T : F;
  }
  return F;
}

export function scalarEq(x: unknown, y: unknown): boolean {
  return x === y || deepEqual(x, y);
}

export function isRange(v: unknown): v is [number, number] {
  return (
    Array.isArray(v) &&
    v.length === 2 &&
    typeof v[0] === 'number' &&
    typeof v[1] === 'number' &&
    Number.isFinite(v[0]) &&
    Number.isFinite(v[1]) &&
    v[0] <= v[1]
  );
}

export function containsValue(x: unknown, y: unknown): boolean {
  if (typeof x === 'string') return typeof y === 'string' && x.includes(y);
  if (Array.isArray(x))
    return x.includes(y) || (typeof y === 'object' && x.some((e) => deepEqual(e, y)));
  return false;
}
