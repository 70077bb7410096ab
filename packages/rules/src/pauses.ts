import type { Instant } from '@candor/core';
import type { Pause, RuleStateStore, StateView } from './state';

/** decide-path checks ask the store's feed directly once every this many calls. */
const RECHECK_EVERY = 1024;

/**
 * @internal How an engine keeps its view of rule pauses current across instances: it reads them
 * at `hydrate()`, re-reads them whenever the store's feed announces a pause or resume made
 * elsewhere, and until then (or while the feed is stale) reports a pause it may have missed.
 */
export interface PauseFollower {
  /** A stand-in pause while the view cannot prove it has every pause, else `null`. */
  missed(ruleId: string, at: Instant): Pause | null;
  /** Whether the view can prove it has every pause now (`missed` would answer `null`). */
  settled(): boolean;
  /** Runs `hydrate` once, the first time it is asked (concurrent callers share it). */
  loaded(hydrate: () => Promise<void>): Promise<void>;
  /** `hydrate()` has read the store. */
  markLoaded(): void;
  /** Runs this engine's own write of `ruleId`'s pause: its announcement is not news. */
  writing<T>(ruleId: string, write: () => Promise<T>): Promise<T>;
  status(): 'ready' | 'not_loaded' | 'stale_view';
  close(): void;
}

/** @internal Creates the {@link PauseFollower} of an engine over `store` (none: always current). */
export function followPauses(store: RuleStateStore | undefined, view: StateView): PauseFollower {
  const feed = store?.feed;
  let loaded = store === undefined;
  let loading: Promise<void> | null = null;
  let fresh = feed == null || feed.fresh === true;
  let closed = false;
  /** A pause made elsewhere was announced and is being read. */
  let unread = false;
  /**
   * A pause was announced while `hydrate()` ran: it may have come after the pauses were read,
   * so they are read again once loaded.
   */
  let heardWhileLoading = false;
  let reading = false;
  let again = false;
  let recheckIn = RECHECK_EVERY;
  const ownWrites = new Map<string, number>();

  const reread = async (tries = 0): Promise<void> => {
    if (store === undefined || closed) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        view.replacePauses(await store.listPauses());
      } while (again && !closed);
      unread = false;
    } catch {
      const timer = setTimeout(() => void reread(tries + 1), Math.min(2_000, 50 * 2 ** tries));
      (timer as { unref?: () => void }).unref?.();
    } finally {
      reading = false;
    }
  };

  const stop = feed?.subscribe((notice) => {
    if (closed) return;
    if (notice.type === 'stale') fresh = false;
    else if (notice.type === 'fresh') fresh = true;
    else if (notice.change.stream === 'rules.pauses' && !loaded) heardWhileLoading = true;
    else if (notice.change.stream === 'rules.pauses') {
      const key = notice.change.key;
      // Another instance's pause holds here from now on: closed until read.
      if (key === null || !ownWrites.has(key)) unread = true;
      void reread();
    }
  });

  const problem = (): 'not_loaded' | 'stale_view' | null => {
    if (!loaded) return 'not_loaded';
    if (!fresh || unread) return 'stale_view';
    return null;
  };

  const recheck = () => {
    if (--recheckIn === 0) {
      recheckIn = RECHECK_EVERY;
      if (feed != null && fresh && feed.fresh !== true) fresh = false;
    }
  };

  return {
    settled() {
      recheck();
      return problem() === null;
    },
    missed(ruleId, at) {
      recheck();
      const why = problem();
      if (why === null) return null;
      return {
        ruleId,
        reason:
          why === 'not_loaded'
            ? 'rule pauses have not been read from the state store yet'
            : 'this instance may have missed a pause made elsewhere, and waits until it has caught up',
        since: at,
        until: null,
        by: `candor.${why}`,
      };
    },
    loaded(hydrate) {
      if (loaded) return Promise.resolve();
      loading ??= hydrate().finally(() => {
        loading = null;
      });
      return loading;
    },
    markLoaded() {
      loaded = true;
      if (heardWhileLoading) {
        // Closed until read again: the announced pause may be one the hydration missed.
        heardWhileLoading = false;
        unread = true;
        void reread();
      }
    },
    async writing(ruleId, write) {
      ownWrites.set(ruleId, (ownWrites.get(ruleId) ?? 0) + 1);
      try {
        return await write();
      } finally {
        const left = (ownWrites.get(ruleId) ?? 1) - 1;
        if (left === 0) ownWrites.delete(ruleId);
        else ownWrites.set(ruleId, left);
      }
    },
    status() {
      if (feed != null && fresh && feed.fresh !== true) fresh = false;
      return problem() ?? 'ready';
    },
    close() {
      if (closed) return;
      closed = true;
      fresh = false;
      stop?.();
    },
  };
}
