import { ALL, PNode } from './program';
import type { CNode, CompiledRule } from './types';
import { isRange, isScalar } from './values';

/** More gate leaves than this per rule (counts are bytes) and the rule is evaluated whole. */
const MAX_GATES_PER_RULE = 32;

/** Whether `n` is a positive `eq`/`in` leaf on scalars (a `not` over one is a negative gate). */
function isValueLeaf(n: CNode): boolean {
  if (n.kind !== 'fact' || n.refSlot !== undefined) return false;
  const k = n.expected;
  return (n.op === 'eq' && isScalar(k)) || (n.op === 'in' && Array.isArray(k) && k.every(isScalar));
}

/**
 * How many gate leaves pass exactly when conjunct `n` is true: a threshold, a value set, a
 * negative value set on a present fact (`neq`, `notIn`, `not` over `eq`/`in`), or `between` as two
 * thresholds; 0 when it has none.
 */
export function gateCount(n: CNode): number {
  if (n.kind === 'not') return isValueLeaf(n.children[0] as CNode) ? 1 : 0;
  if (n.kind !== 'fact' || n.refSlot !== undefined) return 0;
  const k = n.expected;
  switch (n.op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof k === 'number' ? 1 : 0;
    case 'between':
      return isRange(k) ? 2 : 0;
    case 'eq':
    case 'neq':
      return isScalar(k) ? 1 : 0;
    case 'in':
    case 'notIn':
      return Array.isArray(k) && k.every(isScalar) ? 1 : 0;
  }
  return 0;
}

/** The conjuncts of `n`: the leaves of its chain of nested `all`s (itself when not an `all`). */
export function conjuncts(n: CNode): readonly CNode[] {
  if (n.kind !== 'all') return [n];
  // Mostly a flat `all`: its children are the conjuncts (no copy).
  for (let i = 0; i < n.children.length; i++)
    if ((n.children[i] as CNode).kind === 'all') return flatten(n, []);
  return n.children;
}

function flatten(n: CNode, out: CNode[]): CNode[] {
  if (n.kind === 'all') for (const c of n.children) flatten(c, out);
  else out.push(n);
  return out;
}

/**
 * The program of `n` without the conjuncts its gates decide (those with gates, and `exactAny`);
 * null when nothing is left.
 */
function residualOf(n: CNode, exactAny: CNode | null): PNode | null {
  if (n.kind !== 'all') return n === exactAny || gateCount(n) > 0 ? null : n.p;
  const kids: PNode[] = [];
  for (let i = 0; i < n.children.length; i++) {
    const r = residualOf(n.children[i] as CNode, exactAny);
    if (r !== null) kids.push(r);
  }
  if (kids.length === 0) return null;
  return kids.length === 1 ? (kids[0] as PNode) : new PNode(ALL, 0, 0, null, kids, null);
}

/** How many gate leaves the conjuncts of alternative `alt` make. */
export function alternativeGates(alt: CNode): number {
  if (alt.kind !== 'all') return gateCount(alt);
  const list = conjuncts(alt);
  let gates = 0;
  for (let j = 0; j < list.length; j++) gates += gateCount(list[j] as CNode);
  return gates;
}

/** Whether every conjunct of alternative `alt` has gates (they then decide it exactly). */
function isExact(alt: CNode): boolean {
  if (alt.kind !== 'all') return gateCount(alt) > 0;
  const list = conjuncts(alt);
  for (let j = 0; j < list.length; j++) if (gateCount(list[j] as CNode) === 0) return false;
  return true;
}

/**
 * How the index finds a rule (nothing but this record is allocated per rule; the index walks
 * `conjuncts` and `any` again to add the gate leaves).
 */
export interface GatePlan {
  /** The conjuncts of the rule's root `all` chain: those with gates are the rule's own. */
  readonly conjuncts: readonly CNode[];
  /** How many gate leaves the rule's own conjuncts make. */
  readonly gates: number;
  /** The `any` whose alternatives the index counts (each alternative has gates), or null. */
  readonly any: CNode | null;
  /** Units its alternatives take: one each, but the one-leaf alternatives share one. */
  readonly altUnits: number;
  readonly residual: PNode | null;
}

const NO_CONJUNCTS: readonly CNode[] = Object.freeze([]);

/**
 * How the index finds a rule: the gates its conditions need (the conjuncts of its root `all`
 * chain that have gates), the alternatives of one `any` among those conjuncts (each with the
 * gates of its own conjuncts: the rule can fire only if one alternative's gates all pass), and
 * the residual program that still has to run once they pass. Conjuncts whose gates decide them
 * exactly are dropped from the residual, and so is the `any` when every alternative is decided.
 */
export function gatePlan(rule: CompiledRule): GatePlan {
  const root = rule.root;
  const whole: GatePlan = {
    conjuncts: NO_CONJUNCTS,
    gates: 0,
    any: null,
    altUnits: 0,
    residual: rule.program,
  };
  if (root === null) return whole;
  const list = conjuncts(root);
  let gates = 0;
  let any: CNode | null = null;
  let anyGates = 0;
  let exactAny: CNode | null = null;
  for (let i = 0; i < list.length; i++) {
    const c = list[i] as CNode;
    const count = gateCount(c);
    if (count > 0) {
      gates += count;
      continue;
    }
    if (c.kind !== 'any' || exactAny !== null || c.children.length === 0) continue;
    // One alternative must hold: each needs at least one gate to filter on.
    let exact = true;
    let total = 0;
    let a = 0;
    for (; a < c.children.length; a++) {
      const alt = c.children[a] as CNode;
      const gates = alternativeGates(alt);
      if (gates === 0) break;
      total += gates;
      if (exact && !isExact(alt)) exact = false;
    }
    if (a !== c.children.length) continue;
    if (exact) {
      exactAny = c;
      any = c;
      anyGates = total;
    } else if (any === null) {
      any = c;
      anyGates = total;
    }
  }
  if (gates + anyGates > MAX_GATES_PER_RULE) return whole;
  let altUnits = 0;
  if (any !== null) {
    let single = 0;
    for (let a = 0; a < any.children.length; a++)
      if (alternativeGates(any.children[a] as CNode) === 1) single++;
    altUnits = any.children.length - single + (single > 0 ? 1 : 0);
  }
  return {
    conjuncts: list,
    gates,
    any,
    altUnits,
    residual: gates === 0 && exactAny === null ? rule.program : residualOf(root, exactAny),
  };
}
