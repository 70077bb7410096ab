import type { Eval, Tri } from './types';

export const F: Tri = 0;
export const T: Tri = 1;
export const U: Tri = 2;

export const ALL = 0;
export const ANY = 1;
export const NOT = 2;
export const GT = 3;
export const GTE = 4;
export const LT = 5;
export const LTE = 6;
export const EQ = 7;
export const NEQ = 8;
export const IN = 9;
export const NOT_IN = 10;
export const CALL = 11;
export const CONTAINS = 12;
export const NOT_CONTAINS = 13;

/**
 * @internal A condition lowered to data for one shared, monomorphic interpreter (`run`): V8
 * optimizes one hot function far sooner than thousands of distinct closures. Operators without a
 * fast path (regex, time, windows, fact references) call their compiled closure.
 */
export class PNode {
  constructor(
    readonly code: number,
    readonly slot: number,
    readonly num: number,
    readonly val: unknown,
    readonly kids: readonly PNode[],
    readonly fn: Eval | null,
  ) {}
}

export const NO_KIDS: readonly PNode[] = Object.freeze([]);

/**
 * @internal The interpreter: one function for every rule. Codes and outcomes are literals, not
 * the module constants: a loader that rewrites module `const`s to `var`s (tsx, CJS wrappers)
 * would otherwise turn the switch's jump table into a chain of loads and compares.
 */
export function run(n: PNode, s: unknown[]): Tri {
  switch (n.code) {
    case 0 /* ALL */:
      {
        const kids = n.kids;
        let out: Tri = 1;
        for (let i = 0; i < kids.length; i++) {
          const r = run(kids[i] as PNode, s);
          if (r === 0) return 0;
          if (r === 2) out = 2;
        }
        return out;
      }
    case 1 /* ANY */:
      {
        const kids = n.kids;
        let out: Tri = 0;
        for (let i = 0; i < kids.length; i++) {
          const r = run(kids[i] as PNode, s);
          if (r === 1) return 1;
          if (r === 2) out = 2;
        }
        return out;
      }
    case 2 /* NOT */:
      {
        const r = run(n.kids[0] as PNode, s);
        return r === 2 ? 2 : r === 1 ? 0 : 1;
      }
    case 3 /* GT */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : typeof x === 'number' && x > n.num ? 1 : 0;
      }
    case 4 /* GTE */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : typeof x === 'number' && x >= n.num ? 1 : 0;
      }
    case 5 /* LT */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : typeof x === 'number' && x < n.num ? 1 : 0;
      }
    case 6 /* LTE */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : typeof x === 'number' && x <= n.num ? 1 : 0;
      }
    case 7 /* EQ */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : x === n.val ? 1 : 0;
      }
    case 8 /* NEQ */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : x !== n.val ? 1 : 0;
      }
    case 9 /* IN */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : (n.val as unknown[]).includes(x) ? 1 : 0;
      }
    case 10 /* NOT_IN */:
      {
        const x = s[n.slot];
        return x === undefined ? 2 : (n.val as unknown[]).includes(x) ? 0 : 1;
      }
    case 12 /* CONTAINS: a scalar in an array, or a substring */:
      {
        const x = s[n.slot];
        if (x === undefined) return 2;
        if (typeof x === 'string') return typeof n.val === 'string' && x.includes(n.val) ? 1 : 0;
        return Array.isArray(x) && x.includes(n.val) ? 1 : 0;
      }
    case 13 /* NOT_CONTAINS: false, too, when the fact is neither an array nor a string */:
      {
        const x = s[n.slot];
        if (x === undefined) return 2;
        if (typeof x === 'string') return typeof n.val === 'string' && x.includes(n.val) ? 0 : 1;
        return Array.isArray(x) ? (x.includes(n.val) ? 0 : 1) : 0;
      }
    default:
      return (n.fn as Eval)(s);
  }
}
