import type { SubjectId } from '@candor/core';
import { CandorError, PurposeId } from '@candor/core';
import {
  checkOwnEntries,
  foldMemories,
  type Memory,
  MemoryEntry,
  type MemoryStore,
  type PurposeMemories,
  purposeMemories,
  Tombstone,
} from '@candor/memory';
import type { CandorDatabase } from './database';
import type { SqlClient } from './driver';
import { checkDatabase } from './errors';
import { type PostgresChangeFeed, recordChanges } from './feed';
import {
  activeAfterAppend,
  activeAfterErase,
  decodeSnapshot,
  memorySnapshots,
  STORED_FORMAT,
  type StoredFormat,
} from './memory-snapshot';

/**
 * A durable `MemoryStore` of `@candor/memory` on PostgreSQL or PGlite, with a per-subject
 * snapshot of the active memories that recalls read in one row.
 *
 * @example
 * const book = createMemoryBook({ consent: manager.gate, store: createPostgresMemoryStore(db) });
 */
export interface PostgresMemoryStore extends MemoryStore {
  /** The database's change feed: every write, from any instance, is announced on it. */
  readonly feed: PostgresChangeFeed;
  /**
   * The subject's active memories from `candor_memory_snapshots` (one indexed row), always
   * equal to `foldMemories(await read(subject)).active`. A subject whose snapshot is missing
   * (entries written before migration 8) gets it built from its entries, once, in a
   * transaction. A snapshot in the format before migration 12 is read as it is.
   */
  readActive(subject: SubjectId): Promise<readonly Memory[]>;
  /**
   * What a recall for `purpose` needs (see `PurposeMemories` of `@candor/memory`), from the
   * rows of `candor_memory_slices` that hold the purpose's memories, its parents', and the open
   * complaints and cases, always equal to `purposeMemories(foldMemories(await read(subject)).active,
   * purpose)`. Missing slices (entries written before migration 11) are built from the snapshot,
   * once, in a transaction; slices in the format before migration 12 are read as they are.
   */
  readForPurpose(subject: SubjectId, purpose: PurposeId): Promise<PurposeMemories>;
  /**
   * Builds the missing snapshots and slices of every subject that has entries, and rewrites
   * those stored in an older format (before migration 12) in the current one: run it once after
   * upgrading, so that no customer's first recall pays for it. Safe while the app writes.
   */
  buildSnapshots(options?: BuildSnapshotsOptions): Promise<BuildSnapshotsReport>;
}

/**
 * Options of {@link PostgresMemoryStore.buildSnapshots}.
 *
 * @example
 * await store.buildSnapshots({ concurrency: 2, onProgress: (r) => console.log(r.built) });
 */
export interface BuildSnapshotsOptions {
  /** Subjects built at once (default 4 on PostgreSQL, 1 on PGlite). */
  readonly concurrency?: number;
  /** Told after each page of subjects (1,000) with the counts so far. */
  readonly onProgress?: (report: BuildSnapshotsReport) => void;
}

/**
 * What {@link PostgresMemoryStore.buildSnapshots} did: subjects with entries, snapshots built.
 *
 * @example
 * const { subjects, built } = await store.buildSnapshots();
 */
export interface BuildSnapshotsReport {
  readonly subjects: number;
  readonly built: number;
}

function invalid(path: string, value: unknown, problem: string): never {
  throw new CandorError('memory/invalid_input', `${path}: ${problem}`, { path, value });
}

function subjectOf(subject: unknown): SubjectId {
  if (typeof subject !== 'string' || subject.length === 0)
    invalid('subject', subject, 'must be a non-empty string');
  return subject;
}

/** Checks each item against a memory schema; the first bad one names its path. */
function checkAll(
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: readonly Issue[] } } },
  items: unknown,
  root: string,
): void {
  if (!Array.isArray(items)) invalid(root, items, 'must be an array');
  items.forEach((item, i) => {
    const result = schema.safeParse(item);
    const issue = result.error?.issues[0];
    if (!result.success)
      invalid(
        [`${root}[${i}]`, ...(issue?.path ?? []).map(String)].join('.'),
        item,
        issue?.message ?? 'invalid',
      );
  });
}
interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

const idOf = (entry: MemoryEntry) =>
  entry.type === 'memory' ? entry.memory.id : entry.tombstone.id;

/**
 * Creates the durable memory store: `candor_memory_entries` (one row per entry, keyed by
 * subject and position: the history), `candor_memory_snapshots` (one row per subject: its
 * active memories) and `candor_memory_slices` (the same, one row per purpose they serve). Writes to one subject take a transaction-scoped lock on it, so concurrent
 * instances write in turn, and each rewrites the subject's snapshot and slices in the same
 * transaction;
 * `erase` deletes the rows of the erased memories, adds their tombstones and drops them from
 * the snapshot together. Malformed entries are rejected (`memory/invalid_input`) before
 * anything is written.
 *
 * @example
 * const store = createPostgresMemoryStore(db);
 */
export function createPostgresMemoryStore(db: CandorDatabase): PostgresMemoryStore {
  checkDatabase(db);
  const table = db.table('memory_entries');
  const snapshots = db.table('memory_snapshots');
  const slices = db.table('memory_slices');
  const snap = memorySnapshots(db);

  const appendIn = async (tx: SqlClient, subject: SubjectId, entries: readonly MemoryEntry[]) => {
    if (entries.length === 0) return;
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
      await snap.lock(tx, subject);
      await fn(tx);
    });

  /**
   * Builds a missing snapshot (from the entries), or rewrites the snapshot and slices when the
   * slices are missing or in an older format (from the snapshot), under the subject's lock.
   */
  const build = (subject: SubjectId): Promise<{ active: readonly Memory[]; built: boolean }> =>
    db.driver.transaction(async (tx) => {
      await snap.lock(tx, subject);
      const { active } = await snap.before(tx, subject, []);
      if (active !== null && (await snap.current(tx, subject))) return { active, built: false };
      const entries = active === null ? await snap.entries(tx, subject) : [];
      if (active === null && entries.length === 0) return { active: [], built: false };
      if (active !== null) {
        await snap.save(tx, subject, active);
        return { active, built: true };
      }
      const folded = foldMemories(entries).active;
      await snap.save(tx, subject, folded);
      return { active: folded, built: true };
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
    async readActive(subject) {
      const [row] = await db.driver.query<{
        memories: Uint8Array | null;
        format: StoredFormat;
        unbuilt: boolean;
      }>(
        `select s.memories, s.format,
                case when s.memories is null
                  then exists (select 1 from ${table} e where e.subject = $1) else false end
                  as unbuilt
         from (select 1) as one left join ${snapshots} s on s.subject = $1`,
        [subjectOf(subject)],
      );
      if (row?.memories != null) return decodeSnapshot(row.memories, row.format);
      return row?.unbuilt === true ? (await build(subject)).active : [];
    },
    async readForPurpose(subject, purpose) {
      if (!PurposeId.safeParse(purpose).success)
        invalid('purpose', purpose, 'must be a purpose id');
      const read = await snap.readSlices(db.driver, subjectOf(subject), purpose);
      return read === 'unbuilt' ? purposeMemories((await build(subject)).active, purpose) : read;
    },
    async append(subject, entries) {
      subjectOf(subject);
      checkAll(MemoryEntry, entries, 'entries');
      checkOwnEntries(subject, entries, 'entries');
      if (entries.length === 0) return;
      await write(subject, async (tx) => {
        const ids = entries.flatMap((e) => (e.type === 'memory' ? [e.memory.id] : []));
        const before = await snap.before(tx, subject, ids);
        await appendIn(tx, subject, entries);
        const next =
          before.active === null ? null : activeAfterAppend(before.active, entries, before.seen);
        await snap.save(tx, subject, next ?? (await snap.rebuild(tx, subject)));
      });
    },
    async erase(subject, memoryIds, tombstones) {
      subjectOf(subject);
      if (!Array.isArray(memoryIds) || memoryIds.some((id) => typeof id !== 'string'))
        invalid('memoryIds', memoryIds, 'must be an array of memory ids');
      checkAll(Tombstone, tombstones, 'tombstones');
      const added = tombstones.map((tombstone) => ({ type: 'tombstone' as const, tombstone }));
      checkOwnEntries(subject, added, 'tombstones');
      await write(subject, async (tx) => {
        const before = await snap.before(tx, subject, []);
        await tx.query(`delete from ${table} where subject = $1 and memory_id = any($2::text[])`, [
          subject,
          memoryIds,
        ]);
        await appendIn(tx, subject, added);
        await snap.save(
          tx,
          subject,
          before.active === null
            ? await snap.rebuild(tx, subject)
            : activeAfterErase(before.active, memoryIds, added),
        );
      });
    },
    async buildSnapshots(options = {}) {
      const concurrency = options.concurrency ?? (db.driver.kind === 'pglite' ? 1 : 4);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
        invalid('options.concurrency', concurrency, 'must be an integer from 1 to 64');
      let after = '';
      let subjects = 0;
      let built = 0;
      for (;;) {
        // Distinct subjects in key order, one index probe each (a loose index scan).
        const page = await db.driver.query<{ subject: string; missing: boolean }>(
          `with recursive s(subject) as (
             (select subject from ${table} where subject > $1 order by subject limit 1)
             union all
             select (select e.subject from ${table} e where e.subject > s.subject
                     order by e.subject limit 1)
             from s where s.subject is not null)
           select s.subject,
                  not exists (select 1 from ${slices} n
                              where n.subject = s.subject and n.slice = '' and n.format = $2)
                    as missing
           from s where s.subject is not null limit 1000`,
          [after, STORED_FORMAT],
        );
        const todo = page.filter((r) => r.missing).map((r) => r.subject);
        const next = async (): Promise<void> => {
          for (let subject = todo.shift(); subject !== undefined; subject = todo.shift()) {
            if ((await build(subject)).built) built++;
          }
        };
        await Promise.all(Array.from({ length: concurrency }, next));
        subjects += page.length;
        options.onProgress?.({ subjects, built });
        const last = page.at(-1);
        if (last === undefined || page.length < 1000) return { subjects, built };
        after = last.subject;
      }
    },
  };
}
