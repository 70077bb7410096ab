import type { CompiledRule } from '../compile/types';
import type { RuleEvent } from '../types';
import { checkEvent } from './check-event';
import { resolveConflicts } from './conflicts';
import type { EngineCore } from './core';
import { createEvalContext, type Run, type ScheduleOp } from './eval-context';
import { evaluateRule } from './gates';
import { planTimed } from './plan';

/**
 * @internal One evaluation of `candidates` on `event`: gates 1–8 for each rule, then the
 * conflicts gate over the rules left; outcomes in rule-set order, whatever gate decided them.
 */
export function evaluateRules(
  core: EngineCore,
  event: RuleEvent,
  candidates: readonly CompiledRule[],
  scheduleOps: ScheduleOp[],
): Run {
  const ctx = createEvalContext(core, event, scheduleOps);
  for (const rule of candidates) evaluateRule(core, ctx, rule);
  const reservations = resolveConflicts(core, ctx);
  const { set } = core;
  const outcomes = ctx.outcomes;
  outcomes.sort((a, b) => (set.get(a.ruleId)?.order ?? 0) - (set.get(b.ruleId)?.order ?? 0));
  return { outcomes, reservations, scheduleOps, past: null };
}

/**
 * @internal Evaluates an event: checks it, keeps what windows need of it, plans the timed rules
 * it concerns, and evaluates the rules it triggers.
 */
export function evaluateEvent(core: EngineCore, event: RuleEvent): Run {
  checkEvent(event);
  const { view, windows } = core;
  if (++core.evaluations % 1024 === 0) view.prune(event.at - windows.retention);
  const past = windows.pastEventOf(event);
  if (past !== null) view.appendEvent(past);
  const scheduleOps: ScheduleOp[] = [];
  planTimed(core, event, scheduleOps);
  const result = evaluateRules(core, event, core.set.candidates(event.type), scheduleOps);
  return { ...result, past };
}
