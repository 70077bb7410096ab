import { isWithin, systemClock } from '@candor/core';
import { compileRules, isCompiledRuleSet } from './compile';
import { SAME_QUIET } from './compile/rule';
import type { CompiledRuleSet } from './compile/types';
import { accessRecording, recordReads, refuseUnlessAsync } from './engine/access';
import { changeActing, listChanges, offerOnly, undoChange } from './engine/changes';
import { checkEvent } from './engine/check-event';
import type { EngineCore } from './engine/core';
import { evaluateEvent } from './engine/evaluate';
import {
  createHolders,
  hydrate,
  planFacts,
  processDueEntries,
  processEvent,
} from './engine/process';
import { recheckPlans } from './engine/recheck';
import { RuleTable } from './engine/rule-table';
import { runEntries } from './engine/schedule';
import type { RuleEngine, RuleEngineOptions } from './engine/types';
import { EventWindows } from './engine/windows';
import { requireNumber, requireObject, requireString, rulesError } from './errors';
import { followPauses } from './pauses';
import { type Pause, StateView } from './state';
import { parseClock } from './time';
import type { Rule } from './types';

/**
 * Creates the rule engine. Gates run in this order for every triggered rule: consent (the rule's
 * purpose and data categories, before any fact is read) → suppressions → pause/kill switch →
 * conditions → caps → cooldown → quiet hours (critical urgency may bypass; an invalid time zone
 * never fails open) → dedup → conflicts (exclusion groups and channel budgets: highest priority,
 * then specificity, then id).
 *
 * @example
 * const engine = createRuleEngine({ rules: [cardExpiry], consent: gate, clock });
 * for (const outcome of engine.evaluate(event)) console.log(outcome.kind, outcome.ruleId);
 */
export function createRuleEngine(options: RuleEngineOptions): RuleEngine {
  requireObject(options, 'options');
  const set: CompiledRuleSet = Array.isArray(options.rules)
    ? compileRules(options.rules as readonly Rule[])
    : (options.rules as CompiledRuleSet);
  if (!isCompiledRuleSet(set))
    throw rulesError(
      'rules/invalid_rule',
      'must be a list of rules or a set compileRules() made',
      undefined,
      'options.rules',
      options.rules,
    );
  if (typeof options.consent?.decide !== 'function')
    throw rulesError(
      'rules/invalid_rule',
      'a ConsentGate is required',
      undefined,
      'options.consent',
      options.consent,
    );
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function')
    throw rulesError('rules/invalid_rule', 'must be a Clock', undefined, 'options.clock', clock);
  const defaultQuiet = options.quietHours
    ? { start: parseClock(options.quietHours.start), end: parseClock(options.quietHours.end) }
    : null;
  if (defaultQuiet && (defaultQuiet.start === undefined || defaultQuiet.end === undefined))
    throw rulesError(
      'rules/invalid_rule',
      'quiet hours must be HH:MM',
      undefined,
      'options.quietHours',
      options.quietHours,
    );
  if (defaultQuiet && defaultQuiet.start === defaultQuiet.end)
    throw rulesError(
      'rules/invalid_rule',
      SAME_QUIET,
      undefined,
      'options.quietHours.end',
      options.quietHours,
    );
  const budgets = channelBudgetsOf(options.channelBudgets);
  const redactOption = options.redact ?? [];
  const store = options.state;
  const view = new StateView();
  const redact =
    typeof redactOption === 'function'
      ? redactOption
      : redactOption.length === 0
        ? () => false
        : (category: string) => redactOption.some((r) => isWithin(category, r));
  const rules = new RuleTable(set, budgets, redact);
  const core: EngineCore = {
    set,
    rules,
    consent: options.consent,
    clock,
    suppressions: options.suppressions,
    store,
    facts: options.facts,
    view,
    pauses: followPauses(store, view),
    windows: new EventWindows(set),
    traceAll: (options.trace ?? 'all') === 'all',
    budgets,
    defaultQuiet: defaultQuiet as { start: number; end: number } | null,
    redact,
    access: accessRecording(options, set, clock, rules),
    changes: changeActing(set, options.changes, clock),
    evaluations: 0,
  };
  const { pauses } = core;
  const hold = createHolders(core);
  const load = () => pauses.loaded(() => hydrate(core));

  return {
    rules: set,
    evaluate(event) {
      refuseUnlessAsync(core.access, 'evaluate');
      const run = evaluateEvent(core, event, false);
      if (run.reads !== null)
        recordReads(core.access, run.reads, run.outcomes)?.catch(core.access?.onError);
      return offerOnly(core, run.outcomes);
    },
    plan: (event) => planFacts(core, event),
    async process(event) {
      await load();
      checkEvent(event);
      return hold([event.subject], () => processEvent(core, event));
    },
    due(now = clock.now()) {
      requireNumber(now, 'now');
      return view.schedules().filter((e) => e.dueAt <= now);
    },
    nextDueAt: () => view.schedules()[0]?.dueAt ?? null,
    runDue(now = clock.now()) {
      requireNumber(now, 'now');
      refuseUnlessAsync(core.access, 'runDue');
      const run = runEntries(core, view.takeDue(now, Number.MAX_SAFE_INTEGER), now, false);
      if (run.reads !== null)
        recordReads(core.access, run.reads, run.outcomes)?.catch(core.access?.onError);
      return offerOnly(core, run.outcomes);
    },
    async processDue(now = clock.now()) {
      requireNumber(now, 'now');
      return processDueEntries(core, hold, now);
    },
    async recheckPlans(subject) {
      requireString(subject, 'subject');
      await load();
      return hold([subject], () => recheckPlans(core, subject));
    },
    async pause(ruleId, pauseOptions) {
      requireString(ruleId, 'ruleId');
      if (ruleId !== '*' && set.get(ruleId) === undefined)
        throw rulesError(
          'rules/unknown_rule',
          `no rule "${ruleId}" to pause`,
          ruleId,
          'ruleId',
          ruleId,
        );
      if (typeof pauseOptions?.reason !== 'string' || pauseOptions.reason.length === 0)
        throw rulesError(
          'rules/invalid_rule',
          'a pause needs a reason',
          ruleId,
          'options.reason',
          pauseOptions?.reason,
        );
      const until = pauseOptions.until ?? null;
      if (until !== null && (!Number.isSafeInteger(until) || until < 0))
        throw rulesError(
          'rules/invalid_rule',
          'a pause ends at a time in epoch milliseconds, or never (null)',
          ruleId,
          'options.until',
          until,
        );
      if (pauseOptions.by !== undefined && typeof pauseOptions.by !== 'string')
        throw rulesError(
          'rules/invalid_rule',
          'who paused it is a string',
          ruleId,
          'options.by',
          pauseOptions.by,
        );
      const pause: Pause = {
        ruleId,
        reason: pauseOptions.reason,
        since: clock.now(),
        until,
        by: pauseOptions.by ?? 'operator',
      };
      view.setPause(ruleId, pause);
      if (store) await pauses.writing(ruleId, () => store.setPause(ruleId, pause));
    },
    async resume(ruleId) {
      requireString(ruleId, 'ruleId');
      view.setPause(ruleId, null);
      if (store) await pauses.writing(ruleId, () => store.setPause(ruleId, null));
    },
    pauses: () => view.pauses(),
    hydrate: () => hydrate(core),
    viewStatus: () => pauses.status(),
    undoChange: (subject, changeId) => undoChange(core, subject, changeId),
    changes: (subject) => listChanges(core, subject),
    close: () => pauses.close(),
  };
}

/**
 * The engine's channel budgets, checked (each a whole number ≥ 0 under a channel name) and copied
 * into a record without a prototype, so a channel called `constructor` has no budget but its own.
 */
function channelBudgetsOf(
  budgets: Readonly<Record<string, number>> | undefined,
): Readonly<Record<string, number>> {
  const copy: Record<string, number> = Object.create(null);
  if (budgets === undefined) return copy;
  if (typeof budgets !== 'object' || budgets === null || Array.isArray(budgets))
    throw rulesError(
      'rules/invalid_rule',
      'channel budgets must map channels to numbers',
      undefined,
      'options.channelBudgets',
      budgets,
    );
  for (const [channel, budget] of Object.entries(budgets)) {
    if (!Number.isInteger(budget) || budget < 0)
      throw rulesError(
        'rules/invalid_rule',
        `the budget of channel "${channel}" must be a whole number of proposals, 0 or more`,
        undefined,
        `options.channelBudgets.${channel}`,
        budget,
      );
    copy[channel] = budget;
  }
  return Object.freeze(copy);
}
