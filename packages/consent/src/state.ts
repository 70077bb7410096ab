import { CandorError, type ConsentVerdict, type SubjectId } from '@candor/core';
import type { ManagerConfig } from './config';
import type { SubjectState } from './subject-view';
import type { ConsentChange } from './types';

/** decide() asks a store's feed directly once every this many calls. */
export const RECHECK_EVERY = 1024;

/**
 * Everything a consent manager holds, as one object its parts are handed explicitly: the
 * resolved options (read only), the view of each subject, whether the view can prove it is
 * current, and the reads and writes under way. Created once per manager by {@link createState}.
 *
 * @example
 * const state = createState(resolveConfig(options));
 * state.subjects.get('cus_1')?.entries;
 */
export interface ManagerState<P extends string> extends ManagerConfig<P> {
  /** Every subject held (with a cache: least recently prepared first). */
  readonly subjects: Map<SubjectId, SubjectState>;
  /**
   * Per slot (purpose × sensitive), the subjects whose current verdict holds from their last
   * event until their next change (no expiry, no future-dated event): decide() without `at`
   * answers them with one lookup. Filled by decide(), emptied by rebuild() on every change.
   */
  readonly settled: Map<SubjectId, ConsentVerdict>[];
  /**
   * The settled verdicts of subjects with category choices, for decide()'s last question shape
   * only (their answer depends on the categories): emptied when the shape changes, and of a
   * subject on its every change.
   */
  readonly scopedSettled: Map<SubjectId, ConsentVerdict>;
  /** The `onChange` subscribers. */
  readonly listeners: Set<(change: ConsentChange) => void>;
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
  /** Stops listening to the store's feed (set while following one). */
  unsubscribe: (() => void) | undefined;
}

/**
 * A manager's state before anything has been read: no subject held, fresh unless the store's
 * feed says otherwise, loaded only on its own new store.
 *
 * @example
 * const state = createState(config);
 */
export function createState<P extends string>(config: ManagerConfig<P>): ManagerState<P> {
  const { feed } = config;
  return {
    ...config,
    subjects: new Map(),
    settled: [],
    scopedSettled: new Map(),
    listeners: new Set(),
    fresh: feed == null || feed.fresh === true,
    // A manager on its own new store has nothing to read; one on a store you pass must load() it.
    loaded: config.ownStore,
    closed: false,
    recheckIn: RECHECK_EVERY,
    writing: new Set(),
    loading: null,
    preparing: new Map(),
    unsubscribe: undefined,
  };
}

/**
 * Tells every `onChange` listener (those subscribed when it is called). A listener that throws
 * does not stop the others: its error is rethrown in a microtask, where the app's unhandled-error
 * reporting sees it.
 *
 * @example
 * notify(state, { subject, entry, duplicate: false });
 */
export function notify(state: ManagerState<string>, change: ConsentChange): void {
  for (const listener of [...state.listeners]) {
    try {
      listener(change);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/** Each manager's state, for the helpers that work from a manager object (snapshots, choices). */
const states = /* @__PURE__ */ new WeakMap<object, ManagerState<string>>();

/**
 * Remembers `state` as the state of `manager`. Internal: {@link createConsentManager} calls it.
 *
 * @example
 * attachState(manager, state);
 */
export function attachState(manager: object, state: ManagerState<string>): void {
  states.set(manager, state);
}

/**
 * The state of a manager made by `createConsentManager`; throws `core/invalid_input` naming
 * `path` for anything else. Internal.
 *
 * @example
 * const state = stateOfManager(manager, 'manager');
 */
export function stateOfManager<P extends string>(
  manager: { readonly purposes: { readonly ids: readonly P[] } },
  path: string,
): ManagerState<P> {
  const state = typeof manager === 'object' && manager !== null ? states.get(manager) : undefined;
  if (state === undefined) {
    throw new CandorError(
      'core/invalid_input',
      `${path}: must be a consent manager from createConsentManager`,
      {
        path,
        value: manager,
      },
    );
  }
  return state as ManagerState<P>;
}
