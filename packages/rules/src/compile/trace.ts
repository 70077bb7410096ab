import type { JsonValue } from '@candor/core';
import { run } from './program';
import type { CNode, CompiledRule, Eval, RuleMatch, Slots, TraceNode } from './types';

/** A three-valued result as a trace outcome. */
const OUTCOMES = ['fail', 'pass', 'insufficient_data'] as const;

/**
 * A match whose trace is recorded (the rule and the slot values it saw, which never change after
 * evaluation) and rendered into a tree on first read; JSON.stringify includes it.
 */
export class TracedMatch implements RuleMatch {
  // `declare`: assigned in the constructor, not defined first (allocation stays cheap).
  declare readonly ruleId: string;
  // The rendered tree replaces the slots it was rendered from: one field fewer per match.
  /** The rule, until the trace is rendered. */
  #rule: CompiledRule | null;
  /** The slots the rule saw, then the rendered trace. */
  #trace: Slots | TraceNode;

  constructor(ruleId: string, rule: CompiledRule, slots: Slots) {
    this.ruleId = ruleId;
    this.#rule = rule;
    this.#trace = slots;
  }

  get trace(): TraceNode {
    const rule = this.#rule;
    if (rule !== null) {
      this.#trace = traceRule(rule, this.#trace as Slots);
      this.#rule = null;
    }
    return this.#trace as TraceNode;
  }

  toJSON(): { ruleId: string; trace: TraceNode } {
    return { ruleId: this.ruleId, trace: this.trace };
  }
}

/** The node's path relative to its rule, computed once (compile never flattens path strings). */
function relPath(node: CNode, cut: number): string {
  if (node.rel === undefined) node.rel = node.path.slice(cut);
  return node.rel;
}

/** @internal The trace of one node (and its subtree) over `slots`. */
export function traceNode(
  node: CNode,
  slots: Slots,
  redact: ((category: string) => boolean) | undefined,
  cut: number,
): TraceNode {
  if (node.kind === 'fact' || node.kind === 'window')
    return traceLeaf(node, slots, redact, cut, undefined);
  const source = node.children;
  const children: TraceNode[] = new Array(source.length);
  for (let i = 0; i < source.length; i++)
    children[i] = traceNode(source[i] as CNode, slots, redact, cut);
  return traceBranch(node, children, cut);
}

/**
 * @internal A leaf's trace: the fact, operator, expected and actual value (`[redacted]` for
 * categories `redact` names), and the evidence fact id it rests on, when known.
 */
export function traceLeaf(
  node: CNode,
  slots: Slots,
  redact: ((category: string) => boolean) | undefined,
  cut: number,
  evidence: string | undefined,
): TraceNode {
  const values = slots.values;
  const slot = node.slot as number;
  const actual = values[slot];
  const category =
    node.kind === 'window'
      ? node.category
      : actual === undefined
        ? undefined
        : slots.sources[slot]?.category;
  return {
    path: relPath(node, cut),
    kind: node.kind,
    outcome: OUTCOMES[node.p ? run(node.p, values) : (node.fn as Eval)(values)],
    fact: node.fact,
    op: node.op,
    expected: node.expected,
    actual:
      actual === undefined
        ? undefined
        : category && redact?.(category)
          ? '[redacted]'
          : (actual as JsonValue),
    category,
    evidence,
    children: undefined,
  };
}

/** @internal An `all`, `any` or `not` node's trace over its children's traces (three-valued). */
export function traceBranch(node: CNode, children: TraceNode[], cut: number): TraceNode {
  let unknown = false;
  let decided = false;
  const win = node.kind === 'any' ? 'pass' : 'fail';
  for (let i = 0; i < children.length; i++) {
    const child = children[i] as TraceNode;
    if (child.outcome === win) decided = true;
    else if (child.outcome === 'insufficient_data') unknown = true;
  }
  let outcome: TraceNode['outcome'];
  if (node.kind === 'not') {
    const o = (children[0] as TraceNode).outcome;
    outcome = o === 'pass' ? 'fail' : o === 'fail' ? 'pass' : 'insufficient_data';
  } else if (decided) outcome = win;
  else if (unknown) outcome = 'insufficient_data';
  else outcome = node.kind === 'all' ? 'pass' : 'fail';
  return {
    path: relPath(node, cut),
    kind: node.kind,
    outcome,
    fact: undefined,
    op: undefined,
    expected: undefined,
    actual: undefined,
    category: undefined,
    evidence: undefined,
    children,
  };
}

/** @internal The trace of `rule` over `slots` (`redact`: categories whose values are hidden). */
export function traceRule(
  rule: CompiledRule,
  slots: Slots,
  redact?: (category: string) => boolean,
): TraceNode {
  return rule.root === null
    ? { path: 'conditions', kind: 'all', outcome: 'pass', children: [] }
    : traceNode(rule.root, slots, redact, rule.prefix.length);
}
