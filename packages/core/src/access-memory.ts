import {
  type AccessLog,
  type AccessRecord,
  checkAccessQuery,
  checkAccessRecords,
  retentionFor,
} from './access';
import { type AccessBatch, isAccessBatch } from './access-batch';
import { checkAccessSummaryOptions, summarizeAccessRecords } from './access-summary';
import { CandorError } from './errors';
import type { SubjectId } from './schemas';

/**
 * An in-memory {@link AccessLog}: for tests, single-process apps and benchmarks. Records are
 * kept per subject in time order; `summarize` groups what `query` returns
 * ({@link summarizeAccessRecords}).
 *
 * @example
 * const log = createMemoryAccessLog();
 * await log.append([record]);
 * (await log.query({ subject: 'cus_1' })).length; // 1
 */
/** The first `size` records of an appended batch (records added to it later are not stored). */
class Stored {
  readonly batch: AccessBatch;
  readonly size: number;
  readonly at: number;
  constructor(batch: AccessBatch, size: number) {
    this.batch = batch;
    this.size = size;
    this.at = batch.at;
  }
}

type Entry = AccessRecord | Stored;

/** What every batch appended answers with (a batch is stored at once). */
const STORED: Promise<void> = /* @__PURE__ */ Promise.resolve();

/** Whether `purpose` is `wanted` or one of its children. */
const within = (purpose: string, wanted: string | undefined) =>
  wanted === undefined ||
  purpose === wanted ||
  (purpose.startsWith(wanted) && purpose.charCodeAt(wanted.length) === 46);

/**
 * An in-memory {@link AccessLog}: for tests, single-process apps and benchmarks. Records are
 * kept per subject in time order, a batch (`appendBatch`) as it is, its records made when read;
 * `summarize` groups what `query` returns ({@link summarizeAccessRecords}).
 *
 * @example
 * const log = createMemoryAccessLog();
 * await log.append([record]);
 * (await log.query({ subject: 'cus_1' })).length; // 1
 */
export function createMemoryAccessLog(): AccessLog {
  const bySubject = new Map<SubjectId, Entry[]>();
  /** Adds `entry` after every entry not later than it (so a subject's list stays in time order). */
  const insert = (subject: SubjectId, entry: Entry) => {
    const list = bySubject.get(subject);
    if (list === undefined) bySubject.set(subject, [entry]);
    else {
      let i = list.length;
      while (i > 0 && (list[i - 1] as Entry).at > entry.at) i--;
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
      if (batch.size > 0) insert(batch.subject, new Stored(batch, batch.size));
      return STORED;
    },
    async query(input) {
      const q = checkAccessQuery(input);
      const list = bySubject.get(q.subject) ?? [];
      const out: AccessRecord[] = [];
      const limit = q.limit ?? Number.POSITIVE_INFINITY;
      for (let i = list.length - 1; i >= 0 && out.length < limit; i--) {
        const entry = list[i] as Entry;
        if (q.to !== undefined && entry.at > q.to) continue;
        if (q.from !== undefined && entry.at < q.from) break;
        if (entry instanceof Stored) {
          // Newest first: a batch's records, last added first.
          const { batch } = entry;
          for (let k = entry.size - 1; k >= 0 && out.length < limit; k--)
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
      if (typeof now !== 'number' || !Number.isFinite(now))
        throw new CandorError('core/invalid_input', 'now: must be a time in epoch milliseconds', {
          path: 'now',
          value: now,
        });
      const keep = retentionFor(retention);
      let removed = 0;
      for (const [subject, list] of bySubject) {
        const kept: Entry[] = [];
        for (const entry of list) {
          if (!(entry instanceof Stored)) {
            if (entry.at >= now - keep(entry.purpose)) kept.push(entry);
            else removed++;
            continue;
          }
          // A batch kept whole stays a batch; one partly purged keeps its remaining records.
          const { batch, size } = entry;
          const left: number[] = [];
          for (let k = 0; k < size; k++)
            if (entry.at >= now - keep(batch.shape(k).purpose)) left.push(k);
          removed += size - left.length;
          if (left.length === size) kept.push(entry);
          else for (const k of left) kept.push(batch.record(k));
        }
        if (kept.length === 0) bySubject.delete(subject);
        else bySubject.set(subject, kept);
      }
      return removed;
    },
  };
  return log;
}
