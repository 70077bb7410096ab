import {
  type AccessRecord,
  type AccessSummary,
  CandorError,
  createMemoryAccessLog,
  summarizeAccessRecords,
} from '@candor/core';
import { createExplainer, renderAccessHistory } from '@candor/explain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accessRecords, trickyZones } from '../../../test-utils/access-records.ts';
import { createPostgresAccessLog } from './access';
import { summarizeAccessRecordsIn } from './access-summary';
import type { CandorDatabase } from './database';
import { driverCases, useTestDatabases } from './drivers.test-helpers';

const T0 = Date.parse('2026-12-03T18:00:00Z');
const record = (i: number, over: Partial<AccessRecord> = {}): AccessRecord => ({
  id: `acc_${String(i).padStart(4, '0')}`,
  subject: 'cus_1',
  at: T0 + i * 600_000,
  accessor: { kind: 'rule', id: 'card-expiry', version: 3 },
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
  evidence: ['card.expiresAt'],
  outcome: 'held_back',
  ...over,
});
const explainer = createExplainer({ clock: { now: () => T0 } });

describe.each(driverCases)('AccessLog.summarize on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);

  it.skipIf(skip)('groups in the database as the in-memory log does', async () => {
    const log = createPostgresAccessLog(await database());
    const records = [
      record(0), // 23:45 in Kathmandu
      record(2, { dataCategories: ['user.travel.itinerary', 'user.financial.card'] }),
      record(3, { accessor: { kind: 'feature', id: 'explanation' }, outcome: 'explained' }),
      record(4, { accessor: { kind: 'feature', id: 'memory.recall' }, outcome: 'looked_up' }),
      record(5, { accessor: { kind: 'staff', id: 'agent_7' }, purpose: 'service' }),
      record(6, { outcome: 'sent', purpose: 'marketing.email' }),
      record(7, { subject: 'cus_2' }),
    ];
    await log.append(records);
    const memory = createMemoryAccessLog();
    await memory.append(records);
    for (const query of [
      { subject: 'cus_1' },
      { subject: 'cus_1', limit: 3 },
      { subject: 'cus_1', purpose: 'service', from: T0 + 1, to: T0 + 50 * 60_000 },
      { subject: 'nobody' },
    ]) {
      const options = { timeZone: 'Asia/Kathmandu' };
      expect(await log.summarize(query, options)).toEqual(await memory.summarize?.(query, options));
    }
    const summary = await log.summarize({ subject: 'cus_1' }, { timeZone: 'Asia/Kathmandu' });
    expect(summary.groups.map((g) => [g.day, g.accessor.kind, g.count])).toEqual([
      ['2026-12-04', 'rule', 1],
      ['2026-12-04', 'staff', 1],
      ['2026-12-04', 'feature', 1],
      ['2026-12-04', 'feature', 1],
      ['2026-12-04', 'rule', 1],
      ['2026-12-03', 'rule', 1],
    ]);
    expect(summary.groups[4]?.dataCategories).toEqual([
      'user.financial.card',
      'user.travel.itinerary',
    ]);
  });

  it.skipIf(skip)('refuses a bad time zone or range, naming the field', async () => {
    const log = createPostgresAccessLog(await database());
    for (const timeZone of ['Mars/Olympus', '+05:45', "UTC'; drop table x; --"])
      await expect(log.summarize({ subject: 'cus_1' }, { timeZone })).rejects.toMatchObject({
        code: 'core/invalid_input',
        details: { path: 'options.timeZone' },
      });
    await expect(
      log.summarize({ subject: 'cus_1', from: 2, to: 1 }, { timeZone: 'UTC' }),
    ).rejects.toMatchObject({ code: 'core/invalid_input', details: { path: 'query.to' } });
  });

  it.skipIf(skip)(
    'agrees with the in-memory summary and with explain grouping the records, across DST and odd offsets (property)',
    { timeout: 120_000 },
    async () => {
      const log = createPostgresAccessLog(await database());
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...trickyZones),
          accessRecords('cus_x'),
          async (timeZone, generated) => {
            const subject = `cus_${run++}`;
            const records = generated.map((r) => ({ ...r, id: `${subject}_${r.id}`, subject }));
            await log.append(records);
            const memory = createMemoryAccessLog();
            await memory.append(records);
            const query = { subject };
            const fromDatabase = await log.summarize(query, { timeZone });
            expect(fromDatabase).toEqual(await memory.summarize?.(query, { timeZone }));
            const rows = await log.query(query);
            expect(fromDatabase).toEqual(summarizeAccessRecords(rows, { timeZone }));
            for (const locale of ['en', 'de']) {
              const fromRecords = explainer.accessHistory(rows, { locale, timeZone });
              const fromSummary = explainer.accessHistory(fromDatabase as AccessSummary, {
                locale,
              });
              for (const format of ['text', 'markdown', 'html', 'json'] as const)
                expect(renderAccessHistory(fromSummary, format)).toBe(
                  renderAccessHistory(fromRecords, format),
                );
            }
          },
        ),
        { numRuns: 60 },
      );
    },
  );
});

describe('a time zone the database does not know', () => {
  it('is a core/invalid_input error at options.timeZone; other failures pass through', async () => {
    const failing = (error: unknown) =>
      ({
        table: (name: string) => `"s"."candor_${name}"`,
        driver: {
          query: async () => {
            throw error;
          },
        },
      }) as unknown as CandorDatabase;
    const unknownZone = new CandorError(
      'postgres/query_failed',
      'Query failed: time zone "Asia/Kathmandu" not recognized',
      { sqlState: '22023' },
    );
    await expect(
      summarizeAccessRecordsIn(
        failing(unknownZone),
        { subject: 'cus_1' },
        { timeZone: 'Asia/Kathmandu' },
      ),
    ).rejects.toMatchObject({
      code: 'core/invalid_input',
      details: { path: 'options.timeZone', value: 'Asia/Kathmandu' },
      cause: unknownZone,
    });
    const down = new CandorError('postgres/query_failed', 'Query failed: connection refused', {
      sqlState: '08006',
    });
    await expect(
      summarizeAccessRecordsIn(failing(down), { subject: 'cus_1' }, { timeZone: 'UTC' }),
    ).rejects.toBe(down);
  });
});
