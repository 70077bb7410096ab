import type { Action, Fact, JsonValue, Reason } from '@candor/core';
import type { CNode, CompiledRule, TraceNode } from '../compile/types';
import type { Proposal } from '../outcome';
import type { RuleEvent } from '../types';
import type { EngineCore } from './core';
import type { Pending } from './eval-context';
import { hash } from './hash';

/**
 * @internal The proposal of a rule that passed every gate: its trace annotated with the evidence
 * each leaf rests on, reasons citing the evidence facts (with their provenance), the consent
 * verdict, and an idempotency key for delivery.
 */
export function buildProposal(core: EngineCore, p: Pending, event: RuleEvent): Proposal {
  const { set, redact } = core;
  const { rule, slots } = p;
  const trace = set.trace(rule, slots, redact);
  const evidence: Fact[] = [];
  const byPath = new Map<string, string>();
  const reasons: Reason[] = [];
  const derived = {
    source: 'candor.rules',
    kind: 'derived' as const,
    observedAt: event.at,
    party: 'first' as const,
  };
  const addFact = (
    path: string,
    category: string,
    value: JsonValue,
    source: Fact | undefined,
  ): string => {
    let id = byPath.get(path);
    if (id === undefined) {
      id = `f${evidence.length + 1}`;
      byPath.set(path, id);
      evidence.push({
        id,
        path,
        category,
        value,
        provenance: source ? source.provenance : derived,
      });
    }
    return id;
  };
  const annotate = (node: TraceNode, negated: boolean): TraceNode => {
    if (node.kind === 'fact' || node.kind === 'window') {
      const cnode = findNode(rule, rule.prefix + node.path);
      const cnodeSlot = cnode?.slot;
      const raw = cnodeSlot === undefined ? undefined : slots.values[cnodeSlot];
      if (raw === undefined || node.category === undefined) return node;
      const path =
        node.kind === 'window' ? windowLabel(rule, rule.prefix + node.path) : (node.fact as string);
      const id = addFact(
        path,
        node.category,
        raw as JsonValue,
        node.kind === 'fact' ? slots.sources[cnodeSlot as number] : undefined,
      );
      // A `{ fact }` right-hand side is evidence too: the decision used its value.
      const ids = [id];
      const refSlot = cnode?.refSlot;
      const refSource = refSlot === undefined ? undefined : slots.sources[refSlot];
      const refRaw = refSlot === undefined ? undefined : slots.values[refSlot];
      if (refSource !== undefined && refRaw !== undefined && cnode?.refFact !== undefined)
        ids.push(addFact(cnode.refFact, refSource.category, refRaw as JsonValue, refSource));
      const useful = negated ? node.outcome === 'fail' : node.outcome === 'pass';
      if (useful) {
        const shown = redact(node.category) ? REDACTED : (raw as JsonValue);
        reasons.push({
          id: `r${reasons.length + 1}`,
          code: negated ? 'condition_not' : 'condition',
          text: `${negated ? 'not: ' : ''}${path} ${OP_TEXT[node.op as string] ?? node.op}${node.op === 'exists' ? '' : ` ${show(node.expected)}`}`,
          evidence: ids,
          params: {
            fact: path,
            op: node.op as string,
            ...(node.expected === undefined ? {} : { expected: node.expected }),
            actual: shown,
          },
        });
      }
      return { ...node, evidence: id };
    }
    if (node.outcome !== 'pass' && !negated) return node;
    const children = (node.children ?? []).map((c) =>
      annotate(c, node.kind === 'not' ? !negated : negated),
    );
    return { ...node, children };
  };
  const annotated = annotate(trace, false);
  // A rule whose decision rests on no condition (e.g. a relative trigger) cites its trigger fact.
  for (const slot of rule.triggerSlots) {
    const raw = slots.values[slot];
    const source = slots.sources[slot];
    const path = set.slotPaths[slot];
    if (raw === undefined || source === undefined || path === null || path === undefined) continue;
    const id = addFact(path, source.category, raw as JsonValue, source);
    reasons.push({
      id: `r${reasons.length + 1}`,
      code: 'trigger',
      text: `triggered by ${path}`,
      evidence: [id],
      params: { fact: path, actual: redact(source.category) ? REDACTED : (raw as JsonValue) },
    });
  }
  if (reasons.length === 0) {
    const id = addFact('event.type', rule.rule.dataCategories[0] as string, event.type, undefined);
    reasons.push({
      id: 'r1',
      code: 'trigger',
      text: `triggered by a ${event.type} event`,
      evidence: [id],
    });
  }
  const categories = new Set<string>(rule.rule.dataCategories);
  for (const f of evidence) categories.add(f.category);
  const idempotencyKey = `${rule.id}@${rule.rule.version}:${event.subject}:${event.id}`;
  return {
    kind: 'proposal',
    id: `prop_${hash(idempotencyKey)}`,
    subject: event.subject,
    at: event.at,
    source: { kind: 'rule', id: rule.id, version: rule.rule.version },
    action: actionOf(core, rule),
    purpose: rule.rule.purpose,
    dataCategories: [...categories],
    reasons,
    evidence,
    consent: [p.verdict],
    ruleId: rule.id,
    ruleVersion: rule.rule.version,
    eventId: event.id,
    idempotencyKey,
    priority: rule.priority,
    urgency: rule.urgency,
    gatesPassed: [...p.passed, 'conflicts'],
    bypassed: p.bypassed,
    trace: annotated,
  };
}

/** A critical rule's action says so, so that an explanation offers no mute for it. */
function actionOf(core: EngineCore, rule: CompiledRule): Action {
  if (rule.urgency !== 'critical') return rule.rule.action;
  let action = core.criticalActions.get(rule);
  if (action === undefined) {
    action = Object.freeze({ ...rule.rule.action, critical: true });
    core.criticalActions.set(rule, action);
  }
  return action;
}

const REDACTED = '[redacted]';

const OP_TEXT: Record<string, string> = {
  eq: 'is',
  neq: 'is not',
  gt: 'is above',
  gte: 'is at least',
  lt: 'is below',
  lte: 'is at most',
  in: 'is one of',
  notIn: 'is not one of',
  contains: 'contains',
  notContains: 'does not contain',
  startsWith: 'starts with',
  between: 'is between',
  exists: 'is present',
  matches: 'matches',
  withinLast: 'is within the last',
  daysUntil: 'is this many days away:',
  before: 'is before',
  after: 'is after',
};

function show(value: JsonValue | undefined): string {
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number'))
    return `${value[0]} and ${value[1]}`;
  return JSON.stringify(value);
}

function findNode(rule: CompiledRule, path: string): CNode | undefined {
  const visit = (n: CNode): CNode | undefined => {
    if (n.path === path) return n;
    for (const c of n.children) {
      const s = visit(c);
      if (s !== undefined) return s;
    }
    return undefined;
  };
  return rule.root === null ? undefined : visit(rule.root);
}

function windowLabel(rule: CompiledRule, path: string): string {
  const visit = (n: NonNullable<CompiledRule['root']>): string | undefined => {
    if (n.path === path && n.window) {
      const w = n.window;
      return `${w.agg}(${w.event}${w.field ? `.${w.field}` : ''}, ${w.within})`;
    }
    for (const c of n.children) {
      const s = visit(c);
      if (s !== undefined) return s;
    }
    return undefined;
  };
  return (rule.root === null ? undefined : visit(rule.root)) ?? path;
}
