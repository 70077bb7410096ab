import {
  type AccessLog,
  type AccessRecord,
  checkAccessPurge,
  checkAccessQuery,
  checkAccessRecords,
} from './access';
import { type AccessBatch, isAccessBatch, keepBatch } from './access-batch';
import { BatchColumns, keptBatch, moveKept } from './access-kept';
import { checkAccessSummaryOptions, summarizeAccessRecords } from './access-summary';
import { CandorError } from './errors';
import type { SubjectId } from './schemas';

/**
 * What a subject's list holds: a record appended as one, or the place of an appended batch in
 * the log's columns (a batch is kept as its records were when appended, see `keepBatch`).
 */
type Entry = AccessRecord | number;

/** What every batch appended answers with (a batch is stored at once). */
const STORED: Promise<void> = /* @__PURE__ */ Promise.resolve();

/** Whether `purpose` is `wanted` or one of its children. */
const within = (purpose: string, wanted: string | undefined) =>
  wanted === undefined ||
  purpose === wanted ||
  (purpose.startsWith(wanted) && purpose.charCodeAt(wanted.length) === 46);

/**
 * What says a subject's record is already kept (a customer's record id is kept once), made when
 * the subject's second entry comes: the keys of its batches and, once it has anything else (a
 * record, a batch without a key, a key again), every id it holds (`ids`, else null). While it
 * has only batches with keys, each appended once, their ids are not made: an id function reads
 * the batch's key, so a new key is a new batch.
 */
interface Seen {
  readonly keys: Set<string>;
  ids: Set<string> | null;
}

/**
 * An in-memory {@link AccessLog}: for tests, single-process apps and benchmarks. Records are
 * kept per subject in time order, a batch (`appendBatch`) as its records were when appended (side
 * by side with the other batches', see `keepBatch`), its records made when read; `summarize`
 * groups what `query` returns ({@link summarizeAccessRecords}). A customer's repeated record id
 * is kept once, as a durable log keeps it (a retried append): a batch's records are compared by
 * id where a batch of the customer with the same `key` was appended before. A purge is all or
 * nothing: where a record it keeps cannot be made (an id function that fails), it throws and
 * removes nothing.
 *
 * @example
 * const log = createMemoryAccessLog();
 * await log.append([record]);
 * (await log.query({ subject: 'cus_1' })).length; // 1
 */
export function createMemoryAccessLog(): AccessLog {
  let bySubject = new Map<SubjectId, Entry[]>();
  let seen = new Map<SubjectId, Seen>();
  let columns = new BatchColumns();
  const atOf = (entry: Entry) =>
    typeof entry === 'number' ? (columns.at[entry] as number) : entry.at;
  /** Adds `entry` after every entry not later than it (so a subject's list stays in time order). */
  const insert = (subject: SubjectId, entry: Entry) => {
    const list = bySubject.get(subject);
    if (list === undefined) bySubject.set(subject, [entry]);
    else {
      const at = atOf(entry);
      let i = list.length;
      while (i > 0 && atOf(list[i - 1] as Entry) > at) i--;
      if (i === list.length) list.push(entry);
      else list.splice(i, 0, entry);
    }
  };
  /** What the subject's entries say is kept (made from them on first need). */
  const seenOf = (subject: SubjectId, list: readonly Entry[]): Seen => {
    let found = seen.get(subject);
    if (found === undefined) {
      const keys = new Set<string>();
      let onlyKeyed = true;
      for (const entry of list) {
        const key = typeof entry === 'number' ? columns.keys[entry] : undefined;
        if (key === undefined || keys.has(key)) onlyKeyed = false;
        else keys.add(key);
      }
      found = { keys, ids: onlyKeyed ? null : idsIn(list) };
      seen.set(subject, found);
    }
    return found;
  };
  const idsIn = (list: readonly Entry[]) => {
    const ids = new Set<string>();
    for (const entry of list)
      if (typeof entry !== 'number') ids.add(entry.id);
      else for (const record of keptBatch(columns, entry).records()) ids.add(record.id);
    return ids;
  };
  /** Every id the subject holds, made once (null: the subject has nothing yet). */
  const idsOf = (subject: SubjectId): Set<string> | null => {
    const list = bySubject.get(subject);
    if (list === undefined) return null;
    const found = seenOf(subject, list);
    found.ids ??= idsIn(list);
    return found.ids;
  };
  /** Keeps `record` unless the subject has a record of its id. */
  const keepRecord = (record: AccessRecord) => {
    const ids = idsOf(record.subject);
    if (ids?.has(record.id)) return;
    ids?.add(record.id);
    insert(record.subject, record);
  };
  /** Keeps `batch` whole where none of its ids is kept yet, else its records that are new. */
  const keepBatchOnce = (batch: AccessBatch) => {
    // Its ids made now (a bad one refuses the batch whole), before anything is kept.
    const records = batch.records();
    const ids = idsOf(batch.subject) ?? new Set<string>();
    const all = new Set(records.map((record) => record.id));
    if (all.size < records.length || records.some((record) => ids.has(record.id)))
      for (const record of records) keepRecord(record);
    else {
      for (const id of all) ids.add(id);
      insert(batch.subject, keepBatch(batch, columns));
    }
  };
  const log: AccessLog = {
    async append(records) {
      const valid = checkAccessRecords(records);
      // Every subject's ids made first: one that cannot be made leaves nothing half-appended.
      for (const record of valid) idsOf(record.subject);
      for (const record of valid) keepRecord(record);
    },
    // Not async: stored at once, the write answers with one promise, fulfilled, every time.
    appendBatch(batch) {
      if (!isAccessBatch(batch))
        return Promise.reject(
          new CandorError('core/invalid_input', 'batch: must be made by createAccessBatch()', {
            path: 'batch',
            value: batch,
          }),
        );
      if (batch.size === 0) return STORED;
      const list = bySubject.get(batch.subject);
      const key = batch.key;
      // The subject's first entry (a retried one would find its first): nothing to compare.
      if (list === undefined && key !== undefined) {
        bySubject.set(batch.subject, [keepBatch(batch, columns)]);
        return STORED;
      }
      const found = list === undefined ? null : seenOf(batch.subject, list);
      if (key !== undefined && found !== null && found.ids === null && !found.keys.has(key)) {
        found.keys.add(key);
        insert(batch.subject, keepBatch(batch, columns));
        return STORED;
      }
      try {
        keepBatchOnce(batch);
      } catch (error) {
        return Promise.reject(error);
      }
      if (key !== undefined) seen.get(batch.subject)?.keys.add(key);
      return STORED;
    },
    async query(input) {
      const q = checkAccessQuery(input);
      const list = bySubject.get(q.subject) ?? [];
      const out: AccessRecord[] = [];
      const limit = q.limit ?? Number.POSITIVE_INFINITY;
      for (let i = list.length - 1; i >= 0 && out.length < limit; i--) {
        const entry = list[i] as Entry;
        const at = atOf(entry);
        if (q.to !== undefined && at > q.to) continue;
        if (q.from !== undefined && at < q.from) break;
        if (typeof entry === 'number') {
          // Newest first: a batch's records, last added first.
          const batch = keptBatch(columns, entry);
          for (let k = batch.size - 1; k >= 0 && out.length < limit; k--)
            if (within(batch.shape(k).purpose, q.purpose)) out.push(batch.record(k));
        } else if (within(entry.purpose, q.purpose)) out.push(entry);
      }
      return out;
    },
    async summarize(query, options) {
      checkAccessSummaryOptions(options);
      return summarizeAccessRecords(await log.query(query), options);
    },
    async purge(now, retention) {
      const keep = checkAccessPurge(now, retention);
      let removed = 0;
      // The batches kept whole move to new columns, so the purged ones' room is freed; the
      // lists are swapped in once all are made (a record that cannot be made changes nothing).
      const next = new BatchColumns();
      const lists = new Map<SubjectId, Entry[]>();
      for (const [subject, list] of bySubject) {
        const kept: Entry[] = [];
        for (const entry of list) {
          if (typeof entry !== 'number') {
            if (entry.at >= now - keep(entry.purpose)) kept.push(entry);
            else removed++;
            continue;
          }
          // A batch kept whole stays a batch; one partly purged keeps its remaining records.
          const batch = keptBatch(columns, entry);
          const left: number[] = [];
          for (let k = 0; k < batch.size; k++)
            if (batch.at >= now - keep(batch.shape(k).purpose)) left.push(k);
          removed += batch.size - left.length;
          if (left.length === batch.size) kept.push(moveKept(columns, entry, next));
          else for (const k of left) kept.push(batch.record(k));
        }
        if (kept.length > 0) lists.set(subject, kept);
      }
      bySubject = lists;
      columns = next;
      // Made again from what is kept, when next needed.
      seen = new Map();
      return removed;
    },
  };
  return log;
}
