import type { JsonValue } from '@candor/core';
import { rulesError } from '../errors';
import { MAX_DEPTH, MAX_NODES } from '../safety';
import type { WindowSpec } from '../types';
import type { Ctx } from './context';
import { compileLeaf } from './leaf';
import { ALL, ANY, NOT, PNode } from './program';
import type { CNode, Eval } from './types';
import { isObject } from './values';
import { compileWindow } from './window';

export const NO_CHILDREN: readonly CNode[] = Object.freeze([]);

export function cnode(
  kind: CNode['kind'],
  path: string,
  p: PNode,
  fn: Eval | null,
  children: readonly CNode[],
  fact: string | undefined,
  op: string | undefined,
  expected: unknown,
  slot: number | undefined,
  refSlot: number | undefined,
  refFact: string | undefined,
  category: string | undefined,
  window: WindowSpec | undefined,
): CNode {
  return {
    kind,
    path,
    rel: undefined,
    text: undefined,
    notText: undefined,
    p,
    fn,
    children,
    fact,
    op,
    expected: expected as JsonValue | undefined,
    slot,
    refSlot,
    refFact,
    category,
    window,
  };
}

/** An `all`, `any` or `not` node. */
function branch(kind: CNode['kind'], at: string, p: PNode, children: readonly CNode[]): CNode {
  return cnode(
    kind,
    at,
    p,
    null,
    children,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  );
}

/** Records that the rule reads `slot` (fed by `path`, null for a window). */
export function reads(ctx: Ctx, slot: number, path: string | null): void {
  if (!ctx.slots.includes(slot)) ctx.slots.push(slot);
  if (path !== null && !ctx.paths.includes(path)) ctx.paths.push(path);
}

/** Whether `o` has exactly one own enumerable key (counted without allocating a key list). */
function hasOneKey(o: object): boolean {
  let n = 0;
  for (const key in o) if (Object.hasOwn(o, key) && ++n > 1) return false;
  return n === 1;
}

/** `.all[k]`/`.any[k]` path steps, made once each (a node's path is one concatenation). */
const CHILD_KEYS: Record<'all' | 'any', string[]> = { all: [], any: [] };
function childKey(kind: 'all' | 'any', k: number): string {
  const keys = CHILD_KEYS[kind];
  let key = keys[k];
  if (key === undefined) {
    key = `.${kind}[${k}]`;
    keys[k] = key;
  }
  return key;
}

export function compileCondition(c: unknown, at: string, depth: number, ctx: Ctx): CNode {
  if (depth > MAX_DEPTH)
    throw rulesError(
      'rules/too_deep',
      `conditions nest deeper than ${MAX_DEPTH} levels`,
      ctx.ruleId,
      at,
    );
  if (++ctx.nodes > MAX_NODES)
    throw rulesError(
      'rules/too_large',
      `a rule may hold at most ${MAX_NODES} conditions`,
      ctx.ruleId,
      at,
    );
  if (!isObject(c))
    throw rulesError('rules/invalid_rule', 'a condition must be an object', ctx.ruleId, at, c);
  const ancestors = ctx.ancestors;
  if (ancestors.includes(c))
    throw rulesError('rules/cycle', 'a condition contains itself', ctx.ruleId, at);
  // No try/finally: an error abandons the whole compilation, and `ancestors` with it.
  ancestors.push(c);
  let node: CNode;
  if ('all' in c || 'any' in c) {
    const kind = 'all' in c ? 'all' : 'any';
    if (!hasOneKey(c))
      throw rulesError('rules/invalid_rule', `"${kind}" must be the only key`, ctx.ruleId, at, c);
    const list = c[kind];
    if (!Array.isArray(list))
      throw rulesError(
        'rules/invalid_rule',
        `"${kind}" must be an array`,
        ctx.ruleId,
        `${at}.${kind}`,
        list,
      );
    if (list.length > 256)
      throw rulesError(
        'rules/too_large',
        `"${kind}" may hold at most 256 conditions`,
        ctx.ruleId,
        `${at}.${kind}`,
      );
    const children: CNode[] = new Array(list.length);
    const kids: PNode[] = new Array(list.length);
    for (let k = 0; k < list.length; k++) {
      const child = compileCondition(list[k], at + childKey(kind, k), depth + 1, ctx);
      children[k] = child;
      kids[k] = child.p;
    }
    const p = new PNode(kind === 'all' ? ALL : ANY, 0, 0, null, kids, null);
    node = branch(kind, at, p, children);
  } else if ('not' in c) {
    if (!hasOneKey(c))
      throw rulesError('rules/invalid_rule', '"not" must be the only key', ctx.ruleId, at, c);
    const child = compileCondition(c.not, `${at}.not`, depth + 1, ctx);
    node = branch('not', at, new PNode(NOT, 0, 0, null, [child.p], null), [child]);
  } else if ('window' in c) node = compileWindow(c, at, ctx);
  else if ('fact' in c) node = compileLeaf(c, at, ctx);
  else
    throw rulesError(
      'rules/invalid_rule',
      'a condition needs one of all, any, not, fact or window',
      ctx.ruleId,
      at,
      c,
    );
  ancestors.pop();
  return node;
}
