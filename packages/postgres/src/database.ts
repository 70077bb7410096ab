import { CandorError } from '@candor/core';
import {
  type CandorDriver,
  createPgDriver,
  createPgliteDriver,
  type HealthReport,
  type PGliteLike,
  type PgPoolLike,
} from './driver';
import { invalidOption } from './errors';
import { type ChangeFeedOptions, createPostgresChangeFeed, type PostgresChangeFeed } from './feed';
import {
  candorMigrations,
  type MigrationReport,
  migrate,
  quoteIdent,
  SCHEMA_NAME,
} from './migrations';

/**
 * How to reach the database. Give `url` (or a `pool`) for a PostgreSQL server through
 * node-postgres; otherwise an embedded PGlite runs in this process, in memory or in `dataDir`.
 *
 * @example
 * const options: CandorDatabaseOptions = { url: process.env.DATABASE_URL, dataDir: './.candor' };
 */
export interface CandorDatabaseOptions {
  /**
   * A PostgreSQL connection string (`postgres://user:pass@host:5432/db`), typically
   * `process.env.DATABASE_URL`. When set, wins over `dataDir`; `undefined` falls back to PGlite.
   */
  readonly url?: string | undefined;
  /** An existing node-postgres pool (a `pg.Pool`) to use (not closed by `close()`). */
  readonly pool?: PgPoolLike;
  /**
   * Connections in the pool this package opens for `url` (default 10; at least 2: one listens for
   * the change feed).
   */
  readonly poolSize?: number;
  /**
   * PGlite data directory: a folder path (created if missing, survives restarts) or
   * `memory://` (the default: gone when the process ends).
   */
  readonly dataDir?: string | undefined;
  /** An existing PGlite instance to use (not closed by `close()`). */
  readonly pglite?: PGliteLike;
  /** Schema holding the `candor_` tables (default `public`); created when missing. */
  readonly schema?: string;
  /** Apply pending migrations on open (default `true`). */
  readonly migrate?: boolean;
  /** The change feed's staleness bound, heartbeat and reconnect delay (see {@link ChangeFeedOptions}). */
  readonly feed?: ChangeFeedOptions;
}

/**
 * An open Candor database: the driver, the schema, migrations, health and close. Hand it to
 * `createPostgresLedgerStore`, `createPostgresRuleStateStore` and `createPostgresFeedbackStore`.
 *
 * @example
 * const db = await createCandorDatabase({ url: process.env.DATABASE_URL });
 * console.log((await db.health()).ok);
 * await db.close();
 */
export interface CandorDatabase {
  /** The driver every store runs its SQL on. */
  readonly driver: CandorDriver;
  /** The schema holding the tables. */
  readonly schema: string;
  /** A table's qualified, quoted name: `table('consent_entries')` → `"public"."candor_consent_entries"`. */
  table(name: string): string;
  /**
   * The change feed every store of this database offers its views (`store.feed`): consent
   * managers, feedback loops and rule engines built on them follow it by themselves. It starts
   * on first use and holds one connection while it runs.
   */
  readonly feed: PostgresChangeFeed;
  /** Applies pending migrations (done on open unless `migrate: false`). */
  migrate(): Promise<MigrationReport>;
  /** The schema version currently applied (0 when none). */
  version(): Promise<number>;
  /** One round trip: reachable, server version, latency. Never throws. */
  health(): Promise<HealthReport>;
  /** Closes what this package opened; idempotent. */
  close(): Promise<void>;
}

async function loadPg(): Promise<typeof import('pg')> {
  const mod = (await import('pg')) as typeof import('pg') & { default?: typeof import('pg') };
  return mod.default ?? mod;
}

/**
 * Opens a Candor database — PostgreSQL when `url` or `pool` is given, otherwise embedded PGlite
 * (in memory, or in `dataDir`) — and applies pending migrations under an advisory lock. Throws
 * `postgres/invalid_options`, `postgres/connection_failed` or `postgres/migration_failed`.
 *
 * @example
 * // PostgreSQL in production, PGlite in a folder on a laptop:
 * const db = await createCandorDatabase({ url: process.env.DATABASE_URL, dataDir: './.candor' });
 */
export async function createCandorDatabase(
  options: CandorDatabaseOptions = {},
): Promise<CandorDatabase> {
  if (typeof options !== 'object' || options === null)
    throw invalidOption('options', options, 'must be an object');
  const schema = options.schema ?? 'public';
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema))
    throw invalidOption('schema', schema, 'must be a lower-case SQL identifier (a-z, 0-9, _)');
  if (options.url !== undefined && (typeof options.url !== 'string' || options.url.length === 0))
    throw invalidOption('url', options.url, 'must be a PostgreSQL connection string');
  const poolSize = options.poolSize ?? 10;
  // One connection of the pool listens for the change feed: one alone would leave none to query.
  if (!Number.isInteger(poolSize) || poolSize < 2 || poolSize > 1000)
    throw invalidOption(
      'poolSize',
      poolSize,
      'must be an integer between 2 and 1000 (one connection listens for the change feed)',
    );

  let driver: CandorDriver;
  if (options.pool !== undefined) {
    driver = createPgDriver(options.pool, { owned: false });
  } else if (options.url !== undefined) {
    const pg = await loadPg();
    const pool = new pg.Pool({ connectionString: options.url, max: poolSize });
    // An idle connection dropped by the server must not crash the process; the next query
    // checks out a fresh one.
    pool.on('error', () => undefined);
    driver = createPgDriver(pool, { owned: true });
  } else if (options.pglite !== undefined) {
    driver = createPgliteDriver(options.pglite, { owned: false });
  } else {
    const dataDir = options.dataDir ?? 'memory://';
    if (typeof dataDir !== 'string' || dataDir.length === 0)
      throw invalidOption('dataDir', dataDir, 'must be a folder path or memory://');
    try {
      const { PGlite } = await import('@electric-sql/pglite');
      const instance = await PGlite.create(dataDir === 'memory://' ? {} : { dataDir });
      driver = createPgliteDriver(instance, { owned: true });
    } catch (error) {
      throw new CandorError(
        'postgres/connection_failed',
        `Could not open PGlite in ${dataDir}: ${error instanceof Error ? error.message : String(error)}`,
        { path: 'dataDir', value: dataDir },
        { cause: error },
      );
    }
  }

  const report = await driver.health();
  if (!report.ok) {
    await driver.close().catch(() => undefined);
    throw new CandorError(
      'postgres/connection_failed',
      `Could not reach the database: ${report.error ?? 'unknown error'}`,
      { path: options.url !== undefined ? 'url' : 'pool', value: redact(options.url) },
    );
  }

  const quoted = quoteIdent(schema);
  const table = (name: string) => `${quoted}.${quoteIdent(`candor_${name}`)}`;
  let feed: PostgresChangeFeed;
  try {
    feed = createPostgresChangeFeed(
      driver,
      schema,
      { changes: table('changes'), counter: table('change_counter') },
      options.feed,
    );
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  const db: CandorDatabase = {
    driver,
    schema,
    table,
    feed,
    migrate: () => migrate(driver, schema, candorMigrations),
    async version() {
      const [found] = await driver.query<{ t: string | null }>(
        'select to_regclass($1)::text as t',
        [`${quoted}.candor_migrations`],
      );
      if (found?.t == null) return 0;
      const [row] = await driver.query<{ v: number | null }>(
        `select max(version) as v from ${quoted}.candor_migrations`,
      );
      return Number(row?.v ?? 0);
    },
    health: () => driver.health(),
    async close() {
      await feed.close();
      await driver.close();
    },
  };
  if (options.migrate !== false) {
    try {
      await db.migrate();
    } catch (error) {
      await driver.close().catch(() => undefined);
      throw error;
    }
  }
  return db;
}

function redact(url: string | undefined): string | undefined {
  return url?.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
