import type { Clock } from '@candor/core';
import { commit } from './apply';
import { commitDecision, decisionOf, prepareDecision } from './decisions';
import { feedbackError } from './errors';
import { restartCounts } from './guardrails';
import type { FeedbackStore } from './store';
import { checkFeedbackEvent } from './validate';
import type { LoopView } from './view';

/*
 * Reading the store into the view: the whole of it (`hydrate()`), and the stored rows that
 * following the feed reads (`follow.ts`).
 */

/** How far the store's logs have been read, and how far the feed said they go. */
export interface ReadPositions {
  events: number;
  decisions: number;
  resumes: number;
  wantEvents: number;
  wantDecisions: number;
}

/** Applies a stored decision entry unless it is logged already. */
export function applyStoredDecision(view: LoopView, input: unknown): void {
  const entry = prepareDecision(view.decisions, view.accepted, input);
  if (entry !== null) commitDecision(view.decisions, view.accepted, view.announcer, entry);
}

/**
 * Applies an event stored at `seq` unless this loop applied it already. `writing`: keys this loop
 * is storing itself (with a subject cache, their submit applies them).
 */
export function applyStoredEvent(
  view: LoopView,
  input: unknown,
  clock: Clock,
  seq: number,
  writing?: ReadonlySet<string>,
): void {
  const event = checkFeedbackEvent(input);
  const key = event.idempotencyKey;
  const cache = view.cache;
  if (cache === null) {
    if (!view.seen.has(key)) commit(view, event, decisionOf(view.decisions, event), clock.now());
    return;
  }
  if (cache.applied.delete(key)) return;
  if (writing?.has(key)) {
    cache.skipped.add(key);
    return;
  }
  commit(view, event, decisionOf(view.decisions, event), clock.now(), seq);
}

/** Replays the store's resumes, then its decisions, then its events, into the view. */
export async function replay(
  view: LoopView,
  store: FeedbackStore,
  logs: ReadPositions,
  clock: Clock,
): Promise<{ decisions: number; events: number }> {
  // Resumes first: they say from when each rule's counts restart, whatever the events' order.
  const resumes = (await store.readResumes?.()) ?? [];
  logs.resumes = resumes.length;
  for (const resume of resumes) {
    if (
      typeof resume !== 'object' ||
      resume === null ||
      typeof resume.ruleId !== 'string' ||
      (resume.variantId !== null && typeof resume.variantId !== 'string') ||
      !Number.isInteger(resume.at)
    ) {
      throw feedbackError(
        'feedback/invalid_event',
        'stored resume: expected { ruleId, variantId, at } with at in epoch ms',
        { path: 'resume', value: resume },
      );
    }
    restartCounts(view.guardrails, resume.ruleId, resume.variantId, resume.at);
  }
  let decisionsRead = 0;
  let eventsRead = 0;
  const page = 10_000;
  for (let after = 0; ; ) {
    const rows = await store.readDecisions({ afterSeq: after, limit: page });
    for (const row of rows) {
      applyStoredDecision(view, row.entry);
      after = row.seq;
    }
    if (after > logs.decisions) logs.decisions = after;
    decisionsRead += rows.length;
    if (rows.length < page) break;
  }
  for (let after = 0; ; ) {
    const rows = await store.readEvents({ afterSeq: after, limit: page });
    for (const row of rows) {
      applyStoredEvent(view, row.event, clock, row.seq);
      after = row.seq;
    }
    if (after > logs.events) logs.events = after;
    eventsRead += rows.length;
    if (rows.length < page) break;
  }
  return { decisions: decisionsRead, events: eventsRead };
}
