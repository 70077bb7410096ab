import { createHash } from 'node:crypto';
import { CandorError } from '@candor/core';
import { checkParams, type PostgresErrorCode, queryFailed, sqlState } from './errors';

// The pool and PGlite parameters are typed by what this package calls on them, not by importing
// `pg` or `@electric-sql/pglite` types: the published `.d.ts` then needs neither `@types/pg` nor
// PGlite's own type dependencies, and any compatible pool fits. `src/index.test-d.ts` checks that
// a real `pg.Pool` and `PGlite` do.

/** Rows of a query, as node-postgres and PGlite both resolve them. */
interface RowsResult {
  readonly rows: unknown[];
}

/**
 * The part of a node-postgres `PoolClient` this package uses: queries, `release`, and the
 * `notification`, `error` and `end` events of a listening connection.
 */
export interface PgPoolClientLike {
  query(text: string): Promise<RowsResult>;
  query(config: { name: string; text: string; values: unknown[] }): Promise<RowsResult>;
  release(error?: Error | boolean): void;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string | undefined }) => void,
  ): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/**
 * The part of a node-postgres `Pool` this package uses; a `pg.Pool` fits, as does any pool with
 * the same methods.
 *
 * @example
 * import pg from 'pg';
 * const pool: PgPoolLike = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 */
export interface PgPoolLike {
  query(text: string): Promise<RowsResult>;
  query(config: { name: string; text: string; values: unknown[] }): Promise<RowsResult>;
  connect(): Promise<PgPoolClientLike>;
  end(): Promise<void>;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/** Something that runs a statement with `$1, $2, …` parameters: PGlite or its transaction. */
interface PGliteQueryable {
  query(text: string, params?: unknown[]): Promise<RowsResult>;
}

/**
 * The part of a PGlite instance this package uses; an `@electric-sql/pglite` `PGlite` fits.
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite';
 * const pglite: PGliteLike = await PGlite.create();
 */
export interface PGliteLike extends PGliteQueryable {
  exec(text: string): Promise<unknown>;
  transaction<T>(fn: (tx: PGliteQueryable) => Promise<T>): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Something that runs one SQL statement with `$1, $2, …` parameters and resolves its rows: the
 * driver itself, or the transaction handle {@link CandorDriver.transaction} passes to its callback.
 *
 * @example
 * const rows = await sql.query<{ n: number }>('select count(*)::int as n from candor_consent_entries');
 */
export interface SqlClient {
  /** Runs one statement and resolves its rows (empty for statements that return none). */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

/**
 * Isolation level of a transaction; default `read committed`. `serializable` transactions are
 * retried automatically on serialization failures and deadlocks.
 *
 * @example
 * await driver.transaction(fn, { isolation: 'serializable' });
 */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/**
 * Options of {@link CandorDriver.transaction}.
 *
 * @example
 * const options: TransactionOptions = { isolation: 'serializable', maxRetries: 8 };
 */
export interface TransactionOptions {
  /** Isolation level (PostgreSQL only; PGlite runs every transaction alone). */
  readonly isolation?: IsolationLevel;
  /** Retries after a serialization failure (40001) or deadlock (40P01); default 5. */
  readonly maxRetries?: number;
}

/**
 * The health of a database: reachable or not, the server version, and how long a round trip took.
 *
 * @example
 * const report = await db.health();
 * if (!report.ok) console.error(report.error);
 */
export interface HealthReport {
  /** `true` when a round trip succeeded. */
  readonly ok: boolean;
  /** `pglite` (embedded) or `postgres` (node-postgres). */
  readonly kind: DriverKind;
  /** `server_version` as reported by the server, or `null` when unreachable. */
  readonly serverVersion: string | null;
  /** Round-trip time in milliseconds. */
  readonly latencyMs: number;
  /** Why the round trip failed, when it did. */
  readonly error?: string;
  /** Pool counters (PostgreSQL only). */
  readonly pool?: { readonly total: number; readonly idle: number; readonly waiting: number };
}

/**
 * A connection held open to listen for notifications on one channel (see
 * {@link CandorDriver.listen}). Queries run on that same connection, so a query that succeeds
 * proves the connection, and with it the listening, is alive.
 *
 * @example
 * const session = await driver.listen('candor_changes', onNotify, onLost);
 * await session.query('select 1');
 * await session.close();
 */
export interface ListenSession extends SqlClient {
  /** Stops listening and gives the connection up. Idempotent. */
  close(): Promise<void>;
}

/**
 * Which engine a driver runs on: `pglite` (embedded WebAssembly PostgreSQL, one connection) or
 * `postgres` (a real server through a node-postgres pool).
 *
 * @example
 * if (db.driver.kind === 'postgres') startWorkers();
 */
export type DriverKind = 'pglite' | 'postgres';

/**
 * One interface over PGlite and node-postgres: statements, transactions with retries, health and
 * close. Every store of this package runs on it.
 *
 * @example
 * const n = await db.driver.transaction(async (tx) => {
 *   const [row] = await tx.query<{ n: number }>('select 1 as n');
 *   return row!.n;
 * });
 */
export interface CandorDriver extends SqlClient {
  /** The engine underneath. */
  readonly kind: DriverKind;
  /** Runs several `;`-separated statements without parameters (e.g. a migration). */
  exec(text: string): Promise<void>;
  /**
   * Runs `fn` in a transaction on one connection: commits when it resolves, rolls back when it
   * throws. Retries the whole callback on serialization failures and deadlocks.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** One round trip to the server: never throws, reports instead. */
  health(): Promise<HealthReport>;
  /**
   * Listens on `channel` on a connection of its own (PostgreSQL: one taken from the pool for as
   * long as the session lasts, named `candor-feed` in `pg_stat_activity`). `onNotify` gets each
   * notification's payload; `onLost` is called once if the connection dies (e.g. the server
   * terminated it), after which the session is closed.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onLost: (error: unknown) => void,
  ): Promise<ListenSession>;
  /** Closes the connection(s) it opened; borrowed ones (a `pool` or `pglite` you passed) stay open. */
  close(): Promise<void>;
  /** `true` after {@link CandorDriver.close}. */
  readonly closed: boolean;
}

const RETRYABLE = new Set(['40001', '40P01']);
const VERSION_SQL = "select current_setting('server_version') as v";

function closedError(): CandorError<PostgresErrorCode> {
  return new CandorError('postgres/closed', 'The Candor database was used after close()', {
    path: 'db',
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withRetries<T>(maxRetries: number, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const state = sqlState(error) ?? sqlState((error as { cause?: unknown })?.cause);
      if (state === undefined || !RETRYABLE.has(state) || tries >= maxRetries) throw error;
      await sleep(Math.random() * 2 ** Math.min(tries, 6));
    }
  }
}

const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `candor_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size > 10_000) names.clear();
    names.set(text, name);
  }
  return name;
}

function wrapError(error: unknown, text: string): unknown {
  return error instanceof CandorError ? error : queryFailed(error, text);
}

/**
 * A driver over a PGlite instance (one connection: statements and transactions run one at a
 * time, so every transaction is effectively serializable).
 *
 * @example
 * const driver = createPgliteDriver(await PGlite.create(), { owned: true });
 */
export function createPgliteDriver(
  db: PGliteLike,
  options: { readonly owned: boolean },
): CandorDriver {
  let closed = false;
  const run = async <Row>(
    target: PGliteQueryable,
    text: string,
    params?: readonly unknown[],
  ): Promise<Row[]> => {
    if (closed) throw closedError();
    checkParams(params);
    try {
      const result = await target.query(text, params as unknown[] | undefined);
      return result.rows as Row[];
    } catch (error) {
      throw wrapError(error, text);
    }
  };
  return {
    kind: 'pglite',
    get closed() {
      return closed;
    },
    query: (text, params) => run(db, text, params),
    async exec(text) {
      if (closed) throw closedError();
      try {
        await db.exec(text);
      } catch (error) {
        throw wrapError(error, text);
      }
    },
    transaction(fn, txOptions) {
      if (closed) return Promise.reject(closedError());
      return withRetries(txOptions?.maxRetries ?? 5, () =>
        db.transaction((tx) => fn({ query: (text, params) => run(tx, text, params) })),
      );
    },
    async listen(channel, onNotify) {
      if (closed) throw closedError();
      // One connection: the embedded database cannot drop it, so `onLost` is never called.
      const stop = await db.listen(channel, onNotify);
      let open = true;
      return {
        query: (text, params) => run(db, text, params),
        async close() {
          if (!open) return;
          open = false;
          await stop();
        },
      };
    },
    async health() {
      const start = performance.now();
      try {
        if (closed) throw closedError();
        const result = await db.query(VERSION_SQL);
        return {
          ok: true,
          kind: 'pglite',
          serverVersion: (result.rows[0] as { v?: string } | undefined)?.v ?? null,
          latencyMs: performance.now() - start,
        };
      } catch (error) {
        return {
          ok: false,
          kind: 'pglite',
          serverVersion: null,
          latencyMs: performance.now() - start,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (options.owned) await db.close();
    },
  };
}

/**
 * A driver over a node-postgres pool. Each transaction checks out one connection; statements
 * outside a transaction run on any idle connection (autocommit).
 *
 * @example
 * const driver = createPgDriver(new Pool({ connectionString: process.env.DATABASE_URL }), { owned: true });
 */
export function createPgDriver(
  pool: PgPoolLike,
  options: { readonly owned: boolean },
): CandorDriver {
  let closed = false;
  const run = async <Row>(
    target: Pick<PgPoolLike | PgPoolClientLike, 'query'>,
    text: string,
    params?: readonly unknown[],
  ): Promise<Row[]> => {
    if (closed) throw closedError();
    checkParams(params);
    try {
      // Statements with parameters are prepared once per connection (named by a hash of their
      // text), so the hot ones are not parsed and planned on every call.
      const result =
        params === undefined || params.length === 0
          ? await target.query(text)
          : await target.query({ name: statementName(text), text, values: params as unknown[] });
      return result.rows as Row[];
    } catch (error) {
      throw wrapError(error, text);
    }
  };
  return {
    kind: 'postgres',
    get closed() {
      return closed;
    },
    query: (text, params) => run(pool, text, params),
    async exec(text) {
      await run(pool, text);
    },
    transaction(fn, txOptions) {
      if (closed) return Promise.reject(closedError());
      const isolation = txOptions?.isolation ?? 'read committed';
      return withRetries(txOptions?.maxRetries ?? 5, async () => {
        const client = await pool.connect().catch((error: unknown) => {
          throw wrapError(error, 'connect');
        });
        let broken = false;
        try {
          await client.query(`begin isolation level ${isolation}`);
          const result = await fn({ query: (text, params) => run(client, text, params) });
          await client.query('commit');
          return result;
        } catch (error) {
          try {
            await client.query('rollback');
          } catch {
            broken = true;
          }
          throw wrapError(error, 'transaction');
        } finally {
          client.release(broken);
        }
      });
    },
    async listen(channel, onNotify, onLost) {
      if (closed) throw closedError();
      const client = await pool.connect().catch((error: unknown) => {
        throw wrapError(error, 'connect');
      });
      let open = true;
      const onNotification = (message: { channel: string; payload?: string | undefined }) => {
        if (open && message.channel === channel) onNotify(message.payload ?? '');
      };
      const end = (error: unknown) => {
        if (!open) return;
        open = false;
        client.release(error instanceof Error ? error : new Error(String(error)));
        onLost(error);
      };
      client.on('notification', onNotification);
      // Kept for the client's life: an error on a connection we gave up must not crash the app.
      client.on('error', end);
      client.on('end', () => end(new Error('the listening connection ended')));
      try {
        await client.query("set application_name = 'candor-feed'");
        await client.query(`listen "${channel.replaceAll('"', '""')}"`);
      } catch (error) {
        end(error);
        throw wrapError(error, 'listen');
      }
      return {
        query: (text, params) => (open ? run(client, text, params) : Promise.reject(closedError())),
        async close() {
          if (!open) return;
          open = false;
          client.release(true);
        },
      };
    },
    async health() {
      const start = performance.now();
      const poolStats = {
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
      };
      try {
        if (closed) throw closedError();
        const result = await pool.query(VERSION_SQL);
        return {
          ok: true,
          kind: 'postgres',
          serverVersion: (result.rows[0] as { v?: string } | undefined)?.v ?? null,
          latencyMs: performance.now() - start,
          pool: poolStats,
        };
      } catch (error) {
        return {
          ok: false,
          kind: 'postgres',
          serverVersion: null,
          latencyMs: performance.now() - start,
          error: error instanceof Error ? error.message : String(error),
          pool: poolStats,
        };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (options.owned) await pool.end();
    },
  };
}
