import {
  type AccessLog,
  type AccessRecord,
  type AccessSummary,
  createMemoryAccessLog,
} from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { accessRecords, trickyZones } from '../../../test-utils/access-records.ts';
import { clock } from '../test/fixtures';
import type { AccessHistoryPage } from './access-history';
import { createExplainer } from './explainer';
import { renderAccessHistory } from './render';

const explainer = createExplainer({ clock });
const FORMATS = ['text', 'markdown', 'html', 'json'] as const;
const T = Date.UTC(2026, 11, 3, 15);

const record = (i: number, over: Partial<AccessRecord> = {}): AccessRecord => ({
  id: `acc_${i}`,
  subject: 'cus_ana',
  at: T + i,
  accessor: { kind: 'rule', id: 'storm-warning', version: 2 },
  purpose: 'service.proactive_support',
  dataCategories: ['user.travel.itinerary'],
  evidence: ['trip.flight'],
  outcome: 'held_back',
  ...over,
});

/** Every rendering of two pages is the same, and so are the pages. */
function expectSame(a: AccessHistoryPage, b: AccessHistoryPage): void {
  for (const format of FORMATS)
    expect(renderAccessHistory(a, format)).toBe(renderAccessHistory(b, format));
  expect(a).toEqual(b);
}

describe('an access history from AccessLog.summarize', () => {
  it('says the same, in en and de and every format, as from the records (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...trickyZones),
        accessRecords('cus_ana'),
        async (timeZone, records) => {
          const log = createMemoryAccessLog();
          await log.append(records);
          const query = { subject: 'cus_ana' };
          const rows = await log.query(query);
          const summary = (await log.summarize?.(query, { timeZone })) as AccessSummary;
          for (const locale of ['en', 'de']) {
            const fromRecords = explainer.accessHistory(rows, { locale, timeZone });
            expectSame(explainer.accessHistory(summary, { locale }), fromRecords);
            expectSame(
              await explainer.readAccessHistory(log, query, { locale, timeZone }),
              fromRecords,
            );
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('merges features other than explanations into one line, summing uses', async () => {
    const log = createMemoryAccessLog();
    await log.append([
      record(1, { accessor: { kind: 'feature', id: 'memory.recall' } }),
      record(2, {
        accessor: { kind: 'feature', id: 'recommendations' },
        dataCategories: ['user.financial.card'],
      }),
    ]);
    const page = await explainer.readAccessHistory(log, { subject: 'cus_ana' });
    expect(page.days[0]?.lines).toHaveLength(1);
    expect(page.days[0]?.lines[0]).toMatchObject({
      who: 'other',
      times: 2,
      dataCategories: ['user.financial.card', 'user.travel.itinerary'],
    });
  });

  it('reads the summary when the log offers one, and the records otherwise', async () => {
    const memory = createMemoryAccessLog();
    await memory.append([record(1), record(2, { outcome: 'sent' })]);
    const query = vi.fn(memory.query);
    const summarize = vi.fn(memory.summarize as NonNullable<AccessLog['summarize']>);
    const withSummary: AccessLog = { ...memory, query, summarize };
    const withoutSummary: AccessLog = { append: memory.append, purge: memory.purge, query };
    const options = { locale: 'de', timeZone: 'Pacific/Chatham' };
    const a = await explainer.readAccessHistory(withSummary, { subject: 'cus_ana' }, options);
    expect(summarize).toHaveBeenCalledWith({ subject: 'cus_ana' }, { timeZone: 'Pacific/Chatham' });
    expect(query).not.toHaveBeenCalled();
    const b = await explainer.readAccessHistory(withoutSummary, { subject: 'cus_ana' }, options);
    expect(query).toHaveBeenCalledTimes(1);
    expectSame(a, b);
    expect(a.days[0]?.date).toBe('2026-12-04'); // 04:00 the next day in Chatham
  });

  it('refuses a malformed summary, query or zone, naming the field', async () => {
    const log = createMemoryAccessLog();
    const summary = (await log.summarize?.(
      { subject: 'x' },
      { timeZone: 'Asia/Kathmandu' },
    )) as AccessSummary;
    const fails = (path: string) =>
      expect.objectContaining({
        code: 'explain/invalid_input',
        details: expect.objectContaining({ path }),
      });
    expect(() => explainer.accessHistory(summary, { timeZone: 'Europe/Berlin' })).toThrow(
      fails('options.timeZone'),
    );
    expect(() =>
      explainer.accessHistory({
        timeZone: 'UTC',
        groups: [
          {
            day: '2026-12-03',
            purpose: 'service',
            accessor: { kind: 'rule' },
            outcome: 'sent',
            dataCategories: ['user.financial.card'],
            count: 0,
            lastAt: T,
          },
        ],
      }),
    ).toThrow(fails('summary.groups[0].count'));
    const group = {
      day: '2026-12-03',
      purpose: 'service',
      accessor: { kind: 'rule' },
      outcome: 'sent',
      dataCategories: ['user.financial.card'],
      count: 1,
      lastAt: Date.UTC(2026, 11, 3, 23),
    } as const;
    expect(explainer.accessHistory({ timeZone: 'UTC', groups: [group] }).days[0]?.label).toBe(
      'Dec 3',
    );
    expect(() => explainer.accessHistory({ timeZone: 'Europe/Berlin', groups: [group] })).toThrow(
      fails('summary.groups[0].lastAt'),
    );
    expect(() => explainer.accessHistory({ timeZone: 'UTC' } as never)).toThrow(
      fails('summary.groups'),
    );
    await expect(
      explainer.readAccessHistory(log, { subject: 'x', from: 2, to: 1 }),
    ).rejects.toThrow(fails('query.to'));
    await expect(
      explainer.readAccessHistory(log, { subject: 'x' }, { timeZone: '+05:45' }),
    ).rejects.toThrow(fails('options.timeZone'));
    await expect(explainer.readAccessHistory(null as never, { subject: 'x' })).rejects.toThrow(
      fails('log'),
    );
  });
});
