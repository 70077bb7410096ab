import type { Instant, SubjectId } from '@candor/core';
import { requireObject, rulesError } from '../errors';
import type { RuleStateStore, ScheduleEntry } from '../state';
import type { EngineCore } from './core';

const KINDS: readonly string[] = ['relative', 'absence', 'deferred'];

/** A state store's answer is malformed at `path`. */
function malformed(path: string, value: unknown, problem: string): never {
  throw rulesError('rules/invalid_state', problem, undefined, path, value);
}

/**
 * The schedule entries a store returned for `subject` (undefined: it returns none), checked:
 * `rules/invalid_state` naming the first malformed field.
 */
function checkSchedules(value: unknown, subject: SubjectId): readonly ScheduleEntry[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) malformed('schedules', value, 'must be an array');
  value.forEach((entry: unknown, i) => {
    const at = `schedules[${i}]`;
    requireObject(entry, at, 'rules/invalid_state');
    const e = entry as Partial<Record<keyof ScheduleEntry, unknown>>;
    if (typeof e.key !== 'string' || e.key.length === 0)
      malformed(`${at}.key`, e.key, 'must be a non-empty string');
    if (typeof e.ruleId !== 'string') malformed(`${at}.ruleId`, e.ruleId, 'must be a string');
    if (e.subject !== subject) malformed(`${at}.subject`, e.subject, `must be ${subject}`);
    if (typeof e.kind !== 'string' || !KINDS.includes(e.kind))
      malformed(`${at}.kind`, e.kind, `must be one of ${KINDS.join(', ')}`);
    if (typeof e.dueAt !== 'number' || !Number.isFinite(e.dueAt))
      malformed(`${at}.dueAt`, e.dueAt, 'must be epoch milliseconds');
    const event = e.event as { at?: unknown } | null | undefined;
    requireObject(event, `${at}.event`, 'rules/invalid_state');
    if (typeof event?.at !== 'number')
      malformed(`${at}.event.at`, event?.at, 'must be the time of the event the entry rests on');
  });
  return value as readonly ScheduleEntry[];
}

/**
 * @internal Reads `subject`'s state from the store into the view: fires, dedup keys and past
 * events since `since`, and their schedule entries (where the store returns them), which replace
 * the view's for the subject, so it plans over what every instance planned and nothing another
 * removed or ran. A malformed entry is `rules/invalid_state`, and nothing is merged.
 */
export async function loadSubject(
  core: EngineCore,
  store: RuleStateStore,
  subject: SubjectId,
  since: Instant,
): Promise<void> {
  const state = await store.load(subject, since);
  const schedules = checkSchedules(state?.schedules, subject);
  core.view.hydrate(state);
  if (schedules !== undefined) core.view.replaceSchedulesOf(subject, schedules);
}
