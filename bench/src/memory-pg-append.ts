import { performance } from 'node:perf_hooks';
import { createMemoryBook } from '@candor/memory';
import { createCandorDatabase } from '@candor/postgres';
import { createPostgresMemoryStore } from '@candor/postgres/memory';
import { allowAll as allow } from '../../test-utils/gates.ts';
import { MEMORIES_PER_SUBJECT, MEMORY_T0, memoryInput } from './memory-pg-dataset.ts';
import { withClient } from './pg-client.ts';

/** A scratch schema, dropped before and after: the kept dataset is never written to. */
const SCRATCH = 'bench_memory_pg_append';

/**
 * What a write costs now that it rewrites the customer's snapshot: one customer is given
 * {@link MEMORIES_PER_SUBJECT} memories through the book, then `appends` more are timed one by
 * one (each folds and rewrites the snapshot of ~1,000 active memories in its transaction).
 *
 * @example
 * const ms = await measureAppends(url, 100); // sorted latencies
 */
export async function measureAppends(url: string, appends: number): Promise<number[]> {
  const drop = () => withClient(url, (c) => c.query(`drop schema if exists ${SCRATCH} cascade`));
  await drop();
  const db = await createCandorDatabase({ url, schema: SCRATCH, poolSize: 2 });
  try {
    let now = MEMORY_T0;
    const book = createMemoryBook({
      consent: allow,
      store: createPostgresMemoryStore(db),
      clock: { now: () => now },
      cacheSubjects: 0,
    });
    const remember = (i: number) =>
      book.remember({ ...memoryInput(i, now - 3_600_000), subject: 'cus_append' });
    for (let i = 0; i < MEMORIES_PER_SUBJECT; i++, now += 60_000) await remember(i);
    const ms: number[] = [];
    for (let i = 0; i < appends; i++, now += 60_000) {
      const t = performance.now();
      await remember(MEMORIES_PER_SUBJECT + i);
      ms.push(performance.now() - t);
    }
    return ms.sort((a, b) => a - b);
  } finally {
    await db.close();
    await drop();
  }
}
