import type { JsonValue } from '@candor/core';
import type { CNode, CompiledRule } from '../compile/types';

export const REDACTED = '[redacted]';

export const OP_TEXT: Record<string, string> = {
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

export function show(value: JsonValue | undefined): string {
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number'))
    return `${value[0]} and ${value[1]}`;
  return JSON.stringify(value);
}

export function findNode(rule: CompiledRule, path: string): CNode | undefined {
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

export function windowLabel(rule: CompiledRule, path: string): string {
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
