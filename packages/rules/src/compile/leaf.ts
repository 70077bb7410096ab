import { rulesError } from '../errors';
import { operators } from '../operators';
import { MAX_MATCH_INPUT, pathProblem, regexProblem } from '../safety';
import { parseDuration, toTime } from '../time';
import { rejectUnknownKeys } from './checks';
import { cnode, NO_CHILDREN, reads } from './conditions';
import type { Ctx } from './context';
import {
  CALL,
  CONTAINS,
  EQ,
  F,
  GT,
  GTE,
  IN,
  LT,
  LTE,
  NEQ,
  NO_KIDS,
  NOT_CONTAINS,
  NOT_IN,
  PNode,
  T,
  U,
} from './program';
import type { CNode, Eval, Tri } from './types';
import {
  compare,
  containsValue,
  deepEqual,
  isJson,
  isRange,
  isRef,
  isScalar,
  scalarEq,
} from './values';

const DAY = 86_400_000;

const OPS: ReadonlySet<string> = new Set(operators);

/** Lists up to this long lower to an `includes` instruction. */
const LOWERED_LIST = 16;

function badValue(ruleId: string, at: string, op: string, value: unknown, why: string): never {
  throw rulesError('rules/invalid_rule', `"${op}" ${why}`, ruleId, `${at}.value`, value);
}

/** A leaf whose operator runs as its compiled closure (a `CALL` instruction). */
function leafNode(
  at: string,
  fact: string,
  op: string,
  slot: number,
  value: unknown,
  fn: Eval,
  ctx: Ctx,
): CNode {
  return leaf(at, fact, op, slot, value, new PNode(CALL, 0, 0, null, NO_KIDS, fn), fn, ctx);
}

/** A leaf over its fact read as an instant: unknown when the fact is absent, false when not a time. */
function timeLeaf(
  at: string,
  fact: string,
  op: string,
  slot: number,
  value: unknown,
  test: (time: number, now: number) => boolean,
  ctx: Ctx,
): CNode {
  const fn: Eval = (s) => {
    const x = s[slot];
    if (x === undefined) return U;
    const t = toTime(x);
    return t !== undefined && test(t, s[0] as number) ? T : F;
  };
  return leafNode(at, fact, op, slot, value, fn, ctx);
}

/**
 * A leaf lowered to instruction `code` for the interpreter (`run`): numeric comparisons, scalar
 * equality, short `in` lists, scalar `contains`.
 */
function lowered(
  at: string,
  fact: string,
  op: string,
  slot: number,
  value: unknown,
  code: number,
  ctx: Ctx,
): CNode {
  const p =
    code <= LTE
      ? new PNode(code, slot, value as number, null, NO_KIDS, null)
      : new PNode(code, slot, 0, value, NO_KIDS, null);
  return leaf(at, fact, op, slot, value, p, null, ctx);
}

function leaf(
  at: string,
  fact: string,
  op: string,
  slot: number,
  value: unknown,
  p: PNode,
  fn: Eval | null,
  ctx: Ctx,
): CNode {
  ctx.leaves++;
  reads(ctx, slot, fact);
  return cnode(
    'fact',
    at,
    p,
    fn,
    NO_CHILDREN,
    fact,
    op,
    value,
    slot,
    undefined,
    undefined,
    undefined,
    undefined,
  );
}

const REF_OPS: ReadonlySet<string> = new Set([
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'notContains',
  'before',
  'after',
  'startsWith',
]);
const LEAF_KEYS = ['fact', 'op', 'value', 'flags'];

export function compileLeaf(c: Record<string, unknown>, at: string, ctx: Ctx): CNode {
  const { ruleId } = ctx;
  rejectUnknownKeys(c, LEAF_KEYS, ruleId, at);
  const path = c.fact;
  const problem = pathProblem(path);
  if (problem !== null)
    throw rulesError(
      typeof path === 'string' && /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(path)
        ? 'rules/unsafe_path'
        : 'rules/invalid_rule',
      problem,
      ruleId,
      `${at}.fact`,
      path,
    );
  const fact = path as string;
  const op = c.op;
  if (typeof op !== 'string' || !OPS.has(op))
    throw rulesError(
      'rules/unknown_operator',
      `unknown operator ${JSON.stringify(op)}`,
      ruleId,
      `${at}.op`,
      op,
    );
  const i = ctx.slotOf(fact);
  const value = c.value;
  if (c.flags !== undefined && op !== 'matches') badValue(ruleId, at, op, value, 'takes no flags');
  if (value === undefined && op !== 'exists') badValue(ruleId, at, op, value, 'needs a value');
  if (value !== undefined && !isJson(value)) badValue(ruleId, at, op, value, 'needs a JSON value');
  if (typeof value === 'string' && value.length > 1_000)
    badValue(ruleId, at, op, value, 'value must be at most 1,000 characters');
  // A `{ fact }` right-hand side reads another slot.
  if (isRef(value) && op !== 'exists') {
    if (!REF_OPS.has(op)) badValue(ruleId, at, op, value, 'cannot compare with another fact');
    const refProblem = pathProblem(value.fact);
    if (refProblem !== null)
      throw rulesError(
        /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(value.fact)
          ? 'rules/unsafe_path'
          : 'rules/invalid_rule',
        refProblem,
        ruleId,
        `${at}.value.fact`,
        value.fact,
      );
    const j = ctx.slotOf(value.fact);
    const binary =
      (f: (x: unknown, y: unknown) => Tri): Eval =>
      (s) => {
        const x = s[i];
        const y = s[j];
        return x === undefined || y === undefined ? U : f(x, y);
      };
    let fn: Eval;
    switch (op) {
      case 'eq':
        fn = binary((x, y) => (scalarEq(x, y) ? T : F));
        break;
      case 'neq':
        fn = binary((x, y) => (scalarEq(x, y) ? F : T));
        break;
      case 'contains':
        fn = binary((x, y) => (containsValue(x, y) ? T : F));
        break;
      case 'notContains':
        fn = binary((x, y) =>
          Array.isArray(x) || typeof x === 'string' ? (containsValue(x, y) ? F : T) : F,
        );
        break;
      case 'startsWith':
        fn = binary((x, y) =>
          typeof x === 'string' && typeof y === 'string' && x.startsWith(y) ? T : F,
        );
        break;
      case 'before':
      case 'after': {
        fn = binary((x, y) => {
          const a = toTime(x);
          const b = toTime(y);
          if (a === undefined || b === undefined) return F;
          return (op === 'before' ? a < b : a > b) ? T : F;
        });
        break;
      }
      default:
        fn = binary((x, y) => compare(op, x, y));
    }
    ctx.leaves++;
    reads(ctx, i, fact);
    reads(ctx, j, value.fact);
    return cnode(
      'fact',
      at,
      new PNode(CALL, 0, 0, null, NO_KIDS, fn),
      fn,
      NO_CHILDREN,
      fact,
      op,
      value,
      i,
      j,
      value.fact,
      undefined,
      undefined,
    );
  }
  switch (op) {
    case 'eq':
    case 'neq': {
      if (isScalar(value)) return lowered(at, fact, op, i, value, op === 'eq' ? EQ : NEQ, ctx);
      const positive = op === 'eq';
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        (s) => {
          const x = s[i];
          return x === undefined ? U : deepEqual(x, value) === positive ? T : F;
        },
        ctx,
      );
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof value !== 'number' && typeof value !== 'string')
        badValue(ruleId, at, op, value, 'needs a number or a string');
      if (typeof value === 'number') {
        const code = op === 'gt' ? GT : op === 'gte' ? GTE : op === 'lt' ? LT : LTE;
        return lowered(at, fact, op, i, value, code, ctx);
      }
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        (s) => {
          const x = s[i];
          return x === undefined ? U : compare(op, x, value);
        },
        ctx,
      );
    }
    case 'in':
    case 'notIn': {
      if (!Array.isArray(value) || !value.every(isScalar))
        badValue(ruleId, at, op, value, 'needs an array of scalars');
      const list = value as readonly unknown[];
      if (list.length <= LOWERED_LIST)
        return lowered(at, fact, op, i, value, op === 'in' ? IN : NOT_IN, ctx);
      const set = list.length > 8 ? new Set(list) : null;
      const positive = op === 'in';
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        set
          ? (s) => {
              const x = s[i];
              return x === undefined ? U : set.has(x) === positive ? T : F;
            }
          : (s) => {
              const x = s[i];
              return x === undefined ? U : list.includes(x) === positive ? T : F;
            },
        ctx,
      );
    }
    case 'contains':
    case 'notContains': {
      // Lowers to an instruction (`run`): a scalar in an array, or a substring.
      if (!isScalar(value)) badValue(ruleId, at, op, value, 'needs a scalar value');
      return lowered(at, fact, op, i, value, op === 'contains' ? CONTAINS : NOT_CONTAINS, ctx);
    }
    case 'startsWith': {
      if (typeof value !== 'string') badValue(ruleId, at, op, value, 'needs a string');
      const prefix = value as string;
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        (s) => {
          const x = s[i];
          return x === undefined ? U : typeof x === 'string' && x.startsWith(prefix) ? T : F;
        },
        ctx,
      );
    }
    case 'between': {
      if (!isRange(value))
        badValue(ruleId, at, op, value, 'needs [min, max] numbers with min ≤ max');
      const [lo, hi] = value as [number, number];
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        (s) => {
          const x = s[i];
          return x === undefined ? U : typeof x === 'number' && x >= lo && x <= hi ? T : F;
        },
        ctx,
      );
    }
    case 'exists': {
      if (value !== undefined && typeof value !== 'boolean')
        badValue(ruleId, at, op, value, 'takes true or false');
      const want = value !== false;
      return leafNode(at, fact, op, i, value, (s) => ((s[i] !== undefined) === want ? T : F), ctx);
    }
    case 'matches': {
      const problem = regexProblem(value, c.flags);
      if (problem !== null)
        throw rulesError('rules/unsafe_regex', problem, ruleId, `${at}.value`, value);
      const re = ctx.matcher(value as string, (c.flags as string | undefined) ?? '');
      if (typeof re === 'string')
        throw rulesError('rules/unsafe_regex', re, ruleId, `${at}.value`, value);
      return leafNode(
        at,
        fact,
        op,
        i,
        value,
        (s) => {
          const x = s[i];
          if (x === undefined) return U;
          if (typeof x !== 'string') return F;
          if (x.length > MAX_MATCH_INPUT) return U;
          return re.test(x) ? T : F;
        },
        ctx,
      );
    }
    case 'withinLast': {
      const ms = parseDuration(value);
      if (ms === undefined || ms <= 0)
        badValue(ruleId, at, op, value, 'needs a positive duration such as "7d"');
      const d = ms as number;
      return timeLeaf(at, fact, op, i, value, (t, now) => t <= now && t >= now - d, ctx);
    }
    case 'daysUntil': {
      if (!isRange(value) || !(value as number[]).every(Number.isInteger))
        badValue(ruleId, at, op, value, 'needs [min, max] whole days with min ≤ max');
      const [lo, hi] = value as [number, number];
      return timeLeaf(
        at,
        fact,
        op,
        i,
        value,
        (t, now) => {
          const days = Math.ceil((t - now) / DAY) || 0;
          return days >= lo && days <= hi;
        },
        ctx,
      );
    }
    case 'before':
    case 'after': {
      const k = toTime(value);
      if (k === undefined)
        badValue(ruleId, at, op, value, 'needs an instant (epoch ms or ISO 8601) or { fact }');
      const bound = k as number;
      const before = op === 'before';
      return timeLeaf(at, fact, op, i, value, (t) => (before ? t < bound : t > bound), ctx);
    }
  }
  return badValue(ruleId, at, op, value, 'is not supported');
}
