import { isCandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { createCandorDatabase } from './database';
import { driverCases, type TestDatabase, useTestDatabases } from './drivers.test-helpers';
import { candorMigrations, migrate } from './migrations';

describe('createCandorDatabase options', () => {
  it('rejects malformed options with a typed error naming the option', async () => {
    await expect(createCandorDatabase({ schema: 'Bad-Name' })).rejects.toMatchObject({
      code: 'postgres/invalid_options',
      details: { path: 'schema', value: 'Bad-Name' },
    });
    await expect(
      createCandorDatabase({ url: 'postgres://x@127.0.0.1:1/db', poolSize: 0 }),
    ).rejects.toMatchObject({
      code: 'postgres/invalid_options',
      details: { path: 'poolSize' },
    });
    // One connection listens for the change feed: a pool of one would leave none to query.
    await expect(
      createCandorDatabase({ url: 'postgres://x@127.0.0.1:1/db', poolSize: 1 }),
    ).rejects.toMatchObject({ code: 'postgres/invalid_options', details: { path: 'poolSize' } });
    // A feed catching up less often than its bound would go stale between catch-ups.
    await expect(
      createCandorDatabase({ feed: { staleAfterMs: 1_000, heartbeatMs: 1_000 } }),
    ).rejects.toMatchObject({
      code: 'postgres/invalid_options',
      details: { path: 'feed.heartbeatMs' },
    });
  });

  it('migrate() rejects a missing driver, a malformed schema name or migration list by name', async () => {
    const fakeDriver = { transaction: () => Promise.reject(new Error('must not be reached')) };
    const cases: [Parameters<typeof migrate>, string][] = [
      [[null as never, 'public'], 'driver'],
      [[{} as never, 'public'], 'driver'],
      [[fakeDriver as never, 'Bad-Name'], 'schema'],
      [[fakeDriver as never, undefined as never], 'schema'],
      [[fakeDriver as never, 'public', 'x' as never], 'migrations'],
    ];
    for (const [args, path] of cases) {
      await expect(migrate(...args)).rejects.toMatchObject({
        code: 'postgres/invalid_options',
        details: { path },
      });
    }
  });

  it('reports an unreachable server as connection_failed, with the password redacted', async () => {
    const error = await createCandorDatabase({ url: 'postgres://app:secret@127.0.0.1:1/db' }).catch(
      (e: unknown) => e,
    );
    expect(isCandorError(error, 'postgres/connection_failed')).toBe(true);
    expect(JSON.stringify((error as { details: unknown }).details)).not.toContain('secret');
  });
});

describe.each(driverCases)('database on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);

  it.skipIf(skip)(
    'applies every migration once, even with several instances starting at once',
    async () => {
      const first = await database({ migrate: false });
      expect(await first.version()).toBe(0);
      const others = await Promise.all(
        [1, 2, 3].map(() => database({ schema: first.schema, migrate: false })),
      );
      const reports = await Promise.all([first, ...others].map((db) => db.migrate()));
      const latest = candorMigrations.at(-1)!.version;
      expect(reports.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(
        candorMigrations.map((m) => m.version),
      );
      expect(reports.every((r) => r.version === latest)).toBe(true);
      expect(await first.migrate()).toEqual({ applied: [], version: latest });
      expect(await first.version()).toBe(latest);
      const tables = await first.driver.query<{ name: string }>(
        `select table_name as name from information_schema.tables where table_schema = $1 order by 1`,
        [first.schema],
      );
      expect(tables.map((t) => t.name).every((n) => n.startsWith('candor_'))).toBe(true);
      expect(tables.map((t) => t.name)).toContain('candor_consent_entries');
    },
  );

  it.skipIf(skip)('refuses an edited migration and a schema newer than the package', async () => {
    const db = await database();
    await db.driver.query(
      `update ${db.table('migrations')} set checksum = 'edited' where version = 1`,
    );
    await expect(db.migrate()).rejects.toMatchObject({
      code: 'postgres/migration_failed',
      details: { path: 'migrations[1]' },
    });
    await db.driver.query(
      `insert into ${db.table('migrations')} (version, name, checksum) values (999, 'future', 'x')`,
    );
    await expect(db.migrate()).rejects.toMatchObject({
      code: 'postgres/migration_failed',
      details: { version: 999 },
    });
  });

  it.skipIf(skip)('commits, rolls back on a throw, and reports health', async () => {
    const db = await database();
    const t = db.table('rule_pauses');
    await db.driver.transaction(async (tx) => {
      await tx.query(
        `insert into ${t} (rule_id, reason, since, paused_by) values ('a', 'r', 1, 'me')`,
      );
    });
    await expect(
      db.driver.transaction(async (tx) => {
        await tx.query(
          `insert into ${t} (rule_id, reason, since, paused_by) values ('b', 'r', 1, 'me')`,
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.driver.query(`select rule_id from ${t}`)).toEqual([{ rule_id: 'a' }]);
    await expect(db.driver.query('select * from nowhere')).rejects.toMatchObject({
      code: 'postgres/query_failed',
      details: { sqlState: '42P01' },
    });
    const health = await db.health();
    expect(health).toMatchObject({ ok: true, kind });
    expect(health.serverVersion).toMatch(kind === 'pglite' ? /^1[5-9]/ : /^1[3-9]/);
  });

  it.skipIf(skip)('retries serializable transactions that conflict, so both commit', async () => {
    const first = await database();
    const second = await database({ schema: first.schema });
    const t = first.table('feedback_counters');
    const bump = (db: TestDatabase) =>
      db.driver.transaction(
        async (tx) => {
          const [row] = await tx.query<{ n: string }>(
            `select last_seq as n from ${t} where log = 'events'`,
          );
          await new Promise((r) => setTimeout(r, 20));
          await tx.query(`update ${t} set last_seq = $1 where log = 'events'`, [
            Number(row!.n) + 1,
          ]);
        },
        { isolation: 'serializable', maxRetries: 20 },
      );
    await Promise.all([bump(first), bump(second), bump(first), bump(second)]);
    const [row] = await first.driver.query<{ n: string }>(
      `select last_seq as n from ${t} where log = 'events'`,
    );
    expect(Number(row!.n)).toBe(4);
  });

  it.skipIf(skip)('is unusable after close, and says so', async () => {
    const db = await database();
    const other = await database({ schema: db.schema });
    await other.close();
    await other.close();
    expect(other.driver.closed).toBe(true);
    await expect(other.driver.query('select 1')).rejects.toMatchObject({ code: 'postgres/closed' });
    expect(await other.health()).toMatchObject({ ok: false });
    expect(await db.health()).toMatchObject({ ok: true });
  });
});
