import {
  type AccessLog,
  type AccessRecord,
  checkAccessQuery,
  checkAccessRecords,
  retentionFor,
} from './access';
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
export function createMemoryAccessLog(): AccessLog {
  const bySubject = new Map<SubjectId, AccessRecord[]>();
  const log: AccessLog = {
    async append(records) {
      const valid = checkAccessRecords(records);
      for (const record of valid) {
        const list = bySubject.get(record.subject);
        if (list === undefined) bySubject.set(record.subject, [record]);
        else {
          let i = list.length;
          while (i > 0 && (list[i - 1] as AccessRecord).at > record.at) i--;
          list.splice(i, 0, record);
        }
      }
    },
    async query(input) {
      const q = checkAccessQuery(input);
      const list = bySubject.get(q.subject) ?? [];
      const out: AccessRecord[] = [];
      const limit = q.limit ?? Number.POSITIVE_INFINITY;
      for (let i = list.length - 1; i >= 0 && out.length < limit; i--) {
        const r = list[i] as AccessRecord;
        if (q.to !== undefined && r.at > q.to) continue;
        if (q.from !== undefined && r.at < q.from) break;
        if (
          q.purpose !== undefined &&
          r.purpose !== q.purpose &&
          !(r.purpose.startsWith(q.purpose) && r.purpose.charCodeAt(q.purpose.length) === 46)
        )
          continue;
        out.push(r);
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
        const kept = list.filter((r) => r.at >= now - keep(r.purpose));
        removed += list.length - kept.length;
        if (kept.length === 0) bySubject.delete(subject);
        else bySubject.set(subject, kept);
      }
      return removed;
    },
  };
  return log;
}
