import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessRecord } from '@candor/core';
import { createExplainer, renderAccessHistory } from '@candor/explain';
import { type CandorDatabase, createCandorDatabase } from '@candor/postgres';
import { createPostgresAccessLog } from '@candor/postgres/access';
import type { Metric, Suite } from '../harness.ts';

// ---------------------------------------------------------------------------------------------
// Issue #14: access records on PostgreSQL and PGlite. Ingest in batches (records/s, targets
// ≥ 20k/s on PostgreSQL, ≥ 5k/s on PGlite), and a customer's 90-day history of 10k records read
// and rendered with p50/p99 latency (target ≤ 50 ms): through the log's summary
// (readAccessHistory: one `group by`, then HTML), and, alongside, the old path (query 10k records
// + accessHistory + HTML), the two alternating.
// ---------------------------------------------------------------------------------------------

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-04T12:00:00Z');
const RULES = ['storm-warning', 'card-expiry', 'fraud-alert', 'sizing-help'] as const;
const PURPOSES = ['service.proactive_support', 'service.fraud_protection', 'marketing'] as const;
const CATEGORIES = [
  'user.travel.itinerary',
  'user.financial.payment_card',
  'user.financial.transactions',
  'user.behavior.purchase_history',
] as const;

/** `count` access records of `subject`, spread evenly over the last 90 days, newest last. */
function records(subject: string, count: number, prefix: string): AccessRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const held = i % 3 !== 0;
    return {
      id: `${prefix}_${subject}_${i}`,
      subject,
      at: NOW - 90 * DAY + Math.floor((i * 90 * DAY) / count),
      accessor: { kind: 'rule', id: RULES[i % RULES.length]!, version: 1 + (i % 2) },
      purpose: PURPOSES[i % PURPOSES.length]!,
      dataCategories: [CATEGORIES[i % CATEGORIES.length]!],
      evidence: ['trip.flight', 'card.expiresAt'].slice(0, 1 + (i % 2)),
      outcome: held ? 'held_back' : 'sent',
      ...(held ? { heldBackBecause: i % 2 ? 'conditions_not_met' : 'frequency_cap' } : {}),
      decisionId: `dec_${i}`,
    } satisfies AccessRecord;
  });
}

/** Appends `total` records of 100 subjects in batches of `batch`; records per second. */
async function ingest(db: CandorDatabase, total: number, batch: number): Promise<number> {
  const log = createPostgresAccessLog(db);
  const perSubject = total / 100;
  const all = Array.from({ length: 100 }, (_, s) => records(`cus_${s}`, perSubject, 'ing')).flat();
  await log.append(all.slice(0, batch)); // warm the statement
  const start = performance.now();
  for (let i = batch; i < all.length; i += batch) await log.append(all.slice(i, i + batch));
  return ((all.length - batch) * 1000) / (performance.now() - start);
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
};

/** Milliseconds per run of each way to read and render one customer's 90-day history. */
interface HistoryTimes {
  /** `explainer.readAccessHistory`: the log's `summarize` (one `group by`), then HTML. */
  readonly summary: number[];
  /** The records path: `query` (10k rows), `accessHistory(records)`, then HTML. */
  readonly records: number[];
}

/**
 * One customer's 90-day history (10k records) read and rendered, `runs` times each way, the two
 * ways alternating which goes first; both must render the same HTML.
 */
async function history(db: CandorDatabase, runs: number): Promise<HistoryTimes> {
  const log = createPostgresAccessLog(db);
  const mine = records('cus_ana', 10_000, 'hist');
  for (let i = 0; i < mine.length; i += 1_000) await log.append(mine.slice(i, i + 1_000));
  const explainer = createExplainer({ clock: { now: () => NOW } });
  const query = { subject: 'cus_ana', from: NOW - 90 * DAY, to: NOW };
  const ways = {
    summary: async () => renderAccessHistory(await explainer.readAccessHistory(log, query), 'html'),
    records: async () => {
      const rows = await log.query(query);
      if (rows.length !== 10_000) throw new Error(`read ${rows.length} records, expected 10,000`);
      return renderAccessHistory(explainer.accessHistory(rows), 'html');
    },
  };
  if ((await ways.summary()) !== (await ways.records()))
    throw new Error('the summary and the records render different histories');
  for (let i = 0; i < 3; i++) for (const way of Object.values(ways)) await way();
  const ms: HistoryTimes = { summary: [], records: [] };
  for (let i = 0; i < runs; i++) {
    const order =
      i % 2 === 0 ? (['summary', 'records'] as const) : (['records', 'summary'] as const);
    for (const way of order) {
      const start = performance.now();
      await ways[way]();
      ms[way].push(performance.now() - start);
    }
  }
  return ms;
}

async function onPostgres(url: string): Promise<Metric[]> {
  const schema = `candor_bench_${randomBytes(4).toString('hex')}`;
  const db = await createCandorDatabase({ url, schema, poolSize: 4 });
  try {
    const rate = await ingest(db, 100_000, 2_000);
    const ms = await history(db, 30);
    return [
      {
        name: 'PostgreSQL ingest, batches of 2,000',
        value: rate,
        unit: 'records/s',
        target: { atLeast: 20_000 },
      },
      {
        name: 'PostgreSQL 90-day history (10k records) summarized + rendered, p50',
        value: percentile(ms.summary, 50),
        unit: 'ms',
      },
      {
        name: 'PostgreSQL 90-day history (10k records) summarized + rendered, p99',
        value: percentile(ms.summary, 99),
        unit: 'ms',
        target: { atMost: 50 },
      },
      {
        name: 'PostgreSQL 90-day history, old path: 10k records read + rendered, p50',
        value: percentile(ms.records, 50),
        unit: 'ms',
      },
      {
        name: 'PostgreSQL 90-day history, old path: 10k records read + rendered, p99',
        value: percentile(ms.records, 99),
        unit: 'ms',
      },
    ];
  } finally {
    await db.driver.query(`drop schema "${schema}" cascade`);
    await db.close();
  }
}

async function onPglite(): Promise<Metric[]> {
  const dir = mkdtempSync(join(tmpdir(), 'candor-bench-'));
  const db = await createCandorDatabase({ dataDir: dir });
  try {
    const rate = await ingest(db, 20_000, 1_000);
    return [
      {
        name: 'PGlite (folder) ingest, batches of 1,000',
        value: rate,
        unit: 'records/s',
        target: { atLeast: 5_000 },
      },
    ];
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Access-record ingest and history rendering on PostgreSQL (needs DATABASE_URL) and PGlite. */
export const accessSuites: Suite[] = [
  {
    kind: 'metrics',
    name: 'access: records ingested and a 90-day history rendered',
    async measure() {
      const metrics: Metric[] = [];
      const url = process.env.DATABASE_URL;
      if (url) metrics.push(...(await onPostgres(url)));
      else
        process.stderr.write(
          'access: DATABASE_URL is not set: PostgreSQL skipped (source .ci/postgres.sh to start one)\n',
        );
      metrics.push(...(await onPglite()));
      return metrics;
    },
  },
];
