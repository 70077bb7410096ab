import type { FeedbackLoopEvent } from './types';

/**
 * What the loop tells about what it did, and when. The effects of the event (or batch) being
 * applied are collected for its result; listeners hear them only once the state change that caused
 * them is complete ({@link flush}), and never while history is replayed or feedback written by
 * another loop is read (that loop announced it).
 */
export interface Announcer {
  readonly listeners: Set<(event: FeedbackLoopEvent) => void>;
  /** Effects of the event (or batch) being applied, allocated only when there are some. */
  effects: FeedbackLoopEvent[] | null;
  /** Loop events waiting for the state change that caused them to complete. */
  outbox: FeedbackLoopEvent[] | null;
  /** True while `hydrate` replays history or feedback from elsewhere: nothing is announced twice. */
  replaying: boolean;
  /** The first error an observer threw while applying, rethrown by {@link flush}. */
  failure: { readonly error: unknown } | null;
}

/** An announcer with no listeners. */
export function createAnnouncer(): Announcer {
  return { listeners: new Set(), effects: null, outbox: null, replaying: false, failure: null };
}

/**
 * Records `event` among the current effects (when `record`) and queues it for listeners (unless
 * replaying); nobody hears it before {@link flush}.
 */
export function emit(announcer: Announcer, event: FeedbackLoopEvent, record: boolean): void {
  if (record) {
    announcer.effects ??= [];
    announcer.effects.push(event);
  }
  if (announcer.listeners.size > 0 && !announcer.replaying) {
    announcer.outbox ??= [];
    announcer.outbox.push(event);
  }
}

/**
 * Tells listeners, once the state is complete. Every listener hears every event; the first
 * observer or listener error is rethrown afterwards (the state change stands either way).
 */
export function flush(announcer: Announcer): void {
  let failure = announcer.failure;
  announcer.failure = null;
  if (announcer.outbox === null) {
    if (failure !== null) throw failure.error;
    return;
  }
  const events = announcer.outbox;
  announcer.outbox = null;
  for (const event of events) {
    for (const listener of announcer.listeners) {
      try {
        listener(event);
      } catch (error) {
        failure ??= { error };
      }
    }
  }
  if (failure !== null) throw failure.error;
}

/**
 * Runs `apply` silently (`replaying` set for this call only, then as it was): for feedback another
 * loop stored and announced, while what this loop applies meanwhile is still announced.
 *
 * @example
 * silently(view.announcer, () => commit(view, event, decision, now));
 */
export function silently<T>(announcer: Announcer, apply: () => T): T {
  const before = announcer.replaying;
  announcer.replaying = true;
  try {
    return apply();
  } finally {
    announcer.replaying = before;
  }
}

/** Adds a listener; returns the function that removes it. */
export function listen(
  announcer: Announcer,
  listener: (event: FeedbackLoopEvent) => void,
): () => void {
  announcer.listeners.add(listener);
  return () => {
    announcer.listeners.delete(listener);
  };
}
