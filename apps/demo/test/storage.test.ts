import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCandorDatabase } from '@candor/postgres';
import { expect, test } from 'vitest';
import type { DemoConfig } from '../src/config';
import { openStorage } from '../src/storage';

const T0 = Date.UTC(2026, 5, 1, 12);
const change = {
  id: 'chg_1:performed',
  changeId: 'chg_1',
  kind: 'performed',
  subject: 'cus_ana',
  decisionId: 'prop_1',
  type: 'booking.rebook',
  purpose: 'service.automatic_changes',
  at: T0,
  undoUntil: T0 + 4 * 3_600_000,
};
const correction = {
  type: 'opened',
  correctionId: 'c-1',
  subject: 'cus_ana',
  path: 'card.expiresAt',
  category: 'user.financial.card',
  current: '2026-12-31',
  proposed: '2028-03-31',
  at: T0,
};

test('a data folder from an earlier demo keeps its changes and corrections', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'candor-demo-older-'));
  try {
    // What earlier versions of the demo wrote: tables of its own.
    const older = await createCandorDatabase({ dataDir });
    await older.driver.exec(`
      create table public.demo_changes (seq bigint generated always as identity primary key,
        id text not null unique, subject text not null, record jsonb not null);
      create table public.demo_corrections (seq bigint generated always as identity primary key,
        subject text not null, event jsonb not null);`);
    await older.driver.query(
      'insert into public.demo_changes (id, subject, record) values ($1, $2, $3)',
      [change.id, change.subject, JSON.stringify(change)],
    );
    await older.driver.query(
      'insert into public.demo_corrections (subject, event) values ($1, $2)',
      [correction.subject, JSON.stringify(correction)],
    );
    await older.close();

    const config = { databaseUrl: null, schema: undefined, dataDir } as unknown as DemoConfig;
    for (let open = 0; open < 2; open++) {
      const storage = await openStorage(config, () => {});
      try {
        expect(await storage.app.changes.list('cus_ana')).toEqual([change]);
        expect(await storage.corrections.read('cus_ana')).toEqual([correction]);
      } finally {
        await storage.close();
      }
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);
