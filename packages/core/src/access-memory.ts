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
 * One subject's history, and what says a record is already kept (a customer's id is kept once).
 * While the subject has only batches with keys, each appended once, their ids are not made:
 * the keys say which batch was appended (an id function reads the batch's key). Anything else
 * (a record, a batch without a key, a key again) makes every id of the subject's records once,
 * then each appended record's (`ids` is then not null).
 */
interface SubjectLog {
  /** In time order. */
  entries: Entry[];
  /** The key of the subject's first batch, then the others' (most have few). */
  key: string | undefined;
  keys: Set<string> | null;
  ids: Set<string> | null;
}

/** Whether a batch of the subject's with `key` was appended. */
const hasKey = (log: SubjectLog, key: string) => log.key === key || log.keys?.has(key) === true;

function addKey(log: SubjectLog, key: string): void {
  if (log.key === undefined) log.key = key;
  else if (log.key !== key) {
    log.keys ??= new Set();
    log.keys.add(key);
  }
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
  let bySubject = new Map<SubjectId, SubjectLog>();
  let columns = new BatchColumns();
  const atOf = (entry: Entry) =>
    typeof entry === 'number' ? (columns.at[entry] as number) : entry.at;
  const logOf = (subject: SubjectId) => {
    let log = bySubject.get(subject);
    if (log === undefined) {
      log = { entries: [], key: undefined, keys: null, ids: null };
      bySubject.set(subject, log);
    }
    return log;
  };
  /** Adds `entry` after every entry not later than it (so a subject's list stays in time order). */
  const insert = (list: Entry[], entry: Entry) => {
    const at = atOf(entry);
    let i = list.length;
    while (i > 0 && atOf(list[i - 1] as Entry) > at) i--;
    if (i === list.length) list.push(entry);
    else list.splice(i, 0, entry);
  };
  /** The ids of every record kept for the subject, made once. */
  const idsOf = (log: SubjectLog): Set<string> => {
    if (log.ids !== null) return log.ids;
    const ids = new Set<string>();
    for (const entry of log.entries)
      if (typeof entry !== 'number') ids.add(entry.id);
      else for (const record of keptBatch(columns, entry).records()) ids.add(record.id);
    log.ids = ids;
    return ids;
  };
  /** Keeps `record` unless the subject has a record of its id. */
  const keepRecord = (log: SubjectLog, record: AccessRecord) => {
    const ids = idsOf(log);
    if (ids.has(record.id)) return;
    ids.add(record.id);
    insert(log.entries, record);
  };
  /** Keeps `batch` whole where none of its ids is kept yet, else its records that are new. */
  const keepBatchOnce = (log: SubjectLog, batch: AccessBatch) => {
    // Its ids made now (a bad one refuses the batch whole), before anything is kept.
    const records = batch.records();
    const ids = idsOf(log);
    const all = new Set(records.map((record) => record.id));
    if (all.size < records.length || records.some((record) => ids.has(record.id)))
      for (const record of records) keepRecord(log, record);
    else {
      for (const id of all) ids.add(id);
      insert(log.entries, keepBatch(batch, columns));
    }
  };
  const log: AccessLog = {
    async append(records) {
      const valid = checkAccessRecords(records);
      // Every subject's ids made first: one that cannot be made leaves nothing half-appended.
      for (const record of valid) idsOf(logOf(record.subject));
      for (const record of valid) keepRecord(logOf(record.subject), record);
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
      const subject = logOf(batch.subject);
      const key = batch.key;
      if (key !== undefined && subject.ids === null && !hasKey(subject, key)) {
        addKey(subject, key);
        insert(subject.entries, keepBatch(batch, columns));
        return STORED;
      }
      try {
        keepBatchOnce(subject, batch);
      } catch (error) {
        return Promise.reject(error);
      }
      if (key !== undefined) addKey(subject, key);
      return STORED;
    },
    async query(input) {
      const q = checkAccessQuery(input);
      const list = bySubject.get(q.subject)?.entries ?? [];
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
      const lists = new Map<SubjectId, SubjectLog>();
      for (const [subject, { entries, key, keys, ids }] of bySubject) {
        const kept: Entry[] = [];
        for (const entry of entries) {
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
        // The keys stay (a batch appended again is compared by id); ids are made again if known.
        if (kept.length > 0) lists.set(subject, { entries: kept, key, keys, ids: ids && null });
      }
      const previous = columns;
      columns = next;
      try {
        for (const [subject, log] of lists) if (bySubject.get(subject)?.ids) idsOf(log);
      } catch (error) {
        columns = previous;
        throw error;
      }
      bySubject = lists;
      return removed;
    },
  };
  return log;
}
