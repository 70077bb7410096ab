import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RuleEvent } from '@candor/rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CandorDatabase, createCandorDatabase } from './database';
import { DATABASE_URL, uniqueSchema } from './drivers.test-helpers';
import { cardEvent, expectedOutcome } from './partitions.test-helpers';
import { type PartitionedQueue, startPartitionedQueue } from './rules';

const script = fileURLToPath(new URL('./partition-worker.test-helpers.ts', import.meta.url));
const PARTITIONS = 16;
/** A run still going after this long is retried elsewhere: far above any run, even on a busy CI. */
const EXPIRE_S = 10;

interface Worker {
  readonly child: ChildProcess;
  readonly pid: number;
}

/** A worker instance in its own Node process; resolves once its queue is working. */
function startWorker(schema: string): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions',
        '@candor/source',
        script,
        DATABASE_URL as string,
        schema,
        `${PARTITIONS}`,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) =>
      resolve({ child, pid: (JSON.parse(line) as { pid: number }).pid }),
    );
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
  });
}

/** Resolves when the process has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

interface RunRow {
  subject: string;
  seq: number;
  partition: number;
  pid: number;
  started_at: Date;
  finished_at: Date | null;
  outcome: string | null;
  proposal: string | null;
}

/**
 * Sends `eventsEach` events for each subject, interleaved in a random order that keeps each
 * subject's own order, pausing now and then so partitions fall idle and either process may take
 * them next.
 */
async function sendInterleaved(
  producer: PartitionedQueue<RuleEvent>,
  subjects: readonly string[],
  eventsEach: number,
): Promise<void> {
  const slots = Array.from({ length: subjects.length * eventsEach }, (_, i) => {
    return subjects[i % subjects.length] as string;
  });
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [slots[i], slots[j]] = [slots[j] as string, slots[i] as string];
  }
  const next = new Map<string, number>();
  for (const subject of slots) {
    const seq = next.get(subject) ?? 0;
    next.set(subject, seq + 1);
    await producer.send(cardEvent(subject, seq));
    if (Math.random() < 0.2) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(DATABASE_URL === undefined)(
  'events partitioned by subject, worked by two processes on one PostgreSQL',
  { timeout: 180_000 },
  () => {
    const schema = uniqueSchema('candor_part');
    let admin: CandorDatabase;
    let producer: PartitionedQueue<RuleEvent>;
    let workers: Worker[] = [];
    beforeAll(async () => {
      admin = await createCandorDatabase({ url: DATABASE_URL, schema, poolSize: 2 });
      await admin.driver.query(
        `create table "${schema}".runs (n bigserial primary key, subject text not null,
           seq int not null, partition int not null, pid int not null,
           started_at timestamptz not null, finished_at timestamptz, outcome text, proposal text)`,
      );
      workers = await Promise.all([startWorker(schema), startWorker(schema)]);
      // This instance only sends (no `run`), as an API instance in front of the workers would.
      producer = await startPartitionedQueue(admin, {
        partitions: PARTITIONS,
        expireInSeconds: EXPIRE_S,
      });
    }, 120_000);
    afterAll(async () => {
      await producer?.stop();
      await Promise.all(
        workers.map(async ({ child }) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.stdin?.write('exit\n');
          await exited(child);
          clearTimeout(timer);
        }),
      );
      await admin.driver.query(`drop schema if exists "${schema}_jobs" cascade`);
      await admin.driver.query(`drop schema if exists "${schema}" cascade`);
      await admin.close();
    });

    /** The jobs of the subjects starting with `prefix`, once all `count` of them completed. */
    async function completed(prefix: string, count: number) {
      const startAt = Date.now();
      for (;;) {
        const jobs = await admin.driver.query<{ id: string; state: string; retry_count: number }>(
          `select data->>'id' as id, state, retry_count from "${schema}_jobs".job
           where name like 'candor-events-%' and data->>'subject' like $1`,
          [`${prefix}%`],
        );
        if (jobs.length === count && jobs.every((j) => j.state === 'completed')) return jobs;
        expect(Date.now() - startAt, 'every event completed within 2 minutes').toBeLessThan(
          120_000,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const runsOf = (prefix: string) =>
      admin.driver.query<RunRow>(
        `select subject, seq, partition, pid, started_at, finished_at, outcome, proposal
         from "${schema}".runs where subject like $1 order by started_at, n`,
        [`${prefix}%`],
      );

    /** Each subject's finished runs are its events in order, with the in-order cooldown outcome. */
    function expectInOrder(runs: readonly RunRow[], subjects: readonly string[], each: number) {
      for (const subject of subjects) {
        const own = runs.filter((r) => r.subject === subject && r.finished_at !== null);
        expect(own.map((r) => r.seq)).toEqual([...Array(each).keys()]);
        expect(own.map((r) => r.outcome)).toEqual(own.map((r) => expectedOutcome(r.seq)));
      }
    }

    it('every event runs once, each customer in order, one at a time per partition, on both', async () => {
      const subjects = Array.from({ length: 24 }, (_, i) => `cus_a_${i}`);
      const startAt = Date.now();
      await sendInterleaved(producer, subjects, 8);
      const total = subjects.length * 8;
      // Every job completed on its first try, so no run can still come.
      const jobs = await completed('cus_a_', total);
      expect(jobs.every((j) => j.retry_count === 0)).toBe(true);

      const runs = await runsOf('cus_a_');
      // Exactly once: one finished run per event.
      expect(runs).toHaveLength(total);
      expect(runs.every((r) => r.finished_at !== null)).toBe(true);
      expect(new Set(runs.map((r) => `${r.subject}:${r.seq}`)).size).toBe(total);
      // One at a time per partition, across both processes: no run starts before the previous
      // run of its partition has finished (both read the database's clock).
      for (let p = 0; p < PARTITIONS; p++) {
        const own = runs.filter((r) => r.partition === p);
        for (const [i, run] of own.entries())
          if (i > 0)
            expect(run.started_at.getTime()).toBeGreaterThanOrEqual(
              (own[i - 1] as RunRow).finished_at?.getTime() ?? Number.POSITIVE_INFINITY,
            );
      }
      // In order per customer, so the cooldown fires on events 0, 3 and 6, as in one process
      // (out of order it fires on others: see partitions.test.ts).
      expectInOrder(runs, subjects, 8);
      // No duplicate proposal: one per firing event, each with its own id.
      const proposals = runs.filter((r) => r.proposal !== null).map((r) => r.proposal);
      expect(proposals).toHaveLength(subjects.length * 3);
      expect(new Set(proposals).size).toBe(proposals.length);
      // Both processes did work.
      const byPid = new Map<number, number>();
      for (const r of runs) byPid.set(r.pid, (byPid.get(r.pid) ?? 0) + 1);
      expect([...byPid.keys()].sort()).toEqual(workers.map((w) => w.pid).sort());
      console.log(
        `[partitions] ${total} events, ${PARTITIONS} partitions, 2 processes: ` +
          `${Date.now() - startAt} ms; runs per process ${[...byPid.values()].join(' / ')}`,
      );
    });

    it('a process killed mid-event hands its partition over: the event is retried, in order', async () => {
      // The first run of cus_hang's event 1 hangs, and the process running it is killed. Its job
      // expires after EXPIRE_S and the other process retries it, then goes on with cus_hang's
      // later events. Other customers' events are sent once the process is dead.
      for (let seq = 0; seq < 4; seq++) await producer.send(cardEvent('cus_hang', seq));
      let hung: RunRow | undefined;
      const sentAt = Date.now();
      while (hung === undefined) {
        [hung] = (await runsOf('cus_hang')).filter((r) => r.seq === 1);
        expect(Date.now() - sentAt, 'cus_hang:1 started within a minute').toBeLessThan(60_000);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const victim = workers.find((w) => w.pid === hung?.pid) as Worker;
      const survivor = workers.find((w) => w !== victim) as Worker;
      victim.child.kill('SIGKILL');
      await exited(victim.child);
      const others = Array.from({ length: 12 }, (_, i) => `cus_h_${i}`);
      await sendInterleaved(producer, others, 4);
      const jobs = await completed('cus_h', 4 + others.length * 4);

      // Only the killed run was retried; every event finished exactly once, each customer in order.
      expect(jobs.filter((j) => j.retry_count > 0).map((j) => [j.id, j.retry_count])).toEqual([
        ['cus_hang:1', 1],
      ]);
      const runs = await runsOf('cus_h');
      const finished = runs.filter((r) => r.finished_at !== null);
      expect(finished).toHaveLength(jobs.length);
      expect(new Set(finished.map((r) => `${r.subject}:${r.seq}`)).size).toBe(jobs.length);
      expectInOrder(runs, ['cus_hang', ...others], 4);
      // The retry ran on the survivor once the killed run had expired; meanwhile the survivor
      // went on with the other partitions (only the dead process's partition waited).
      const retry = finished.find((r) => r.subject === 'cus_hang' && r.seq === 1) as RunRow;
      expect(retry.pid).toBe(survivor.pid);
      const waited = retry.started_at.getTime() - hung.started_at.getTime();
      expect(waited).toBeGreaterThanOrEqual(EXPIRE_S * 1_000);
      expect(
        finished.some(
          (r) => r.partition !== hung?.partition && (r.finished_at as Date) < retry.started_at,
        ),
      ).toBe(true);
      expect(
        runs.filter((r) => r.started_at > hung!.started_at).every((r) => r.pid === survivor.pid),
      ).toBe(true);
      console.log(`[partitions] killed mid-event: retried by the other process after ${waited} ms`);
    });
  },
);
