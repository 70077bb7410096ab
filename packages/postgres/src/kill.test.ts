import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresLedgerStore } from './consent';
import { createCandorDatabase } from './database';
import { DATABASE_URL, driverCases, uniqueSchema } from './drivers.test-helpers';

const writer = fileURLToPath(new URL('./kill-writer.test-helpers.ts', import.meta.url));

/** Starts the writer, waits for `acks` acknowledged appends, SIGKILLs it; returns the acks. */
function writeThenKill(args: string[], acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions', '@candor/source', writer, ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const acked: string[] = [];
    let buffer = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ack ')) acked.push(line.slice(4));
      if (!killed && acked.length >= acks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe.each(driverCases)(
  'a ledger writer killed with SIGKILL mid-batch on $name',
  ({ kind, skip }) => {
    const cleanup: Array<() => Promise<void> | void> = [];
    afterEach(async () => {
      for (const fn of cleanup.splice(0).reverse()) await fn();
    });

    it.skipIf(skip)(
      'loses nothing it acknowledged and its chains verify',
      { timeout: 120_000 },
      async () => {
        const schema = uniqueSchema();
        let target: string;
        if (kind === 'postgres') target = DATABASE_URL as string;
        else {
          target = mkdtempSync(join(tmpdir(), 'candor-pglite-'));
          cleanup.push(() => rmSync(target, { recursive: true, force: true }));
        }
        const acked = await writeThenKill([kind, target, schema], kind === 'postgres' ? 300 : 60);
        const db = await createCandorDatabase(
          kind === 'postgres' ? { url: target, schema } : { dataDir: target, schema },
        );
        cleanup.push(async () => {
          if (kind === 'postgres') await db.driver.query(`drop schema "${schema}" cascade`);
          await db.close();
        });
        const store = createPostgresLedgerStore(db);
        for (const key of acked) expect(await store.findByIdempotencyKey(key), key).not.toBeNull();
        const report = await store.verify();
        expect(report).toMatchObject({ valid: true, subjects: 4 });
        // Only appends in flight when the kill landed (at most one per writer loop, 8 loops)
        // may be stored without an ack.
        expect(report.valid && report.entries - acked.length).toBeLessThanOrEqual(8);
        expect(report.valid && report.entries).toBeGreaterThanOrEqual(acked.length);
        // The store keeps working after the crash: the next writer continues every chain.
        const head = await store.head('cus_0');
        const { entry } = await store.append({
          subject: 'cus_0',
          expectedSequence: head?.sequence ?? 0,
          idempotencyKey: 'after-crash',
          recordedAt: 1_790_000_000_000,
          event: {
            kind: 'given',
            actor: { kind: 'subject' },
            purposes: ['marketing'],
            at: 1_790_000_000_000,
            method: 'api',
          },
        });
        expect(entry.prevHash).toBe(head?.hash);
        expect(await store.verify('cus_0')).toMatchObject({ valid: true });
      },
    );
  },
);
