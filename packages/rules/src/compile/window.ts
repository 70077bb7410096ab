import { isDottedId, isWithin } from '@candor/core';
import { rulesError } from '../errors';
import { pathProblem } from '../safety';
import { parseDuration } from '../time';
import type { WindowSpec } from '../types';
import { EVENT_TYPE, rejectUnknownKeys } from './checks';
import { cnode, NO_CHILDREN, reads } from './conditions';
import type { Ctx } from './context';
import { CALL, F, NO_KIDS, PNode, T, U } from './program';
import type { CNode, Eval } from './types';
import { compare, isObject, isRange, isScalar } from './values';

const WINDOW_OPS = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between']);

export function compileWindow(c: Record<string, unknown>, at: string, ctx: Ctx): CNode {
  const { ruleId } = ctx;
  rejectUnknownKeys(c, WINDOW_KEYS, ruleId, at);
  const spec = c.window;
  const fail = (where: string, why: string, v: unknown): never => {
    throw rulesError('rules/invalid_rule', why, ruleId, `${at}${where}`, v);
  };
  if (!isObject(spec)) return fail('.window', 'must be an object', spec);
  rejectUnknownKeys(spec, WINDOW_SPEC_KEYS, ruleId, `${at}.window`);
  if (typeof spec.event !== 'string' || !EVENT_TYPE.test(spec.event) || spec.event === '*')
    fail('.window.event', 'must be an event type', spec.event);
  const withinMs = parseDuration(spec.within);
  if (withinMs === undefined || withinMs <= 0)
    fail('.window.within', 'must be a positive duration such as "30d"', spec.within);
  if (spec.agg !== 'count' && spec.agg !== 'sum')
    fail('.window.agg', 'must be "count" or "sum"', spec.agg);
  if (spec.agg === 'sum' || spec.field !== undefined) {
    const p = pathProblem(spec.field);
    if (p !== null)
      throw rulesError(
        typeof spec.field === 'string' &&
          /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(spec.field)
          ? 'rules/unsafe_path'
          : 'rules/invalid_rule',
        p,
        ruleId,
        `${at}.window.field`,
        spec.field,
      );
  }
  if (spec.where !== undefined) {
    if (!isObject(spec.where)) fail('.window.where', 'must map fact paths to scalars', spec.where);
    for (const [k, v] of Object.entries(spec.where as object)) {
      const p = pathProblem(k);
      if (p !== null)
        throw rulesError(
          /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(k)
            ? 'rules/unsafe_path'
            : 'rules/invalid_rule',
          p,
          ruleId,
          `${at}.window.where.${k}`,
          k,
        );
      if (!isScalar(v)) fail(`.window.where.${k}`, 'must be a scalar', v);
    }
  }
  const category = c.category;
  if (!isDottedId(category)) return fail('.category', 'must be a data category id', category);
  if (!ctx.categories.some((declared) => isWithin(category, declared)))
    fail('.category', `"${category}" is not within the rule's dataCategories`, category);
  const op = c.op;
  if (typeof op !== 'string' || !WINDOW_OPS.has(op))
    throw rulesError(
      'rules/unknown_operator',
      `unknown window operator ${JSON.stringify(op)}`,
      ruleId,
      `${at}.op`,
      op,
    );
  const value = c.value;
  if (op === 'between' ? !isRange(value) : typeof value !== 'number' || !Number.isFinite(value))
    fail('.value', op === 'between' ? 'must be [min, max]' : 'must be a number', value);
  const i = ctx.windowSlot(spec as unknown as WindowSpec, category as string);
  let fn: Eval;
  if (op === 'between') {
    const [lo, hi] = value as [number, number];
    fn = (s) => {
      const x = s[i] as number | undefined;
      return x === undefined ? U : x >= lo && x <= hi ? T : F;
    };
  } else {
    const k = value as number;
    fn = (s) => {
      const x = s[i] as number | undefined;
      if (x === undefined) return U;
      switch (op) {
        case 'eq':
          return x === k ? T : F;
        case 'neq':
          return x !== k ? T : F;
        default:
          return compare(op, x, k);
      }
    };
  }
  ctx.leaves++;
  reads(ctx, i, null);
  return cnode(
    'window',
    at,
    new PNode(CALL, 0, 0, null, NO_KIDS, fn),
    fn,
    NO_CHILDREN,
    undefined,
    op,
    value,
    i,
    undefined,
    undefined,
    category as string,
    spec as unknown as WindowSpec,
  );
}

const WINDOW_KEYS = ['window', 'category', 'op', 'value'];
const WINDOW_SPEC_KEYS = ['event', 'within', 'agg', 'field', 'where'];
