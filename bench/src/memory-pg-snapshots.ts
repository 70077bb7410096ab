import { performance } from 'node:perf_hooks';
import { createCandorDatabase } from '@candor/postgres';
import { createPostgresMemoryStore } from '@candor/postgres/memory';
import { MEMORY_SCHEMA } from './memory-pg-dataset.ts';
import { readMarker, withClient } from './pg-client.ts';

/** The marker of the one-time snapshot backfill: how long it took, and when. */
const MARKER = `"${MEMORY_SCHEMA}"."bench_memory_pg_snapshots"`;

/**
 * How the kept dataset got its memory snapshots (`candor_memory_snapshots`, migration 8 of
 * `@candor/postgres`): built now or when, how many, in how many seconds.
 */
export interface MemorySnapshotInfo {
  readonly builtNow: number;
  readonly backfill: { readonly seconds: number; readonly built: number; readonly at: string };
}

const log = (line: string) => process.stderr.write(`memory-pg: ${line}\n`);

/**
 * Makes sure every subject of the kept dataset has its snapshot and slices in the store's current
 * format: opening the database applies migrations 8, 11 and 12 (empty tables, a format column),
 * then `store.buildSnapshots()` folds each subject's entries through `@candor/memory`'s own fold
 * (or slices the snapshot it already has, or rewrites slices of an older format) — once; later
 * runs find nothing to build and report the latest backfill from the marker table.
 *
 * @example
 * const { backfill } = await ensureMemorySnapshots(url);
 */
export async function ensureMemorySnapshots(url: string): Promise<MemorySnapshotInfo> {
  const db = await createCandorDatabase({ url, schema: MEMORY_SCHEMA, poolSize: 3 });
  const start = performance.now();
  let report: { subjects: number; built: number };
  try {
    report = await createPostgresMemoryStore(db).buildSnapshots({
      concurrency: 2,
      onProgress: (r) => {
        if (r.built > 0 && r.subjects % 1000 === 0)
          log(`  snapshots: ${r.built} built of ${r.subjects} subjects scanned`);
      },
    });
  } finally {
    await db.close();
  }
  const seconds = (performance.now() - start) / 1000;
  return withClient(url, async (client) => {
    if (report.built > 0) {
      log(`  built ${report.built} snapshots in ${seconds.toFixed(1)} s`);
      await client.query(`drop table if exists ${MARKER}`);
      await client.query(
        `create table ${MARKER} (seconds double precision not null, built integer not null,
           at timestamptz not null default now())`,
      );
      await client.query(`insert into ${MARKER} (seconds, built) values ($1, $2)`, [
        seconds,
        report.built,
      ]);
    }
    const marker = await readMarker<{ seconds: number; built: number; at: Date }>(client, MARKER);
    return {
      builtNow: report.built,
      backfill: {
        seconds: marker?.seconds ?? Number.NaN,
        built: marker?.built ?? 0,
        at: marker?.at.toISOString() ?? 'unknown',
      },
    };
  });
}
