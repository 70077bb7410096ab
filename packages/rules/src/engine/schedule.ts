import type { Instant } from '@candor/core';
import type { ScheduleEntry } from '../state';
import type { RuleEvent } from '../types';
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

/** @internal Evaluates due schedule entries, each on its rule alone. */
export function runEntries(core: EngineCore, entries: readonly ScheduleEntry[], now: Instant): Run {
  const outcomes: Run['outcomes'] = [];
  const reservations: Run['reservations'] = new Map();
  const scheduleOps: ScheduleOp[] = [];
  for (const entry of entries) {
    const rule = core.set.get(entry.ruleId);
    if (rule === undefined) continue;
    const r = evaluateRules(core, dueEvent(entry, Math.max(now, entry.dueAt)), [rule], scheduleOps);
    outcomes.push(...r.outcomes);
    for (const [p, res] of r.reservations) reservations.set(p, res);
  }
  return { outcomes, reservations, scheduleOps, past: null };
}
