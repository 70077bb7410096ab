import type { Instant } from '@candor/core';
import type { CompiledRule } from '../compile/types';
import type { ScheduleEntry } from '../state';
import type { RuleEvent } from '../types';
import { correlationOf, isAnswered } from './absence';
import type { EngineCore } from './core';
import type { Run, ScheduleOp } from './eval-context';
import { evaluateRules } from './evaluate';

/** The event a due entry is evaluated on: its last-seen event, as of `now`, with its own id. */
function dueEvent(entry: ScheduleEntry, now: Instant): RuleEvent {
  return {
    ...entry.event,
    id: `${entry.event.id}:${entry.kind}@${entry.dueAt}`,
    at: now,
  };
}

/**
 * Whether an absence deadline was answered after all: by an `expect` event processed where the
 * deadline was not known (another instance, at the same time), kept among the customer's past
 * events.
 */
function answeredWhenDue(core: EngineCore, rule: CompiledRule, entry: ScheduleEntry): boolean {
  if (entry.kind !== 'absence') return false;
  const { event } = entry;
  const correlation = correlationOf(rule, core.set.resolve(event.facts, event.at, rule));
  return correlation !== null && isAnswered(core.view, entry.subject, rule, correlation, event.at);
}

/**
 * @internal Evaluates due schedule entries, each on its rule alone (`persisting`: for the state
 * store, by `processDue`); an absence deadline found answered is dropped.
 */
export function runEntries(
  core: EngineCore,
  entries: readonly ScheduleEntry[],
  now: Instant,
  persisting: boolean,
): Run {
  const outcomes: Run['outcomes'] = [];
  const reservations: Run['reservations'] = [];
  const scheduleOps: ScheduleOp[] = [];
  const reads: Run['reads'] = core.access === null ? null : [];
  for (const entry of entries) {
    const rule = core.set.get(entry.ruleId);
    if (rule === undefined || answeredWhenDue(core, rule, entry)) continue;
    const due = dueEvent(entry, Math.max(now, entry.dueAt));
    // Evaluated as of when it is due: its time is the run's now.
    const r = evaluateRules(core, due, due.at, [rule], false, persisting, scheduleOps);
    if (r.reads !== null)
      for (const read of r.reads)
        reads?.push({
          ...read,
          // Held back at the conditions gate (a kind, from 0), or a place in these outcomes.
          kinds: read.kinds.slice(0, read.count).map((k) => (k >= 0 ? k : k - outcomes.length)),
        });
    for (let i = 0; i < r.outcomes.length; i++) {
      reservations[outcomes.length] = r.reservations[i];
      outcomes.push(r.outcomes[i] as Run['outcomes'][number]);
    }
  }
  return { outcomes, reservations, scheduleOps, past: null, reads };
}
