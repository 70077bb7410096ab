import { CandorError } from '@candor/core';
import type { CandorDriver } from './driver';
import { invalidOption, type PostgresErrorCode } from './errors';

/**
 * One versioned schema migration: a version (1, 2, 3, … in order), a name and the statements it
 * runs, given the quoted schema name. Applied once, in a transaction, in version order.
 *
 * @example
 * const m: Migration = { version: 1, name: 'consent ledger', statements: (s) => [`create table ${s}.candor_x (id text)`] };
 */
export interface Migration {
  /** Position in the history; versions are 1, 2, 3, … without gaps. */
  readonly version: number;
  /** What it does, for humans. */
  readonly name: string;
  /** The statements, given the quoted schema (e.g. `"public"`). */
  readonly statements: (schema: string) => readonly string[];
}

/**
 * The outcome of {@link migrate}: what was applied now, and the schema's version afterwards.
 *
 * @example
 * const { applied, version } = await db.migrate();
 */
export interface MigrationReport {
  /** Versions applied by this call (empty when the schema was up to date). */
  readonly applied: readonly number[];
  /** The schema's version after the call. */
  readonly version: number;
}

/**
 * Every migration this package ships, in order. Tables are prefixed `candor_`; the README lists
 * them.
 *
 * @example
 * candorMigrations.at(-1)?.version; // the latest schema version
 */
export const candorMigrations: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'consent ledger: entries, heads, current state per purpose',
    statements: (s: string) => [
      `create table ${s}.candor_consent_entries (
        subject text not null,
        sequence integer not null check (sequence >= 1),
        id text not null,
        idempotency_key text not null,
        recorded_at bigint not null,
        kind text not null,
        event_at bigint not null,
        event text not null,
        hash_version smallint not null,
        prev_hash text not null,
        hash text not null,
        primary key (subject, sequence),
        unique (idempotency_key)
      )`,
      `create table ${s}.candor_consent_heads (
        subject text primary key,
        sequence integer not null,
        hash text not null,
        recorded_at bigint not null
      )`,
      `create table ${s}.candor_consent_current (
        subject text not null,
        purpose text not null,
        sequence integer not null,
        entry_id text not null,
        kind text not null,
        event_at bigint not null,
        expires_at bigint,
        primary key (subject, purpose)
      )`,
    ],
  },
  {
    version: 2,
    name: 'rule state: reservations, fires, dedup keys, past events, schedules, pauses',
    statements: (s: string) => [
      `create table ${s}.candor_rule_reservations (
        id text primary key,
        subject text not null,
        at bigint not null
      )`,
      `create table ${s}.candor_rule_fires (
        reservation text not null,
        key text not null,
        subject text not null,
        at bigint not null,
        primary key (reservation, key)
      )`,
      `create index candor_rule_fires_key on ${s}.candor_rule_fires (key, at)`,
      `create index candor_rule_fires_subject on ${s}.candor_rule_fires (subject, at)`,
      `create table ${s}.candor_rule_dedup (
        key text primary key,
        reservation text not null,
        subject text not null,
        expires_at bigint not null
      )`,
      `create index candor_rule_dedup_subject on ${s}.candor_rule_dedup (subject, expires_at)`,
      `create table ${s}.candor_rule_events (
        subject text not null,
        id text not null,
        type text not null,
        at bigint not null,
        fields jsonb not null,
        primary key (subject, id)
      )`,
      `create index candor_rule_events_at on ${s}.candor_rule_events (subject, at)`,
      `create table ${s}.candor_rule_schedules (
        key text primary key,
        kind text not null,
        rule_id text not null,
        subject text not null,
        due_at bigint not null,
        event jsonb not null
      )`,
      `create index candor_rule_schedules_due on ${s}.candor_rule_schedules (due_at, key)`,
      `create table ${s}.candor_rule_pauses (
        rule_id text primary key,
        reason text not null,
        since bigint not null,
        until bigint,
        paused_by text not null
      )`,
    ],
  },
  {
    version: 3,
    name: 'feedback: event and decision logs with gap-free positions',
    statements: (s: string) => [
      `create table ${s}.candor_feedback_counters (
        log text primary key,
        last_seq bigint not null
      )`,
      `insert into ${s}.candor_feedback_counters (log, last_seq) values ('events', 0), ('decisions', 0)`,
      `create table ${s}.candor_feedback_events (
        seq bigint primary key,
        idempotency_key text not null unique,
        subject text not null,
        at bigint not null,
        kind text not null,
        rule_id text not null,
        fingerprint text not null,
        event jsonb not null
      )`,
      `create index candor_feedback_events_subject on ${s}.candor_feedback_events (subject, seq)`,
      `create table ${s}.candor_feedback_decisions (
        seq bigint primary key,
        decision_id text not null unique,
        subject text not null,
        at bigint not null,
        rule_id text not null,
        fingerprint text not null,
        entry jsonb not null
      )`,
      `create index candor_feedback_decisions_subject on ${s}.candor_feedback_decisions (subject, seq)`,
    ],
  },
  {
    version: 4,
    name: 'feedback: guardrail resumes',
    statements: (s: string) => [
      `create table ${s}.candor_feedback_resumes (
        seq bigserial primary key,
        rule_id text not null,
        variant_id text,
        at bigint not null
      )`,
    ],
  },
  {
    version: 5,
    name: 'change feed: one commit-ordered log of every write, announced with NOTIFY',
    statements: (s: string) => [
      // Positions come from one counter row, taken first by every writing statement and held to
      // its commit, so a later position always commits later: a reader that has seen position
      // n has seen every change below it. Gaps are harmless.
      `create table ${s}.candor_change_counter (
        id boolean primary key default true check (id),
        last bigint not null
      )`,
      `insert into ${s}.candor_change_counter (id, last) values (true, 0)`,
      `create table ${s}.candor_changes (
        position bigint primary key,
        stream text not null,
        subject text,
        sequence bigint not null default 0,
        key text,
        recorded_at timestamptz not null default now()
      )`,
      `create index candor_changes_recorded_at on ${s}.candor_changes (recorded_at)`,
      `create function ${s}.candor_announce_changes() returns trigger language plpgsql as $$
        begin
          perform pg_notify('candor_changes', tg_table_schema);
          return null;
        end
      $$`,
      `create trigger candor_changes_announce after insert on ${s}.candor_changes
        for each statement execute function ${s}.candor_announce_changes()`,
    ],
  },
  {
    version: 6,
    name: 'access records, memories and explanation audits',
    statements: (s: string) => [
      `create table ${s}.candor_access_records (
        id text primary key,
        subject text not null,
        at bigint not null,
        purpose text not null,
        record jsonb not null
      )`,
      `create index candor_access_records_subject on ${s}.candor_access_records (subject, at desc)`,
      `create index candor_access_records_at on ${s}.candor_access_records (at)`,
      `create table ${s}.candor_memory_entries (
        subject text not null,
        seq integer not null,
        memory_id text not null,
        entry jsonb not null,
        primary key (subject, seq)
      )`,
      `create index candor_memory_entries_memory on ${s}.candor_memory_entries (subject, memory_id)`,
      `create table ${s}.candor_explanation_audits (
        key text primary key,
        subject text not null,
        decision_id text not null,
        at bigint not null,
        explanation_id text not null,
        audit jsonb not null
      )`,
      `create index candor_explanation_audits_subject on ${s}.candor_explanation_audits (subject, at)`,
      `create index candor_explanation_audits_decision on ${s}.candor_explanation_audits (decision_id, at)`,
    ],
  },
  {
    version: 7,
    name: 'feedback: guardrail checkpoints, so loops with a subject cache start without reading every event',
    statements: (s: string) => [
      // JSON as text: read back whole and parsed once in the app, with no jsonb conversion.
      `create table ${s}.candor_feedback_checkpoints (
        key text primary key,
        events bigint not null,
        checkpoint text not null,
        written_at timestamptz not null default now()
      )`,
    ],
  },
  {
    version: 8,
    name: 'memory snapshots: each subject’s active memories, kept with every write',
    statements: (s: string) => [
      // One row per subject: the JSON array of its active memories, in the order the memory
      // package's fold gives them, deflated by the store (a tenth of the bytes to read and send;
      // stored as it is, not compressed again). The store rewrites it in the transaction of every
      // append and erasure; a missing row is built from the entries (by the store: the fold
      // lives in @candor/memory, so this migration does not backfill in SQL).
      `create table ${s}.candor_memory_snapshots (
        subject text primary key,
        memories bytea not null,
        count integer not null
      )`,
      `alter table ${s}.candor_memory_snapshots alter column memories set storage external`,
      // Any other change to the entries (a writer of an older version, a hand-written delete)
      // drops the subjects' snapshots, so nothing erased or changed can be recalled from one.
      `create function ${s}.candor_memory_snapshots_drop() returns trigger language plpgsql as $$
        begin
          if coalesce(current_setting('candor.memory_snapshots', true), '') = 'kept' then
            return null;
          end if;
          if tg_op = 'TRUNCATE' then
            delete from ${s}.candor_memory_snapshots;
          elsif tg_op = 'INSERT' then
            delete from ${s}.candor_memory_snapshots where subject in (select subject from added);
          elsif tg_op = 'DELETE' then
            delete from ${s}.candor_memory_snapshots where subject in (select subject from gone);
          else
            delete from ${s}.candor_memory_snapshots
            where subject in (select subject from added union select subject from gone);
          end if;
          return null;
        end
      $$`,
      `create trigger candor_memory_snapshots_insert after insert on ${s}.candor_memory_entries
        referencing new table as added
        for each statement execute function ${s}.candor_memory_snapshots_drop()`,
      `create trigger candor_memory_snapshots_delete after delete on ${s}.candor_memory_entries
        referencing old table as gone
        for each statement execute function ${s}.candor_memory_snapshots_drop()`,
      `create trigger candor_memory_snapshots_update after update on ${s}.candor_memory_entries
        referencing old table as gone new table as added
        for each statement execute function ${s}.candor_memory_snapshots_drop()`,
      `create trigger candor_memory_snapshots_truncate after truncate on ${s}.candor_memory_entries
        for each statement execute function ${s}.candor_memory_snapshots_drop()`,
    ],
  },
  {
    version: 9,
    name: 'consent current state per purpose and data category',
    statements: (s: string) => [
      // '' is the whole purpose (every row before this migration); a category choice has its own row.
      `alter table ${s}.candor_consent_current add column data_category text not null default ''`,
      `alter table ${s}.candor_consent_current drop constraint candor_consent_current_pkey`,
      `alter table ${s}.candor_consent_current add primary key (subject, purpose, data_category)`,
    ],
  },
  {
    version: 10,
    name: 'access records: the fields a history summary groups by, as columns',
    statements: (s: string) => [
      // Kept by PostgreSQL from the record itself, so every writer fills them and nothing can
      // disagree with the JSON; the summary groups these instead of parsing each record's JSON.
      `alter table ${s}.candor_access_records
        add column accessor_kind text
          generated always as (record->'accessor'->>'kind') stored,
        add column accessor_feature text
          generated always as (case when record->'accessor'->>'kind' = 'feature'
                                    then record->'accessor'->>'id' end) stored,
        add column outcome text generated always as (record->>'outcome') stored,
        add column data_categories jsonb generated always as (record->'dataCategories') stored`,
    ],
  },
  {
    version: 11,
    name: 'memory slices: each subject’s active memories by purpose, so a recall reads only its own',
    statements: (s: string) => [
      // Per subject, its active memories cut by the purposes they serve (one row per purpose,
      // one of the open complaints and cases, and under '' the count and contradictions of the
      // whole), each the deflated JSON of the memories and their positions in the snapshot. The
      // store writes them with the snapshot, in its transaction; missing rows are built from it.
      `create table ${s}.candor_memory_slices (
        subject text not null,
        slice text not null,
        memories bytea not null,
        primary key (subject, slice)
      )`,
      `alter table ${s}.candor_memory_slices alter column memories set storage external`,
      // Any other change to the entries drops the subjects' slices with their snapshots.
      `create or replace function ${s}.candor_memory_snapshots_drop() returns trigger language plpgsql as $$
        begin
          if coalesce(current_setting('candor.memory_snapshots', true), '') = 'kept' then
            return null;
          end if;
          if tg_op = 'TRUNCATE' then
            delete from ${s}.candor_memory_snapshots;
            delete from ${s}.candor_memory_slices;
          elsif tg_op = 'INSERT' then
            delete from ${s}.candor_memory_snapshots where subject in (select subject from added);
            delete from ${s}.candor_memory_slices where subject in (select subject from added);
          elsif tg_op = 'DELETE' then
            delete from ${s}.candor_memory_snapshots where subject in (select subject from gone);
            delete from ${s}.candor_memory_slices where subject in (select subject from gone);
          else
            delete from ${s}.candor_memory_snapshots
            where subject in (select subject from added union select subject from gone);
            delete from ${s}.candor_memory_slices
            where subject in (select subject from added union select subject from gone);
          end if;
          return null;
        end
      $$`,
    ],
  },
  {
    version: 12,
    name: 'memory snapshots and slices: a packed form that is quicker to read, marked per row',
    statements: (s: string) => [
      // 1: the deflated JSON of migrations 8 and 11 (an array of memories; { positions,
      // memories }); 2: the same packed (@candor/postgres's memory-pack.ts), deflated. Rows
      // written before (and by writers that do not name a format) are 1 and are still read as
      // such; the store writes 2 with every write, and `buildSnapshots()` rewrites a customer's
      // rows of format 1 from the snapshot.
      `alter table ${s}.candor_memory_snapshots add column format smallint not null default 1
        check (format in (1, 2))`,
      `alter table ${s}.candor_memory_slices add column format smallint not null default 1
        check (format in (1, 2))`,
    ],
  },
  {
    version: 13,
    name: 'change records and correction events: the rules engine’s changes and customers’ corrections',
    statements: (s: string) => [
      // What a rule changed for a customer, and its undo or expiry: a record id is stored once.
      `create table ${s}.candor_change_records (
        seq bigint generated always as identity primary key,
        id text not null unique,
        subject text not null,
        record jsonb not null
      )`,
      `create index candor_change_records_subject on ${s}.candor_change_records (subject, seq)`,
      // Corrections of the data held about a customer: one opening and one decision each.
      `create table ${s}.candor_correction_events (
        seq bigint generated always as identity primary key,
        subject text not null,
        correction_id text not null,
        opening boolean not null,
        event jsonb not null,
        unique (subject, correction_id, opening)
      )`,
      `create index candor_correction_events_subject on ${s}.candor_correction_events (subject, seq)`,
    ],
  },
  {
    version: 14,
    name: 'undo claims: one instance at a time undoes a change',
    statements: (s: string) => [
      // Who is undoing which change, until when (epoch ms); dropped when the undo is recorded.
      `create table ${s}.candor_undo_claims (
        change_id text primary key,
        holder text not null,
        until bigint not null
      )`,
    ],
  },
  {
    version: 15,
    name: 'access records: an id is unique per customer',
    statements: (s: string) => [
      // A record whose id another customer's record has is kept (it was dropped); a repeated
      // record of the same customer (a retried append) is still stored once.
      `alter table ${s}.candor_access_records drop constraint candor_access_records_pkey`,
      `alter table ${s}.candor_access_records add primary key (subject, id)`,
    ],
  },
  {
    version: 16,
    name: 'rule schedules by subject: an engine loads a customer’s plans with their state',
    statements: (s: string) => [
      `create index candor_rule_schedules_subject on ${s}.candor_rule_schedules (subject)`,
    ],
  },
  {
    version: 17,
    name: 'access records: at the same instant, the last appended first (as in memory)',
    statements: (s: string) => [
      // Numbered in the order they are appended (a batch in its order), so records at the same
      // instant come back as the in-memory log returns them, whatever their ids.
      `alter table ${s}.candor_access_records add column seq bigint generated always as identity`,
      `drop index ${s}.candor_access_records_subject`,
      `create index candor_access_records_subject on ${s}.candor_access_records (subject, at desc, seq desc)`,
    ],
  },
]);

/** A schema name Candor accepts: a lower-case SQL identifier (PostgreSQL allows 63 bytes). */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function checksum(text: string): string {
  // FNV-1a 32-bit, hex: enough to notice an edited migration, no crypto dependency.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * Applies the pending migrations to `schema`, in one transaction guarded by a transaction-scoped
 * advisory lock, so several instances starting at once apply each migration exactly once (the
 * others wait, then find nothing to do). Idempotent. Throws `postgres/migration_failed` when a
 * statement fails (nothing of the call is applied), when an applied migration was edited, or
 * when the schema is newer than this package, and `postgres/invalid_options` for a malformed
 * argument.
 *
 * @example
 * const report = await migrate(driver, 'public');
 */
export async function migrate(
  driver: CandorDriver,
  schema: string,
  migrations: readonly Migration[] = candorMigrations,
): Promise<MigrationReport> {
  if (typeof driver !== 'object' || driver === null || typeof driver.transaction !== 'function')
    throw invalidOption(
      'driver',
      driver,
      'must be a driver from createPgDriver or createPgliteDriver',
    );
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema))
    throw invalidOption('schema', schema, 'must be a lower-case SQL identifier (a-z, 0-9, _)');
  if (!Array.isArray(migrations))
    throw invalidOption('migrations', migrations, 'must be an array of migrations');
  const s = quoteIdent(schema);
  const latest = migrations.at(-1)?.version ?? 0;
  try {
    return await driver.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `candor:migrate:${schema}`,
      ]);
      await tx.query(`create schema if not exists ${s}`);
      await tx.query(
        `create table if not exists ${s}.candor_migrations (
          version integer primary key,
          name text not null,
          checksum text not null,
          applied_at timestamptz not null default now()
        )`,
      );
      const rows = await tx.query<{ version: number; checksum: string }>(
        `select version, checksum from ${s}.candor_migrations order by version`,
      );
      const done = new Map(rows.map((r) => [Number(r.version), r.checksum]));
      const newest = Math.max(0, ...done.keys());
      if (newest > latest) {
        throw new CandorError(
          'postgres/migration_failed',
          `Schema ${schema} is at version ${newest}, newer than this package knows (${latest}); upgrade @candor/postgres`,
          { path: 'schema', value: schema, version: newest, known: latest },
        );
      }
      const applied: number[] = [];
      for (const migration of migrations) {
        const statements = migration.statements(s);
        const sum = checksum(migration.statements('"schema"').join(';\n'));
        const stored = done.get(migration.version);
        if (stored !== undefined) {
          if (stored !== sum) {
            throw new CandorError(
              'postgres/migration_failed',
              `Migration ${migration.version} (${migration.name}) was changed after it was applied`,
              { path: `migrations[${migration.version}]`, value: stored, expected: sum },
            );
          }
          continue;
        }
        for (const statement of statements) await tx.query(statement);
        await tx.query(
          `insert into ${s}.candor_migrations (version, name, checksum) values ($1, $2, $3)`,
          [migration.version, migration.name, sum],
        );
        applied.push(migration.version);
      }
      return { applied, version: Math.max(newest, ...applied) };
    });
  } catch (error) {
    if (error instanceof CandorError && error.code === 'postgres/migration_failed') throw error;
    throw new CandorError<PostgresErrorCode>(
      'postgres/migration_failed',
      `Migrating schema ${schema} failed: ${error instanceof Error ? error.message : String(error)}`,
      { path: 'schema', value: schema },
      { cause: error },
    );
  }
}
