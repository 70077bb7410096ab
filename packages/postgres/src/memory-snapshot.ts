import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SubjectId } from '@candor/core';
import {
  foldMemories,
  joinSlices,
  type Memory,
  type MemoryEntry,
  type MemorySlice,
  type PurposeMemories,
  sliceKeysFor,
  sliceMemories,
} from '@candor/memory';
import type { CandorDatabase } from './database';
import type { SqlClient } from './driver';
import {
  type PackedMemories,
  type PackedSlice,
  packMemories,
  packSlice,
  unpackMemories,
  unpackSlice,
} from './memory-pack';

/**
 * @internal The snapshot side of the memory store: `candor_memory_snapshots` holds, per subject,
 * `foldMemories(entries).active` (migration 8), and `candor_memory_slices` the same memories cut
 * by purpose (`sliceMemories`, migration 11), both packed (`memory-pack.ts`, format 2 of
 * migration 12) and deflated. Every
 * function here but `readSlices` runs inside a transaction that holds the subject's lock, so no
 * two of them race for one subject.
 *
 * @example
 * await snap.lock(tx, subject);
 * await snap.save(tx, subject, await snap.rebuild(tx, subject));
 */
export interface MemorySnapshots {
  /** Takes the subject's lock and marks the transaction as one that keeps the snapshot. */
  lock(tx: SqlClient, subject: SubjectId): Promise<void>;
  /** Before an append: the snapshot (`null` when missing) and which of `ids` the entries hold. */
  before(
    tx: SqlClient,
    subject: SubjectId,
    ids: readonly string[],
  ): Promise<{ active: readonly Memory[] | null; seen: readonly string[] }>;
  /** The subject's entries, in the order written. */
  entries(tx: SqlClient, subject: SubjectId): Promise<MemoryEntry[]>;
  /** The fold of the subject's whole history, from the entries. */
  rebuild(tx: SqlClient, subject: SubjectId): Promise<readonly Memory[]>;
  /**
   * True when the subject's slices are stored in the current format. The store writes the
   * snapshot with them, so theirs is its format too (a writer before migration 12 writes both,
   * or only the slices, in format 1).
   */
  current(tx: SqlClient, subject: SubjectId): Promise<boolean>;
  /** Stores the subject's snapshot and its slices. */
  save(tx: SqlClient, subject: SubjectId, active: readonly Memory[]): Promise<void>;
  /**
   * What a recall for `purpose` needs, from the slices: `'unbuilt'` when the subject has entries
   * but no slices, an empty view when it has neither.
   */
  readSlices(
    client: SqlClient,
    subject: SubjectId,
    purpose: string,
  ): Promise<PurposeMemories | 'unbuilt'>;
}

/** The slice row that holds the count and the contradictions of all the active memories. */
const HEADER = '';

/**
 * @internal How a snapshot or a slice row is stored (the `format` column of
 * `candor_memory_snapshots` and `candor_memory_slices`, migration 12): 1, the deflated JSON of
 * the memories (an array; a `MemorySlice`); 2, the deflated JSON of them packed
 * ({@link PackedMemories}; a {@link PackedSlice}). The slices' header is the same deflated JSON in
 * both. Rows are written in {@link STORED_FORMAT}.
 *
 * @example
 * const format: StoredFormat = 2;
 */
export type StoredFormat = 1 | 2;

/** @internal The format the store writes. */
export const STORED_FORMAT: StoredFormat = 2;

/**
 * @internal A stored slice row: its key (`''` for the header), format and bytes.
 *
 * @example
 * const row: SliceRow = { slice: 'marketing', format: 2, memories: bytes };
 */
export interface SliceRow {
  readonly slice: string;
  readonly format: StoredFormat;
  readonly memories: Uint8Array;
}

interface Header {
  readonly count: number;
  readonly contradictions: PurposeMemories['contradictions'];
}

const deflate = (value: unknown): Uint8Array => deflateRawSync(JSON.stringify(value), { level: 1 });
/**
 * Inflates into one buffer sized for the value (packed JSON deflates about 6×), not the default
 * 16 KB chunks joined afterwards: a third less time for a slice of 540 memories.
 */
const inflate = <T>(bytes: Uint8Array): T =>
  JSON.parse(
    inflateRawSync(bytes, {
      chunkSize: Math.min(Math.max(bytes.length * 8, 16 * 1024), 4 * 1024 * 1024),
    }).toString('utf8'),
  ) as T;

const asEntry = (memory: Memory): MemoryEntry => ({ type: 'memory', memory });

/**
 * @internal The active memories after `added` is appended to a history whose fold's active
 * memories are `active`, or `null` when the snapshot alone cannot say (an added memory reuses
 * the id of a memory that was superseded or erased: its place comes from the history). `seen`
 * lists which added ids the history already held.
 *
 * @example
 * const next = activeAfterAppend(before.active, entries, before.seen) ?? (await snap.rebuild(tx, subject));
 */
export function activeAfterAppend(
  active: readonly Memory[],
  added: readonly MemoryEntry[],
  seen: readonly string[],
): readonly Memory[] | null {
  const ids = new Set(active.map((m) => m.id));
  if (seen.some((id) => !ids.has(id))) return null;
  // Superseded memories only ever leave the active list, and the history's order of the
  // active ones is their order here: the fold of the snapshot and the new entries is the fold
  // of the whole history.
  return foldMemories([...active.map(asEntry), ...added]).active;
}

/**
 * @internal The active memories after an erasure deleted every entry of `memoryIds` and
 * appended `tombstones`: each of them is gone, the others keep their place.
 *
 * @example
 * const next = activeAfterErase(before.active, ['mem_1'], [{ type: 'tombstone', tombstone }]);
 */
export function activeAfterErase(
  active: readonly Memory[],
  memoryIds: readonly string[],
  tombstones: readonly MemoryEntry[],
): readonly Memory[] {
  const gone = new Set(memoryIds);
  return foldMemories([...active.filter((m) => !gone.has(m.id)).map(asEntry), ...tombstones])
    .active;
}

/**
 * @internal A snapshot as stored, in {@link STORED_FORMAT}: the active memories packed, deflated
 * (fastest level: 1,000 memories, ~180 KB of JSON packed, become ~30 KB).
 *
 * @example
 * const bytes = encodeSnapshot(active);
 */
export function encodeSnapshot(active: readonly Memory[]): Uint8Array {
  return deflate(packMemories(active));
}

/**
 * @internal The active memories of a stored snapshot of either format.
 *
 * @example
 * const active = decodeSnapshot(row.memories, row.format);
 */
export function decodeSnapshot(bytes: Uint8Array, format: StoredFormat): Memory[] {
  return Number(format) === 1
    ? inflate<Memory[]>(bytes)
    : unpackMemories(inflate<PackedMemories>(bytes));
}

/**
 * @internal The rows of `candor_memory_slices` for a subject's active memories, in
 * {@link STORED_FORMAT}: the header (count and contradictions) under `''`, then one per slice,
 * packed.
 *
 * @example
 * const rows = encodeSlices(active); // [{ slice: '', format: 2, memories }, { slice: 'marketing', … }, …]
 */
export function encodeSlices(active: readonly Memory[]): SliceRow[] {
  const { count, contradictions, slices } = sliceMemories(active);
  const header: Header = { count, contradictions };
  return [
    { slice: HEADER, format: STORED_FORMAT, memories: deflate(header) },
    ...[...slices].map(([slice, memories]) => ({
      slice,
      format: STORED_FORMAT,
      memories: deflate(packSlice(memories)),
    })),
  ];
}

/**
 * @internal The memories of one stored slice row (not the header), of either format.
 *
 * @example
 * const { positions, memories } = decodeSlice(row);
 */
export function decodeSlice(row: Pick<SliceRow, 'format' | 'memories'>): MemorySlice {
  return Number(row.format) === 1
    ? inflate<MemorySlice>(row.memories)
    : unpackSlice(inflate<PackedSlice>(row.memories));
}

/**
 * @internal What a recall for `purpose` needs, from stored slice rows of either format (the
 * header among them).
 *
 * @example
 * const view = decodeSlices(rows);
 */
export function decodeSlices(rows: readonly SliceRow[]): PurposeMemories | null {
  let header: Header | null = null;
  const slices: MemorySlice[] = [];
  for (const row of rows) {
    if (row.slice === HEADER) header = inflate<Header>(row.memories);
    else slices.push(decodeSlice(row));
  }
  return header === null ? null : joinSlices(header.count, header.contradictions, slices);
}

const parse = <T>(value: T | string): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

/**
 * @internal Creates the snapshot helpers over `db`.
 *
 * @example
 * const snap = memorySnapshots(db);
 */
export function memorySnapshots(db: CandorDatabase): MemorySnapshots {
  const entries = db.table('memory_entries');
  const snapshots = db.table('memory_snapshots');
  const sliceTable = db.table('memory_slices');
  const lockKey = `candor:memory:${db.schema}:`;
  // node-postgres receives bytea as hex text (twice its size) and decodes it in JavaScript;
  // base64 is a third shorter and quicker to take apart. PGlite hands bytea over as it is.
  const bytes = db.driver.kind === 'postgres' ? `encode(memories, 'base64')` : 'memories';
  const readEntries = async (tx: SqlClient, subject: SubjectId) =>
    (
      await tx.query<{ entry: MemoryEntry | string }>(
        `select entry from ${entries} where subject = $1 order by seq`,
        [subject],
      )
    ).map((r) => parse(r.entry));
  const saveSlices = async (tx: SqlClient, subject: SubjectId, active: readonly Memory[]) => {
    await tx.query(`delete from ${sliceTable} where subject = $1`, [subject]);
    const rows = encodeSlices(active);
    await tx.query(
      `insert into ${sliceTable} (subject, slice, format, memories) values ${rows
        .map((_, i) => `($1, $${2 * i + 3}, $2, $${2 * i + 4})`)
        .join(', ')}`,
      [subject, STORED_FORMAT, ...rows.flatMap((r) => [r.slice, r.memories])],
    );
  };
  return {
    async lock(tx, subject) {
      // The transaction-local setting tells the entries' triggers that the snapshot is kept.
      await tx.query(
        `select pg_advisory_xact_lock(hashtextextended($1, 0)),
                set_config('candor.memory_snapshots', 'kept', true)`,
        [lockKey + subject],
      );
    },
    async before(tx, subject, ids) {
      const [row] = await tx.query<{
        memories: Uint8Array | null;
        format: StoredFormat;
        seen: string[];
      }>(
        `select s.memories, s.format, array(select distinct e.memory_id from ${entries} e
                                  where e.subject = $1 and e.memory_id = any($2::text[])) as seen
         from (select 1) as one left join ${snapshots} s on s.subject = $1`,
        [subject, ids],
      );
      return {
        active: row?.memories == null ? null : decodeSnapshot(row.memories, row.format),
        seen: row?.seen ?? [],
      };
    },
    entries: readEntries,
    async rebuild(tx, subject) {
      return foldMemories(await readEntries(tx, subject)).active;
    },
    async current(tx, subject) {
      const rows = await tx.query(
        `select 1 from ${sliceTable} where subject = $1 and slice = $2 and format = $3`,
        [subject, HEADER, STORED_FORMAT],
      );
      return rows.length > 0;
    },
    async save(tx, subject, active) {
      await tx.query(
        `insert into ${snapshots} as s (subject, memories, count, format) values ($1, $2, $3, $4)
         on conflict (subject) do update
           set memories = excluded.memories, count = excluded.count, format = excluded.format`,
        [subject, encodeSnapshot(active), active.length, STORED_FORMAT],
      );
      await saveSlices(tx, subject, active);
    },
    async readSlices(client, subject, purpose) {
      const rows = await client.query<{
        slice: string;
        format: StoredFormat;
        memories: Uint8Array | string;
      }>(
        `select slice, format, ${bytes} as memories from ${sliceTable}
         where subject = $1 and slice = any($2::text[])`,
        [subject, [HEADER, ...sliceKeysFor(purpose)]],
      );
      for (const row of rows)
        if (typeof row.memories === 'string') row.memories = Buffer.from(row.memories, 'base64');
      const view = decodeSlices(rows as SliceRow[]);
      if (view !== null) return view;
      // No header, so no slices (none yet, or dropped by the entries' trigger): a second look,
      // only then, tells a subject with entries to build from one with none.
      const [row] = await client.query<{ unbuilt: boolean }>(
        `select exists (select 1 from ${entries} where subject = $1) as unbuilt`,
        [subject],
      );
      return row?.unbuilt === true ? 'unbuilt' : { memories: [], count: 0, contradictions: [] };
    },
  };
}
