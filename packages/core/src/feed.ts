import { CandorError } from './errors';
import type { SubjectId } from './schemas';

/**
 * Which log a {@link StoreChange} belongs to: a subject's consent ledger, the feedback event,
 * decision and resume logs, the rule pauses, a subject's memories, or the access log.
 *
 * @example
 * const stream: ChangeStream = 'consent';
 */
export type ChangeStream =
  | 'consent'
  | 'feedback.events'
  | 'feedback.decisions'
  | 'feedback.resumes'
  | 'rules.pauses'
  | 'memory'
  | 'access';

/**
 * One write, as a {@link ChangeFeed} announces it. A hint, never the data itself: the follower
 * reads the store (the truth) to learn what changed.
 *
 * @example
 * const change: StoreChange = { stream: 'consent', subject: 'cus_1', sequence: 4, key: 'ck_1' };
 */
export interface StoreChange {
  readonly stream: ChangeStream;
  /** Whose data changed; `null` for writes about no one subject (rule pauses, guardrail resumes). */
  readonly subject: SubjectId | null;
  /** Where the write landed: the subject's ledger sequence (consent), the log position (feedback), else 0. */
  readonly sequence: number;
  /** The write's idempotency key, when it has one, so a writer recognises its own write. */
  readonly key: string | null;
}

/**
 * What a feed tells its listeners: a `change`, or that it went `stale` (it cannot prove it has
 * announced every write within its staleness bound, e.g. the database connection dropped) or
 * `fresh` again (it caught up; every change it missed has been announced first).
 *
 * @example
 * feed.subscribe((notice) => { if (notice.type === 'stale') console.warn(notice.detail); });
 */
export type FeedNotice =
  | { readonly type: 'change'; readonly change: StoreChange }
  | { readonly type: 'stale'; readonly detail: string }
  | { readonly type: 'fresh' };

/**
 * The port a store offers so that views built on it (the consent manager, the feedback loop, the
 * rule engine's pauses) stay current with writes made by other instances, and fail closed when
 * they cannot. `@candor/postgres` implements it with `LISTEN/NOTIFY` and a catch-up query; the
 * in-memory stores with {@link createLocalChangeFeed}.
 *
 * Contract: every write committed after `ready()` resolves is announced to every listener
 * subscribed at that time, in commit order, at least once; `fresh` is `true` only while every
 * write committed more than `staleAfterMs` ago has been announced.
 *
 * @example
 * await store.feed?.ready();
 * store.feed?.subscribe((n) => n.type === 'change' && refresh(n.change.subject));
 */
export interface ChangeFeed {
  /** The staleness bound in milliseconds: how old an unannounced write can be while `fresh`. */
  readonly staleAfterMs: number;
  /** Whether the feed can prove, now, that it is within its staleness bound. */
  readonly fresh: boolean;
  /** Resolves once the feed is listening: from then on no write goes unannounced. */
  ready(): Promise<void>;
  /** Listens to changes and to freshness; returns the function that stops listening. */
  subscribe(listener: (notice: FeedNotice) => void): () => void;
}

/**
 * The feed of a store that lives in this process: {@link LocalChangeFeed.announce} tells every
 * listener at once, so a view on the same store never lags. Also the dispatcher other feeds
 * build on.
 *
 * @example
 * const feed = createLocalChangeFeed();
 * feed.announce({ type: 'change', change: { stream: 'consent', subject: 'cus_1', sequence: 1, key: 'k1' } });
 */
export interface LocalChangeFeed extends ChangeFeed {
  /** Tells every listener, now, in subscription order; a listener that throws does not stop the others. */
  announce(notice: FeedNotice): void;
}

/**
 * Creates a {@link LocalChangeFeed}: for in-memory stores, so several managers or loops on one
 * store see each other's writes at once, exactly as they would on `@candor/postgres`. It is always
 * fresh. A listener's error is rethrown on a later microtask, so it is not lost.
 *
 * @example
 * const feed = createLocalChangeFeed();
 * const stop = feed.subscribe((notice) => console.log(notice.type));
 * feed.announce({ type: 'change', change: { stream: 'rules.pauses', subject: null, sequence: 0, key: null } }); // logs 'change'
 * stop();
 */
export function createLocalChangeFeed(): LocalChangeFeed {
  const listeners = new Set<(notice: FeedNotice) => void>();
  return {
    staleAfterMs: 0,
    fresh: true,
    ready: () => Promise.resolve(),
    subscribe(listener) {
      if (typeof listener !== 'function') {
        throw new CandorError('core/invalid_input', 'listener: must be a function', {
          path: 'listener',
          value: listener,
        });
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    announce(notice) {
      const type = (notice as { type?: unknown } | null)?.type;
      if (type !== 'change' && type !== 'stale' && type !== 'fresh') {
        throw new CandorError(
          'core/invalid_input',
          'notice: must be a change, stale or fresh notice',
          {
            path: 'notice',
            value: notice,
          },
        );
      }
      if (listeners.size === 0) return;
      for (const listener of [...listeners]) {
        try {
          listener(notice);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
  };
}
