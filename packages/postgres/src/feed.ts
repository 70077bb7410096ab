import {
  CandorError,
  type ChangeFeed,
  type ChangeStream,
  createLocalChangeFeed,
} from '@candor/core';
import type { CandorDatabase } from './database';
import type { CandorDriver, ListenSession, SqlClient } from './driver';
import { invalidOption } from './errors';

/** The channel `candor_changes`' trigger notifies, with the schema as payload. */
export const CHANGE_CHANNEL = 'candor_changes';

/**
 * Options of the database's change feed ({@link CandorDatabaseOptions}`.feed`).
 *
 * @example
 * const db = await createCandorDatabase({ url, feed: { staleAfterMs: 3_000 } });
 */
export interface ChangeFeedOptions {
  /**
   * The staleness bound: how long the feed may go without proving it has caught up before the
   * views built on it fail closed (default 5,000 ms).
   */
  readonly staleAfterMs?: number;
  /**
   * How often it catches up even without a notification (default a fifth of the bound; less than
   * the bound).
   */
  readonly heartbeatMs?: number;
  /** First wait before reconnecting a lost connection; doubles up to 5 s (default 100 ms). */
  readonly reconnectDelayMs?: number;
}

/**
 * The change feed of a Candor database: every write of the ledger, feedback and rule-pause stores
 * is a row of `candor_changes` with a commit-ordered position. The feed `LISTEN`s on its own
 * connection; a notification (a hint) or its heartbeat runs a catch-up query (the truth: every
 * row after the last position it announced) on that same connection. After a reconnect it
 * catches up from where it left off. It is `fresh` only while its last successful catch-up
 * started less than `staleAfterMs` ago.
 *
 * @example
 * db.feed.subscribe((notice) => console.log(notice.type));
 * await db.feed.ready();
 */
export interface PostgresChangeFeed extends ChangeFeed {
  /** Position of the last change announced (0 before any). */
  readonly position: number;
  /** True while the listening connection is up. */
  readonly connected: boolean;
  /** Stops listening and gives its connection up (the database's `close()` does it). */
  close(): Promise<void>;
}

interface ChangeRow {
  position: string | number;
  stream: ChangeStream;
  subject: string | null;
  sequence: string | number;
  key: string | null;
}

const PAGE = 1_000;

function checkMs(options: ChangeFeedOptions, field: keyof ChangeFeedOptions, fallback: number) {
  const value = options[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw invalidOption(`feed.${field}`, value, 'must be a positive number of milliseconds');
  return value;
}

/** Runs `fn` after `ms` without keeping the process alive for it. */
function later(ms: number, fn: () => void): ReturnType<typeof setTimeout> {
  const timer = setTimeout(fn, Math.max(0, ms));
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * Creates the change feed of one schema. It starts on the first `subscribe()` or `ready()`.
 * Internal to the package: {@link createCandorDatabase} makes one per database (`db.feed`).
 *
 * @example
 * const feed = createPostgresChangeFeed(driver, 'public', { changes, counter }, {});
 */
export function createPostgresChangeFeed(
  driver: CandorDriver,
  schema: string,
  tables: { readonly changes: string; readonly counter: string },
  options: ChangeFeedOptions = {},
): PostgresChangeFeed {
  if (typeof options !== 'object' || options === null)
    throw invalidOption('feed', options, 'must be an object');
  const staleAfterMs = checkMs(options, 'staleAfterMs', 5_000);
  const heartbeatMs = checkMs(options, 'heartbeatMs', staleAfterMs / 5);
  // A feed that catches up less often than its bound would go stale between two catch-ups.
  if (heartbeatMs >= staleAfterMs)
    throw invalidOption(
      'feed.heartbeatMs',
      heartbeatMs,
      `must be less than feed.staleAfterMs (${staleAfterMs}), or the feed goes stale between catch-ups`,
    );
  const reconnectDelayMs = checkMs(options, 'reconnectDelayMs', 100);
  const dispatch = createLocalChangeFeed();
  const readSql = `select position, stream, subject, sequence, key from ${tables.changes}
    where position > $1 order by position limit ${PAGE}`;

  let session: ListenSession | null = null;
  let started = false;
  let closed = false;
  /** Known once the first connection read the counter: from then on nothing goes unannounced. */
  let initialized = false;
  let position = 0;
  /** performance.now() when the last successful catch-up started; null before the first. */
  let lastHeard: number | null = null;
  /** Not fresh as far as listeners know: they hear `fresh` after the first catch-up. */
  let announcedStale = true;
  let catching = false;
  let again = false;
  let delay = reconnectDelayMs;
  let heartbeat: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  let waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  const isFresh = () =>
    !closed && lastHeard !== null && performance.now() - lastHeard < staleAfterMs;

  function goStale(detail: string): void {
    if (announcedStale || closed) return;
    announcedStale = true;
    dispatch.announce({ type: 'stale', detail });
  }

  /** Announces `stale` when the bound passes without a catch-up (timers may fire a little early). */
  function armStaleTimer(): void {
    clearTimeout(staleTimer);
    if (lastHeard === null || closed) return;
    staleTimer = later(lastHeard + staleAfterMs - performance.now() + 1, () => {
      if (isFresh()) armStaleTimer();
      else goStale(`no word from the database for ${staleAfterMs} ms (its connection may be down)`);
    });
  }

  /** A catch-up that started at `at` succeeded: fresh until `at + staleAfterMs`. */
  function heard(at: number): void {
    lastHeard = at;
    armStaleTimer();
    if (announcedStale && isFresh()) {
      announcedStale = false;
      dispatch.announce({ type: 'fresh' });
    }
  }

  /** Announces every change after `position`, then proves freshness; coalesces overlapping calls. */
  async function catchUp(): Promise<void> {
    if (catching) {
      again = true;
      return;
    }
    const current = session;
    // Before the first counter read there is no position to read from (see `connect`).
    if (current === null || !initialized) return;
    catching = true;
    try {
      do {
        again = false;
        const at = performance.now();
        let rows: ChangeRow[];
        do {
          rows = await answered(current.query<ChangeRow>(readSql, [position]));
          for (const row of rows) {
            position = Number(row.position);
            dispatch.announce({
              type: 'change',
              change: {
                stream: row.stream,
                subject: row.subject,
                sequence: Number(row.sequence),
                key: row.key,
              },
            });
          }
        } while (rows.length === PAGE && !closed);
        heard(at);
      } while (again && !closed);
    } catch (error) {
      lost(current, error);
    } finally {
      catching = false;
      // A catch-up asked for meanwhile (e.g. on a new connection) still runs.
      if (again && !closed) void catchUp();
    }
  }

  /**
   * A query's answer, or a failure once the staleness bound passes without one: a connection
   * dropped without a word (a NAT's or load balancer's) never answers, and the catch-up must give
   * it up and reconnect rather than wait for the operating system.
   */
  function answered<T>(query: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = later(staleAfterMs, () =>
        reject(new Error(`the database did not answer within ${staleAfterMs} ms`)),
      );
      query.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  function beat(): void {
    clearTimeout(heartbeat);
    if (closed) return;
    heartbeat = later(heartbeatMs, () => {
      void catchUp().finally(beat);
    });
  }

  function lost(which: ListenSession, _error: unknown): void {
    if (session !== which) return;
    session = null;
    void which.close().catch(() => undefined);
    if (closed) return;
    // Known lost: a change made elsewhere may go unheard from now on, so fresh no longer (not
    // only once the bound has passed) until a new connection has caught up.
    lastHeard = null;
    clearTimeout(staleTimer);
    goStale('the connection to the database was lost');
    later(delay, () => void connect());
    delay = Math.min(5_000, delay * 2);
  }

  async function connect(): Promise<void> {
    if (closed || session !== null) return;
    let opened: ListenSession | undefined;
    try {
      opened = await driver.listen(
        CHANGE_CHANNEL,
        (payload) => {
          if (payload === schema) void catchUp();
        },
        (error) => opened && lost(opened, error),
      );
      if (closed) {
        await opened.close();
        return;
      }
      session = opened;
      if (!initialized) {
        // Listening already: a change committed after this read is announced, none before it. A
        // notification meanwhile starts no catch-up (it would read from 0, the whole history).
        const [row] = await answered(
          opened.query<{ last: string | number }>(`select last from ${tables.counter}`),
        );
        position = Number(row?.last ?? 0);
        initialized = true;
      }
      delay = reconnectDelayMs;
      await catchUp();
      for (const w of waiters) w.resolve();
      waiters = [];
    } catch (error) {
      const failure = new CandorError(
        'postgres/connection_failed',
        `The change feed could not listen: ${error instanceof Error ? error.message : String(error)}`,
        { path: 'feed' },
        { cause: error },
      );
      for (const w of waiters) w.reject(failure);
      waiters = [];
      if (opened !== undefined) lost(opened, error);
      else if (!closed) {
        later(delay, () => void connect());
        delay = Math.min(5_000, delay * 2);
      }
    }
  }

  function start(): void {
    if (started || closed) return;
    started = true;
    beat();
    void connect();
  }

  return {
    staleAfterMs,
    get fresh() {
      return isFresh();
    },
    get position() {
      return position;
    },
    get connected() {
      return session !== null;
    },
    ready() {
      if (closed) return Promise.reject(closedFeed());
      start();
      if (initialized) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    subscribe(listener) {
      const stop = dispatch.subscribe(listener);
      start();
      return stop;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(heartbeat);
      clearTimeout(staleTimer);
      for (const w of waiters) w.reject(closedFeed());
      waiters = [];
      const open = session;
      session = null;
      await open?.close();
    },
  };
}

function closedFeed(): CandorError {
  return new CandorError('postgres/closed', 'The change feed was used after close()', {
    path: 'feed',
  });
}

/**
 * One write for the feed to announce: its stream, subject, sequence and key (see `StoreChange`).
 *
 * @example
 * const row: ChangeRecord = { subject: 'cus_1', sequence: 12, key: 'fb_1' };
 */
export interface ChangeRecord {
  readonly subject: string | null;
  readonly sequence: number;
  readonly key: string | null;
}

/**
 * Records writes in `candor_changes`, in the caller's transaction, so they are announced exactly
 * when the writes commit. It takes the feed's counter row, held until that commit: the caller
 * takes it before any lock another writer could hold while waiting for the counter.
 *
 * @example
 * await db.driver.transaction(async (tx) => {
 *   await recordChanges(tx, db, 'rules.pauses', [{ subject: null, sequence: 0, key: ruleId }]);
 *   await tx.query('update …');
 * });
 */
export async function recordChanges(
  sql: SqlClient,
  db: Pick<CandorDatabase, 'table'>,
  stream: ChangeStream,
  records: readonly ChangeRecord[],
): Promise<void> {
  if (records.length === 0) return;
  await sql.query(
    `with pos as (update ${db.table('change_counter')} set last = last + $1 returning last - $1 as base)
     insert into ${db.table('changes')} (position, stream, subject, sequence, key)
     select (select base from pos) + u.i, $2, u.subject, u.sequence, u.key
     from unnest($3::text[], $4::bigint[], $5::text[]) with ordinality as u(subject, sequence, key, i)`,
    [
      records.length,
      stream,
      records.map((r) => r.subject),
      records.map((r) => r.sequence),
      records.map((r) => r.key),
    ],
  );
}
