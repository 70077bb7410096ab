import { CandorError, type Clock, type DataCategoryId, isWithin, systemClock } from '@candor/core';
import { parseConsentSnapshot } from './client-parse';
import { createSender, type RetryOptions } from './client-sender';
import {
  type ChoiceStorage,
  type ConfirmedRestriction,
  readRecord,
  writeRecord,
} from './client-storage';
import { consentModeSignals } from './consent-mode-signals';
import type {
  ConsentChoice,
  ConsentChoiceAction,
  ConsentChoiceResult,
  ConsentSnapshot,
  SnapshotPurpose,
} from './contract';
import { type ConsentModeState, readNavigatorGpc } from './interop';
import { type ClientVerdict, decideFromSnapshot, deny } from './snapshot-decide';

/**
 * Options of {@link createConsentClient}: where snapshots come from (`snapshot`, e.g. rendered
 * into the page, and/or `load`, e.g. a `fetch`), how choices reach the server (`send`: post the
 * choice and resolve with the server's {@link ConsentChoiceResult}; throw a `CandorError` for a
 * choice the server rejected for good, anything else to be retried), and optionally where queued
 * choices survive a reload (`storage`), the clock, the navigator (for GPC), the window (for its
 * `online` event), the retry backoff and the idempotency keys.
 *
 * @example
 * const options: ConsentClientOptions = {
 *   load: async () => (await fetch('/privacy/consent')).json(),
 *   send: async (choice) => (await fetch('/privacy/consent/choices', { method: 'POST', body: JSON.stringify(choice) })).json(),
 *   storage: localStorage,
 * };
 */
export interface ConsentClientOptions<P extends string = string> {
  readonly snapshot?: ConsentSnapshot<P> | unknown;
  readonly load?: () => Promise<unknown>;
  readonly send: (choice: ConsentChoice<P>) => Promise<unknown>;
  readonly storage?: ChoiceStorage;
  /**
   * Key under which `storage` keeps the queue (default `candor-consent`). Use one per customer
   * (e.g. with their account id) on a device several people sign in to: a queue is sent with
   * whoever's session is open when it is replayed.
   */
  readonly storageKey?: string;
  readonly clock?: Clock;
  readonly navigator?: { readonly globalPrivacyControl?: unknown };
  readonly window?: {
    addEventListener(type: 'online', listener: () => void): void;
    removeEventListener(type: 'online', listener: () => void): void;
  };
  readonly retry?: RetryOptions;
  readonly generateKey?: () => string;
}

/**
 * What a choice may say besides its purpose: only some data categories, the notice shown
 * (default: the one in force per the snapshot), for a grant that the customer confirmed it over
 * their GPC signal, and where it was made.
 *
 * @example
 * await client.withdraw('ads.targeted', { dataCategories: ['user.location'] });
 */
export interface ChoiceOptions {
  readonly dataCategories?: readonly DataCategoryId[];
  readonly notice?: { readonly id: string; readonly version: string };
  readonly confirmed?: boolean;
  readonly method?: 'banner' | 'preference_center';
}

/**
 * A browser's view of one customer's consent (see {@link createConsentClient}).
 *
 * @example
 * if (client.has('analytics.measurement')) startAnalytics();
 */
export interface ConsentClient<P extends string = string> {
  /**
   * May `purpose` use `dataCategories`? Synchronous, from the snapshot, as the server decided
   * when it issued it, with the customer's withdrawals and refusals applied at once. Fails closed
   * (`allowed: false`, `reason` saying why) without a snapshot, past its `validUntil`, for an
   * unknown purpose or category, and while a withdrawal or refusal is on its way. Reads the clock
   * at most once per task: decisions in one synchronous run share it.
   */
  decide(query: {
    readonly purpose: P;
    readonly dataCategories?: readonly DataCategoryId[];
  }): ClientVerdict;
  /** `decide({ purpose, dataCategories }).allowed`. */
  has(purpose: P, dataCategories?: readonly DataCategoryId[]): boolean;
  /** Grants; takes effect here once the server confirms it (resolves then). */
  grant(purpose: P, options?: ChoiceOptions): Promise<ConsentChoiceResult<P>>;
  /** Refuses; denied here at once, resolves when the server confirms. */
  refuse(purpose: P, options?: ChoiceOptions): Promise<ConsentChoiceResult<P>>;
  /** Withdraws (and, on the server, its child purposes); denied here at once. */
  withdraw(purpose: P, options?: ChoiceOptions): Promise<ConsentChoiceResult<P>>;
  /** Loads a new snapshot with `load` (rejects, failing closed, when it fails or is malformed). */
  refresh(): Promise<void>;
  /**
   * Uses `snapshot` (e.g. pushed by the server): `true` when taken, `false` when it is older
   * than the one held. Throws `consent/invalid_snapshot` for a malformed one.
   */
  setSnapshot(snapshot: unknown): boolean;
  /** Sends the queued choices now (also done on the window's `online` event). */
  flush(): Promise<void>;
  /** Calls `listener` after every change (snapshot, choice, confirmation, expiry); returns an unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Google Consent Mode v2 state: the server's, with local withdrawals and GPC applied. */
  consentMode(): ConsentModeState;
  /** The browser sends a Global Privacy Control signal. */
  readonly gpc: boolean;
  /** The snapshot in use, if any (even past `validUntil`). */
  readonly snapshot: ConsentSnapshot<P> | undefined;
  /** Choices the server has not confirmed yet, oldest first. */
  readonly pending: readonly ConsentChoice<P>[];
  /** The last problem (a failed load or send, a malformed snapshot), until the next success. */
  readonly error: unknown;
  /** Stops timers and listeners; queued choices stay in storage for the next client. */
  close(): void;
}

/**
 * One purpose's frozen verdicts until the next change: without categories (`plain`), and for the
 * last category list asked (`categories`, the caller's array, with a `copy` to notice it mutated).
 * A class, so every memo has one shape and the lookup stays monomorphic.
 */
class Memo {
  plain: ClientVerdict | undefined = undefined;
  categories: readonly DataCategoryId[] | undefined = undefined;
  copy: readonly DataCategoryId[] = [];
  verdict: ClientVerdict | undefined = undefined;
}
const restrictive = (choice: ConsentChoice) => choice.action !== 'grant';
const NO_CATEGORIES: readonly DataCategoryId[] = [];

/**
 * Creates the thin browser consent client: it answers `decide()` and `has()` synchronously from
 * a server-sent {@link ConsentSnapshot}, applies a withdrawal or refusal at once and a grant once
 * the server confirms it, queues choices (in `storage`, when given) and sends each with its
 * idempotency key until the server confirms it, retrying with backoff and on reconnect. Holds
 * no ledger: the server records every choice (see `applyConsentChoice`). One client per signed-in
 * customer. Throws `core/invalid_input` for bad options.
 *
 * @example
 * const client = createConsentClient({ load, send, storage: localStorage });
 * await client.refresh();
 * if (client.has('analytics.measurement')) startAnalytics();
 * await client.withdraw('analytics.measurement'); // denied at once, confirmed when this resolves
 */
export function createConsentClient<P extends string = string>(
  options: ConsentClientOptions<P>,
): ConsentClient<P> {
  const need = (ok: boolean, path: string, value: unknown, problem: string) => {
    if (!ok) throw new CandorError('core/invalid_input', `${path}: ${problem}`, { path, value });
  };
  need(typeof options === 'object' && options !== null, 'options', options, 'must be an object');
  const { load, send, storage, clock = systemClock } = options;
  need(typeof send === 'function', 'options.send', send, 'must be a function');
  need(
    load === undefined || typeof load === 'function',
    'options.load',
    load,
    'must be a function',
  );
  const storageKey = options.storageKey ?? 'candor-consent';
  const generateKey =
    options.generateKey ??
    (() =>
      globalThis.crypto?.randomUUID?.() ??
      `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
  const gpc = readNavigatorGpc(options.navigator);
  const win =
    options.window ??
    (typeof globalThis.addEventListener === 'function'
      ? (globalThis as unknown as NonNullable<ConsentClientOptions['window']>)
      : undefined);

  const { queue, confirmed } = readRecord<P>(storage, storageKey);
  const listeners = new Set<() => void>();
  const waiters = new Map<string, [(r: ConsentChoiceResult<P>) => void, (e: unknown) => void]>();
  const memos = new Map<string, Memo>();
  let snapshot: ConsentSnapshot<P> | undefined;
  let deadline = 0; // local time after which the snapshot is not used
  let expired = true;
  let checked = false;
  let error: unknown;
  let timers: ReturnType<typeof setTimeout>[] = [];

  const persist = () => writeRecord(storage, storageKey, { queue, confirmed });
  function changed() {
    memos.clear();
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (thrown) {
        queueMicrotask(() => {
          throw thrown;
        });
      }
    }
  }

  function adopt(value: unknown): boolean {
    const next = parseConsentSnapshot<P>(value);
    if (
      snapshot &&
      (next.seq < snapshot.seq || (next.seq === snapshot.seq && next.issuedAt < snapshot.issuedAt))
    ) {
      return false;
    }
    snapshot = next;
    const now = clock.now();
    const life = next.validUntil - next.issuedAt;
    deadline = now + life;
    expired = life <= 0;
    for (let i = confirmed.length - 1; i >= 0; i--) {
      if (confirmed[i]!.sequence <= next.seq) confirmed.splice(i, 1);
    }
    persist();
    for (const timer of timers) clearTimeout(timer);
    // setTimeout fires at once past 2^31 - 1 ms: a long-lived snapshot is checked again then.
    const wait = Math.min(life, 2 ** 31 - 1);
    timers = [setTimeout(check, wait)];
    if (load && wait === life)
      timers.push(setTimeout(() => void refresh().catch(() => {}), life * 0.8));
    error = undefined;
    changed();
    return true;
  }

  function check() {
    if (!expired && clock.now() >= deadline) {
      expired = true;
      changed();
      if (load) void refresh().catch(() => {});
    }
  }

  async function refresh(): Promise<void> {
    need(load !== undefined, 'options.load', load, 'is needed to refresh');
    try {
      adopt(await load!());
    } catch (thrown) {
      error = thrown;
      changed();
      throw thrown;
    }
  }

  function restricted(
    purpose: string,
    categories: readonly DataCategoryId[],
  ): ConsentChoice | undefined {
    const hits = (choice: ConsentChoice) =>
      restrictive(choice) &&
      isWithin(purpose, choice.purpose) &&
      (choice.dataCategories === undefined ||
        categories.some((c) =>
          choice.dataCategories!.some((x) => isWithin(c, x) || isWithin(x, c)),
        ));
    return queue.find(hits) ?? confirmed.find((item) => hits(item.choice))?.choice;
  }

  function decideNow(purpose: string, categories: readonly DataCategoryId[]): ClientVerdict {
    if (snapshot === undefined) return deny('unknown', 'no_snapshot');
    if (expired) return deny('unknown', 'snapshot_expired');
    const verdict = decideFromSnapshot(snapshot, purpose, categories);
    if (!verdict.allowed) return verdict;
    const choice = restricted(purpose, categories);
    if (choice) return deny(choice.action === 'refuse' ? 'refused' : 'withdrawn', 'choice_pending');
    const entry = snapshot.purposes[purpose as P] as SnapshotPurpose | undefined;
    if (gpc && !snapshot.gpc && entry?.gpcOptOut) return deny('opted_out', 'gpc_opt_out');
    return verdict;
  }

  function decide(query: {
    readonly purpose: P;
    readonly dataCategories?: readonly DataCategoryId[];
  }): ClientVerdict {
    if (!checked) tick();
    // The hot path: the memo's frozen verdict, as long as nothing changed (a change clears them).
    const memo = memos.get(query?.purpose);
    if (memo !== undefined) {
      const categories = query.dataCategories;
      if (categories === undefined) {
        if (memo.plain !== undefined) return memo.plain;
      } else if (memo.categories === categories && sameList(memo.copy, categories))
        return memo.verdict as ClientVerdict;
    }
    need(typeof query === 'object' && query !== null, 'query', query, 'must be an object');
    return remember(query.purpose, query.dataCategories ?? NO_CATEGORIES, memo);
  }

  /** Reads the clock once per task: decisions in one synchronous run share it. */
  function tick() {
    checked = true;
    queueMicrotask(() => {
      checked = false;
    });
    check();
  }

  function remember(
    purpose: string,
    categories: readonly DataCategoryId[],
    held: Memo | undefined,
  ): ClientVerdict {
    need(Array.isArray(categories), 'dataCategories', categories, 'must be an array');
    // Only purpose ids are remembered (anything else is denied as unknown, every time).
    if (typeof purpose !== 'string') return Object.freeze(decideNow(purpose, categories));
    let memo = held;
    if (memo === undefined) {
      memo = new Memo();
      memos.set(purpose, memo);
    }
    if (categories.length === 0) {
      memo.plain ??= Object.freeze(decideNow(purpose, categories));
      return memo.plain;
    }
    memo.categories = categories;
    memo.copy = categories.slice();
    memo.verdict = Object.freeze(decideNow(purpose, categories));
    return memo.verdict;
  }

  function choose(action: ConsentChoiceAction, purpose: P, choiceOptions: ChoiceOptions = {}) {
    need(
      typeof purpose === 'string' && purpose.length > 0,
      'purpose',
      purpose,
      'must be a purpose id',
    );
    need(
      typeof choiceOptions === 'object' && choiceOptions !== null,
      'options',
      choiceOptions,
      'must be an object',
    );
    const { dataCategories, confirmed: overGpc, method } = choiceOptions;
    need(
      dataCategories === undefined ||
        (Array.isArray(dataCategories) &&
          dataCategories.length > 0 &&
          dataCategories.every((c) => typeof c === 'string')),
      'options.dataCategories',
      dataCategories,
      'must list data category ids',
    );
    const notice =
      choiceOptions.notice ?? (snapshot?.purposes[purpose] as SnapshotPurpose | undefined)?.notice;
    const choice: ConsentChoice<P> = {
      key: generateKey(),
      purpose,
      action,
      ...(dataCategories ? { dataCategories: dataCategories.slice() } : {}),
      ...(notice ? { notice } : {}),
      ...(overGpc ? { confirmed: true } : {}),
      ...(method ? { method } : {}),
      chosenAt: clock.now(),
    };
    queue.push(choice);
    persist();
    changed();
    const result = new Promise<ConsentChoiceResult<P>>((resolve, reject) => {
      waiters.set(choice.key, [resolve, reject]);
    });
    void sender.flush();
    return result;
  }

  const sender = createSender<P>({
    queue,
    send,
    retry: options.retry ?? {},
    confirmed(choice, result) {
      if (restrictive(choice) && (snapshot?.seq ?? 0) < result.sequence) {
        confirmed.push({ choice, sequence: result.sequence } satisfies ConfirmedRestriction<P>);
      }
      persist();
      const settle = () => {
        waiters.get(choice.key)?.[0](result);
        waiters.delete(choice.key);
      };
      if (result.snapshot) adopt(result.snapshot);
      else changed();
      if (!result.snapshot && choice.action === 'grant' && load)
        void refresh().then(settle, settle);
      else settle();
    },
    rejected(choice, thrown) {
      persist();
      error = thrown;
      changed();
      waiters.get(choice.key)?.[1](thrown);
      waiters.delete(choice.key);
    },
    failed(thrown) {
      error = thrown;
      changed();
    },
  });

  const online = () => {
    void sender.flush();
    if (load && (snapshot === undefined || expired)) void refresh().catch(() => {});
  };
  win?.addEventListener('online', online);

  if (options.snapshot !== undefined) {
    try {
      adopt(options.snapshot);
    } catch (thrown) {
      error = thrown;
    }
  }
  if (load && snapshot === undefined) void refresh().catch(() => {});
  if (queue.length > 0) void sender.flush();

  return {
    decide,
    has: (purpose, dataCategories) =>
      decide(dataCategories ? { purpose, dataCategories } : { purpose }).allowed,
    grant: (purpose, choiceOptions) => choose('grant', purpose, choiceOptions),
    refuse: (purpose, choiceOptions) => choose('refuse', purpose, choiceOptions),
    withdraw: (purpose, choiceOptions) => choose('withdraw', purpose, choiceOptions),
    refresh,
    setSnapshot(value) {
      try {
        return adopt(value);
      } catch (thrown) {
        error = thrown;
        throw thrown;
      }
    },
    flush: () => sender.flush(),
    subscribe(listener) {
      need(typeof listener === 'function', 'listener', listener, 'must be a function');
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    consentMode() {
      check();
      const state = {} as ConsentModeState;
      for (const signal of consentModeSignals) {
        state[signal] =
          snapshot && !expired ? (snapshot.consentMode[signal] ?? 'denied') : 'denied';
      }
      if (!snapshot || expired) return state;
      for (const id in snapshot.purposes) {
        const entry = snapshot.purposes[id] as SnapshotPurpose;
        const local =
          restricted(id, Object.keys(entry.categories)) !== undefined ||
          (gpc && !snapshot.gpc && entry.gpcOptOut === true);
        if (local) for (const signal of entry.consentMode ?? []) state[signal] = 'denied';
      }
      return state;
    },
    gpc,
    get snapshot() {
      return snapshot;
    },
    get pending() {
      return queue.slice();
    },
    get error() {
      return error;
    },
    close() {
      sender.close();
      for (const timer of timers) clearTimeout(timer);
      win?.removeEventListener('online', online);
    },
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
