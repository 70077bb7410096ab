import { createRuleEngine, partitionOf, type RuleEvent } from '@candor/rules';
import { afterEach, describe, expect, it } from 'vitest';
import { allowAll } from '../../../test-utils/gates.ts';
import { openBoss } from './boss';
import { driverCases, openTestDatabase, type TestDatabase } from './drivers.test-helpers';
import { cardEvent, cooldownRule, expectedOutcome } from './partitions.test-helpers';
import {
  createPostgresRuleStateStore,
  type PartitionedQueue,
  startPartitionedQueue,
} from './rules';

/** Waits until `done()` holds (checked every 10 ms), failing after `limitMs`. */
async function until(done: () => boolean | Promise<boolean>, limitMs = 30_000): Promise<void> {
  const startAt = Date.now();
  while (!(await done())) {
    if (Date.now() - startAt > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(driverCases)('partitioned queue on $name', ({ kind, skip }) => {
  const open: TestDatabase[] = [];
  const queues: PartitionedQueue<{ subject: string }>[] = [];
  const database = async (options: { schema?: string } = {}) => {
    const db = await openTestDatabase(kind, options);
    open.push(db);
    return db;
  };
  afterEach(async () => {
    for (const q of queues.splice(0)) await q.stop();
    const [first, ...rest] = open.splice(0);
    for (const db of rest) await db.close();
    if (first) {
      await first.driver.query(`drop schema if exists "${first.schema}_jobs" cascade`);
      await first.drop();
    }
  });

  it.skipIf(skip)('rejects bad options and events with typed errors naming them', async () => {
    const db = await database();
    const run = async () => undefined;
    for (const [options, path] of [
      [{ partitions: 0, run }, 'partitions'],
      [{ partitions: 2.5, run }, 'partitions'],
      [{ partitions: 4, run: 'no' }, 'run'],
      [{ partitions: 4, run, queue: 'a b' }, 'queue'],
      [{ partitions: 4, run, retryLimit: -1 }, 'retryLimit'],
      [{ partitions: 4, run, expireInSeconds: 0.5 }, 'expireInSeconds'],
      [{ partitions: 4, run, pollingIntervalSeconds: 0 }, 'pollingIntervalSeconds'],
      [null, 'options'],
    ] as const)
      await expect(startPartitionedQueue(db, options as never)).rejects.toMatchObject({
        code: 'postgres/invalid_options',
        details: { path },
      });
    if (kind === 'pglite')
      await expect(startPartitionedQueue(db, { partitions: 4 })).rejects.toMatchObject({
        code: 'postgres/invalid_options',
        details: { path: 'run' },
      });
    const queue = await startPartitionedQueue(db, { partitions: 4, run });
    queues.push(queue);
    expect(queue.mode).toBe(kind === 'postgres' ? 'pg-boss' : 'local');
    await expect(queue.send({ subject: 42 } as never)).rejects.toMatchObject({
      code: 'postgres/invalid_input',
      details: { path: 'event' },
    });
    await queue.stop();
    await expect(queue.send({ subject: 'cus_1' })).rejects.toMatchObject({
      code: 'postgres/closed',
    });
  });

  it.skipIf(skip)(
    'runs each subject in order, retrying a failed run before the next event',
    async () => {
      const db = await database();
      const seen: string[] = [];
      const errors: string[] = [];
      let failures = 0;
      const queue = await startPartitionedQueue<{ subject: string; seq: number }>(db, {
        partitions: 3,
        pollingIntervalSeconds: 0.1,
        retryLimit: 2,
        onError: (_error, event) => {
          if (event) errors.push(`${event.subject}:${event.seq}`);
        },
        run: async (event) => {
          // cus_b's event 1 fails twice (then succeeds); cus_c's event 2 always fails.
          if (event.subject === 'cus_b' && event.seq === 1 && failures++ < 2) throw new Error('x');
          if (event.subject === 'cus_c' && event.seq === 2) throw new Error('poison');
          seen.push(`${event.subject}:${event.seq}`);
        },
      });
      queues.push(queue as PartitionedQueue<{ subject: string }>);
      for (let seq = 0; seq < 4; seq++)
        for (const subject of ['cus_a', 'cus_b', 'cus_c']) await queue.send({ subject, seq });
      await until(() => seen.length === 11);
      for (const subject of ['cus_a', 'cus_b'])
        expect(seen.filter((s) => s.startsWith(subject))).toEqual(
          [0, 1, 2, 3].map((n) => `${subject}:${n}`),
        );
      // After its retries the poison event is dropped, and the customer's next event goes on.
      expect(seen.filter((s) => s.startsWith('cus_c'))).toEqual(['cus_c:0', 'cus_c:1', 'cus_c:3']);
      expect(errors.sort()).toEqual(['cus_b:1', 'cus_b:1', 'cus_c:2', 'cus_c:2', 'cus_c:2']);
    },
  );

  it.skipIf(skip || kind === 'pglite')(
    'refuses another partition count than the queue already has',
    async () => {
      const db = await database();
      const run = async () => undefined;
      queues.push(await startPartitionedQueue(db, { partitions: 4, run }));
      const other = await database({ schema: db.schema });
      for (const partitions of [3, 8])
        await expect(startPartitionedQueue(other, { partitions, run })).rejects.toMatchObject({
          code: 'postgres/invalid_options',
          details: { path: 'partitions', value: partitions },
        });
      queues.push(await startPartitionedQueue(other, { partitions: 4 })); // same count: fine
    },
  );

  it.skipIf(skip || kind === 'pglite')(
    'never starts an event while an older one of its partition waits to be retried',
    async () => {
      // The state a fetch can meet when a run is put back for a retry as it starts: event 1
      // waiting (here, for 2 s), event 2 free to take. Event 2 must wait for event 1.
      const db = await database();
      const producer = await startPartitionedQueue<{ subject: string; seq: number }>(db, {
        partitions: 1,
      });
      queues.push(producer as PartitionedQueue<{ subject: string }>);
      const boss = await openBoss(db, `${db.schema}_jobs`, () => undefined);
      try {
        await boss.send('candor-events-0', { subject: 'cus_1', seq: 1 }, { retryDelay: 2 });
        const [first] = await boss.fetch('candor-events-0');
        await boss.fail('candor-events-0', first?.id as string);
      } finally {
        await boss.stop({ graceful: false, wait: true });
      }
      await producer.send({ subject: 'cus_1', seq: 2 });
      const seen: number[] = [];
      const worker = await startPartitionedQueue<{ subject: string; seq: number }>(
        await database({ schema: db.schema }),
        { partitions: 1, pollingIntervalSeconds: 0.1, run: async (e) => void seen.push(e.seq) },
      );
      queues.push(worker as PartitionedQueue<{ subject: string }>);
      await until(() => seen.length === 2);
      expect(seen).toEqual([1, 2]);
    },
  );

  it.skipIf(skip || kind === 'pglite')(
    'without partitions, a later event overtakes a slow one on another worker: the wrong message',
    async () => {
      // The plain setup partitioning replaces: one queue, each instance working it. Event 0 of
      // cus_1 is slow (it waits, however long that takes, until event 1 has been processed), so the
      // other worker takes event 1 meanwhile. With the cooldown, event 1 then fires instead of 0.
      const first = await database();
      const second = await database({ schema: first.schema });
      const outcomes = new Map<number, string>();
      const workers = [];
      for (const db of [first, second]) {
        const engine = createRuleEngine({
          rules: [cooldownRule],
          consent: allowAll,
          state: createPostgresRuleStateStore(db),
        });
        const boss = await openBoss(db, `${db.schema}_jobs`, () => undefined);
        await boss.createQueue('plain', { name: 'plain', policy: 'standard' });
        await boss.work<RuleEvent>('plain', { pollingIntervalSeconds: 0.5 }, async ([job]) => {
          const event = job?.data as RuleEvent;
          const seq = Number(event.id.split(':')[1]);
          if (seq === 0) await until(() => outcomes.has(1), 60_000);
          const [outcome] = await engine.process(event);
          outcomes.set(seq, outcome?.kind === 'proposal' ? 'proposal' : String(outcome?.reason));
        });
        workers.push({ boss, engine });
      }
      try {
        await workers[0]?.boss.send('plain', cardEvent('cus_1', 0));
        await workers[0]?.boss.send('plain', cardEvent('cus_1', 1));
        await until(() => outcomes.size === 2, 60_000);
        expect([expectedOutcome(0), expectedOutcome(1)]).toEqual(['proposal', 'cooldown']);
        expect([outcomes.get(0), outcomes.get(1)]).toEqual(['cooldown', 'proposal']);
      } finally {
        // Gracefully: a handler may still be finishing its job, and pg-boss completes the job
        // after it returns; stopped at once, that completion could run after the schema is gone.
        for (const w of workers) {
          await w.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
          w.engine.close();
        }
      }
      // The same two events, routed by subject, always reach the same partition.
      expect(partitionOf('cus_1', 16)).toBe(partitionOf(cardEvent('cus_1', 1).subject, 16));
    },
  );
});
