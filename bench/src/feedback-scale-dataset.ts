import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createFeedbackLoop, eventFingerprint, type FeedbackEvent } from '@candor/feedback';
import { createCandorDatabase } from '@candor/postgres';
import { createPostgresFeedbackStore } from '@candor/postgres/feedback';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { readMarker, withClient } from './pg-client.ts';
import { copyText } from './scale-dataset.ts';

/**
 * The feedback part of the scale benchmark (issue #20): 1M subjects and 3M feedback events in
 * the PostgreSQL feedback store's tables, kept between runs in this fixed schema so they are
 * generated once, with the guardrail checkpoint a deployment's loops would have written. The
 * suite regenerates it when the schema is missing, incomplete (no marker row, counts off) or of
 * another {@link FEEDBACK_DATASET_VERSION}. Drop it with `drop schema bench_feedback_1m cascade`.
 */
export const FEEDBACK_SCHEMA = 'bench_feedback_1m';
/** Bump when the generated events change: a kept dataset of another version is regenerated. */
export const FEEDBACK_DATASET_VERSION = 'feedback-scale-v2';
export const FEEDBACK_SUBJECTS = 1_000_000;
export const EVENTS_PER_SUBJECT = 3;
export const FEEDBACK_EVENTS = FEEDBACK_SUBJECTS * EVENTS_PER_SUBJECT;
/** The marker written last: a dataset without it (or with other counts) is incomplete. */
const MARKER = 'bench_feedback_dataset';

const MINUTE = 60_000;
export const DAY = 86_400_000;
/** When the log starts; subject i's first event is i/2 seconds later (5.8 days in all). */
export const FEEDBACK_T0 = Date.parse('2026-03-02T09:00:00Z');
/**
 * The loops' clock: after every event (the last is 5.8 days + 1 hour after T0), and within every
 * suppression the dataset records (`too_frequent` lasts 14 days, `not_interested` 90) and the
 * fatigue window (7 days), so each subject's verdict depends only on its group.
 */
export const FEEDBACK_NOW = FEEDBACK_T0 + 6 * DAY;

export const feedbackSubject = (i: number): string => `cus_${i}`;

/** The rules the events answer: four topics, three channels, one rule with two variants. */
export const RULES = [
  { ruleId: 'welcome-series', topic: 'onboarding.welcome', channel: 'email', variants: null },
  { ruleId: 'travel-offer', topic: 'offers.travel', channel: 'push', variants: ['a', 'b'] },
  { ruleId: 'card-expiry', topic: 'billing.card_expiry', channel: 'email', variants: null },
  { ruleId: 'loyalty-points', topic: 'offers.loyalty', channel: 'sms', variants: null },
] as const;
type Rule = (typeof RULES)[number];

/** Subject i's first message's rule (the one the suite asks about), independent of its group. */
export const ruleOf = (i: number): Rule => RULES[Math.floor(i / 20) % RULES.length]!;
/** The rule of subject i's other message. */
const otherRuleOf = (i: number): Rule => RULES[(Math.floor(i / 20) + 1) % RULES.length]!;

/** When subject i's k-th event (0, 1, 2) happened: its first, then 10 minutes and 1 hour later. */
const OFFSETS = [0, 10 * MINUTE, 60 * MINUTE] as const;
export const eventAt = (i: number, k: number): number => FEEDBACK_T0 + i * 500 + OFFSETS[k]!;

function message(
  i: number,
  k: number,
  kind: FeedbackEvent['kind'],
  decision: number,
  rule: Rule,
): FeedbackEvent {
  const subject = feedbackSubject(i);
  // Plain literals (no spread), the optional fields only when set, as an app's events are.
  const event: FeedbackEvent = {
    idempotencyKey: `fb_${i}_${k}`,
    kind,
    decisionId: `d_${i}_${decision}`,
    subject,
    ruleId: rule.ruleId,
    topic: rule.topic,
    channel: rule.channel,
    at: eventAt(i, k),
  };
  if (rule.variants !== null) event.variantId = rule.variants[i % 2]!;
  return event;
}

/**
 * Subject i's three events, by group `i % 20`, about its message of rule {@link ruleOf} (decision
 * 1) and a second message (decision 2, of the next rule, or 2 and 3 of the same rule):
 * - 0–7 (40%): delivered, opened, another message delivered: nothing suppressed;
 * - 8–11 (20%): delivered, opened, then `not_interested` (scope topic): the topic is muted;
 * - 12–13 (10%): two messages of the rule delivered, then `too_frequent` (default scope channel:
 *   its budget halves for 14 days, to 2, both used);
 * - 14 (5%): delivered, `stop_this` (the rule, permanently), another message delivered;
 * - 15–19 (25%): three messages delivered (two of the same rule): within the budget.
 */
export function feedbackEventsFor(i: number): FeedbackEvent[] {
  const g = i % 20;
  const rule = ruleOf(i);
  const other = otherRuleOf(i);
  if (g <= 7)
    return [
      message(i, 0, 'delivered', 1, rule),
      message(i, 1, 'opened', 1, rule),
      message(i, 2, 'delivered', 2, other),
    ];
  if (g <= 11) {
    const stop = message(i, 2, 'not_interested', 1, rule);
    stop.scope = 'topic';
    return [message(i, 0, 'delivered', 1, rule), message(i, 1, 'opened', 1, rule), stop];
  }
  if (g <= 13)
    return [
      message(i, 0, 'delivered', 1, rule),
      message(i, 1, 'delivered', 2, rule),
      message(i, 2, 'too_frequent', 1, rule),
    ];
  if (g === 14)
    return [
      message(i, 0, 'delivered', 1, rule),
      message(i, 1, 'stop_this', 1, rule),
      message(i, 2, 'delivered', 2, other),
    ];
  return [
    message(i, 0, 'delivered', 1, rule),
    message(i, 1, 'delivered', 2, rule),
    message(i, 2, 'delivered', 3, other),
  ];
}

/** The query the suite checks for subject i: its first message's rule, topic and channel, now. */
export function queryFor(i: number) {
  const rule = ruleOf(i);
  return {
    subject: feedbackSubject(i),
    ruleId: rule.ruleId,
    topic: rule.topic,
    channel: rule.channel,
    at: FEEDBACK_NOW,
  };
}

/** What `check(queryFor(i))` must answer: the reason code, or `null` when not suppressed. */
export function expectedCode(i: number): string | null {
  const g = i % 20;
  if (g <= 7) return null;
  if (g <= 11) return 'not_interested';
  if (g <= 13) return 'too_frequent';
  if (g === 14) return 'stop_this';
  return null;
}

/** The columns of `candor_feedback_events` the COPY fills, in order. */
export const FEEDBACK_COPY_COLUMNS =
  'seq, idempotency_key, subject, at, kind, rule_id, fingerprint, event';

/**
 * One event as a COPY text row, exactly as the store's append writes it: the event's JSON text
 * (cast to jsonb), its fingerprint ({@link eventFingerprint}, what appends compare to tell a
 * duplicate from a conflict), and subject, at, kind and rule id copied out of it.
 */
export function feedbackCopyRow(seq: number, event: FeedbackEvent): string {
  return `${[
    String(seq),
    copyText(event.idempotencyKey),
    copyText(event.subject),
    String(event.at),
    copyText(event.kind),
    copyText(event.ruleId),
    copyText(eventFingerprint(event)),
    copyText(JSON.stringify(event)),
  ].join('\t')}\n`;
}

/**
 * Every event in the order it happened (its `seq`), as appends would have stored it: the three
 * streams (first, second and third events, each in subject order) merged by time, so a subject's
 * events lie among other subjects' (as in a log written as feedback arrives), not side by side.
 */
export function* eventsInOrder(subjects: number): Generator<FeedbackEvent> {
  const next = [0, 0, 0];
  for (;;) {
    let best = -1;
    for (let k = 0; k < EVENTS_PER_SUBJECT; k++) {
      const i = next[k]!;
      if (i >= subjects) continue;
      if (best === -1 || eventAt(i, k) < eventAt(next[best]!, best)) best = k;
    }
    if (best === -1) return;
    const i = next[best]!;
    next[best] = i + 1;
    yield feedbackEventsFor(i)[best]!;
  }
}

/** How the dataset was made: seconds per phase. */
export interface FeedbackDatasetSeconds {
  readonly total: number;
  readonly copy: number;
  readonly indexes: number;
  readonly vacuumAnalyze: number;
  /** The checkpoint: a bounded loop's hydrate() with none stored, i.e. reading all 3M events. */
  readonly checkpoint: number;
}

/** How the dataset was made, and whether now. */
export interface FeedbackDatasetInfo {
  readonly generatedNow: boolean;
  readonly generatedAt: string;
  readonly seconds: FeedbackDatasetSeconds;
  /** The stored checkpoint: events it covers, and its size as stored (bytes). */
  readonly checkpoint: { readonly key: string; readonly events: number; readonly bytes: number };
  readonly checkSeconds: number;
}

const q = (name: string) => `"${FEEDBACK_SCHEMA}"."${name}"`;

async function storedCheckpoint(client: pg.Client): Promise<FeedbackDatasetInfo['checkpoint']> {
  const { rows } = await client.query<{ key: string; events: string; bytes: number }>(
    `select key, events, pg_column_size(checkpoint) as bytes from ${q('candor_feedback_checkpoints')}`,
  );
  if (rows.length !== 1) throw new Error(`feedback scale: ${rows.length} checkpoints stored`);
  return { key: rows[0]!.key, events: Number(rows[0]!.events), bytes: rows[0]!.bytes };
}

/** The kept dataset's marker, if it is complete and of this version; else `null`. */
async function findComplete(
  client: pg.Client,
): Promise<Omit<FeedbackDatasetInfo, 'generatedNow' | 'checkSeconds'> | null> {
  const marker = await readMarker<{
    version: string;
    subjects: number;
    events: number;
    seconds: FeedbackDatasetSeconds;
    generated_at: Date;
  }>(client, q(MARKER));
  if (
    marker === null ||
    marker.version !== FEEDBACK_DATASET_VERSION ||
    marker.subjects !== FEEDBACK_SUBJECTS ||
    marker.events !== FEEDBACK_EVENTS
  )
    return null;
  // The marker is written last, but check the tables still hold what it says (a later append, by
  // a run that wrote feedback, would show in the counter).
  const { rows } = await client.query<{ events: string; last: string }>(
    `select (select count(*) from ${q('candor_feedback_events')}) as events,
            (select last_seq from ${q('candor_feedback_counters')} where log = 'events') as last`,
  );
  if (Number(rows[0]?.events) !== marker.events || Number(rows[0]?.last) !== marker.events)
    return null;
  const checkpoint = await storedCheckpoint(client);
  if (checkpoint.events !== marker.events) return null;
  return { generatedAt: marker.generated_at.toISOString(), seconds: marker.seconds, checkpoint };
}

const log = (line: string) => process.stderr.write(`feedback scale: ${line}\n`);

/**
 * Makes sure the dataset is in {@link FEEDBACK_SCHEMA}: keeps a complete one, else drops the
 * schema, migrates it, streams the events to PostgreSQL with COPY (indexes built afterwards), sets
 * the events counter, and runs a bounded loop's hydrate() once, which writes the checkpoint.
 */
export async function ensureFeedbackDataset(url: string): Promise<FeedbackDatasetInfo> {
  const checkStart = performance.now();
  const kept = await withClient(url, findComplete);
  const checkSeconds = (performance.now() - checkStart) / 1000;
  if (kept) return { ...kept, generatedNow: false, checkSeconds };
  log(`dataset missing or incomplete: generating ${FEEDBACK_EVENTS} events in ${FEEDBACK_SCHEMA}…`);
  const start = performance.now();
  await withClient(url, (c) => c.query(`drop schema if exists "${FEEDBACK_SCHEMA}" cascade`));
  // The tables exactly as an app's migrations create them.
  const migrated = await createCandorDatabase({ url, schema: FEEDBACK_SCHEMA });
  await migrated.close();
  const loaded = await withClient(url, async (client) => {
    const events = q('candor_feedback_events');
    await client.query(`set maintenance_work_mem = '1GB'`);
    // Loaded without its indexes (primary key, unique key, (subject, seq)), built once afterwards.
    const { rows: constraints } = await client.query<{ name: string; def: string }>(
      `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
       where conrelid = $1::regclass and contype in ('p', 'u') order by conname`,
      [events],
    );
    const { rows: indexes } = await client.query<{ name: string; def: string }>(
      `select i.relname as name, pg_get_indexdef(i.oid) as def from pg_index x
       join pg_class i on i.oid = x.indexrelid
       where x.indrelid = $1::regclass
         and not exists (select 1 from pg_constraint c where c.conindid = i.oid)
       order by i.relname`,
      [events],
    );
    for (const c of constraints)
      await client.query(`alter table ${events} drop constraint "${c.name}"`);
    for (const i of indexes) await client.query(`drop index "${FEEDBACK_SCHEMA}"."${i.name}"`);

    let t = performance.now();
    const copy = client.query(copyFrom(`copy ${events} (${FEEDBACK_COPY_COLUMNS}) from stdin`));
    function* rows(): Generator<Buffer> {
      let chunk = '';
      let seq = 0;
      for (const event of eventsInOrder(FEEDBACK_SUBJECTS)) {
        seq++;
        chunk += feedbackCopyRow(seq, event);
        if (seq % 1_024 === 0) {
          yield Buffer.from(chunk);
          chunk = '';
        }
        if (seq % 500_000 === 0) log(`  ${seq} events sent`);
      }
      if (chunk.length > 0) yield Buffer.from(chunk);
    }
    await pipeline(Readable.from(rows()), copy);
    const copySeconds = (performance.now() - t) / 1000;
    log(`  COPY done in ${copySeconds.toFixed(1)} s; building the indexes…`);

    t = performance.now();
    for (const c of constraints)
      await client.query(`alter table ${events} add constraint "${c.name}" ${c.def}`);
    for (const i of indexes) await client.query(i.def);
    // Later appends continue the log after the last seq (the store locks and bumps this row).
    await client.query(
      `update ${q('candor_feedback_counters')} set last_seq = $1 where log = 'events'`,
      [FEEDBACK_EVENTS],
    );
    const indexSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    await client.query(`vacuum (analyze) ${events}`);
    const vacuumAnalyze = (performance.now() - t) / 1000;
    const { rows: check } = await client.query<{ n: string; max: string; subjects: string }>(
      `select count(*) as n, max(seq) as max, count(distinct subject) as subjects from ${events}`,
    );
    if (
      Number(check[0]?.n) !== FEEDBACK_EVENTS ||
      Number(check[0]?.max) !== FEEDBACK_EVENTS ||
      Number(check[0]?.subjects) !== FEEDBACK_SUBJECTS
    )
      throw new Error(`feedback scale: the load is off: ${JSON.stringify(check[0])}`);
    return { copy: copySeconds, indexes: indexSeconds, vacuumAnalyze };
  });

  // The checkpoint a deployment would have: its loops write one every 10,000 events they read.
  log('  hydrating a bounded loop once (no checkpoint yet: it reads all events) to write one…');
  const t = performance.now();
  const db = await createCandorDatabase({ url, schema: FEEDBACK_SCHEMA });
  let hydrateSeconds = 0;
  let checkpoint: FeedbackDatasetInfo['checkpoint'];
  try {
    const loop = createFeedbackLoop({
      store: createPostgresFeedbackStore(db),
      clock: { now: () => FEEDBACK_NOW },
      cache: { maxSubjects: 100_000 },
    });
    const read = await loop.hydrate();
    hydrateSeconds = (performance.now() - t) / 1000;
    if (read.events !== FEEDBACK_EVENTS)
      throw new Error(`feedback scale: hydrate read ${read.events} events`);
    loop.close();
    // hydrate() writes the checkpoint without waiting for it: wait until it is stored.
    checkpoint = await withClient(url, async (client) => {
      for (;;) {
        const { rows } = await client.query<{ n: string }>(
          `select count(*) as n from ${q('candor_feedback_checkpoints')} where events = $1`,
          [FEEDBACK_EVENTS],
        );
        if (Number(rows[0]?.n) === 1) return storedCheckpoint(client);
        if (performance.now() - t > hydrateSeconds * 1000 + 60_000)
          throw new Error('feedback scale: the checkpoint was not stored within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
  } finally {
    await db.close();
  }
  const seconds: FeedbackDatasetSeconds = {
    total: (performance.now() - start) / 1000,
    ...loaded,
    checkpoint: hydrateSeconds,
  };
  await withClient(url, async (client) => {
    await client.query(`vacuum (analyze) ${q('candor_feedback_checkpoints')}`);
    await client.query(
      `create table ${q(MARKER)} (version text not null, subjects integer not null,
         events integer not null, seconds jsonb not null, generated_at timestamptz not null)`,
    );
    await client.query(`insert into ${q(MARKER)} values ($1, $2, $3, $4, now())`, [
      FEEDBACK_DATASET_VERSION,
      FEEDBACK_SUBJECTS,
      FEEDBACK_EVENTS,
      JSON.stringify(seconds),
    ]);
  });
  log(`  dataset ready in ${seconds.total.toFixed(1)} s`);
  return {
    generatedNow: true,
    generatedAt: new Date().toISOString(),
    seconds,
    checkpoint,
    checkSeconds,
  };
}
