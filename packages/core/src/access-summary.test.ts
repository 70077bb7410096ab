import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccessRecord,
  createMemoryAccessLog,
  duration,
  parseAccessSummary,
  summarizeAccessRecords,
} from './index';

const T0 = Date.parse('2026-12-03T18:00:00Z');
let n = 0;
const record = (over: Partial<AccessRecord> = {}): AccessRecord => ({
  id: `acc_${String(n++).padStart(6, '0')}`,
  subject: 'cus_1',
  at: T0,
  accessor: { kind: 'rule', id: 'card-expiry', version: 3 },
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
  evidence: ['card.expiresAt'],
  outcome: 'held_back',
  ...over,
});

describe('AccessLog.summarize (in memory)', () => {
  it('groups by local day, purpose, accessor kind (features by id) and outcome', async () => {
    const log = createMemoryAccessLog();
    await log.append([
      record({ at: T0 }), // 23:45 in Kathmandu: Dec 3
      record({ at: T0 + 20 * duration.minute, dataCategories: ['user.travel.itinerary'] }), // Dec 4
      record({
        at: T0 + 30 * duration.minute,
        accessor: { kind: 'rule', id: 'other', version: 1 },
      }),
      record({ at: T0 + 40 * duration.minute, outcome: 'sent' }),
      record({ at: T0 + 50 * duration.minute, accessor: { kind: 'feature', id: 'explanation' } }),
      record({ at: T0 + 55 * duration.minute, accessor: { kind: 'feature', id: 'memory.recall' } }),
      record({ at: T0 + 60 * duration.minute, accessor: { kind: 'staff', id: 'agent_7' } }),
      record({ at: T0, subject: 'cus_2' }),
    ]);
    const summary = await log.summarize?.({ subject: 'cus_1' }, { timeZone: 'Asia/Kathmandu' });
    expect(parseAccessSummary(summary)).toEqual(summary);
    const rule = { kind: 'rule' } as const;
    const base = { purpose: 'service.proactive_support', outcome: 'held_back' } as const;
    expect(summary).toEqual({
      timeZone: 'Asia/Kathmandu',
      groups: [
        {
          ...base,
          day: '2026-12-04',
          accessor: { kind: 'staff' },
          dataCategories: ['user.financial.card'],
          count: 1,
          lastAt: T0 + 60 * duration.minute,
        },
        {
          ...base,
          day: '2026-12-04',
          accessor: { kind: 'feature', id: 'memory.recall' },
          dataCategories: ['user.financial.card'],
          count: 1,
          lastAt: T0 + 55 * duration.minute,
        },
        {
          ...base,
          day: '2026-12-04',
          accessor: { kind: 'feature', id: 'explanation' },
          dataCategories: ['user.financial.card'],
          count: 1,
          lastAt: T0 + 50 * duration.minute,
        },
        {
          ...base,
          day: '2026-12-04',
          accessor: rule,
          outcome: 'sent',
          dataCategories: ['user.financial.card'],
          count: 1,
          lastAt: T0 + 40 * duration.minute,
        },
        {
          ...base,
          day: '2026-12-04',
          accessor: rule,
          dataCategories: ['user.financial.card', 'user.travel.itinerary'],
          count: 2,
          lastAt: T0 + 30 * duration.minute,
        },
        {
          ...base,
          day: '2026-12-03',
          accessor: rule,
          dataCategories: ['user.financial.card'],
          count: 1,
          lastAt: T0,
        },
      ],
    });
    // The same query fields as query(): range, purpose and limit.
    const limited = await log.summarize?.({ subject: 'cus_1', limit: 2 }, { timeZone: 'UTC' });
    expect(limited?.groups.map((g) => [g.accessor.kind, g.count])).toEqual([
      ['staff', 1],
      ['feature', 1],
    ]);
    const ranged = await log.summarize?.(
      { subject: 'cus_1', from: T0, to: T0 + 25 * duration.minute, purpose: 'service' },
      { timeZone: 'UTC' },
    );
    expect(ranged?.groups).toEqual([
      {
        ...base,
        day: '2026-12-03',
        accessor: rule,
        dataCategories: ['user.financial.card', 'user.travel.itinerary'],
        count: 2,
        lastAt: T0 + 20 * duration.minute,
      },
    ]);
    expect(await log.summarize?.({ subject: 'nobody' }, { timeZone: 'UTC' })).toEqual({
      timeZone: 'UTC',
      groups: [],
    });
  });

  it('refuses a bad time zone or range with a typed error naming the field', async () => {
    const log = createMemoryAccessLog();
    await expect(
      log.summarize?.({ subject: 'cus_1' }, { timeZone: 'Mars/Olympus' }),
    ).rejects.toMatchObject({ code: 'core/invalid_input', details: { path: 'options.timeZone' } });
    await expect(
      log.summarize?.({ subject: 'cus_1', from: 2, to: 1 }, { timeZone: 'UTC' }),
    ).rejects.toMatchObject({ code: 'core/invalid_input', details: { path: 'query.to' } });
    await expect(log.summarize?.({ subject: 'cus_1' }, undefined as never)).rejects.toMatchObject({
      details: { path: 'options' },
    });
  });

  it('agrees with grouping each record by its Intl-formatted day, across DST and odd offsets', () => {
    const zones = ['Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'Europe/Berlin'];
    const kinds = [
      { kind: 'rule', id: 'r', version: 1 },
      { kind: 'model', id: 'm' },
      { kind: 'staff', id: 's' },
      { kind: 'feature', id: 'explanation' },
      { kind: 'feature', id: 'other' },
    ] as const;
    const arbitrary = fc.record({
      at: fc.integer({ min: Date.parse('2025-03-01'), max: Date.parse('2025-11-30') }),
      accessor: fc.constantFrom(...kinds),
      purpose: fc.constantFrom('marketing', 'service.support'),
      outcome: fc.constantFrom('sent', 'held_back', 'looked_up', 'explained' as const),
      dataCategories: fc.uniqueArray(fc.constantFrom('user.a', 'user.b', 'user.c'), {
        minLength: 1,
      }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.array(arbitrary, { maxLength: 60 }),
        (timeZone, xs) => {
          const records = xs.map((x) => record(x));
          const summary = summarizeAccessRecords(records, { timeZone });
          const format = new Intl.DateTimeFormat('en-CA', {
            timeZone,
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
          });
          expect(summary.groups.reduce((sum, g) => sum + g.count, 0)).toBe(records.length);
          for (const g of summary.groups) {
            const mine = records.filter(
              (r) =>
                format.format(r.at) === g.day &&
                r.purpose === g.purpose &&
                r.outcome === g.outcome &&
                r.accessor.kind === g.accessor.kind &&
                (g.accessor.kind !== 'feature' || r.accessor.id === g.accessor.id),
            );
            expect(mine.length).toBe(g.count);
            expect(g.lastAt).toBe(Math.max(...mine.map((r) => r.at)));
            expect(g.dataCategories).toEqual(
              [...new Set(mine.flatMap((r) => r.dataCategories))].sort(),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
