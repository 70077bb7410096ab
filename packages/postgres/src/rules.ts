import type { Instant, SubjectId } from '@candor/core';
import { CandorError } from '@candor/core';
import type {
  PastEvent,
  Pause,
  ReserveResult,
  RuleStateStore,
  ScheduleEntry,
  StateLimit,
  SubjectState,
} from '@candor/rules';
import { createQueue, openBoss } from './boss';
import type { CandorDatabase } from './database';
import type { SqlClient } from './driver';
import { checkDatabase } from './errors';
import { type PostgresChangeFeed, recordChanges } from './feed';

/**
 * A durable {@link RuleStateStore} on PostgreSQL or PGlite, plus pruning and the next due time.
 *
 * @example
 * const state = createPostgresRuleStateStore(db);
 * const engine = createRuleEngine({ rules, consent, state });
 */
export interface PostgresRuleStateStore extends RuleStateStore {
  /** The database's change feed: every pause and resume, from any instance, is announced on it. */
  readonly feed: PostgresChangeFeed;
  /** Deletes fires, past events and reservations older than `before`, and expired dedup keys. */
  prune(before: Instant): Promise<{ readonly deleted: number }>;
  /** The earliest `dueAt` of any schedule entry, or `null` when none. */
  nextDueAt(): Promise<Instant | null>;
}

/**
 * Options of {@link createPostgresRuleStateStore}.
 *
 * @example
 * const jobs = await startDueJobs(db, { run: (now) => engine.processDue(now) });
 * createPostgresRuleStateStore(db, { jobs });
 */
export interface PostgresRuleStateStoreOptions {
  /** Due-time dispatch: every `putSchedule` also plans a wake-up there (see {@link startDueJobs}). */
  readonly jobs?: DueJobs;
}

type Num = string | number;

interface ScheduleRow {
  key: string;
  kind: ScheduleEntry['kind'];
  rule_id: string;
  subject: string;
  due_at: Num;
  event: ScheduleEntry['event'];
}

function toSchedule(row: ScheduleRow): ScheduleEntry {
  return {
    key: row.key,
    kind: row.kind,
    ruleId: row.rule_id,
    subject: row.subject,
    dueAt: Number(row.due_at),
    event: row.event,
  };
}

function byDue(a: ScheduleEntry, b: ScheduleEntry): number {
  return a.dueAt - b.dueAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function invalid(path: string, value: unknown, message: string): never {
  throw new CandorError('postgres/invalid_input', `${path}: ${message}`, { path, value });
}

/**
 * Creates the durable rule state store over an open {@link CandorDatabase}.
 *
 * `reserve` runs in one transaction that first takes transaction-scoped advisory locks on every
 * key it reads or writes (sorted, so two reservations never deadlock), so two instances racing
 * for the last slot of a cap cannot both win; it is idempotent by reservation id. `takeDue`
 * claims due entries with `DELETE … FOR UPDATE SKIP LOCKED`, so concurrent workers never take the
 * same entry.
 *
 * @example
 * const db = await createCandorDatabase({ url: process.env.DATABASE_URL });
 * const engine = createRuleEngine({ rules, consent, state: createPostgresRuleStateStore(db) });
 * await engine.hydrate();
 */
export function createPostgresRuleStateStore(
  db: CandorDatabase,
  options: PostgresRuleStateStoreOptions = {},
): PostgresRuleStateStore {
  checkDatabase(db);
  const sql: SqlClient = db.driver;
  const t = {
    reservations: db.table('rule_reservations'),
    fires: db.table('rule_fires'),
    dedup: db.table('rule_dedup'),
    events: db.table('rule_events'),
    schedules: db.table('rule_schedules'),
    pauses: db.table('rule_pauses'),
  };
  const lockPrefix = `candor:rules:${db.schema}:`;

  async function reserveIn(
    tx: SqlClient,
    r: Parameters<RuleStateStore['reserve']>[0],
  ): Promise<ReserveResult> {
    const lockKeys = [
      `res:${r.id}`,
      ...r.keys.map((k) => `key:${k}`),
      ...r.limits.map((l) => `key:${l.key}`),
      ...(r.dedup ? [`dedup:${r.dedup.key}`] : []),
    ].map((k) => lockPrefix + k);
    await tx.query(
      `select pg_advisory_xact_lock(h) from (
         select distinct hashtextextended(k, 0) as h from unnest($1::text[]) as k order by 1
       ) as locks`,
      [lockKeys],
    );
    const granted = await tx.query(`select 1 from ${t.reservations} where id = $1`, [r.id]);
    if (granted.length > 0) return { ok: true, replay: true };
    if (r.limits.length > 0) {
      const counts = await tx.query<{ i: Num; n: Num; oldest: Num | null }>(
        `select l.i, count(f.at) as n, min(f.at) as oldest
         from unnest($1::text[], $2::bigint[]) with ordinality as l(key, since, i)
         left join ${t.fires} f on f.key = l.key and f.at >= l.since
         group by l.i order by l.i`,
        [r.limits.map((l) => l.key), r.limits.map((l) => l.since)],
      );
      for (const row of counts) {
        const limit = r.limits[Number(row.i) - 1] as StateLimit;
        if (Number(row.n) >= limit.max)
          return { ok: false, failed: 'limit', limit, oldestAt: Number(row.oldest ?? 0) };
      }
    }
    if (r.dedup !== null) {
      const [live] = await tx.query<{ expires_at: Num }>(
        `select expires_at from ${t.dedup} where key = $1 and expires_at > $2`,
        [r.dedup.key, r.at],
      );
      if (live) return { ok: false, failed: 'dedup', expiresAt: Number(live.expires_at) };
    }
    await tx.query(`insert into ${t.reservations} (id, subject, at) values ($1, $2, $3)`, [
      r.id,
      r.subject,
      r.at,
    ]);
    const keys = [...new Set(r.keys)];
    if (keys.length > 0) {
      await tx.query(
        `insert into ${t.fires} (reservation, key, subject, at)
         select $1, k, $2, $3 from unnest($4::text[]) as k`,
        [r.id, r.subject, r.at, keys],
      );
    }
    if (r.dedup !== null) {
      await tx.query(
        `insert into ${t.dedup} (key, reservation, subject, expires_at) values ($1, $2, $3, $4)
         on conflict (key) do update set reservation = excluded.reservation,
           subject = excluded.subject, expires_at = excluded.expires_at`,
        [r.dedup.key, r.id, r.subject, r.dedup.expiresAt],
      );
    }
    return { ok: true, replay: false };
  }

  function checkReservation(r: Parameters<RuleStateStore['reserve']>[0]): void {
    if (typeof r !== 'object' || r === null) invalid('reservation', r, 'must be an object');
    if (typeof r.id !== 'string' || r.id.length === 0)
      invalid('reservation.id', r.id, 'must be a non-empty string');
    if (typeof r.subject !== 'string')
      invalid('reservation.subject', r.subject, 'must be a string');
    if (!Number.isSafeInteger(r.at)) invalid('reservation.at', r.at, 'must be epoch milliseconds');
    if (!Array.isArray(r.keys)) invalid('reservation.keys', r.keys, 'must be an array');
    if (!Array.isArray(r.limits)) invalid('reservation.limits', r.limits, 'must be an array');
  }

  const store: PostgresRuleStateStore = {
    feed: db.feed,
    async reserve(r) {
      checkReservation(r);
      return db.driver.transaction((tx) => reserveIn(tx, r));
    },
    async release(reservationId) {
      await db.driver.transaction(async (tx) => {
        await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `${lockPrefix}res:${reservationId}`,
        ]);
        await tx.query(`delete from ${t.fires} where reservation = $1`, [reservationId]);
        await tx.query(`delete from ${t.dedup} where reservation = $1`, [reservationId]);
        await tx.query(`delete from ${t.reservations} where id = $1`, [reservationId]);
      });
    },
    async appendEvent(e) {
      if (typeof e !== 'object' || e === null) invalid('event', e, 'must be an object');
      await sql.query(
        `insert into ${t.events} (subject, id, type, at, fields) values ($1, $2, $3, $4, $5::jsonb)
         on conflict (subject, id) do nothing`,
        [e.subject, e.id, e.type, e.at, storable('event.fields', e.fields)],
      );
    },
    async load(subject: SubjectId, since: Instant): Promise<SubjectState> {
      const [fires, dedup, events, schedules] = await Promise.all([
        sql.query<{ reservation: string; subject: string; key: string; at: Num }>(
          `select reservation, subject, key, at from ${t.fires}
           where subject = $1 and at >= $2 order by at, reservation, key`,
          [subject, since],
        ),
        sql.query<{ reservation: string; subject: string; key: string; expires_at: Num }>(
          `select reservation, subject, key, expires_at from ${t.dedup}
           where subject = $1 and expires_at > $2 order by key`,
          [subject, since],
        ),
        sql.query<{
          id: string;
          subject: string;
          type: string;
          at: Num;
          fields: PastEvent['fields'];
        }>(
          `select id, subject, type, at, fields from ${t.events}
           where subject = $1 and at >= $2 order by at, id`,
          [subject, since],
        ),
        sql.query<ScheduleRow>(
          `select key, kind, rule_id, subject, due_at, event from ${t.schedules}
           where subject = $1 order by due_at, key`,
          [subject],
        ),
      ]);
      return {
        fires: fires.map((f) => ({
          reservation: f.reservation,
          subject: f.subject,
          key: f.key,
          at: Number(f.at),
        })),
        dedup: dedup.map((d) => ({
          reservation: d.reservation,
          subject: d.subject,
          key: d.key,
          expiresAt: Number(d.expires_at),
        })),
        events: events.map((e) => ({
          id: e.id,
          subject: e.subject,
          type: e.type,
          at: Number(e.at),
          fields: e.fields,
        })),
        schedules: schedules.map(toSchedule),
      };
    },
    async putSchedule(entry) {
      if (typeof entry !== 'object' || entry === null || typeof entry.key !== 'string')
        invalid('entry', entry, 'must be a schedule entry with a key');
      if (!Number.isSafeInteger(entry.dueAt))
        invalid('entry.dueAt', entry.dueAt, 'must be epoch milliseconds');
      await sql.query(
        `insert into ${t.schedules} (key, kind, rule_id, subject, due_at, event)
         values ($1, $2, $3, $4, $5, $6::jsonb)
         on conflict (key) do update set kind = excluded.kind, rule_id = excluded.rule_id,
           subject = excluded.subject, due_at = excluded.due_at, event = excluded.event`,
        [
          entry.key,
          entry.kind,
          entry.ruleId,
          entry.subject,
          entry.dueAt,
          storable('entry.event', entry.event),
        ],
      );
      await options.jobs?.planned(entry);
    },
    async removeSchedule(key) {
      await sql.query(`delete from ${t.schedules} where key = $1`, [key]);
    },
    async takeDue(now, limit) {
      if (!Number.isSafeInteger(now)) invalid('now', now, 'must be epoch milliseconds');
      const n = Math.max(0, Math.min(Math.floor(limit), 100_000));
      if (n === 0) return [];
      const rows = await sql.query<ScheduleRow>(
        `delete from ${t.schedules} where key in (
           select key from ${t.schedules} where due_at <= $1
           order by due_at, key limit $2 for update skip locked
         ) returning key, kind, rule_id, subject, due_at, event`,
        [now, n],
      );
      return rows.map(toSchedule).sort(byDue);
    },
    async listSchedules() {
      const rows = await sql.query<ScheduleRow>(
        `select key, kind, rule_id, subject, due_at, event from ${t.schedules} order by due_at, key`,
      );
      return rows.map(toSchedule).sort(byDue);
    },
    async setPause(ruleId, pause: Pause | null) {
      if (typeof pause !== 'object') invalid('pause', pause, 'must be a pause or null');
      await db.driver.transaction(async (tx) => {
        await recordChanges(tx, db, 'rules.pauses', [{ subject: null, sequence: 0, key: ruleId }]);
        if (pause === null) {
          await tx.query(`delete from ${t.pauses} where rule_id = $1`, [ruleId]);
          return;
        }
        await tx.query(
          `insert into ${t.pauses} (rule_id, reason, since, until, paused_by) values ($1, $2, $3, $4, $5)
           on conflict (rule_id) do update set reason = excluded.reason, since = excluded.since,
             until = excluded.until, paused_by = excluded.paused_by`,
          [ruleId, pause.reason, pause.since, pause.until, pause.by],
        );
      });
    },
    async listPauses() {
      const rows = await sql.query<{
        rule_id: string;
        reason: string;
        since: Num;
        until: Num | null;
        paused_by: string;
      }>(`select rule_id, reason, since, until, paused_by from ${t.pauses} order by rule_id`);
      return rows.map((p) => ({
        ruleId: p.rule_id,
        reason: p.reason,
        since: Number(p.since),
        until: p.until === null ? null : Number(p.until),
        by: p.paused_by,
      }));
    },
    async prune(before) {
      return db.driver.transaction(async (tx) => {
        let deleted = 0;
        const count = async (text: string) => {
          const rows = await tx.query<{ n: Num }>(
            `with d as (${text} returning 1) select count(*) as n from d`,
            [before],
          );
          deleted += Number(rows[0]?.n ?? 0);
        };
        await count(`delete from ${t.fires} where at < $1`);
        await count(`delete from ${t.events} where at < $1`);
        await count(`delete from ${t.dedup} where expires_at <= $1`);
        await count(
          `delete from ${t.reservations} r where r.at < $1
           and not exists (select 1 from ${t.fires} f where f.reservation = r.id)
           and not exists (select 1 from ${t.dedup} d where d.reservation = r.id)`,
        );
        return { deleted };
      });
    },
    async nextDueAt() {
      const [row] = await sql.query<{ due: Num | null }>(
        `select min(due_at) as due from ${t.schedules}`,
      );
      return row?.due == null ? null : Number(row.due);
    },
  };
  return store;
}

/**
 * Wakes workers when schedule entries fall due, so each due entry runs exactly once across
 * every worker process. Created by {@link startDueJobs}.
 *
 * @example
 * const jobs = await startDueJobs(db, { run: (now) => engine.processDue(now) });
 * await jobs.stop();
 */
export interface DueJobs {
  /** `pg-boss` (PostgreSQL: durable jobs, many workers) or `timer` (PGlite: one process). */
  readonly mode: 'pg-boss' | 'timer';
  /** Plans a wake-up for an entry (the store calls it on every `putSchedule`). */
  planned(entry: ScheduleEntry): Promise<void>;
  /** Stops working; waits for a running `run` to finish. */
  stop(): Promise<void>;
}

/**
 * Options of {@link startDueJobs}.
 *
 * @example
 * const options: DueJobsOptions = { run: (now) => engine.processDue(now), queue: 'candor-rules-due' };
 */
export interface DueJobsOptions {
  /**
   * Processes what is due at `now`, typically `(now) => engine.processDue(now)`, which claims
   * the due entries from the store atomically.
   */
  readonly run: (now: Instant) => Promise<unknown>;
  /** pg-boss queue name (default `candor-rules-due`). */
  readonly queue?: string;
  /** Schema pg-boss keeps its tables in (default `<db schema>_jobs`). */
  readonly jobsSchema?: string;
  /** How often idle pg-boss workers poll, in seconds (default 1, minimum 0.5). */
  readonly pollingIntervalSeconds?: number;
  /** Where time comes from for the PGlite timer (default: the system clock). */
  readonly clock?: { now(): Instant };
  /** Store to read existing schedules from at start (default: a new store over `db`). */
  readonly store?: PostgresRuleStateStore;
  /** Called when `run` throws (default: ignored; pg-boss retries the job). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Starts due-time dispatch for rule schedules.
 *
 * - **PostgreSQL**: a pg-boss job per planned entry (`startAfter` = its due time, keyed by entry
 *   and due time). pg-boss hands each job to exactly one worker across all processes and
 *   machines; that worker calls `run(now)`, whose `takeDue` claims the due rows with
 *   `FOR UPDATE SKIP LOCKED`, so every due entry runs exactly once even when wake-ups overlap.
 *   Jobs are durable: an entry that falls due while no worker runs is handled at next start.
 *   pg-boss tells time by the database clock.
 * - **PGlite** (one process): a timer set to the earliest due time (read from the store and
 *   updated on every `planned`), calling `run(now)`; the claim is the same transaction.
 *
 * @example
 * const jobs = await startDueJobs(db, { run: (now) => engine.processDue(now) });
 * const state = createPostgresRuleStateStore(db, { jobs });
 */
export async function startDueJobs(db: CandorDatabase, options: DueJobsOptions): Promise<DueJobs> {
  if (typeof options?.run !== 'function') {
    throw new CandorError('postgres/invalid_options', 'run: must be a function', {
      path: 'run',
      value: options?.run,
    });
  }
  const clock = options.clock ?? { now: () => Date.now() };
  const onError = options.onError ?? (() => undefined);
  const store = options.store ?? createPostgresRuleStateStore(db);
  if (db.driver.kind === 'postgres') return startPgBoss(db, options, store, clock, onError);

  let timer: ReturnType<typeof setTimeout> | undefined;
  let plannedAt: Instant | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const arm = (dueAt: Instant | null) => {
    if (stopped || dueAt === null) return;
    if (plannedAt !== null && plannedAt <= dueAt && timer !== undefined) return;
    if (timer !== undefined) clearTimeout(timer);
    plannedAt = dueAt;
    const delay = Math.max(0, Math.min(dueAt - clock.now(), 2 ** 31 - 1));
    timer = setTimeout(fire, delay);
    timer.unref?.();
  };
  const fire = () => {
    timer = undefined;
    plannedAt = null;
    running = running
      .then(() => options.run(clock.now()))
      .catch(onError)
      .then(() => store.nextDueAt())
      .then((next) => arm(next))
      .catch(onError);
  };
  arm(await store.nextDueAt());
  return {
    mode: 'timer',
    async planned(entry) {
      arm(entry.dueAt);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}

async function startPgBoss(
  db: CandorDatabase,
  options: DueJobsOptions,
  store: PostgresRuleStateStore,
  clock: { now(): Instant },
  onError: (error: unknown) => void,
): Promise<DueJobs> {
  const queue = options.queue ?? 'candor-rules-due';
  const boss = await openBoss(db, options.jobsSchema ?? `${db.schema}_jobs`, onError);
  // `short`: one waiting job per singleton key, so re-planning the same entry adds no job.
  await createQueue(boss, queue, { name: queue, policy: 'short' });
  const send = (entry: Pick<ScheduleEntry, 'key' | 'dueAt'>) =>
    boss.send(
      queue,
      { key: entry.key, dueAt: entry.dueAt },
      {
        startAfter: new Date(entry.dueAt),
        singletonKey: `${entry.key}@${entry.dueAt}`,
        retryLimit: 5,
        retryDelay: 1,
      },
    );
  await boss.work<{ key: string; dueAt: number }>(
    queue,
    { pollingIntervalSeconds: Math.max(0.5, options.pollingIntervalSeconds ?? 1), batchSize: 1 },
    async (jobs) => {
      for (const job of jobs) await options.run(Math.max(clock.now(), job.data.dueAt));
    },
  );
  // Entries planned before dispatch started (or by a store without `jobs`) get their job now;
  // the singleton key makes this a no-op for entries that already have one.
  for (const entry of await store.listSchedules()) await send(entry);
  return {
    mode: 'pg-boss',
    async planned(entry) {
      await send(entry);
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}

export { createPostgresChangeLog } from './changes';
export type { PartitionedQueue, PartitionedQueueOptions } from './partitions';
export { startPartitionedQueue } from './partitions';

/**
 * `value` as JSON for a `jsonb` column; `postgres/invalid_input` at `path` when a string in it
 * holds a NUL character, which PostgreSQL cannot store (before anything is written).
 */
function storable(path: string, value: unknown): string {
  const json = JSON.stringify(value);
  // An escape `\u0000` (after an even run of backslashes: not a literal backslash's text).
  if (/(^|[^\\])(\\\\)*\\u0000/.test(json))
    invalid(path, value, 'holds a NUL character (\\u0000), which PostgreSQL cannot store');
  return json;
}
