import type { SubjectId } from '@candor/core';
import { CandorError } from '@candor/core';
import type { MemoryEntry, MemoryStore } from '@candor/memory';
import type { CandorDatabase } from './database';
import type { SqlClient } from './driver';
import { checkDatabase } from './errors';
import { type PostgresChangeFeed, recordChanges } from './feed';

/**
 * A durable `MemoryStore` of `@candor/memory` on PostgreSQL or PGlite.
 *
 * @example
 * const book = createMemoryBook({ consent: manager.gate, store: createPostgresMemoryStore(db) });
 */
export interface PostgresMemoryStore extends MemoryStore {
  /** The database's change feed: every write, from any instance, is announced on it. */
  readonly feed: PostgresChangeFeed;
}

function subjectOf(subject: unknown): SubjectId {
  if (typeof subject !== 'string' || subject.length === 0)
    throw new CandorError('memory/invalid_input', 'subject: must be a non-empty string', {
      path: 'subject',
      value: subject,
    });
  return subject;
}

const idOf = (entry: MemoryEntry) =>
  entry.type === 'memory' ? entry.memory.id : entry.tombstone.id;

/**
 * Creates the durable memory store: `candor_memory_entries`, one row per entry, keyed by subject
 * and position. Writes to one subject take a transaction-scoped lock on it, so concurrent
 * instances append in turn; `erase` deletes the rows of the erased memories and adds their
 * tombstones in the same transaction.
 *
 * @example
 * const store = createPostgresMemoryStore(db);
 */
export function createPostgresMemoryStore(db: CandorDatabase): PostgresMemoryStore {
  checkDatabase(db);
  const table = db.table('memory_entries');
  const lockKey = `candor:memory:${db.schema}:`;

  const appendIn = async (tx: SqlClient, subject: SubjectId, entries: readonly MemoryEntry[]) => {
    const [row] = await tx.query<{ n: number | null }>(
      `select max(seq) as n from ${table} where subject = $1`,
      [subject],
    );
    const first = Number(row?.n ?? 0) + 1;
    await tx.query(
      `insert into ${table} (subject, seq, memory_id, entry)
       select $1, u.seq, u.memory_id, u.entry::jsonb
       from unnest($2::int[], $3::text[], $4::text[]) as u(seq, memory_id, entry)`,
      [
        subject,
        entries.map((_, i) => first + i),
        entries.map(idOf),
        entries.map((e) => JSON.stringify(e)),
      ],
    );
  };

  const write = (subject: SubjectId, fn: (tx: SqlClient) => Promise<void>) =>
    db.driver.transaction(async (tx) => {
      // The feed's counter first (every writing statement takes it first), then the subject.
      await recordChanges(tx, db, 'memory', [{ subject, sequence: 0, key: null }]);
      await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey + subject]);
      await fn(tx);
    });

  return {
    feed: db.feed,
    async read(subject) {
      const rows = await db.driver.query<{ entry: MemoryEntry | string }>(
        `select entry from ${table} where subject = $1 order by seq`,
        [subjectOf(subject)],
      );
      return rows.map((r) => (typeof r.entry === 'string' ? JSON.parse(r.entry) : r.entry));
    },
    async append(subject, entries) {
      subjectOf(subject);
      if (!Array.isArray(entries))
        throw new CandorError('memory/invalid_input', 'entries: must be an array', {
          path: 'entries',
          value: entries,
        });
      if (entries.length === 0) return;
      await write(subject, (tx) => appendIn(tx, subject, entries));
    },
    async erase(subject, memoryIds, tombstones) {
      subjectOf(subject);
      if (!Array.isArray(memoryIds) || !Array.isArray(tombstones))
        throw new CandorError(
          'memory/invalid_input',
          'memoryIds: must be arrays of ids and tombstones',
          {
            path: 'memoryIds',
            value: memoryIds,
          },
        );
      await write(subject, async (tx) => {
        await tx.query(`delete from ${table} where subject = $1 and memory_id = any($2::text[])`, [
          subject,
          memoryIds,
        ]);
        await appendIn(
          tx,
          subject,
          tombstones.map((tombstone) => ({ type: 'tombstone' as const, tombstone })),
        );
      });
    },
  };
}
