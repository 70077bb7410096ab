import type { ConsentVerdict, SubjectId } from '@candor/core';
import type { ScheduleEntry } from '../state';
import { decide } from './consent';
import type { EngineCore } from './core';
import { loadSubject } from './load-subject';

/**
 * @internal Asks consent again, as of now, for each of `subject`'s schedule entries (relative
 * triggers, absence deadlines, deferred fires, whichever instance planned them), and drops from
 * the view and the store those it no longer allows, with the facts their events kept. Entries of
 * rules this engine does not know (a newer rule set elsewhere) are left to the engines that do.
 * Resolves the entries dropped.
 */
export async function recheckPlans(core: EngineCore, subject: SubjectId): Promise<ScheduleEntry[]> {
  const { store, view } = core;
  const now = core.changes.clock.now();
  if (store) await loadSubject(core, store, subject, now - core.windows.retention);
  const verdicts: (ConsentVerdict | undefined)[] = new Array(core.rules.consentKeys);
  const dropped: ScheduleEntry[] = [];
  for (const entry of view.schedulesOf(subject)) {
    const rule = core.set.get(entry.ruleId);
    if (rule === undefined || decide(core, rule, subject, now, verdicts).allowed) continue;
    await store?.removeSchedule(entry.key);
    view.removeSchedule(entry.key);
    dropped.push(entry);
  }
  return dropped;
}
