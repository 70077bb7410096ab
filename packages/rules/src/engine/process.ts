import type { ConsentVerdict, Instant, SubjectId } from '@candor/core';
import { rulesError } from '../errors';
import type { Outcome } from '../outcome';
import type { RuleEvent } from '../types';
import { recordReads } from './access';
import { act } from './changes';
import { checkEvent, checkFacts } from './check-event';
import { decide } from './consent';
import type { EngineCore } from './core';
import { evaluateEvent } from './evaluate';
import { loadSubject } from './load-subject';
import { persist } from './persist';
import { runEntries } from './schedule';
import type { FactRequest } from './types';

/** @internal The facts the triggered rules (and timed rules) would read that the event lacks. */
export function planFacts(core: EngineCore, event: RuleEvent): FactRequest {
  checkEvent(event);
  const { set } = core;
  const verdicts: (ConsentVerdict | undefined)[] = new Array(core.rules.consentKeys);
  const paths = new Set<string>();
  const categories = new Set<string>();
  const have = (p: string) => event.facts.some((f) => p === f.path || p.startsWith(`${f.path}.`));
  const rules = [...set.candidates(event.type), ...set.timed];
  for (let rule of rules) {
    if (!decide(core, rule, event.subject, event.at, verdicts).allowed) {
      const contextual = rule.contextual;
      if (
        contextual === null ||
        !decide(core, contextual, event.subject, event.at, verdicts).allowed
      )
        continue;
      rule = contextual;
    }
    let needed = false;
    for (const p of rule.paths) {
      if (!have(p)) {
        paths.add(p);
        needed = true;
      }
    }
    if (needed) for (const c of rule.rule.dataCategories) categories.add(c);
  }
  return { subject: event.subject, event, paths: [...paths], dataCategories: [...categories] };
}

/** @internal plan → fetch → evaluate → persist, for one event whose customer is held. */
export async function processEvent(core: EngineCore, event: RuleEvent): Promise<Outcome[]> {
  const { facts, store } = core;
  const request = planFacts(core, event);
  let full = event;
  if (facts && request.paths.length > 0) {
    const extra = await facts.fetch(request);
    if (!Array.isArray(extra))
      throw rulesError(
        'rules/invalid_event',
        'the fact provider must return an array of facts',
        undefined,
        'facts',
        extra,
      );
    checkFacts(extra, 'fetched');
    full = { ...event, facts: [...event.facts, ...extra] };
  }
  if (store) await loadSubject(core, store, event.subject, event.at - core.windows.retention);
  const run = evaluateEvent(core, full, true);
  const outcomes = await persist(core, run);
  await recordReads(core.access, run.reads, outcomes);
  return act(core, outcomes);
}

/**
 * @internal Holds customers while they are processed. With a state store the store is the
 * authority: a customer's rule state is held only while one of their events (or due entries) is
 * being processed, so memory does not grow with them.
 */
export function createHolders(
  core: EngineCore,
): <T>(subjects: readonly SubjectId[], run: () => Promise<T>) => Promise<T> {
  const holders = new Map<SubjectId, number>();
  return async (subjects, run) => {
    for (const s of subjects) holders.set(s, (holders.get(s) ?? 0) + 1);
    try {
      await prepare(core, subjects);
      return await run();
    } finally {
      for (const s of subjects) {
        const left = (holders.get(s) ?? 1) - 1;
        if (left > 0) holders.set(s, left);
        else {
          holders.delete(s);
          if (core.store) core.view.forget(s);
        }
      }
    }
  };
}

/**
 * Lets the consent gate, then the suppression source, read these customers, if they need to:
 * consent first, because a suppression source may ask it (a memory recall does).
 */
async function prepare(core: EngineCore, subjects: readonly SubjectId[]): Promise<void> {
  if (subjects.length === 0) return;
  await core.consent.prepare?.(subjects);
  await core.suppressions?.prepare?.(subjects);
}

/** @internal Reads pauses and schedules from the state store, then marks the view loaded. */
export async function hydrate(core: EngineCore): Promise<void> {
  const { store, view } = core;
  if (store === undefined) return;
  // Listening first: a pause made while they are read is announced, not lost.
  await store.feed?.ready();
  view.replacePauses(await store.listPauses());
  for (const s of await store.listSchedules()) view.putSchedule(s);
  core.pauses.markLoaded();
}

/**
 * @internal Claims the entries due at `now` from the state store (at most 1,000, atomically, so
 * no two instances run one), then evaluates and persists them with their customers held.
 */
export async function processDueEntries(
  core: EngineCore,
  hold: ReturnType<typeof createHolders>,
  now: Instant,
): Promise<Outcome[]> {
  const { store, view } = core;
  if (store === undefined) {
    const run = runEntries(core, view.takeDue(now, Number.MAX_SAFE_INTEGER), now, false);
    await recordReads(core.access, run.reads, run.outcomes);
    return act(core, run.outcomes);
  }
  await core.pauses.loaded(() => hydrate(core));
  const entries = await store.takeDue(now, 1_000);
  for (const e of entries) view.removeSchedule(e.key);
  // The store is the authority: when it had fewer than that due, what the view still holds as
  // due was run or removed elsewhere (so `nextDueAt()` does not stay in the past).
  if (entries.length < 1_000) view.dropDue(now);
  // Each customer's past events since the retention, or from their oldest absence deadline's
  // `after` event, so an answer given then counts when due (a deadline counted from a promised
  // date may come long after).
  const sinceOf = new Map<SubjectId, Instant>();
  for (const e of entries) {
    const since = sinceOf.get(e.subject) ?? now - core.windows.retention;
    sinceOf.set(e.subject, e.kind === 'absence' ? Math.min(since, e.event.at) : since);
  }
  const subjects = [...sinceOf.keys()];
  return hold(subjects, async () => {
    for (const [subject, since] of sinceOf) await loadSubject(core, store, subject, since);
    const run = runEntries(core, entries, now, true);
    const outcomes = await persist(core, run);
    await recordReads(core.access, run.reads, outcomes);
    return act(core, outcomes);
  });
}
