import { CandorError, unstorableText } from '@candor/core';
import type { CandorDatabase } from './database';

/**
 * Every error code `@candor/postgres` throws itself, as a {@link CandorError} `code` (the stores
 * also throw the codes of the port they implement, e.g. `consent/stale_sequence`).
 *
 * - `postgres/invalid_options` — an option is malformed (`details.path` names it).
 * - `postgres/invalid_input` — a store was handed a malformed value (`details.path` names it;
 *   `params` for text holding a NUL character or half of a character, which PostgreSQL cannot
 *   store as it is).
 * - `postgres/connection_failed` — the database could not be reached or opened.
 * - `postgres/migration_failed` — a schema migration failed; nothing of it was applied.
 * - `postgres/query_failed` — a statement failed (`details.sqlState` is the SQLSTATE).
 * - `postgres/closed` — the database was used after `close()`.
 *
 * @example
 * import { isCandorError } from '@candor/core';
 * try { await createCandorDatabase({ url }); } catch (e) {
 *   if (isCandorError<PostgresErrorCode>(e, 'postgres/connection_failed')) process.exit(1);
 * }
 */
export type PostgresErrorCode =
  | 'postgres/invalid_options'
  | 'postgres/invalid_input'
  | 'postgres/connection_failed'
  | 'postgres/migration_failed'
  | 'postgres/query_failed'
  | 'postgres/closed';

/** The SQLSTATE of a driver error (pg and PGlite both expose `code`), or `undefined`. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * The SQLSTATEs of a value PostgreSQL cannot store: a NUL character in text
 * (`character_not_in_repertoire`) or a `\u0000` escape in JSON (`untranslatable_character`).
 */
const UNSTORABLE = new Set(['22021', '22P05']);

/**
 * Whether PostgreSQL refused a value it cannot store: a NUL character, or a JSON text it cannot
 * read (`invalid_text_representation` for type json: a lone UTF-16 surrogate, half of a
 * character, is the one our JSON can hold).
 */
const unstorable = (state: string | undefined, message: string) =>
  state !== undefined &&
  (UNSTORABLE.has(state) || (state === '22P02' && /\btype jsonb?\b/.test(message)));

/**
 * Wraps a driver error in a `postgres/query_failed` {@link CandorError}, or
 * `postgres/invalid_input` (path `params`) where a value held a character PostgreSQL cannot store.
 */
export function queryFailed(error: unknown, text: string): CandorError<PostgresErrorCode> {
  if (error instanceof CandorError) return error as CandorError<PostgresErrorCode>;
  const message = error instanceof Error ? error.message : String(error);
  const state = sqlState(error);
  if (unstorable(state, message)) return unstorableParams({ sqlState: state }, error);
  return new CandorError(
    'postgres/query_failed',
    `Query failed: ${message}`,
    {
      path: 'sql',
      value: text.length > 200 ? `${text.slice(0, 200)}…` : text,
      sqlState: sqlState(error),
    },
    { cause: error },
  );
}

/**
 * The `postgres/invalid_input` error (path `params`) of a value holding a character PostgreSQL
 * cannot store, found before the query ran or refused by PostgreSQL (`cause`).
 */
export function unstorableParams(
  details: Record<string, unknown>,
  cause?: unknown,
): CandorError<PostgresErrorCode> {
  return new CandorError(
    'postgres/invalid_input',
    'params: a value holds a character PostgreSQL cannot store (a NUL, \\u0000, or half of a character, a lone surrogate); nothing was written',
    { path: 'params', ...details },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Refuses `params` holding a text (alone or in a list) that PostgreSQL would not store as it is:
 * it refuses a NUL, and its drivers turn a lone surrogate into U+FFFD, so that two ids that
 * differ there would be stored as one. (JSON is read by PostgreSQL, which refuses both.)
 */
export function checkParams(params: readonly unknown[] | undefined): void {
  if (params === undefined) return;
  for (let i = 0; i < params.length; i++)
    if (holdsUnstorableText(params[i])) throw unstorableParams({ param: i });
}

/**
 * Whether `value` is text PostgreSQL cannot store, or a list or plain object (a JSON value)
 * holding some, in a value or a key.
 */
export function holdsUnstorableText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return unstorableText(value) !== undefined;
  if (typeof value !== 'object' || value === null || depth > 32) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsUnstorableText(item, depth + 1)) return true;
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const [key, item] of Object.entries(value))
    if (unstorableText(key) !== undefined || holdsUnstorableText(item, depth + 1)) return true;
  return false;
}

/** A `postgres/invalid_options` error naming the option. */
export function invalidOption(path: string, value: unknown, message: string): CandorError {
  return new CandorError('postgres/invalid_options', `${path}: ${message}`, { path, value });
}

/**
 * Throws `postgres/invalid_options` (path `db`) unless `db` is a database from
 * `createCandorDatabase`: what every store factory checks first.
 *
 * @example
 * checkDatabase(db);
 */
export function checkDatabase(db: unknown): asserts db is CandorDatabase {
  const candidate = db as Partial<CandorDatabase> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.table !== 'function' ||
    typeof candidate.driver !== 'object'
  )
    throw invalidOption('db', db, 'must be a database from createCandorDatabase');
}
