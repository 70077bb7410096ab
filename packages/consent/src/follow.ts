import type { SubjectId } from '@candor/core';
import type { ManagerConfig } from './config';
import { headOf, type SubjectState, type SubjectViews } from './subject-view';

/** decide() asks a store's feed directly once every this many calls. */
export const RECHECK_EVERY = 1024;

/**
 * Whether the view can prove it is current, and which announcements of the store's feed are not
 * news. Shared by the parts that read the store (load, prepare), write to it, and decide.
 */
export interface FollowState {
  /** False while the store's feed cannot prove it has announced every change (fail closed). */
  fresh: boolean;
  /** The whole ledger has been read (always, for a manager on its own new store). */
  loaded: boolean;
  /** close() was called: the view no longer follows the feed. */
  closed: boolean;
  /** decide() asks the feed itself every so many calls, in case its timer could not run. */
  recheckIn: number;
  /** Idempotency keys of this manager's writes under way: the feed's notice of them is not news. */
  readonly writing: Set<string>;
  /** While load() reads the ledger: the subjects new to the view the feed announced meanwhile. */
  loading: Map<SubjectId, number> | null;
  /** Subjects a prepare() is reading, and the highest sequence the feed announced meanwhile. */
  readonly preparing: Map<SubjectId, number>;
}

/**
 * Following the store's change feed: a change made elsewhere makes its subject answer
 * `stale_view` until it has been re-read; a stale feed makes every subject answer so.
 *
 * @example
 * const follower = createFollower(config, views);
 * problemWith(follower.state, views.subjects.get('cus_1')); // null when it can answer
 */
export interface Follower {
  readonly state: FollowState;
  /**
   * The feed announced `sequence` for `subject`: unless this manager wrote it or has it, the
   * subject answers `stale_view` until the store has been read up to it.
   */
  heard(subject: SubjectId, sequence: number, key: string | null): void;
  /**
   * Reads the subject again (it answers `stale_view` meanwhile) until the store has nothing newer
   * than what was announced; on failure it stays closed and tries again, backing off.
   */
  reread(state: SubjectState): void;
  /** Asks the feed itself whether it is fresh (its own timer may not have run yet). */
  recheck(): void;
  /** Stops following (the view then answers `stale_view`). Idempotent. */
  close(): void;
}

/** Why the view cannot answer for this subject now, or `null` when it can. */
export function problemWith(
  follow: FollowState,
  state: SubjectState | undefined,
): 'not_loaded' | 'stale_view' | null {
  if (!follow.fresh) return 'stale_view';
  if (state === undefined) return follow.loaded ? null : 'not_loaded';
  if (state.refreshing) return 'stale_view';
  return follow.loaded || state.complete ? null : 'not_loaded';
}

/**
 * Starts following `config.feed` (when there is one) on behalf of `views`.
 *
 * @example
 * const follower = createFollower(config, views);
 */
export function createFollower<P extends string>(
  config: ManagerConfig<P>,
  views: SubjectViews,
): Follower {
  const { feed, maxSubjects } = config;
  const { subjects } = views;
  const state: FollowState = {
    fresh: feed == null || feed.fresh === true,
    // A manager on its own new store has nothing to read; one on a store you pass must load() it.
    loaded: config.ownStore,
    closed: false,
    recheckIn: RECHECK_EVERY,
    writing: new Set<string>(),
    loading: null,
    preparing: new Map<SubjectId, number>(),
  };
  const stopFollowing = feed?.subscribe((notice) => {
    if (state.closed) return;
    if (notice.type === 'stale') state.fresh = false;
    else if (notice.type === 'fresh') state.fresh = true;
    else if (notice.change.stream === 'consent' && notice.change.subject !== null) {
      heard(notice.change.subject, notice.change.sequence, notice.change.key);
    }
  });

  function heard(subject: SubjectId, sequence: number, key: string | null): void {
    if (key !== null && state.writing.has(key)) return;
    const reading = state.preparing.has(subject) ? state.preparing : state.loading;
    if (reading !== null && !subjects.has(subject)) {
      // load() or prepare() is reading it: compare with what was read once it has been.
      reading.set(subject, Math.max(sequence, reading.get(subject) ?? 0));
      return;
    }
    // Not held: a later prepare() reads the store, which has it.
    if (maxSubjects !== undefined && !subjects.has(subject)) return;
    const subjectState = views.stateOf(subject);
    if (sequence <= headOf(subjectState) && subjectState.complete) return;
    if (sequence > subjectState.announced) subjectState.announced = sequence;
    reread(subjectState);
  }

  function reread(subjectState: SubjectState): void {
    if (subjectState.refreshing) return;
    subjectState.refreshing = true;
    views.rebuild(subjectState);
    const attempt = async (tries: number): Promise<void> => {
      try {
        for (;;) {
          const before = headOf(subjectState);
          await views.catchUp(subjectState.subject, subjectState);
          const head = headOf(subjectState);
          if (head >= subjectState.announced || head === before || state.closed) break;
        }
        subjectState.refreshing = false;
        views.rebuild(subjectState);
      } catch {
        if (!state.closed) {
          setTimeout(() => void attempt(tries + 1), Math.min(2_000, 50 * 2 ** tries));
        }
      }
    };
    void attempt(0);
  }

  function recheck(): void {
    state.recheckIn = RECHECK_EVERY;
    if (feed != null && state.fresh && feed.fresh !== true) state.fresh = false;
  }

  function close(): void {
    if (state.closed) return;
    state.closed = true;
    state.fresh = false;
    stopFollowing?.();
  }

  return { state, heard, reread, recheck, close };
}
