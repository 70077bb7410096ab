import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CandorDatabase, createCandorDatabase } from './database';
import { DATABASE_URL, uniqueSchema } from './drivers.test-helpers';

const script = fileURLToPath(new URL('./instance-process.test-helpers.ts', import.meta.url));
const STALE_AFTER_MS = 1_000;
/**
 * How late an answer asked over IPC may arrive on a busy CI machine (three processes, a database
 * and other suites sharing two cores): what the test sees is the bound plus this.
 * feed.test.ts checks the bound itself, in one process.
 */
const IPC_SLACK_MS = 1_000;
/** How long a change that no bound promises (a grant) may take to be seen everywhere. */
const SETTLE_MS = 10_000;

/** An app instance in its own Node process, answering one JSON command at a time. */
interface Remote {
  ask<T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T>;
  readonly child: ChildProcess;
}

function start(schema: string): Promise<Remote> {
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
        `${STALE_AFTER_MS}`,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const waiting: Array<(line: string) => void> = [];
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let ready = false;
    lines.on('line', (line) => {
      if (!ready) {
        ready = true;
        resolve({
          child,
          ask(command) {
            return new Promise((answer) => {
              waiting.push((reply) => answer(JSON.parse(reply)));
              child.stdin?.write(`${JSON.stringify(command)}\n`);
            });
          },
        });
        return;
      }
      waiting.shift()?.(line);
    });
    child.on('exit', (code) => {
      if (!ready) reject(new Error(`instance exited with ${code}: ${stderr}`));
    });
  });
}

/** Polls until every instance's answer satisfies `ok`; returns the milliseconds it took. */
async function untilAll(
  remotes: readonly Remote[],
  command: Record<string, unknown>,
  ok: (reply: Record<string, unknown>) => boolean,
  limitMs: number,
): Promise<number> {
  const startAt = performance.now();
  for (;;) {
    const replies = await Promise.all(remotes.map((r) => r.ask(command)));
    if (replies.every(ok)) return performance.now() - startAt;
    if (performance.now() - startAt > limitMs)
      throw new Error(`not within ${limitMs} ms: ${JSON.stringify(replies)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.skipIf(DATABASE_URL === undefined)(
  'three app instances in three processes on one PostgreSQL',
  { timeout: 120_000 },
  () => {
    const schema = uniqueSchema();
    let admin: CandorDatabase;
    let remotes: Remote[] = [];
    beforeAll(async () => {
      admin = await createCandorDatabase({ url: DATABASE_URL, schema, poolSize: 2 });
      remotes = await Promise.all([start(schema), start(schema), start(schema)]);
    }, 120_000);
    afterAll(async () => {
      // Each closes its database and exits (killed if it has not within 5 s).
      await Promise.all(
        remotes.map(
          (r) =>
            new Promise<void>((done) => {
              const timer = setTimeout(() => r.child.kill('SIGKILL'), 5_000);
              r.child.on('exit', () => {
                clearTimeout(timer);
                done();
              });
              r.child.stdin?.write(`${JSON.stringify({ op: 'exit' })}\n`);
            }),
        ),
      );
      await admin.driver.query(`drop schema if exists "${schema}" cascade`);
      await admin.close();
    });

    it('a withdrawal made in one process holds in the others within the staleness bound', async () => {
      const [first, ...others] = remotes as [Remote, Remote, Remote];
      await first.ask({ op: 'grant', subject: 'cus_1' });
      await untilAll(
        others,
        { op: 'decide', subject: 'cus_1' },
        (r) => r.allowed === true,
        SETTLE_MS,
      );
      await first.ask({ op: 'withdraw', subject: 'cus_1' });
      const took = await untilAll(
        others,
        { op: 'decide', subject: 'cus_1' },
        (r) => r.allowed === false,
        STALE_AFTER_MS + IPC_SLACK_MS,
      );
      expect(took).toBeLessThan(STALE_AFTER_MS + IPC_SLACK_MS);
      for (const r of others)
        expect(await r.ask({ op: 'evaluate', subject: 'cus_1' })).toEqual({
          outcomes: ['consent'],
        });
    });

    it('a "not interested" and a pause made in one process hold in the others', async () => {
      const [a, b, c] = remotes as [Remote, Remote, Remote];
      await a.ask({ op: 'grant', subject: 'cus_2' });
      await untilAll(
        remotes,
        { op: 'decide', subject: 'cus_2' },
        (r) => r.allowed === true,
        SETTLE_MS,
      );
      await b.ask({ op: 'mute', subject: 'cus_2', key: `mute-${schema}` });
      await untilAll(
        [a, c],
        { op: 'check', subject: 'cus_2' },
        (r) => r.code === 'not_interested',
        STALE_AFTER_MS + IPC_SLACK_MS,
      );
      expect(await c.ask({ op: 'evaluate', subject: 'cus_2' })).toEqual({
        outcomes: ['suppressed'],
      });

      await a.ask({ op: 'grant', subject: 'cus_3' });
      await untilAll(
        remotes,
        { op: 'decide', subject: 'cus_3' },
        (r) => r.allowed === true,
        SETTLE_MS,
      );
      await c.ask({ op: 'pause' });
      const paused = async (r: Remote) =>
        (await r.ask<{ outcomes: string[] }>({ op: 'evaluate', subject: 'cus_3' })).outcomes[0];
      for (const r of [a, b]) {
        const startAt = performance.now();
        while ((await paused(r)) !== 'paused') {
          expect(performance.now() - startAt).toBeLessThan(STALE_AFTER_MS + IPC_SLACK_MS);
        }
      }
      await c.ask({ op: 'resume' });
      for (const r of [a, b]) {
        const startAt = performance.now();
        while ((await paused(r)) !== 'sent') {
          expect(performance.now() - startAt).toBeLessThan(STALE_AFTER_MS + IPC_SLACK_MS);
        }
      }
    });

    it('feeds cut with pg_terminate_backend fail closed within the bound, then catch up', async () => {
      const [a, b, c] = remotes as [Remote, Remote, Remote];
      await a.ask({ op: 'grant', subject: 'cus_4' });
      await untilAll(
        remotes,
        { op: 'decide', subject: 'cus_4' },
        (r) => r.allowed === true,
        SETTLE_MS,
      );
      const killed = await admin.driver.query<{ ok: boolean }>(
        `select pg_terminate_backend(pid) as ok from pg_stat_activity
         where application_name = 'candor-feed' and query like $1`,
        [`%${schema}%`],
      );
      expect(killed).toHaveLength(3);
      // Each process notices within its bound (it reconnects only after 2 s, on purpose).
      const noticed = await untilAll(
        [b, c],
        { op: 'decide', subject: 'cus_4' },
        (r) => r.code === 'stale_view',
        STALE_AFTER_MS + IPC_SLACK_MS,
      );
      expect(noticed).toBeLessThanOrEqual(STALE_AFTER_MS + IPC_SLACK_MS);
      expect(await b.ask({ op: 'evaluate', subject: 'cus_4' })).toEqual({ outcomes: ['consent'] });
      // …a withdrawal is made while they cannot hear it…
      await a.ask({ op: 'withdraw', subject: 'cus_4' });
      // …and once reconnected they caught up from where they left off.
      await untilAll(
        [b, c],
        { op: 'decide', subject: 'cus_4' },
        (r) => r.code === 'withdrawn',
        10_000,
      );
      // Every process, the writer included (its feed was cut too), is current again.
      await untilAll(remotes, { op: 'status', subject: 'cus_4' }, (r) => r.fresh === true, 10_000);
      for (const r of remotes)
        expect(await r.ask({ op: 'status', subject: 'cus_4' })).toEqual({
          fresh: true,
          connected: true,
          consent: 'ready',
        });
    });
  },
);
