import { describe, expect, it } from 'vitest';
import {
  type AccessRecord,
  appendAccessBatch,
  createMemoryAccessLog,
  DEFAULT_ACCESS_RETENTION_MS,
  duration,
  parseAccessRecord,
  recordStaffLookup,
  retentionFor,
  safeParseAccessRecord,
} from './index';

const T0 = Date.parse('2026-12-01T09:00:00Z');

const record = (over: Partial<AccessRecord> = {}): AccessRecord => ({
  id: `acc_${Math.random()}`,
  subject: 'cus_1',
  at: T0,
  accessor: { kind: 'rule', id: 'card-expiry', version: 3 },
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
  evidence: ['card.expiresAt'],
  outcome: 'sent',
  ...over,
});

describe('AccessRecord', () => {
  it('accepts each kind of accessor and outcome, and names what is wrong otherwise', () => {
    for (const accessor of [
      { kind: 'rule', id: 'r', version: 1 },
      { kind: 'model', id: 'recs', version: '2026-11' },
      { kind: 'feature', id: 'memory.recall' },
      { kind: 'staff', id: 'agent_7f3a' },
    ] as const) {
      expect(parseAccessRecord(record({ accessor })).accessor).toEqual(accessor);
    }
    const bad = safeParseAccessRecord({ ...record(), dataCategories: [] });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.details.path).toBe('record.dataCategories');
    expect(() => parseAccessRecord({ ...record(), accessor: { kind: 'robot', id: 'x' } })).toThrow(
      expect.objectContaining({ code: 'core/invalid_input' }),
    );
    expect(() => parseAccessRecord({ ...record(), extra: 1 })).toThrow(
      expect.objectContaining({ code: 'core/invalid_input' }),
    );
  });
});

describe('createMemoryAccessLog', () => {
  it('answers one subject, newest first, by time range and purpose (children included)', async () => {
    const log = createMemoryAccessLog();
    await log.append([
      record({ id: 'a', at: T0 }),
      record({ id: 'b', at: T0 + 2 * duration.day, purpose: 'marketing.email' }),
      record({ id: 'c', at: T0 + duration.day, purpose: 'service.proactive_support.travel' }),
      record({ id: 'd', at: T0, subject: 'cus_2' }),
    ]);
    const ids = async (q: Parameters<typeof log.query>[0]) => (await log.query(q)).map((r) => r.id);
    expect(await ids({ subject: 'cus_1' })).toEqual(['b', 'c', 'a']);
    expect(await ids({ subject: 'cus_1', from: T0 + 1, to: T0 + duration.day })).toEqual(['c']);
    expect(await ids({ subject: 'cus_1', purpose: 'service.proactive_support' })).toEqual([
      'c',
      'a',
    ]);
    expect(await ids({ subject: 'cus_1', limit: 1 })).toEqual(['b']);
    expect(await ids({ subject: 'nobody' })).toEqual([]);
  });

  it('writes nothing when one record of a batch is malformed, and names it', async () => {
    const log = createMemoryAccessLog();
    await expect(
      log.append([record({ id: 'ok' }), { ...record(), at: 'yesterday' } as never]),
    ).rejects.toMatchObject({ code: 'core/invalid_input', details: { path: 'records[1].at' } });
    expect(await log.query({ subject: 'cus_1' })).toEqual([]);
    // A hole in the list is no record either.
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    await expect(log.append([, record()] as never)).rejects.toMatchObject({
      code: 'core/invalid_input',
      details: { path: 'records[0]' },
    });
    // Nor is a log or a batch that is not one.
    await expect(appendAccessBatch(null as never, null as never)).rejects.toMatchObject({
      details: { path: 'log' },
    });
    await expect(appendAccessBatch(log, null as never)).rejects.toMatchObject({
      details: { path: 'batch' },
    });
  });

  it('refuses a time range out of order and a malformed retention, naming the field', async () => {
    const log = createMemoryAccessLog();
    await expect(log.query({ subject: 'cus_1', from: T0, to: T0 - 1 })).rejects.toMatchObject({
      details: { path: 'query.to' },
    });
    for (const [retention, path] of [
      [{ defaultMs: 0 }, 'retention.defaultMs'],
      [{ defaultMs: -5 }, 'retention.defaultMs'],
      [
        { defaultMs: 1, byPurpose: { 'marketing.email': 0 } },
        'retention.byPurpose.marketing.email',
      ],
      [{ defaultMs: 1, byPurpose: { 'Bad Id': 5 } }, 'retention.byPurpose.Bad Id'],
      [{ defaultMs: 0.5 }, 'retention.defaultMs'],
      [{ defaultMs: 1e20 }, 'retention.defaultMs'],
    ] as const) {
      await expect(log.purge(T0, retention as never)).rejects.toMatchObject({
        code: 'core/invalid_input',
        details: { path },
      });
    }
    // Times that are not whole milliseconds a date can hold, as PostgreSQL refuses them too.
    for (const from of [1.5, 1e300])
      await expect(log.query({ subject: 'cus_1', from })).rejects.toMatchObject({
        details: { path: 'query.from' },
      });
    await expect(log.purge(1.5, { defaultMs: 1 })).rejects.toMatchObject({
      details: { path: 'now' },
    });
  });

  it('purges by each purpose’s retention, the most specific setting winning', async () => {
    const log = createMemoryAccessLog();
    const now = T0 + 400 * duration.day;
    await log.append([
      record({ id: 'old-default', at: T0 }),
      record({ id: 'recent', at: now - duration.day }),
      record({ id: 'old-fraud', at: T0, purpose: 'service.fraud_protection.cards' }),
    ]);
    const removed = await log.purge(now, {
      defaultMs: DEFAULT_ACCESS_RETENTION_MS,
      byPurpose: { 'service.fraud_protection': 5 * 365 * duration.day },
    });
    expect(removed).toBe(1);
    expect((await log.query({ subject: 'cus_1' })).map((r) => r.id).sort()).toEqual([
      'old-fraud',
      'recent',
    ]);
  });

  it('retentionFor covers children, never prefixes that are not ancestors', () => {
    const keep = retentionFor({
      defaultMs: 10,
      byPurpose: { marketing: 20, 'marketing.email': 30 },
    });
    expect(keep('marketing.email.weekly')).toBe(30);
    expect(keep('marketing.sms')).toBe(20);
    expect(keep('marketingx')).toBe(10);
  });
});

describe('recordStaffLookup', () => {
  it('records who looked a customer up, why, and exactly what was shown', async () => {
    const log = createMemoryAccessLog();
    const stored = await recordStaffLookup(log, {
      subject: 'cus_1',
      staffId: 'agent_7f3a',
      purpose: 'service.support',
      dataCategories: ['user.financial.card'],
      evidence: ['card.status'],
      at: T0,
    });
    expect(stored).toMatchObject({
      accessor: { kind: 'staff', id: 'agent_7f3a' },
      outcome: 'looked_up',
    });
    expect(await log.query({ subject: 'cus_1' })).toEqual([stored]);
    await expect(
      recordStaffLookup(log, { ...stored, staffId: '', evidence: [] } as never),
    ).rejects.toMatchObject({
      code: 'core/invalid_input',
      details: { path: 'records[0].accessor.id' },
    });
  });
});

describe('the quick check of a batch', () => {
  it('accepts and refuses exactly what the schema does (property)', async () => {
    const fc = (await import('fast-check')).default;
    const anyValue = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constant(''),
      fc.constant('Bad Id'),
      fc.constant('x.y'),
      fc.constant(-1),
      fc.constant(1.5),
      // A nanosecond time, and the first past what a date can hold.
      fc.constant(1.78e18),
      fc.constant(8.64e15 + 1),
      fc.constant([]),
      fc.constant(['']),
      fc.constant({ kind: 'staff', id: 'a', extra: 1 }),
      fc.constant({ kind: 'rule', id: 'r' }),
      fc.constant({ kind: 'model', id: 'm', version: '' }),
      fc.string({ maxLength: 3 }),
      fc.integer(),
    );
    const base = record();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(base), 'extra'),
        anyValue,
        async (key, value) => {
          const candidate = { ...base, [key]: value } as Record<string, unknown>;
          if (value === undefined) delete candidate[key];
          const schema = safeParseAccessRecord(candidate).success;
          const log = createMemoryAccessLog();
          const stored = await log.append([candidate as never]).then(
            () => true,
            () => false,
          );
          expect(stored).toBe(schema);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('remembers a shared frozen part only for the check it passed, never one with a getter or a hole', async () => {
    const log = createMemoryAccessLog();
    const empty = Object.freeze([]);
    await log.append([record({ evidence: empty })]);
    // Valid as evidence, but not as categories (which need at least one dotted id).
    await expect(log.append([record({ dataCategories: empty })])).rejects.toThrow(/dataCategories/);
    const odd = Object.freeze(['NOT A CATEGORY !!']);
    await log.append([record({ evidence: odd })]);
    await expect(log.append([record({ dataCategories: odd })])).rejects.toThrow(/dataCategories/);
    let reads = 0;
    const shifty = Object.freeze(
      Object.defineProperty([] as string[], 0, {
        get: () => (reads++ === 0 ? 'user.financial.card' : '$$$'),
        enumerable: true,
      }),
    );
    await log.append([record({ dataCategories: shifty })]);
    await expect(log.append([record({ dataCategories: shifty })])).rejects.toThrow();
    // biome-ignore lint/suspicious/noSparseArray: a hole is what this checks
    const holey = Object.freeze(['user.financial.card', , 'user.financial.card']) as string[];
    await expect(log.append([record({ dataCategories: holey })])).rejects.toThrow();
  });
});
