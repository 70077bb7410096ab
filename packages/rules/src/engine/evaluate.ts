import type { Instant } from '@candor/core';
import type { CompiledRule, Slots, Tri } from '../compile/types';
import type { PastEvent } from '../state';
import type { RuleEvent } from '../types';
import { type AccessRecording, noteFullRead, noteRead, type Reads } from './access';
import { checkEvent } from './check-event';
import { resolveConflicts } from './conflicts';
import type { EngineCore } from './core';
import { createEvalContext, type EvalContext, type Run, type ScheduleOp } from './eval-context';
import { evaluateRule } from './gates';
import { planTimed } from './plan';
import type { CandidatePlan } from './rule-table';
import { UnmetConditions } from './suppression';

/**
 * @internal One evaluation of `candidates` (in rule-set order; `indexed`: a list
 * `candidates(type)` returned, which the match index serves) on `event`, at `now`: gates 1–8 for each
 * rule, then the conflicts gate over the rules left. Each outcome takes its rule's place, so
 * outcomes come in rule-set order, whatever gate decided them.
 */
export function evaluateRules(
  core: EngineCore,
  event: RuleEvent,
  now: Instant,
  candidates: readonly CompiledRule[],
  indexed: boolean,
  persisting: boolean,
  scheduleOps: ScheduleOp[],
): Run {
  const ctx = createEvalContext(core, event, now, candidates, indexed, persisting, scheduleOps);
  // Where no suppression or pause can apply, a rule whose consent was already asked and whose
  // gate leaves failed with every fact present is decided from side-by-side tables.
  const plan =
    indexed && ctx.unsuppressed && ctx.unpaused && core.traceAll
      ? core.rules.plan(candidates)
      : null;
  const reads = ctx.reads;
  try {
    // Apart, so that the loop of an engine without an access log stays as small as it can be.
    if (reads !== null) evaluateRecording(core, ctx, candidates, plan, reads);
    else
      for (let k = 0; k < candidates.length; k++)
        if (plan === null || !unmetAtOnce(core, ctx, plan, k))
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
 * `evaluateRules`' loop for an engine that records reads: each candidate decided as there, and
 * what its conditions read (if they ran) noted at once, in candidate order, over the view of the
 * facts they ran on.
 */
function evaluateRecording(
  core: EngineCore,
  ctx: EvalContext,
  candidates: readonly CompiledRule[],
  plan: CandidatePlan | null,
  reads: Reads,
): void {
  const recording = core.access as AccessRecording;
  for (let k = 0; k < candidates.length; k++) {
    let rule: CompiledRule | null;
    let order: number;
    let full = true;
    let result: Tri = 0;
    if (plan !== null && unmetAtOnce(core, ctx, plan, k)) {
      // Held back with every fact present (the rule's own object not read unless needed).
      rule = null;
      order = plan.orders[k] as number;
    } else {
      ctx.ran = null;
      evaluateRule(core, ctx, candidates[k] as CompiledRule, k);
      // Gate 4 says which rule's conditions ran (the candidate or its fallback), and how.
      rule = ctx.ran as CompiledRule | null;
      if (rule === null) continue;
      order = rule.order;
      full = ctx.ranFull;
      result = ctx.ranResult;
    }
    if (!full || !noteFullRead(recording, reads, order, k, result)) {
      rule ??= candidates[k] as CompiledRule;
      noteRead(recording, reads, rule, order, k, ctx.slots as Slots, full, result);
    }
  }
}

/**
 * Candidate `k` of `plan` held back at the conditions gate, as `evaluateRule` would have it,
 * without reading the rule's own object: its consent question already answered yes (gates 2 and
 * 3 cannot apply, see `evaluateRules`), no window to fill, a gate leaf failed and every fact it
 * reads is present, so its conditions are false. Else false: `evaluateRule` decides.
 */
function unmetAtOnce(core: EngineCore, ctx: EvalContext, plan: CandidatePlan, k: number): boolean {
  const key = plan.unmetKeys[k] as number;
  if (key < 0) return false;
  const verdict = ctx.verdicts[key];
  if (verdict === undefined || !verdict.allowed) return false;
  let scan = ctx.scan;
  if (scan === null) {
    scan = core.set.scan(ctx.event.facts, ctx.at, ctx.indexed as readonly CompiledRule[]);
    ctx.scan = scan;
  }
  if (scan.passes(k)) return false;
  const table = core.rules;
  const order = plan.orders[k] as number;
  const slots = scan.viewAt(plan.sigIndexes[k] as number);
  if (!table.presentAt(order, slots)) return false;
  ctx.verdict = verdict;
  ctx.slots = slots;
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
 * What to keep of `event` among its customer's past events: what windows read of it (`kept`),
 * with the answers it leaves for absence rules.
 */
function withAnswers(
  event: RuleEvent,
  kept: PastEvent | null,
  answers: Record<string, string> | null,
): PastEvent | null {
  if (answers === null) return kept;
  const { id, subject, type, at } = event;
  return { id, subject, type, at, fields: { ...kept?.fields, ...answers } };
}

/**
 * @internal Evaluates an event (`persisting`: for the state store, by `process`): checks it,
 * plans the timed rules it concerns, keeps what windows and absence rules need of it, and
 * evaluates the rules it triggers.
 */
export function evaluateEvent(core: EngineCore, event: RuleEvent, persisting: boolean): Run {
  checkEvent(event);
  const { view, windows } = core;
  if (++core.evaluations % 1024 === 0) view.prune(event.at - windows.retention);
  const scheduleOps: ScheduleOp[] = [];
  const past = withAnswers(event, windows.pastEventOf(event), planTimed(core, event, scheduleOps));
  if (past !== null) view.appendEvent(past);
  const result = evaluateRules(
    core,
    event,
    core.clock.now(),
    core.set.candidates(event.type),
    true,
    persisting,
    scheduleOps,
  );
  result.past = past;
  return result;
}
