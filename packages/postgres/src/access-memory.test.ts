import {
  type AccessRecord,
  createMemoryAccessLog,
  createVirtualClock,
  DEFAULT_ACCESS_RETENTION_MS,
  duration,
} from '@candor/core';
import { createMemoryBook } from '@candor/memory';
import { describe, expect, it } from 'vitest';
import { allowAll } from '../../../test-utils/gates.ts';
import { createPostgresAccessLog } from './access';
import { driverCases, useTestDatabases } from './drivers.test-helpers';
import { createPostgresMemoryStore } from './memory';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const record = (i: number, over: Partial<AccessRecord> = {}): AccessRecord => ({
  id: `acc_${i}`,
  subject: 'cus_1',
  at: T0 + i,
  accessor: { kind: 'rule', id: 'card-expiry', version: 3 },
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
  evidence: ['card.expiresAt'],
  outcome: 'held_back',
  heldBackBecause: 'quiet_hours',
  ...over,
});

describe.each(driverCases)('access log and memory store on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);

  it.skipIf(skip)('stores access records in batches and reads them back as written', async () => {
    const log = createPostgresAccessLog(await database());
    const records = Array.from({ length: 500 }, (_, i) =>
      record(i, i % 2 === 0 ? {} : { purpose: 'marketing.email', outcome: 'sent' }),
    );
    await log.append(records);
    await log.append([records[0] as AccessRecord]); // a repeat is stored once
    const all = await log.query({ subject: 'cus_1' });
    expect(all).toHaveLength(500);
    expect(all[0]).toEqual(records[499]);
    expect(
      await log.query({ subject: 'cus_1', purpose: 'marketing', from: T0 + 10, to: T0 + 13 }),
    ).toEqual([records[13], records[11]]);
    await expect(
      log.append([record(900), { ...record(901), dataCategories: [] }]),
    ).rejects.toMatchObject({
      code: 'core/invalid_input',
      details: { path: 'records[1].dataCategories' },
    });
    expect(await log.query({ subject: 'cus_1', from: T0 + 900 })).toEqual([]);
  });

  it.skipIf(skip)(
    'returns records of one instant as the in-memory log does: last appended first',
    async () => {
      const logs = [createPostgresAccessLog(await database()), createMemoryAccessLog()];
      const at = (id: string) => record(0, { id });
      for (const log of logs) {
        await log.append([at('acc_b'), at('acc_c')]);
        await log.append([at('acc_a')]);
      }
      const [durable, memory] = await Promise.all(
        logs.map((log) => log.query({ subject: 'cus_1', limit: 2 })),
      );
      expect(durable?.map((r) => r.id)).toEqual(['acc_a', 'acc_c']);
      expect(memory).toEqual(durable);
    },
  );

  it.skipIf(skip)('keeps a record whose id another customer’s record has', async () => {
    const log = createPostgresAccessLog(await database());
    const theirs = record(1, { subject: 'cus_2' });
    await log.append([record(1)]);
    await log.append([theirs]);
    await log.append([theirs]); // a retry is stored once
    expect(await log.query({ subject: 'cus_2' })).toEqual([theirs]);
    expect(await log.query({ subject: 'cus_1' })).toEqual([record(1)]);
  });

  it.skipIf(skip)('purges by each purpose’s retention', async () => {
    const log = createPostgresAccessLog(await database());
    await log.append([
      record(1),
      record(2, { purpose: 'service.fraud_protection.cards' }),
      record(3, { at: T0 + 400 * duration.day }),
      // A purpose whose id matches only if `_` were a wildcard.
      record(4, { purpose: 'service.fraudxprotection.cards' }),
    ]);
    const fraud = await log.query({ subject: 'cus_1', purpose: 'service.fraud_protection' });
    expect(fraud.map((r) => r.id)).toEqual(['acc_2']);
    const removed = await log.purge(T0 + 401 * duration.day, {
      defaultMs: DEFAULT_ACCESS_RETENTION_MS,
      byPurpose: { 'service.fraud_protection': 5 * 365 * duration.day },
    });
    expect(removed).toBe(2);
    expect((await log.query({ subject: 'cus_1' })).map((r) => r.id)).toEqual(['acc_3', 'acc_2']);
    await expect(log.purge(T0, { defaultMs: 0 })).rejects.toMatchObject({
      details: { path: 'retention.defaultMs' },
    });
  });

  it.skipIf(skip)(
    'keeps memories durably: a second book reads them, erasure leaves no content',
    async () => {
      const db = await database();
      const clock = createVirtualClock(T0);
      const book = createMemoryBook({
        consent: allowAll,
        store: createPostgresMemoryStore(db),
        clock,
      });
      const memory = await book.remember({
        subject: 'cus_1',
        content: { kind: 'stated_reason', reason: 'a trek in the Alps' },
        category: 'user.behavior.purchase_reason',
        provenance: { source: 'checkout', kind: 'stated', observedAt: T0, party: 'first' },
        purposes: ['service.proactive_support'],
        about: { type: 'order', id: 'ord_1' },
      });
      const fixed = await book.correct('cus_1', memory.id, {
        kind: 'stated_reason',
        reason: 'a gift',
      });
      const other = createMemoryBook({
        consent: allowAll,
        store: createPostgresMemoryStore(db),
        clock,
      });
      const recalled = await other.recall('cus_1', {
        purpose: 'service.proactive_support',
        accessor: { kind: 'feature', id: 'test' },
      });
      expect(recalled.facts.map((f) => f.value)).toEqual(['a gift']);
      await other.erase('cus_1', fixed.id);
      const rows = await db.driver.query<{ entry: unknown }>(
        `select entry from ${db.table('memory_entries')} where subject = 'cus_1'`,
      );
      expect(JSON.stringify(rows)).not.toMatch(/trek|gift/);
      expect((await book.list('cus_1')).erased).toHaveLength(2);
    },
  );
});
