import { CandorError, type SubjectId } from '@candor/core';
import type {
  DecisionEntry,
  AppendResult as FeedbackAppendResult,
  FeedbackCheckpoint,
  FeedbackEvent,
  FeedbackStore,
  GuardrailResume,
  ReadOptions,
  StoredDecisionEntry,
  StoredFeedbackEvent,
} from '@candor/feedback';
import { eventFingerprint } from '@candor/feedback';

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1_000) {
    throw new CandorError('feedback/invalid_option', 'checkpoint key: expected a short string', {
      path: 'key',
      value: key,
    });
  }
  return key;
}

import type { CandorDatabase } from './database';
import type { SqlClient } from './driver';
import { checkDatabase } from './errors';
import { type PostgresChangeFeed, recordChanges } from './feed';

/**
 * A durable {@link FeedbackStore} on PostgreSQL or PGlite, plus counts for dashboards.
 *
 * @example
 * const store = createPostgresFeedbackStore(db);
 * const loop = createFeedbackLoop({ store });
 * await loop.hydrate();
 */
export interface PostgresFeedbackStore extends FeedbackStore {
  /** The database's change feed: every append, from any instance, is announced on it. */
  readonly feed: PostgresChangeFeed;
  /** Stores guardrail resumes (`loop.resume()`), so a restarted loop keeps the rule resumed. */
  appendResumes(resumes: readonly GuardrailResume[]): Promise<void>;
  /** Reads every stored guardrail resume, in append order. */
  readResumes(): Promise<readonly GuardrailResume[]>;
  /** The guardrail checkpoint stored under `key`, or `null`. */
  readCheckpoint(key: string): Promise<FeedbackCheckpoint | null>;
  /** Stores a guardrail checkpoint unless one with more events is stored under `key`. */
  writeCheckpoint(key: string, checkpoint: FeedbackCheckpoint): Promise<void>;
  /** Every stored event of these customers, in order: one indexed read (for `prepare()`). */
  readEventsOf(subjects: readonly SubjectId[]): Promise<readonly StoredFeedbackEvent[]>;
  /** How many events and decisions are stored. */
  counts(): Promise<{ readonly events: number; readonly decisions: number }>;
}

type Num = string | number;

interface LogSpec<T> {
  readonly log: 'events' | 'decisions';
  readonly table: string;
  readonly keyColumn: string;
  readonly bodyColumn: string;
  readonly keyOf: (item: T) => string;
  readonly what: string;
}

function conflict(what: string, key: string, index: number, item: unknown): never {
  throw new CandorError(
    'feedback/idempotency_conflict',
    `${what} "${key}" is already stored with different content`,
    { path: `[${index}]`, value: item },
  );
}

function checkPage(options: ReadOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new CandorError('feedback/invalid_option', 'options: must be an object', {
      path: 'options',
      value: options,
    });
  }
  const bad = (path: string, value: unknown) => {
    throw new CandorError('feedback/invalid_option', `${path}: must be a non-negative integer`, {
      path,
      value,
    });
  };
  if (
    options.afterSeq !== undefined &&
    (!Number.isSafeInteger(options.afterSeq) || options.afterSeq < 0)
  )
    bad('afterSeq', options.afterSeq);
  if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 0))
    bad('limit', options.limit);
  if (options.since !== undefined && !Number.isSafeInteger(options.since))
    bad('since', options.since);
}

/**
 * Creates the durable feedback store over an open {@link CandorDatabase}: two append-only logs
 * (`candor_feedback_events`, `candor_feedback_decisions`) with gap-free positions, and the
 * guardrail resumes a human decided (`candor_feedback_resumes`).
 *
 * Each append is one transaction that locks its log's counter row, so positions are gap-free
 * and in commit order even with many writers; idempotency keys (events) and decision ids are
 * unique. An identical re-append is reported in `duplicates`; the same key with other content
 * rejects the whole call with `feedback/idempotency_conflict` and writes nothing.
 *
 * @example
 * const db = await createCandorDatabase({ url: process.env.DATABASE_URL });
 * const loop = createFeedbackLoop({ store: createPostgresFeedbackStore(db) });
 */
export function createPostgresFeedbackStore(db: CandorDatabase): PostgresFeedbackStore {
  checkDatabase(db);
  const sql: SqlClient = db.driver;
  const counters = db.table('feedback_counters');
  const resumes = db.table('feedback_resumes');
  const checkpoints = db.table('feedback_checkpoints');
  const events: LogSpec<FeedbackEvent> = {
    log: 'events',
    table: db.table('feedback_events'),
    keyColumn: 'idempotency_key',
    bodyColumn: 'event',
    keyOf: (e) => e.idempotencyKey,
    what: 'idempotency key',
  };
  const decisions: LogSpec<DecisionEntry> = {
    log: 'decisions',
    table: db.table('feedback_decisions'),
    keyColumn: 'decision_id',
    bodyColumn: 'entry',
    keyOf: (d) => d.decisionId,
    what: 'decision',
  };

  async function append<T extends FeedbackEvent | DecisionEntry>(
    spec: LogSpec<T>,
    items: readonly T[],
  ): Promise<FeedbackAppendResult> {
    if (!Array.isArray(items)) {
      throw new CandorError('feedback/invalid_event', 'append expects an array', {
        path: '(root)',
        value: items,
      });
    }
    if (items.length === 0) return { appended: [], duplicates: [] };
    const keys = items.map((item, i) => {
      const key = typeof item === 'object' && item !== null ? spec.keyOf(item) : undefined;
      if (typeof key !== 'string' || key.length === 0) {
        throw new CandorError(
          'feedback/invalid_event',
          `[${i}]: ${spec.what} must be a non-empty string`,
          {
            path: `[${i}]`,
            value: item,
          },
        );
      }
      return key;
    });
    const prints = items.map((item) => eventFingerprint(item));
    return db.driver.transaction(async (tx) => {
      const [counter] = await tx.query<{ last_seq: Num }>(
        `select last_seq from ${counters} where log = $1 for update`,
        [spec.log],
      );
      const stored = new Map(
        (
          await tx.query<{ key: string; fingerprint: string }>(
            `select ${spec.keyColumn} as key, fingerprint from ${spec.table}
             where ${spec.keyColumn} = any($1::text[])`,
            [[...new Set(keys)]],
          )
        ).map((r) => [r.key, r.fingerprint]),
      );
      const batch = new Map<string, string>();
      items.forEach((item, i) => {
        const key = keys[i] as string;
        const known = stored.get(key) ?? batch.get(key);
        if (known !== undefined && known !== prints[i]) conflict(spec.what, key, i, item);
        batch.set(key, prints[i] as string);
      });
      const appended: string[] = [];
      const duplicates: string[] = [];
      const rows: { key: string; item: T; print: string }[] = [];
      const seen = new Set(stored.keys());
      items.forEach((item, i) => {
        const key = keys[i] as string;
        if (seen.has(key)) {
          duplicates.push(key);
          return;
        }
        seen.add(key);
        appended.push(key);
        rows.push({ key, item, print: prints[i] as string });
      });
      if (rows.length > 0) {
        const first = Number(counter?.last_seq ?? 0) + 1;
        const seqs = rows.map((_, i) => first + i);
        const subjects = rows.map((r) => r.item.subject);
        const ats = rows.map((r) => r.item.at);
        const ruleIds = rows.map((r) => r.item.ruleId);
        const bodies = rows.map((r) => JSON.stringify(r.item));
        const fingerprints = rows.map((r) => r.print);
        if (spec.log === 'events') {
          await tx.query(
            `insert into ${spec.table} (seq, idempotency_key, subject, at, kind, rule_id, fingerprint, event)
             select seq, key, subject, at, kind, rule_id, fp, body::jsonb
             from unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
               as u(seq, key, subject, at, kind, rule_id, fp, body)`,
            [
              seqs,
              rows.map((r) => r.key),
              subjects,
              ats,
              rows.map((r) => (r.item as FeedbackEvent).kind),
              ruleIds,
              fingerprints,
              bodies,
            ],
          );
        } else {
          await tx.query(
            `insert into ${spec.table} (seq, decision_id, subject, at, rule_id, fingerprint, entry)
             select seq, key, subject, at, rule_id, fp, body::jsonb
             from unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
               as u(seq, key, subject, at, rule_id, fp, body)`,
            [seqs, rows.map((r) => r.key), subjects, ats, ruleIds, fingerprints, bodies],
          );
        }
        await tx.query(`update ${counters} set last_seq = $2 where log = $1`, [
          spec.log,
          first + rows.length - 1,
        ]);
        // After the log's own counter (every feedback append takes the two in this order).
        await recordChanges(
          tx,
          db,
          `feedback.${spec.log}`,
          rows.map((r, i) => ({
            subject: r.item.subject,
            sequence: seqs[i] as number,
            key: r.key,
          })),
        );
      }
      return { appended, duplicates };
    });
  }

  async function read<T>(
    spec: LogSpec<never>,
    options: ReadOptions = {},
  ): Promise<{ seq: number; body: T }[]> {
    checkPage(options);
    if (options.limit === 0) return [];
    const rows = await sql.query<{ seq: Num; body: T }>(
      `select seq, ${spec.bodyColumn} as body from ${spec.table}
       where seq > $1 and ($2::text is null or subject = $2) and ($3::bigint is null or at >= $3)
       order by seq ${options.limit === undefined ? '' : 'limit $4'}`,
      options.limit === undefined
        ? [options.afterSeq ?? 0, options.subject ?? null, options.since ?? null]
        : [options.afterSeq ?? 0, options.subject ?? null, options.since ?? null, options.limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), body: r.body }));
  }

  return {
    feed: db.feed,
    appendEvents: (items) => append(events, items),
    appendDecisions: (items) => append(decisions, items),
    async readEvents(options): Promise<readonly StoredFeedbackEvent[]> {
      const rows = await read<FeedbackEvent>(events as LogSpec<never>, options);
      return rows.map((r) => ({ seq: r.seq, event: r.body }));
    },
    async readEventsOf(subjects): Promise<readonly StoredFeedbackEvent[]> {
      if (!Array.isArray(subjects) || subjects.some((s) => typeof s !== 'string')) {
        throw new CandorError('feedback/invalid_event', 'subjects: expected an array of strings', {
          path: 'subjects',
          value: subjects,
        });
      }
      if (subjects.length === 0) return [];
      // One indexed read (subject, seq) for the whole batch.
      const rows = await sql.query<{ seq: Num; body: FeedbackEvent }>(
        `select seq, ${events.bodyColumn} as body from ${events.table}
         where subject = any($1::text[]) order by seq`,
        [[...new Set(subjects)]],
      );
      return rows.map((r) => ({ seq: Number(r.seq), event: r.body }));
    },
    async readDecisions(options): Promise<readonly StoredDecisionEntry[]> {
      const rows = await read<DecisionEntry>(decisions as LogSpec<never>, options);
      return rows.map((r) => ({ seq: r.seq, entry: r.body }));
    },
    async appendResumes(items) {
      if (!Array.isArray(items)) {
        throw new CandorError('feedback/invalid_event', 'appendResumes expects an array', {
          path: '(root)',
          value: items,
        });
      }
      if (items.length === 0) return;
      await db.driver.transaction(async (tx) => {
        await recordChanges(
          tx,
          db,
          'feedback.resumes',
          items.map((r) => ({ subject: null, sequence: 0, key: r.ruleId })),
        );
        await tx.query(
          `insert into ${resumes} (rule_id, variant_id, at)
           select * from unnest($1::text[], $2::text[], $3::bigint[])`,
          [items.map((r) => r.ruleId), items.map((r) => r.variantId), items.map((r) => r.at)],
        );
      });
    },
    async readCheckpoint(key) {
      const rows = await sql.query<{ checkpoint: string }>(
        `select checkpoint from ${checkpoints} where key = $1`,
        [checkKey(key)],
      );
      const text = rows[0]?.checkpoint;
      // A loop checks what it restores and reads every event instead of a malformed one.
      return text === undefined ? null : (JSON.parse(text) as FeedbackCheckpoint);
    },
    async writeCheckpoint(key, checkpoint) {
      // Kept only when it covers more events than the stored one.
      await sql.query(
        `insert into ${checkpoints} (key, events, checkpoint) values ($1, $2, $3)
         on conflict (key) do update set events = excluded.events,
           checkpoint = excluded.checkpoint, written_at = now()
         where ${checkpoints}.events < excluded.events`,
        [checkKey(key), checkpoint.events, JSON.stringify(checkpoint)],
      );
    },
    async readResumes(): Promise<readonly GuardrailResume[]> {
      const rows = await sql.query<{ rule_id: string; variant_id: string | null; at: Num }>(
        `select rule_id, variant_id, at from ${resumes} order by seq`,
      );
      return rows.map((r) => ({ ruleId: r.rule_id, variantId: r.variant_id, at: Number(r.at) }));
    },
    async counts() {
      const [row] = await sql.query<{ events: Num; decisions: Num }>(
        `select (select last_seq from ${counters} where log = 'events') as events,
                (select last_seq from ${counters} where log = 'decisions') as decisions`,
      );
      return { events: Number(row?.events ?? 0), decisions: Number(row?.decisions ?? 0) };
    },
  };
}
export { createPostgresCorrectionStore } from './corrections';
