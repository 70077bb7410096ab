import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { afterEach } from 'vitest';
import { type CandorDatabase, type CandorDatabaseOptions, createCandorDatabase } from './database';

/** The real PostgreSQL the tests use, when set (CI always sets it: see .ci/postgres.sh). */
export const DATABASE_URL = process.env.DATABASE_URL || undefined;

if (DATABASE_URL === undefined) {
  console.warn(
    '[@candor/postgres] DATABASE_URL is not set: the PostgreSQL variant of every store test is ' +
      'SKIPPED (PGlite only). Run with DATABASE_URL=postgres://… (CI starts one) to cover both.',
  );
}

/** One engine every store test runs on. */
export interface DriverCase {
  readonly name: string;
  readonly kind: 'pglite' | 'postgres';
  readonly skip: boolean;
}

/** PGlite always; PostgreSQL when DATABASE_URL is set (its name says when it is skipped). */
export const driverCases: DriverCase[] = [
  { name: 'PGlite', kind: 'pglite', skip: false },
  {
    name: DATABASE_URL ? 'PostgreSQL' : 'PostgreSQL (SKIPPED: DATABASE_URL is not set)',
    kind: 'postgres',
    skip: DATABASE_URL === undefined,
  },
];

let shared: Promise<PGlite> | undefined;

/** One PGlite per test file (starting one takes seconds); tests isolate by schema. */
export function sharedPglite(): Promise<PGlite> {
  shared ??= PGlite.create();
  return shared;
}

/** A unique schema name for one test. */
export function uniqueSchema(prefix = 'candor_t'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** A database in a fresh schema; `drop()` removes the schema and closes the connections. */
export interface TestDatabase extends CandorDatabase {
  drop(): Promise<void>;
}

/**
 * Opens a database on `kind` in a fresh schema (or `schema` when given: several instances
 * sharing one schema, as separate app instances would).
 */
export async function openTestDatabase(
  kind: DriverCase['kind'],
  options: Partial<CandorDatabaseOptions> = {},
): Promise<TestDatabase> {
  const schema = options.schema ?? uniqueSchema();
  const db =
    kind === 'pglite'
      ? await createCandorDatabase({ pglite: await sharedPglite(), ...options, schema })
      : await createCandorDatabase({ url: DATABASE_URL, poolSize: 4, ...options, schema });
  return {
    ...db,
    async drop() {
      await db.driver.query(`drop schema if exists "${schema}" cascade`);
      await db.close();
    },
  };
}

/**
 * Opens test databases on `kind` for one describe block and cleans up after each test: every
 * instance is closed and the first one's schema dropped.
 */
export function useTestDatabases(kind: DriverCase['kind']) {
  const open: TestDatabase[] = [];
  afterEach(async () => {
    const [first, ...rest] = open.splice(0);
    for (const db of rest) await db.close();
    await first?.drop();
  });
  return async (options: Partial<CandorDatabaseOptions> = {}) => {
    const db = await openTestDatabase(kind, options);
    open.push(db);
    return db;
  };
}
