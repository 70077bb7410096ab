import type { Instant } from '@candor/core';
import { emit, flush } from './announce';
import { decisionOf } from './decisions';
import { feedbackError } from './errors';
import { track } from './guardrails';
import type { DecisionEntry, FeedbackEvent } from './schema';
import type { SubjectCache } from './subject-cache';
import { applyToSubject } from './subjects';
import type {
  BatchIngestResult,
  CorrectionRequest,
  FeedbackLoopEvent,
  FeedbackObserver,
  IngestResult,
} from './types';
import { checkFeedbackEvent } from './validate';
import type { LoopView } from './view';

/*
 * Ingest: checking new events against the view (`admit`, `prepareBatch`) and applying them
 * (`applyEvent`, the transition, and its one-event and batch forms `commit` and `applyBatch`).
 */

const EMPTY: readonly FeedbackLoopEvent[] = /* @__PURE__ */ Object.freeze([]);

/** The result of an event whose idempotency key was seen before. */
export const DUPLICATE: IngestResult = /* @__PURE__ */ Object.freeze({
  status: 'duplicate',
  orphaned: false,
  late: false,
  effects: EMPTY,
});

/** Results without effects, by [orphaned][late], shared. */
const RESULTS = /* @__PURE__ */ [false, true].map((orphan) =>
  [false, true].map(
    (late): IngestResult =>
      Object.freeze({ status: 'accepted', orphaned: orphan, late, effects: EMPTY }),
  ),
);

/** Every field of an event but its key: a repeat must match each, as a store's fingerprint does. */
const CONTENT = [
  'kind',
  'decisionId',
  'subject',
  'ruleId',
  'variantId',
  'topic',
  'channel',
  'at',
  'scope',
  'durationMs',
  'itemKey',
  'value',
  'critical',
  'note',
] as const satisfies readonly (keyof FeedbackEvent)[];

/** Throws unless `event` repeats `previous` (same key, same content, field by field). */
export function assertSame(previous: FeedbackEvent, event: FeedbackEvent): void {
  if (CONTENT.some((field) => previous[field] !== event[field])) {
    throw feedbackError(
      'feedback/idempotency_conflict',
      `idempotency key "${event.idempotencyKey}" was used for a different event`,
      { path: 'event.idempotencyKey', value: event.idempotencyKey },
    );
  }
}

/** Checks a new event against the clock (read at `now`) and its decision; returns the decision if known. */
export function admit(
  view: LoopView,
  event: FeedbackEvent,
  now: Instant,
): DecisionEntry | undefined {
  if (event.at > now + view.config.maxSkew) {
    throw feedbackError(
      'feedback/future_event',
      `event.at ${new Date(event.at).toISOString()} is later than the clock allows`,
      { path: 'event.at', value: event.at },
    );
  }
  const decision = decisionOf(view.decisions, event);
  if (
    decision !== undefined &&
    (decision.subject !== event.subject || decision.ruleId !== event.ruleId)
  ) {
    throw feedbackError(
      'feedback/decision_mismatch',
      `decision "${event.decisionId}" was made for ${decision.subject} by rule ${decision.ruleId}, not ${event.subject} by ${event.ruleId}`,
      { path: 'event.decisionId', value: event.decisionId },
    );
  }
  return decision;
}

/**
 * With a subject cache: whether the event (stored at `seq`, if read from the store) still changes
 * its subject's held state. A subject being prepared is marked, so that prepare() reads it again.
 */
function holds(view: LoopView, cache: SubjectCache, subject: string, seq: number): boolean {
  const n = view.subjects.numbers.get(subject);
  if (n === undefined) {
    if (cache.preparing.has(subject)) cache.preparing.set(subject, true);
    return false;
  }
  return seq > (cache.readTo[n] ?? 0);
}

/**
 * The correction request of a `wrong_data` event, for the app to route (announced always; kept
 * for `corrections()` while its subject is held).
 */
export function correctionOf(event: FeedbackEvent): CorrectionRequest {
  return {
    id: event.idempotencyKey,
    subject: event.subject,
    decisionId: event.decisionId,
    ruleId: event.ruleId,
    topic: event.topic,
    channel: event.channel,
    at: event.at,
    ...(event.itemKey === undefined ? {} : { itemKey: event.itemKey }),
    ...(event.note === undefined ? {} : { note: event.note }),
  };
}

function requestCorrection(view: LoopView, event: FeedbackEvent, held: boolean): void {
  const request = correctionOf(event);
  if (held) view.corrections.push(request);
  emit(view.announcer, { type: 'correction_requested', request }, true);
}

/**
 * The transition: applies a prepared event whose key is already in `seen` to every part of the
 * view; returns 1 (orphan) | 2 (late) bits. Its effects are appended to the announcer's `effects`
 * (which the caller sets: null, or the batch's list); listeners are not flushed here.
 */
export function applyEvent(
  view: LoopView,
  event: FeedbackEvent,
  decision: DecisionEntry | undefined,
  now: Instant,
  seq = Number.POSITIVE_INFINITY,
): number {
  const announcer = view.announcer;
  const cache = view.cache;
  if (event.at > view.latestAt) view.latestAt = event.at;
  let flags = 0;
  // With a subject cache no history is kept, and decisions are not held (none is an orphan).
  if (cache === null) view.accepted.push(event);
  if (decision === undefined && cache === null) {
    // Listed by `orphans()` (accepted events whose decision is still unknown).
    flags = 1;
    if (announcer.listeners.size > 0) emit(announcer, { type: 'orphaned', event }, false);
  }
  track(view.guardrails, announcer, event, event.variantId ?? decision?.variantId ?? null);
  const held = cache === null || holds(view, cache, event.subject, seq);
  if (held) applyToSubject(view.subjects, announcer, view.config, event);
  if (event.kind === 'wrong_data') requestCorrection(view, event, held);
  const observers = view.config.observers;
  for (let i = 0; i < observers.length; i++) {
    try {
      (observers[i] as FeedbackObserver).observe(event);
    } catch (error) {
      // The event stands, and the other observers learn from it; the caller hears of it after.
      if (!announcer.replaying) announcer.failure ??= { error };
    }
  }
  if (now - event.at > view.config.lateAfter) flags |= 2;
  return flags;
}

/** Applies a prepared, not yet seen event, then tells listeners. */
export function commit(
  view: LoopView,
  event: FeedbackEvent,
  decision: DecisionEntry | undefined,
  now: Instant,
  seq?: number,
): IngestResult {
  const announcer = view.announcer;
  // With a subject cache, `seen` is not a history: the store tells duplicates.
  if (view.cache === null) view.seen.set(event.idempotencyKey, event);
  announcer.effects = null;
  const flags = applyEvent(view, event, decision, now, seq);
  const done = announcer.effects as FeedbackLoopEvent[] | null;
  announcer.effects = null;
  flush(announcer);
  const isOrphan = (flags & 1) !== 0;
  const late = (flags & 2) !== 0;
  if (done === null)
    return (RESULTS[isOrphan ? 1 : 0] as IngestResult[])[late ? 1 : 0] as IngestResult;
  return { status: 'accepted', orphaned: isOrphan, late, effects: done };
}

/** Checks the `i`th event of a batch, naming `events[i]` in errors without a string per event. */
function checkEvent(input: unknown, i: number): FeedbackEvent {
  try {
    return checkFeedbackEvent(input);
  } catch {
    // Validation is pure: checking again with the indexed root throws the same error, pathed.
    return checkFeedbackEvent(input, `events[${i}]`);
  }
}

/**
 * Validates a batch without changing the view: every event is checked and admitted, and keys
 * already seen (or repeated within the batch) must repeat their event. Returns the new events
 * in order. When `reserve`, their keys stay in `seen` (the caller applies them at once);
 * otherwise they are released. On any error every reserved key is released and it rethrows.
 * The whole batch is checked against one reading of the clock, `now`.
 */
export function prepareBatch(
  view: LoopView,
  inputs: readonly unknown[],
  reserve: boolean,
  now: Instant,
): FeedbackEvent[] {
  if (!Array.isArray(inputs)) {
    throw feedbackError('feedback/invalid_event', 'events: expected an array of events', {
      path: 'events',
      value: inputs,
    });
  }
  const seen = view.seen;
  const fresh: FeedbackEvent[] = [];
  try {
    for (let i = 0; i < inputs.length; i++) {
      const event = checkEvent(inputs[i], i);
      const previous = seen.get(event.idempotencyKey);
      if (previous !== undefined) {
        assertSame(previous, event);
        continue;
      }
      admit(view, event, now);
      seen.set(event.idempotencyKey, event);
      fresh.push(event);
    }
  } catch (error) {
    for (const event of fresh) seen.delete(event.idempotencyKey);
    throw error;
  }
  if (!reserve) for (const event of fresh) seen.delete(event.idempotencyKey);
  return fresh;
}

/** Applies prepared events whose keys are in `seen`, then tells listeners once. */
export function applyBatch(
  view: LoopView,
  fresh: readonly FeedbackEvent[],
  duplicates: number,
  now: Instant,
): BatchIngestResult {
  const announcer = view.announcer;
  let orphaned = 0;
  let late = 0;
  const collected: FeedbackLoopEvent[] = [];
  // Every event's effects go straight into the batch's list.
  announcer.effects = collected;
  try {
    for (let i = 0; i < fresh.length; i++) {
      const event = fresh[i] as FeedbackEvent;
      const flags = applyEvent(view, event, decisionOf(view.decisions, event), now);
      orphaned += flags & 1;
      late += flags >> 1;
    }
  } finally {
    announcer.effects = null;
  }
  flush(announcer);
  return {
    accepted: fresh.length,
    duplicates,
    orphaned,
    late,
    effects: collected.length === 0 ? EMPTY : collected,
  };
}
