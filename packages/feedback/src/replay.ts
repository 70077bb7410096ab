import type { Clock } from '@candor/core';
import { silently } from './announce';
import { commit } from './apply';
import { checkpointKey, restoreCheckpoint, saveCheckpoint } from './checkpoint';
import { commitDecision, decisionOf, prepareDecision } from './decisions';
import { feedbackError } from './errors';
import { liftPause, restartCounts } from './guardrails';
import type { FeedbackStore, GuardrailResume } from './store';
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
  /** With a subject cache: the events the last checkpoint written covers. */
  checkpointed: number;
}

/** Records read per page. */
const PAGE = 10_000;

/** Applies a stored decision entry unless it is logged already, silently (see `replaying`). */
export function applyStoredDecision(view: LoopView, input: unknown): void {
  const entry = prepareDecision(view.decisions, view.accepted, input);
  if (entry === null) return;
  silently(view.announcer, () =>
    commitDecision(view.decisions, view.accepted, view.announcer, entry),
  );
}

/**
 * Applies an event stored at `seq` unless this loop applied it already, silently: the loop that
 * stored it announced it (`replaying` is set for this call only, not across a whole read, so what
 * this loop applies meanwhile is announced). `writing`: keys this loop is storing itself (with a
 * subject cache, their submit applies them).
 */
export function applyStoredEvent(
  view: LoopView,
  input: unknown,
  clock: Clock,
  seq: number,
  writing?: ReadonlySet<string>,
): void {
  silently(view.announcer, () => applyStored(view, input, clock, seq, writing));
}

function applyStored(
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
  const resumes = await readResumes(store);
  logs.resumes = resumes.length;
  for (const resume of resumes) {
    restartCounts(view.guardrails, resume.ruleId, resume.variantId, resume.at);
  }
  let decisionsRead = 0;
  let eventsRead = 0;
  for (let after = 0; ; ) {
    const rows = await store.readDecisions({ afterSeq: after, limit: PAGE });
    for (const row of rows) {
      applyStoredDecision(view, row.entry);
      after = row.seq;
    }
    if (after > logs.decisions) logs.decisions = after;
    decisionsRead += rows.length;
    if (rows.length < PAGE) break;
  }
  for (let after = 0; ; ) {
    const rows = await store.readEvents({ afterSeq: after, limit: PAGE });
    for (const row of rows) {
      applyStoredEvent(view, row.event, clock, row.seq);
      after = row.seq;
    }
    if (after > logs.events) logs.events = after;
    eventsRead += rows.length;
    if (rows.length < PAGE) break;
  }
  return { decisions: decisionsRead, events: eventsRead };
}

/** Every stored resume, checked. */
async function readResumes(store: FeedbackStore): Promise<readonly GuardrailResume[]> {
  const resumes = (await store.readResumes?.()) ?? [];
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
  }
  return resumes;
}

/**
 * With a subject cache: reads the global part of the view (guardrails) from the store's latest
 * checkpoint, then the resumes and events stored after it; decisions are not held. Starts from
 * an empty global part, so a retry after a failure counts nothing twice.
 */
export async function replayGlobal(
  view: LoopView,
  store: FeedbackStore,
  logs: ReadPositions,
  clock: Clock,
): Promise<{ decisions: number; events: number }> {
  const g = view.guardrails;
  g.rules.clear();
  g.reactions.clear();
  g.paused.clear();
  view.latestAt = -1;
  view.cache?.applied.clear();
  view.cache?.skipped.clear();
  logs.events = 0;
  logs.resumes = 0;
  const key = checkpointKey(view.config.guardrails);
  let restored = false;
  try {
    const checkpoint = (await store.readCheckpoint?.(key)) ?? null;
    if (checkpoint !== null && restoreCheckpoint(g, checkpoint)) {
      logs.events = checkpoint.events;
      logs.resumes = checkpoint.resumes;
      logs.checkpointed = checkpoint.events;
      view.latestAt = checkpoint.latestAt;
      restored = true;
    }
  } catch {
    // No usable checkpoint: every event is read instead.
  }
  const resumes = await readResumes(store);
  for (const r of resumes.slice(logs.resumes)) {
    if (restored) liftPause(g, r.ruleId, r.variantId, r.at);
    else restartCounts(g, r.ruleId, r.variantId, r.at);
  }
  logs.resumes = resumes.length;
  let eventsRead = 0;
  for (;;) {
    const rows = await store.readEvents({ afterSeq: logs.events, limit: PAGE });
    for (const row of rows) {
      applyStoredEvent(view, row.event, clock, row.seq);
      logs.events = row.seq;
    }
    eventsRead += rows.length;
    if (rows.length < PAGE) break;
  }
  maybeCheckpoint(view, store, logs);
  return { decisions: 0, events: eventsRead };
}

/**
 * With a subject cache and a store that keeps checkpoints: writes one when `checkpointEvery`
 * events were read since the last, and the view holds exactly the events read (none of its own
 * applied ahead of them, none read and not yet applied). A failed write is retried later.
 */
export function maybeCheckpoint(view: LoopView, store: FeedbackStore, logs: ReadPositions): void {
  const cache = view.cache;
  if (cache === null || store.writeCheckpoint === undefined) return;
  if (logs.events - logs.checkpointed < view.config.checkpointEvery) return;
  if (cache.applied.size > 0 || cache.skipped.size > 0) return;
  const previous = logs.checkpointed;
  logs.checkpointed = logs.events;
  const checkpoint = saveCheckpoint(view.guardrails, logs.events, logs.resumes, view.latestAt);
  store.writeCheckpoint(checkpointKey(view.config.guardrails), checkpoint).catch(() => {
    if (logs.checkpointed === checkpoint.events) logs.checkpointed = previous;
  });
}
