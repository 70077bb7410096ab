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

/**
 * @internal Evaluates due schedule entries, each on its rule alone (`persisting`: for the state
 * store, by `processDue`).
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
    if (rule === undefined) continue;
    const r = evaluateRules(
      core,
      dueEvent(entry, Math.max(now, entry.dueAt)),
      [rule],
      false,
      persisting,
      scheduleOps,
    );
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
