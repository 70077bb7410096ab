import type {
  ChangeFeed,
  Clock,
  SubjectId,
  SuppressionQuery,
  SuppressionVerdict,
} from '@candor/core';
import { feedbackError } from './errors';
import { liftPause } from './guardrails';
import {
  applyStoredDecision,
  applyStoredEvent,
  maybeCheckpoint,
  type ReadPositions,
  replay,
  replayGlobal,
} from './replay';
import type { FeedbackStore } from './store';
import { forgetSubject } from './subjects';
import type { LoopView } from './view';

/*
 * Following the store's change feed: feedback, decisions and resumes written by other loops on the
 * same store are read and applied here silently, and until the view can prove it is current
 * (loaded, feed fresh, nothing announced left unread for the subject) non-critical checks are held
 * back.
 */

/** check() asks a store's feed directly once every this many calls. */
const RECHECK_EVERY = 1024;
/** Records read per page when following other loops' writes. */
const PULL_PAGE = 1_000;

/** Runs `fn` after `ms` without keeping the process alive for it. */
function later(ms: number, fn: () => void): void {
  const timer = setTimeout(fn, ms);
  (timer as { unref?: () => void }).unref?.();
}

/** What following the store needs and knows. */
export interface Follower {
  readonly view: LoopView;
  readonly store: FeedbackStore;
  readonly clock: Clock;
  /** The store's feed; none for a loop on its own new store (its only writer). */
  readonly feed: ChangeFeed | undefined;
  /** A loop on its own new store has nothing to read; one on a store you pass must hydrate(). */
  loaded: boolean;
  hydrating: boolean;
  /** The hydration in flight: callers at the same time share it (it is not run twice at once). */
  hydration: Promise<{ readonly decisions: number; readonly events: number }> | null;
  /** False while the store's feed cannot prove it has announced every write (fail closed). */
  fresh: boolean;
  closed: boolean;
  /** Checks left before the feed is asked directly again. */
  recheckIn: number;
  /** Keys of events this loop is storing: the feed's notice of them is not news. */
  readonly writing: Set<string>;
  /** Subjects with feedback written elsewhere not yet read, and its highest announced position. */
  readonly unread: Map<SubjectId, number>;
  readonly logs: ReadPositions;
  wantResumes: boolean;
  pulling: boolean;
  pullAgain: boolean;
  /** Stops listening to the feed. */
  stop: (() => void) | undefined;
}

/**
 * Starts following `store` (a store you passed: `passed`); throws `feedback/invalid_option` when
 * its `feed` is not a `ChangeFeed`.
 */
export function followStore(
  view: LoopView,
  store: FeedbackStore,
  clock: Clock,
  passed: boolean,
): Follower {
  // A loop on its own new store is that store's only writer: nothing to follow.
  const feed = passed ? store.feed : undefined;
  if (feed != null && (typeof feed !== 'object' || typeof feed.subscribe !== 'function')) {
    throw feedbackError('feedback/invalid_option', 'store.feed: must be a ChangeFeed', {
      path: 'options.store.feed',
      value: feed,
    });
  }
  const f: Follower = {
    view,
    store,
    clock,
    feed,
    loaded: !passed,
    hydrating: false,
    hydration: null,
    fresh: feed == null || feed.fresh === true,
    closed: false,
    recheckIn: RECHECK_EVERY,
    writing: new Set(),
    unread: new Map(),
    logs: {
      events: 0,
      decisions: 0,
      resumes: 0,
      wantEvents: 0,
      wantDecisions: 0,
      checkpointed: 0,
    },
    wantResumes: false,
    pulling: false,
    pullAgain: false,
    stop: undefined,
  };
  f.stop = feed?.subscribe((notice) => {
    if (f.closed) return;
    if (notice.type === 'stale') f.fresh = false;
    else if (notice.type === 'fresh') f.fresh = true;
    else {
      const { stream, subject, sequence, key } = notice.change;
      const logs = f.logs;
      if (stream === 'feedback.events') {
        if (sequence > logs.wantEvents) logs.wantEvents = sequence;
        const cache = view.cache;
        if (cache === null) {
          if (key !== null && (f.writing.has(key) || view.seen.has(key))) return;
        } else if (key !== null && (f.writing.has(key) || cache.applied.has(key))) {
          // Its own write: read back (the guardrails need every event) without holding it back.
          void pull(f);
          return;
        } else if (
          subject !== null &&
          !view.subjects.numbers.has(subject) &&
          !cache.preparing.has(subject)
        ) {
          // Not held: a later prepare() reads the store, which has it.
          void pull(f);
          return;
        }
        if (subject !== null) f.unread.set(subject, Math.max(sequence, f.unread.get(subject) ?? 0));
      } else if (stream === 'feedback.decisions') {
        // With a subject cache decisions are stored, not held.
        if (view.cache !== null) return;
        if (sequence > logs.wantDecisions) logs.wantDecisions = sequence;
        if (key !== null && view.decisions.entries.has(key)) return;
      } else if (stream === 'feedback.resumes') f.wantResumes = true;
      else return;
      void pull(f);
    }
  });
  return f;
}

/** Reads what other loops wrote after what this one has read, silently; retries on failure. */
async function pull(f: Follower, tries = 0): Promise<void> {
  if (f.pulling || f.hydrating) {
    f.pullAgain = true;
    return;
  }
  const { view, store, logs, clock } = f;
  f.pulling = true;
  try {
    do {
      f.pullAgain = false;
      if (f.wantResumes && store.readResumes !== undefined) {
        f.wantResumes = false;
        const all = await store.readResumes();
        for (const r of all.slice(logs.resumes)) {
          liftPause(view.guardrails, r.ruleId, r.variantId, r.at);
        }
        logs.resumes = all.length;
      }
      // Decisions first, so that the events read next find theirs.
      while (logs.decisions < logs.wantDecisions) {
        const rows = await store.readDecisions({ afterSeq: logs.decisions, limit: PULL_PAGE });
        for (const row of rows) {
          applyStoredDecision(view, row.entry);
          logs.decisions = row.seq;
        }
        if (rows.length < PULL_PAGE) break;
      }
      while (logs.events < logs.wantEvents) {
        const rows = await store.readEvents({ afterSeq: logs.events, limit: PULL_PAGE });
        for (const row of rows) {
          applyStoredEvent(view, row.event, clock, row.seq, f.writing);
          logs.events = row.seq;
        }
        if (rows.length < PULL_PAGE) break;
      }
      maybeCheckpoint(view, store, logs);
      // What was read is current: a subject announced at a later position (while this read was
      // under way) stays held back until a read reaches it.
      for (const [subject, at] of f.unread) if (at <= logs.events) f.unread.delete(subject);
    } while (f.pullAgain && !f.closed);
  } catch {
    if (!f.closed) later(Math.min(2_000, 50 * 2 ** tries), () => void pull(f, tries + 1));
  } finally {
    f.pulling = false;
  }
}

/**
 * Replays the store into the view (listening first: feedback stored while the logs are read is
 * announced, not lost); returns how many decisions and events were read.
 */
export function hydrate(
  f: Follower,
): Promise<{ readonly decisions: number; readonly events: number }> {
  f.hydration ??= replayStore(f).finally(() => {
    f.hydration = null;
  });
  return f.hydration;
}

async function replayStore(
  f: Follower,
): Promise<{ readonly decisions: number; readonly events: number }> {
  await f.feed?.ready();
  f.hydrating = true;
  const cache = f.view.cache;
  if (cache !== null && f.loaded) {
    // Read again from the checkpoint: the customers held are read again too, by prepare(), so
    // nothing already applied to them is applied twice. Held back meanwhile.
    f.loaded = false;
    for (const subject of [...f.view.subjects.numbers.keys()]) {
      forgetSubject(f.view.subjects, subject);
    }
    f.view.corrections.length = 0;
  }
  try {
    const counts = await (f.view.cache === null ? replay : replayGlobal)(
      f.view,
      f.store,
      f.logs,
      f.clock,
    );
    f.loaded = true;
    return counts;
  } finally {
    f.hydrating = false;
    if (f.pullAgain) void pull(f);
  }
}

/** Why the view cannot answer for `subject` now, or `null` when it can. */
function problemWith(f: Follower, subject: SubjectId): 'not_loaded' | 'stale_view' | null {
  if (!f.loaded) return 'not_loaded';
  if (!f.fresh) return 'stale_view';
  return f.unread.size > 0 && f.unread.has(subject) ? 'stale_view' : null;
}

/** Notices a feed that went stale without saying so. */
function askFeed(f: Follower): void {
  if (f.feed != null && f.fresh && f.feed.fresh !== true) f.fresh = false;
}

/** `check()`'s freshness gate: why it must hold `subject` back, or `null`. Asks the feed now and then. */
export function checkProblem(f: Follower, subject: SubjectId): 'not_loaded' | 'stale_view' | null {
  if (--f.recheckIn === 0) {
    f.recheckIn = RECHECK_EVERY;
    askFeed(f);
  }
  return problemWith(f, subject);
}

/** Whether `check()` can answer for `subject` right now, or why not. */
export function viewStatus(f: Follower, subject: SubjectId): 'ready' | 'not_loaded' | 'stale_view' {
  askFeed(f);
  return problemWith(f, subject) ?? 'ready';
}

/** The verdict of a check held back because the view cannot prove it is current. */
export function heldBack(
  query: SuppressionQuery,
  code: 'not_loaded' | 'stale_view',
): SuppressionVerdict {
  return {
    suppressed: true,
    reason: {
      code,
      scope: 'all',
      target: '*',
      since: query.at,
      until: null,
      detail:
        code === 'not_loaded'
          ? 'Held back: feedback has not been read from the store yet'
          : 'Held back: this instance may have missed feedback given elsewhere, and waits until it has caught up',
    },
  };
}

/** Stops following (non-critical checks are then held back). Idempotent. */
export function stopFollowing(f: Follower): void {
  if (f.closed) return;
  f.closed = true;
  f.fresh = false;
  f.stop?.();
}
