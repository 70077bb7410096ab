import {
  type AccessLog,
  type AccessRecord,
  checkAccessPurge,
  checkAccessQuery,
  checkAccessRecords,
} from './access';
import { isAccessBatch, keepBatch } from './access-batch';
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
 * An in-memory {@link AccessLog}: for tests, single-process apps and benchmarks. Records are
 * kept per subject in time order, a batch (`appendBatch`) as its records were when appended (side
 * by side with the other batches', see `keepBatch`), its records made when read; `summarize`
 * groups what `query` returns ({@link summarizeAccessRecords}). A purge is all or nothing: where a
 * record it keeps cannot be made (an id function that fails), it throws and removes nothing.
 *
 * @example
 * const log = createMemoryAccessLog();
 * await log.append([record]);
 * (await log.query({ subject: 'cus_1' })).length; // 1
 */
export function createMemoryAccessLog(): AccessLog {
  let bySubject = new Map<SubjectId, Entry[]>();
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
  const log: AccessLog = {
    async append(records) {
      const valid = checkAccessRecords(records);
      for (const record of valid) insert(record.subject, record);
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
      if (batch.size > 0) insert(batch.subject, keepBatch(batch, columns));
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
      return removed;
    },
  };
  return log;
}
