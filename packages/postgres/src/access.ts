import {
  type AccessLog,
  type AccessRecord,
  type AccessRetention,
  CandorError,
  checkAccessPurge,
  checkAccessQuery,
  checkAccessRecords,
  type Instant,
  retentionFor,
} from '@candor/core';
import { summarizeAccessRecordsIn } from './access-summary';
import type { CandorDatabase } from './database';
import { checkDatabase } from './errors';

/**
 * A durable {@link AccessLog} on PostgreSQL or PGlite: `candor_access_records`, indexed by
 * subject and time. A batch is one statement (all or nothing); `summarize` groups a subject's
 * history in one statement (`group by` local day, purpose, accessor kind and outcome).
 *
 * @example
 * const log = createPostgresAccessLog(db);
 * await log.append(records);
 * const summary = await log.summarize({ subject: 'cus_1' }, { timeZone: 'Europe/Berlin' });
 */
export function createPostgresAccessLog(
  db: CandorDatabase,
): AccessLog & Required<Pick<AccessLog, 'summarize'>> {
  checkDatabase(db);
  const table = db.table('access_records');
  const sql = db.driver;
  return {
    async append(records) {
      const valid = checkAccessRecords(records);
      if (valid.length === 0) return;
      // One JSON parameter for the batch, inserted in its order (records are numbered as they
      // are appended); a customer's repeated id is stored once.
      await sql.query(
        `insert into ${table} (id, subject, at, purpose, record)
         select x.id, x.subject, x.at, x.purpose, x.record
         from rows from (json_to_recordset($1::json)
           as (id text, subject text, at bigint, purpose text, record jsonb))
           with ordinality as x(id, subject, at, purpose, record, n)
         order by x.n
         on conflict (subject, id) do nothing`,
        [
          JSON.stringify(
            valid.map((r) => ({
              id: r.id,
              subject: r.subject,
              at: r.at,
              purpose: r.purpose,
              record: r,
            })),
          ),
        ],
      );
    },
    async query(input) {
      const q = checkAccessQuery(input);
      const rows = await sql.query<{ record: AccessRecord | string }>(
        `select record from ${table}
         where subject = $1 and at >= $2 and at <= $3
           and ($4::text is null or purpose = $4 or starts_with(purpose, $4 || '.'))
         order by at desc, seq desc
         limit $5`,
        [
          q.subject,
          q.from ?? Number.MIN_SAFE_INTEGER,
          q.to ?? Number.MAX_SAFE_INTEGER,
          q.purpose ?? null,
          q.limit ?? 1_000_000,
        ],
      );
      return rows.map((r) => (typeof r.record === 'string' ? JSON.parse(r.record) : r.record));
    },
    summarize: (query, options) => summarizeAccessRecordsIn(db, query, options),
    async purge(now, retention) {
      checkAccessPurge(now, retention); // validates
      const r = retention as AccessRetention;
      // Most specific purpose first, as retentionFor decides.
      const byPurpose = Object.entries(r.byPurpose ?? {}).sort((a, b) => b[0].length - a[0].length);
      const cases = byPurpose
        .map(
          (_, i) =>
            `when purpose = $${2 * i + 3} or starts_with(purpose, $${2 * i + 3} || '.') then $${2 * i + 4}::bigint`,
        )
        .join(' ');
      const keep = cases === '' ? '$2::bigint' : `case ${cases} else $2::bigint end`;
      const rows = await sql.query<{ n: string | number }>(
        `with gone as (delete from ${table} where at < $1::bigint - ${keep} returning 1)
         select count(*) as n from gone`,
        [now, r.defaultMs, ...byPurpose.flat()],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}

/**
 * Purges access records by their retention on a schedule: every `intervalMs` (default a day) in
 * this process, and once at start. Resolves a handle to stop it.
 *
 * @example
 * const purge = startAccessLogPurge(log, { retention: { defaultMs: DEFAULT_ACCESS_RETENTION_MS } });
 * await purge.stop();
 */
export function startAccessLogPurge(
  log: AccessLog,
  options: {
    readonly retention: AccessRetention;
    readonly intervalMs?: number;
    readonly clock?: { now(): Instant };
    readonly onError?: (error: unknown) => void;
  },
): { stop(): Promise<void>; readonly runs: Promise<number> } {
  retentionFor(options?.retention);
  const intervalMs = options.intervalMs ?? 86_400_000;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0)
    throw new CandorError('postgres/invalid_options', 'intervalMs: must be a positive number', {
      path: 'intervalMs',
      value: intervalMs,
    });
  const clock = options.clock ?? { now: () => Date.now() };
  let running: Promise<number> = Promise.resolve(0);
  const run = () => {
    running = running
      .then(() => log.purge(clock.now(), options.retention))
      .catch((error: unknown) => {
        options.onError?.(error);
        return 0;
      });
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref?.();
  return {
    get runs() {
      return running;
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
