import type { CompiledRule } from '../compile/types';
import type { RuleEvent } from '../types';
import { checkEvent } from './check-event';
import { resolveConflicts } from './conflicts';
import type { EngineCore } from './core';
import { createEvalContext, type Run, type ScheduleOp } from './eval-context';
import { evaluateRule } from './gates';
import { planTimed } from './plan';

/**
 * @internal One evaluation of `candidates` (in rule-set order; `indexed`: a list
 * `candidates(type)` returned, which the match index serves) on `event`: gates 1–8 for each
 * rule, then the conflicts gate over the rules left. Each outcome takes its rule's place, so
 * outcomes come in rule-set order, whatever gate decided them.
 */
export function evaluateRules(
  core: EngineCore,
  event: RuleEvent,
  candidates: readonly CompiledRule[],
  indexed: boolean,
  persisting: boolean,
  scheduleOps: ScheduleOp[],
): Run {
  const ctx = createEvalContext(core, event, candidates, indexed, persisting, scheduleOps);
  try {
    for (let k = 0; k < candidates.length; k++)
      evaluateRule(core, ctx, candidates[k] as CompiledRule, k);
  } finally {
    ctx.scan?.release();
  }
  resolveConflicts(core, ctx);
  return {
    outcomes: ctx.outcomes,
    reservations: ctx.reservations,
    scheduleOps,
    past: null,
    reads: ctx.reads === null ? null : [ctx.reads],
  };
}

/**
 * @internal Evaluates an event (`persisting`: for the state store, by `process`): checks it,
 * keeps what windows need of it, plans the timed rules it concerns, and evaluates the rules it
 * triggers.
 */
export function evaluateEvent(core: EngineCore, event: RuleEvent, persisting: boolean): Run {
  checkEvent(event);
  const { view, windows } = core;
  if (++core.evaluations % 1024 === 0) view.prune(event.at - windows.retention);
  const past = windows.pastEventOf(event);
  if (past !== null) view.appendEvent(past);
  const scheduleOps: ScheduleOp[] = [];
  planTimed(core, event, scheduleOps);
  const result = evaluateRules(
    core,
    event,
    core.set.candidates(event.type),
    true,
    persisting,
    scheduleOps,
  );
  result.past = past;
  return result;
}
