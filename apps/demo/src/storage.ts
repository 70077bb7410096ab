import { mkdir } from 'node:fs/promises';
import type { ConsentLedgerStore } from '@candor/consent';
import type { AccessLog, ChangeLog } from '@candor/core';
import type { CorrectionStore, FeedbackStore } from '@candor/feedback';
import type { MemoryStore } from '@candor/memory';
import { type CandorDatabase, createCandorDatabase } from '@candor/postgres';
import { createPostgresAccessLog } from '@candor/postgres/access';
import { createPostgresLedgerStore } from '@candor/postgres/consent';
import {
  createPostgresCorrectionStore,
  createPostgresFeedbackStore,
} from '@candor/postgres/feedback';
import { createPostgresMemoryStore } from '@candor/postgres/memory';
import { createPostgresChangeLog, createPostgresRuleStateStore } from '@candor/postgres/rules';
import type { Proposal, RuleStateStore } from '@candor/rules';
import type { DemoConfig } from './config';

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A delivered message: the rule engine's proposal and the text the customer saw. */
export interface StoredMessage {
  readonly id: string;
  readonly subject: string;
  readonly at: number;
  readonly title: string;
  readonly body: string;
  readonly proposal: Proposal;
}

/** The app's own records: the inbox, the virtual clock, bookings and changes made for customers. */
export interface AppStore {
  appendMessage(message: StoredMessage): Promise<void>;
  messages(): Promise<readonly StoredMessage[]>;
  getClock(): Promise<number | null>;
  setClock(at: number): Promise<void>;
  /** The flight a customer is booked on now, when it was ever changed (else the seeded one). */
  getBooking(subject: string): Promise<string | null>;
  setBooking(subject: string, flight: string): Promise<void>;
  /** What the customer chose on a message that offered choices (`null`: nothing yet). */
  getChoice(messageId: string): Promise<{ choice: string; at: number } | null>;
  setChoice(messageId: string, choice: string, at: number): Promise<void>;
  /** When a technician is booked to visit the customer (`null`: no visit booked). */
  getVisit(subject: string): Promise<number | null>;
  setVisit(subject: string, at: number): Promise<void>;
  /** Changes made for customers and their undo or expiry (`@candor/core`'s `ChangeLog` port). */
  readonly changes: ChangeLog;
}

/** Every store the demo composes, and how to close them. */
export interface DemoStorage {
  /** Where the data lives, for the start log. */
  readonly description: string;
  readonly ledger: ConsentLedgerStore;
  readonly ruleState: RuleStateStore;
  readonly feedback: FeedbackStore;
  /** Customers' corrections of the data held about them (`@candor/feedback`). */
  readonly corrections: CorrectionStore;
  /** What customers told us and why, complaints and cases (`@candor/memory`). */
  readonly memory: MemoryStore;
  /** Every use of a customer's data: rule evaluations, explanations, recalls, staff look-ups. */
  readonly accessLog: AccessLog;
  readonly app: AppStore;
  close(): Promise<void>;
}

interface MessageRow {
  id: string;
  subject: string;
  at: string | number;
  title: string;
  body: string;
  proposal: string | Proposal;
}

/** The app's own tables, beside the packages' `candor_` tables (created when missing). */
async function sqlAppStore(db: CandorDatabase): Promise<AppStore> {
  const sql = db.driver;
  const messages = `${quoteIdent(db.schema)}.demo_messages`;
  const meta = `${quoteIdent(db.schema)}.demo_meta`;
  await sql.transaction(async (tx) => {
    await tx.query(
      `create table if not exists ${messages} (
        id text primary key,
        subject text not null,
        at bigint not null,
        title text not null,
        body text not null,
        proposal jsonb not null
      )`,
    );
    await tx.query(
      `create table if not exists ${meta} (key text primary key, value jsonb not null)`,
    );
  });
  // Read as text and parsed here: drivers differ in whether they parse jsonb, and a JSON string
  // value parsed by the driver is indistinguishable from JSON text.
  const getMeta = async (key: string): Promise<unknown> => {
    const rows = await sql.query<{ value: string }>(
      `select value::text as value from ${meta} where key = $1`,
      [key],
    );
    const value = rows[0]?.value;
    return value === undefined ? undefined : JSON.parse(value);
  };
  const setMeta = async (key: string, value: unknown) => {
    await sql.query(
      `insert into ${meta} (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value`,
      [key, JSON.stringify(value)],
    );
  };
  return {
    async appendMessage(m) {
      await sql.query(
        `insert into ${messages} (id, subject, at, title, body, proposal) values ($1, $2, $3, $4, $5, $6)
         on conflict (id) do nothing`,
        [m.id, m.subject, m.at, m.title, m.body, JSON.stringify(m.proposal)],
      );
    },
    async messages() {
      const rows = await sql.query<MessageRow>(
        `select id, subject, at, title, body, proposal from ${messages} order by at, id`,
      );
      return rows.map((r) => ({
        id: r.id,
        subject: r.subject,
        at: Number(r.at),
        title: r.title,
        body: r.body,
        proposal: (typeof r.proposal === 'string'
          ? JSON.parse(r.proposal)
          : r.proposal) as Proposal,
      }));
    },
    async getClock() {
      const rows = await sql.query<{ value: unknown }>(
        `select value from ${meta} where key = 'clock'`,
      );
      const value = rows[0]?.value;
      const n = typeof value === 'string' ? Number(JSON.parse(value)) : Number(value);
      return rows.length && Number.isFinite(n) ? n : null;
    },
    async getBooking(subject) {
      const value = await getMeta(`booking:${subject}`);
      return typeof value === 'string' ? value : null;
    },
    setBooking: (subject, flight) => setMeta(`booking:${subject}`, flight),
    async getVisit(subject) {
      const value = await getMeta(`visit:${subject}`);
      return typeof value === 'number' ? value : null;
    },
    setVisit: (subject, at) => setMeta(`visit:${subject}`, at),
    async getChoice(messageId) {
      const value = (await getMeta(`choice:${messageId}`)) as { choice?: unknown; at?: unknown };
      return typeof value?.choice === 'string' && typeof value.at === 'number'
        ? { choice: value.choice, at: value.at }
        : null;
    },
    setChoice: (messageId, choice, at) => setMeta(`choice:${messageId}`, { choice, at }),
    changes: createPostgresChangeLog(db),
    async setClock(at) {
      await sql.query(
        `insert into ${meta} (key, value) values ('clock', $1) on conflict (key) do update set value = excluded.value`,
        [JSON.stringify(at)],
      );
    },
  };
}

/**
 * Moves what earlier versions of the demo kept in tables of their own (changes made for
 * customers, corrections) into the packages' tables, once, so an older data folder loses nothing.
 */
async function adoptOlderTables(db: CandorDatabase): Promise<void> {
  const schema = quoteIdent(db.schema);
  await db.driver.transaction(async (tx) => {
    const [older] = await tx.query<{ changes: string | null; corrections: string | null }>(
      `select to_regclass($1) as changes, to_regclass($2) as corrections`,
      [`${schema}.demo_changes`, `${schema}.demo_corrections`],
    );
    if (older?.changes) {
      await tx.query(
        `insert into ${db.table('change_records')} (id, subject, record)
         select id, subject, record from ${schema}.demo_changes order by seq
         on conflict (id) do nothing`,
      );
      await tx.query(`drop table ${schema}.demo_changes`);
    }
    if (older?.corrections) {
      await tx.query(
        `insert into ${db.table('correction_events')} (subject, correction_id, opening, event)
         select subject, event->>'correctionId', event->>'type' = 'opened', event
         from ${schema}.demo_corrections order by seq
         on conflict do nothing`,
      );
      await tx.query(`drop table ${schema}.demo_corrections`);
    }
  });
}

/**
 * Opens the database (PostgreSQL when `DATABASE_URL` is set, else PGlite in the data folder),
 * applies migrations, and returns every store the demo composes.
 */
export async function openStorage(
  config: DemoConfig,
  log: (line: string) => void,
): Promise<DemoStorage> {
  const where =
    config.databaseUrl === null
      ? `PGlite in ${config.dataDir}`
      : `PostgreSQL at ${redactUrl(config.databaseUrl)}${config.schema ? ` (schema ${config.schema})` : ''}`;
  log(`  database: opening ${where}`);
  if (config.databaseUrl === null && !config.dataDir.startsWith('memory://'))
    await mkdir(config.dataDir, { recursive: true });
  const db = await createCandorDatabase({
    ...(config.databaseUrl === null ? { dataDir: config.dataDir } : { url: config.databaseUrl }),
    ...(config.schema ? { schema: config.schema } : {}),
    migrate: false,
  });
  try {
    const report = await db.migrate();
    log(
      report.applied.length
        ? `  migrations: applied ${report.applied.join(', ')} (schema version ${report.version})`
        : `  migrations: up to date (schema version ${report.version})`,
    );
    await adoptOlderTables(db);
    const app = await sqlAppStore(db);
    return {
      description: where,
      ledger: createPostgresLedgerStore(db),
      ruleState: createPostgresRuleStateStore(db),
      feedback: createPostgresFeedbackStore(db),
      corrections: createPostgresCorrectionStore(db),
      memory: createPostgresMemoryStore(db),
      accessLog: createPostgresAccessLog(db),
      app,
      async close() {
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
