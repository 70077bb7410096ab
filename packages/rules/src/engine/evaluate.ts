import type { CompiledRule, EventScan, Slots, Tri } from '../compile/types';
import type { RuleEvent } from '../types';
import {
  type AccessRecording,
  MARK_CONTEXTUAL,
  MARK_FULL,
  markRead,
  noteFullRead,
  noteRead,
  type Reads,
} from './access';
import { checkEvent } from './check-event';
import { resolveConflicts } from './conflicts';
import type { EngineCore } from './core';
import { createEvalContext, type EvalContext, type Run, type ScheduleOp } from './eval-context';
import { evaluateRule } from './gates';
import { planTimed } from './plan';
import { UnmetConditions } from './suppression';

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
  // Where no suppression or pause can apply, a rule whose consent was already asked and whose
  // gate leaves failed with every fact present is decided from side-by-side tables.
  const orders =
    indexed && ctx.unsuppressed && ctx.unpaused && core.traceAll
      ? core.rules.orders(candidates)
      : null;
  try {
    for (let k = 0; k < candidates.length; k++)
      if (orders === null || !unmetAtOnce(core, ctx, orders[k] as number, k))
        evaluateRule(core, ctx, candidates[k] as CompiledRule, k);
    if (ctx.reads !== null) noteReads(core, ctx, candidates, ctx.reads);
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
 * Candidate `k` (at `order`) held back at the conditions gate, as `evaluateRule` would have it,
 * without reading the rule's own object: its consent question already answered yes (gates 2 and
 * 3 cannot apply, see `evaluateRules`), no window to fill, a gate leaf failed and every fact it
 * reads is present, so its conditions are false. Else false: `evaluateRule` decides.
 */
function unmetAtOnce(core: EngineCore, ctx: EvalContext, order: number, k: number): boolean {
  const table = core.rules;
  const verdict = ctx.verdicts[table.consentKeyAt(order)];
  if (verdict === undefined || !verdict.allowed) return false;
  if (!table.decidedWhenPresentAt(order) || core.windows.reads(order)) return false;
  let scan = ctx.scan;
  if (scan === null) {
    scan = core.set.scan(ctx.event.facts, ctx.at, ctx.indexed as readonly CompiledRule[]);
    ctx.scan = scan;
  }
  if (scan.passes(k)) return false;
  const slots = scan.viewAt(table.sigIndexAt(order));
  if (!table.presentAt(order, slots.values)) return false;
  ctx.verdict = verdict;
  ctx.slots = slots;
  if (ctx.reads !== null) markRead(ctx.reads, k, 0, true, false);
  ctx.outcomes[k] = new UnmetConditions(
    table.tracedAt(order),
    table.idAt(order),
    table.versionAt(order),
    ctx.event,
    false,
    slots,
  );
  return true;
}

/**
 * Notes what each candidate whose conditions ran read, in candidate order, with the view of the
 * facts its conditions ran on (views are made once per evaluation, so it is the same one). Kept
 * out of the loop over the candidates, so an engine that records reads runs the same loop as one
 * that does not.
 */
function noteReads(
  core: EngineCore,
  ctx: EvalContext,
  candidates: readonly CompiledRule[],
  reads: Reads,
): void {
  const recording = core.access as AccessRecording;
  const table = core.rules;
  const marks = reads.marks;
  const { indexed, scan } = ctx;
  const orders = indexed === null ? null : table.orders(candidates);
  for (let k = 0; k < candidates.length; k++) {
    const mark = marks[k] as number;
    if (mark === 0) continue;
    marks[k] = 0;
    const full = (mark & MARK_FULL) !== 0;
    const result = ((mark - 1) & 3) as Tri;
    const candidate = candidates[k] as CompiledRule;
    const contextual = (mark & MARK_CONTEXTUAL) !== 0;
    const rule = contextual ? (candidate.contextual as CompiledRule) : candidate;
    // The index's candidates are read as it reads them: by their place in the rule table.
    const indexedRead = orders !== null && !contextual;
    const order = indexedRead ? (orders[k] as number) : rule.order;
    if (full && noteFullRead(recording, reads, order, k, result)) continue;
    const slots = indexedRead
      ? (scan as EventScan).viewAt(table.sigIndexAt(order))
      : (ctx.slotsFor as (rule: CompiledRule) => Slots)(rule);
    noteRead(recording, reads, rule, order, k, slots, full, result);
  }
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
