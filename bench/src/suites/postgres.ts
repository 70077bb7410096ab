import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ConsentEvent } from '@candor/consent';
import { type CandorDatabase, createCandorDatabase } from '@candor/postgres';
import { createPostgresLedgerStore } from '@candor/postgres/consent';
import type { Metric, Suite } from '../harness.ts';

/** Database connections (pool size) on PostgreSQL. */
const CONNECTIONS = 8;
/** Appends in flight at once (request handlers of an app), group-committed by the store. */
const WRITERS = 256;
const SUBJECTS_PER_WRITER = 4;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * 256 concurrent writers append hashed ledger events (each to its own subjects, tracking the
 * expected sequence as the consent manager does). Each append resolves only after the commit
 * holding it (fsync on); the store group-commits what is in flight over its connections.
 */
async function appendLoad(db: CandorDatabase, perWriter: number, tag: string) {
  const event = (i: number): ConsentEvent => ({
    kind: i % 4 === 3 ? 'withdrawn' : 'given',
    actor: { kind: 'subject' },
    purposes: ['marketing.email', 'analytics.measurement'],
    basis: 'consent',
    at: 1_780_000_000_000 + i,
    method: 'preference_center',
    surface: 'web.settings',
  });
  const latencies: number[] = [];
  // One store per process, as an app holds it: its appends in flight share group commits.
  const store = createPostgresLedgerStore(db);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const heads = new Array<number>(SUBJECTS_PER_WRITER).fill(0);
      for (let i = 0; i < perWriter; i++) {
        const s = i % SUBJECTS_PER_WRITER;
        const t0 = performance.now();
        await store.append({
          subject: `${tag}-w${w}-s${s}`,
          expectedSequence: heads[s]!,
          idempotencyKey: `${tag}-w${w}-${i}`,
          recordedAt: 1_780_000_000_000 + i,
          event: event(i),
        });
        latencies.push(performance.now() - t0);
        heads[s]!++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: (WRITERS * perWriter) / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function measure(
  label: string,
  open: () => Promise<{ db: CandorDatabase; cleanup: () => Promise<void> }>,
  perWriter: number,
  atLeast: number,
): Promise<Metric[]> {
  const { db, cleanup } = await open();
  try {
    await appendLoad(db, Math.max(20, perWriter / 10), 'warm');
    const run = await appendLoad(db, perWriter, 'run');
    const store = createPostgresLedgerStore(db);
    const check = await store.verify();
    if (!check.valid) throw new Error(`${label}: ledger failed verification after the benchmark`);
    return [
      {
        name: `${label}: durable appends, ${WRITERS} writers`,
        value: run.perSecond,
        unit: 'events/s',
        target: { atLeast },
      },
      { name: `${label}: append latency p50`, value: run.p50, unit: 'ms' },
      { name: `${label}: append latency p99`, value: run.p99, unit: 'ms' },
    ];
  } finally {
    await cleanup();
  }
}

/** Durable consent-ledger appends on PostgreSQL (8 connections) and on embedded PGlite (a folder). */
export const postgresSuites: Suite[] = [
  {
    kind: 'metrics',
    name: 'postgres: durable ledger appends',
    async measure() {
      const metrics: Metric[] = [];
      const url = process.env.DATABASE_URL;
      if (url) {
        const schema = `candor_bench_${randomBytes(4).toString('hex')}`;
        metrics.push(
          ...(await measure(
            'PostgreSQL (8 connections)',
            async () => {
              const db = await createCandorDatabase({ url, schema, poolSize: CONNECTIONS });
              return {
                db,
                cleanup: async () => {
                  await db.driver.query(`drop schema "${schema}" cascade`);
                  await db.close();
                },
              };
            },
            120,
            10_000,
          )),
        );
      } else {
        process.stderr.write(
          'postgres: DATABASE_URL is not set: PostgreSQL skipped (source .ci/postgres.sh to start one)\n',
        );
      }
      metrics.push(
        ...(await measure(
          'PGlite (folder)',
          async () => {
            const dir = mkdtempSync(join(tmpdir(), 'candor-bench-'));
            const db = await createCandorDatabase({ dataDir: dir });
            return {
              db,
              cleanup: async () => {
                await db.close();
                rmSync(dir, { recursive: true, force: true });
              },
            };
          },
          40,
          2_000,
        )),
      );
      return metrics;
    },
  },
];
