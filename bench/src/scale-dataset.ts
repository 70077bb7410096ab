import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ConsentEvent,
  GENESIS_HASH,
  type LedgerEntry,
  type NoticeRef,
  sealEntry,
  sha256Hex,
} from '@candor/consent';
import { createCandorDatabase } from '@candor/postgres';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { readMarker, withClient } from './pg-client.ts';

/**
 * The scale benchmark's dataset (issue #20): 1M subjects, 3M sealed ledger entries, kept between
 * runs in this fixed schema so it is generated once. The suite regenerates it when the schema is
 * missing, incomplete (no marker row, counts off) or of another {@link DATASET_VERSION}. Drop it
 * with `drop schema bench_scale_1m cascade` to reclaim the ~2 GB it takes.
 */
export const SCALE_SCHEMA = 'bench_scale_1m';
/** Bump when the generated events change: a kept dataset of another version is regenerated. */
export const DATASET_VERSION = 'scale-v1';
export const SCALE_SUBJECTS = 1_000_000;
export const ENTRIES_PER_SUBJECT = 3;
/** The marker written last: a dataset without it (or with other counts) is incomplete. */
const MARKER = 'bench_scale_dataset';

/** When the ledger starts; subject i's events start i seconds later (11.6 days in all). */
export const SCALE_T0 = Date.parse('2026-01-05T09:00:00Z');
const DAY = 86_400_000;
/** The managers' clock: after every event, and after every expiry the dataset records. */
export const SCALE_NOW = SCALE_T0 + 20 * DAY;

export const subjectId = (i: number): string => `cus_${i}`;

const JURISDICTIONS = ['FR', 'DE', 'GB', 'US-CA'] as const;
const NOTICE: NoticeRef = {
  id: 'marketing',
  version: '2026-01',
  contentHash: sha256Hex('Marketing emails: offers and news, at most weekly.'),
};

/**
 * Subject i's three events, varied by `i % 10` so verdicts differ: a `notice_shown`, a `given`
 * for `marketing.email`, then a `withdrawn` (0), a `renewed` (1–4) or a `given` for
 * `service.proactive_support` (5–9); for 9 the email grant expired after a day.
 */
export function eventsFor(i: number): ConsentEvent[] {
  const r = i % 10;
  const at = SCALE_T0 + i * 1_000;
  const jurisdiction = JURISDICTIONS[i % JURISDICTIONS.length]!;
  const grantAt = at + 60_000;
  const third = at + 3 * DAY;
  // Plain literals, no object spread: V8 builds spread copies with time fields (heap numbers)
  // some 20× slower, which made generation take minutes.
  const notice: ConsentEvent = {
    kind: 'notice_shown',
    actor: { kind: 'subject' },
    purposes: ['marketing.email'],
    notice: NOTICE,
    at,
    method: 'banner',
    surface: 'web.checkout',
    uiVersion: '4.2.0',
    jurisdiction,
  };
  const grant: ConsentEvent =
    r === 9
      ? {
          kind: 'given',
          actor: { kind: 'subject' },
          purposes: ['marketing.email'],
          basis: 'consent',
          notice: NOTICE,
          at: grantAt,
          method: 'banner',
          surface: 'web.checkout',
          uiVersion: '4.2.0',
          jurisdiction,
          expiresAt: grantAt + DAY,
        }
      : {
          kind: 'given',
          actor: { kind: 'subject' },
          purposes: ['marketing.email'],
          basis: 'consent',
          notice: NOTICE,
          at: grantAt,
          method: 'banner',
          surface: 'web.checkout',
          uiVersion: '4.2.0',
          jurisdiction,
        };
  const next: ConsentEvent =
    r === 0
      ? {
          kind: 'withdrawn',
          actor: { kind: 'subject' },
          purposes: ['marketing.email'],
          basis: 'consent',
          at: third,
          method: 'preference_center',
          surface: 'web.settings',
          uiVersion: '4.3.1',
          jurisdiction,
        }
      : r <= 4
        ? {
            kind: 'renewed',
            actor: { kind: 'subject' },
            purposes: ['marketing.email'],
            basis: 'consent',
            notice: NOTICE,
            at: third,
            method: 'preference_center',
            surface: 'web.settings',
            uiVersion: '4.3.1',
            jurisdiction,
          }
        : {
            kind: 'given',
            actor: { kind: 'subject' },
            purposes: ['service.proactive_support'],
            basis: 'consent',
            at: third,
            method: 'preference_center',
            surface: 'ios.settings',
            uiVersion: '7.0.2',
            jurisdiction,
          };
  return [notice, grant, next];
}

/** What `decide()` must answer for subject i and `marketing.email` at {@link SCALE_NOW}. */
export const emailAllowed = (i: number): boolean => i % 10 !== 0 && i % 10 !== 9;

/** Subject i's chain, sealed as a store seals it (sequence 1, 2, 3; each `prevHash` the last hash). */
export function chainFor(i: number): LedgerEntry[] {
  const subject = subjectId(i);
  let prev = GENESIS_HASH;
  return eventsFor(i).map((event, k) => {
    const entry = sealEntry(
      {
        subject,
        sequence: k + 1,
        idempotencyKey: `${subject}:${k + 1}`,
        recordedAt: event.at,
        event,
      },
      prev,
    );
    prev = entry.hash;
    return entry;
  });
}

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format (backslash, tab, newline and carriage return escaped). */
export function copyText(value: string): string {
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

/** The columns of `candor_consent_entries` the COPY fills, in order. */
export const COPY_COLUMNS =
  'subject, sequence, id, idempotency_key, recorded_at, kind, event_at, event, hash_version, prev_hash, hash';

/**
 * One entry as a COPY text row, exactly as the store's append writes it: the event as its JSON
 * text (what `toEntry` parses back), `kind` and `event_at` copied out of it.
 */
export function copyRow(entry: LedgerEntry): string {
  return `${[
    copyText(entry.subject),
    String(entry.sequence),
    copyText(entry.id),
    copyText(entry.idempotencyKey),
    String(entry.recordedAt),
    copyText(entry.event.kind),
    String(entry.event.at),
    copyText(JSON.stringify(entry.event)),
    String(entry.hashVersion),
    copyText(entry.prevHash),
    copyText(entry.hash),
  ].join('\t')}\n`;
}

/** How the dataset was made: seconds per phase, and when. */
export interface DatasetInfo {
  /** `true` when this call generated it, `false` when a complete one was found. */
  readonly generatedNow: boolean;
  readonly generatedAt: string;
  readonly seconds: {
    readonly total: number;
    readonly sealAndCopy: number;
    readonly constraints: number;
    readonly headsAndCurrent: number;
    readonly vacuumAnalyze: number;
  };
  /** Seconds this call spent checking that the kept dataset is complete. */
  readonly checkSeconds: number;
}

const q = (name: string) => `"${SCALE_SCHEMA}"."${name}"`;

/** The kept dataset's marker, if it is complete and of this version; else `null`. */
async function findComplete(
  client: pg.Client,
): Promise<(DatasetInfo['seconds'] & { at: string }) | null> {
  const marker = await readMarker<{
    version: string;
    subjects: number;
    entries: number;
    seconds: DatasetInfo['seconds'];
    generated_at: Date;
  }>(client, q(MARKER));
  if (
    marker === null ||
    marker.version !== DATASET_VERSION ||
    marker.subjects !== SCALE_SUBJECTS ||
    marker.entries !== SCALE_SUBJECTS * ENTRIES_PER_SUBJECT
  )
    return null;
  // The marker is written last, but check the tables still hold what it says.
  const { rows: counts } = await client.query<{ entries: string; heads: string }>(
    `select (select count(*) from ${q('candor_consent_entries')}) as entries,
            (select count(*) from ${q('candor_consent_heads')}) as heads`,
  );
  if (Number(counts[0]?.entries) !== marker.entries || Number(counts[0]?.heads) !== marker.subjects)
    return null;
  return { ...marker.seconds, at: marker.generated_at.toISOString() };
}

const log = (line: string) => process.stderr.write(`scale: ${line}\n`);

/**
 * Makes sure the dataset is in {@link SCALE_SCHEMA}: keeps a complete one, else drops the schema
 * and generates it (sealing each entry and streaming it to PostgreSQL with COPY), then builds
 * the heads and current-state tables from the entries with set-based SQL.
 */
export async function ensureDataset(url: string): Promise<DatasetInfo> {
  const checkStart = performance.now();
  const kept = await withClient(url, findComplete);
  const checkSeconds = (performance.now() - checkStart) / 1000;
  if (kept) {
    const { at, ...seconds } = kept;
    return { generatedNow: false, generatedAt: at, seconds, checkSeconds };
  }
  log(`dataset missing or incomplete: generating ${SCALE_SUBJECTS} subjects in ${SCALE_SCHEMA}…`);
  const start = performance.now();
  await withClient(url, (c) => c.query(`drop schema if exists "${SCALE_SCHEMA}" cascade`));
  // The tables exactly as an app's migrations create them.
  const db = await createCandorDatabase({ url, schema: SCALE_SCHEMA });
  await db.close();
  const seconds = await withClient(url, async (client) => {
    const entries = q('candor_consent_entries');
    await client.query(`set maintenance_work_mem = '1GB'`);
    // Loaded without its two unique indexes, which are then built once (the usual bulk load).
    const { rows: constraints } = await client.query<{ name: string; def: string }>(
      `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
       where conrelid = $1::regclass and contype in ('p', 'u') order by conname`,
      [entries],
    );
    for (const c of constraints)
      await client.query(`alter table ${entries} drop constraint "${c.name}"`);

    let t = performance.now();
    const copy = client.query(copyFrom(`copy ${entries} (${COPY_COLUMNS}) from stdin`));
    function* rows(): Generator<Buffer> {
      let chunk = '';
      for (let i = 0; i < SCALE_SUBJECTS; i++) {
        for (const entry of chainFor(i)) chunk += copyRow(entry);
        if (i % 256 === 255) {
          yield Buffer.from(chunk);
          chunk = '';
        }
        if (i % 100_000 === 99_999) log(`  ${i + 1} subjects sealed and sent`);
      }
      if (chunk.length > 0) yield Buffer.from(chunk);
    }
    await pipeline(Readable.from(rows()), copy);
    const sealAndCopy = (performance.now() - t) / 1000;
    log(`  COPY done in ${sealAndCopy.toFixed(1)} s; building the unique indexes…`);

    t = performance.now();
    for (const c of constraints)
      await client.query(`alter table ${entries} add constraint "${c.name}" ${c.def}`);
    const constraintSeconds = (performance.now() - t) / 1000;

    // Heads and current state from the entries, as the appends would have left them.
    t = performance.now();
    await client.query(
      `insert into ${q('candor_consent_heads')} (subject, sequence, hash, recorded_at)
       select distinct on (subject) subject, sequence, hash, recorded_at
       from ${entries} order by subject, sequence desc`,
    );
    await client.query(
      `insert into ${q('candor_consent_current')}
         (subject, purpose, sequence, entry_id, kind, event_at, expires_at)
       select distinct on (e.subject, p.purpose) e.subject, p.purpose, e.sequence, e.id, e.kind,
         e.event_at, (e.event::json ->> 'expiresAt')::bigint
       from ${entries} e
       cross join json_array_elements_text(e.event::json -> 'purposes') as p(purpose)
       where e.kind not in ('notice_shown', 'signal_observed')
       order by e.subject, p.purpose, e.sequence desc`,
    );
    const headsAndCurrent = (performance.now() - t) / 1000;

    t = performance.now();
    for (const table of [
      'candor_consent_entries',
      'candor_consent_heads',
      'candor_consent_current',
    ])
      await client.query(`vacuum (analyze) ${q(table)}`);
    const vacuumAnalyze = (performance.now() - t) / 1000;

    // Consistency: every head is its subject's last entry, with its hash.
    const { rows: check } = await client.query<{
      heads: string;
      matching: string;
      current: string;
    }>(
      `select (select count(*) from ${q('candor_consent_heads')}) as heads,
              (select count(*) from ${q('candor_consent_heads')} h join ${entries} e
                 on e.subject = h.subject and e.sequence = h.sequence and e.hash = h.hash
                 and not exists (select 1 from ${entries} n
                                 where n.subject = h.subject and n.sequence > h.sequence)) as matching,
              (select count(*) from ${q('candor_consent_current')}) as current`,
    );
    const expectedCurrent = SCALE_SUBJECTS + Math.floor(SCALE_SUBJECTS / 2);
    if (
      Number(check[0]?.heads) !== SCALE_SUBJECTS ||
      Number(check[0]?.matching) !== SCALE_SUBJECTS ||
      Number(check[0]?.current) !== expectedCurrent
    )
      throw new Error(
        `scale bench: heads/current inconsistent after the load: ${JSON.stringify(check[0])}`,
      );

    const total = (performance.now() - start) / 1000;
    const seconds = {
      total,
      sealAndCopy,
      constraints: constraintSeconds,
      headsAndCurrent,
      vacuumAnalyze,
    };
    await client.query(
      `create table ${q(MARKER)} (version text not null, subjects integer not null,
         entries integer not null, seconds jsonb not null, generated_at timestamptz not null)`,
    );
    await client.query(`insert into ${q(MARKER)} values ($1, $2, $3, $4, now())`, [
      DATASET_VERSION,
      SCALE_SUBJECTS,
      SCALE_SUBJECTS * ENTRIES_PER_SUBJECT,
      JSON.stringify(seconds),
    ]);
    return seconds;
  });
  log(`  dataset ready in ${seconds.total.toFixed(1)} s`);
  return { generatedNow: true, generatedAt: new Date().toISOString(), seconds, checkSeconds };
}
