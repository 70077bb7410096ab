import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccessIdOf,
  type AccessLog,
  type AccessRecord,
  type AccessShape,
  accessShape,
  appendAccessBatch,
  createAccessBatch,
  createMemoryAccessLog,
  duration,
  isCandorError,
} from './index';

const T0 = Date.parse('2026-12-01T09:00:00Z');

const PURPOSES = [
  'service.proactive_support',
  'service.proactive_support.travel',
  'marketing.email',
];
const shapeOf = (purpose: string, n: number): AccessShape =>
  accessShape({
    accessor: { kind: 'rule', id: `rule-${n}`, version: n },
    purpose,
    dataCategories: ['user.financial.card'],
    evidence: [`card.field${n}`],
  });

/** A batch of `rows` (purpose index, held back or sent) for `subject` at `at`, and the same as records. */
function both(
  subject: string,
  at: number,
  rows: readonly (readonly [number, boolean])[],
  keyed = false,
) {
  const shapes = PURPOSES.map(shapeOf);
  // With a key, ids are made from it, as AccessIdOf asks (the key names the time here).
  const batch = keyed
    ? createAccessBatch(
        subject,
        at,
        (_, i, b) => `acc_${b.subject}_${b.key}_${i}`,
        0,
        undefined,
        `${at}`,
      )
    : createAccessBatch(subject, at, (_, key) => `acc_${subject}_${at}_${key}`);
  const records: AccessRecord[] = [];
  rows.forEach(([p, held], key) => {
    const shape = shapes[p] as AccessShape;
    batch.add(shape, held ? 'held_back' : 'sent', held ? 'quiet_hours' : `prop_${key}`);
    records.push({
      id: `acc_${subject}_${at}_${key}`,
      subject,
      at,
      ...shape,
      outcome: held ? 'held_back' : 'sent',
      ...(held ? { heldBackBecause: 'quiet_hours' } : { decisionId: `prop_${key}` }),
    });
  });
  return { batch, records };
}

describe('access batches', () => {
  it("keep each record's shape whatever batches are built beside them, interleaved or not", () => {
    const s = [0, 1, 2, 3, 4].map((n) => shapeOf('marketing.email', n));
    const lists: (readonly number[])[] = [
      [0, 1, 2],
      [0, 1, 3],
      [0, 1, 2, 4],
      [0, 1],
      [0, 1, 2, 4, 3],
    ];
    const made = lists.map(() => createAccessBatch('cus_1', T0, (_, i) => `acc_${i}`, 2));
    // Built one after the other, then all at once, a record at a time each.
    lists.slice(0, 3).forEach((list, b) => {
      for (const n of list) made[b]?.add(s[n] as AccessShape, 'held_back', 'cap');
    });
    for (let i = 0; i < 5; i++)
      lists.forEach((list, b) => {
        const n = list[i];
        if (b >= 3 && n !== undefined) made[b]?.add(s[n] as AccessShape, 'held_back', 'cap');
      });
    lists.forEach((list, b) => {
      expect(made[b]?.records().map((r) => r.accessor.id)).toEqual(list.map((n) => `rule-${n}`));
    });
  });

  it("keeps another batch's records where a batch goes on after a call that failed", () => {
    const [s0, s1, s2, s3] = [40, 41, 42, 43].map((n) => shapeOf('marketing.email', n));
    const sent = [{ outcome: 'sent' as const }];
    const a = createAccessBatch('cus_1', T0, () => 'acc_a');
    a.add(s0 as AccessShape, 'sent', undefined);
    // The second record is bad: the call adds nothing, though it got as far as the first.
    expect(() => a.addAll([s1 as AccessShape, s2 as AccessShape], [0, 9], sent, 2)).toThrow();
    expect(a.size).toBe(1);
    const b = createAccessBatch('cus_2', T0, () => 'acc_b');
    b.add(s0 as AccessShape, 'sent', undefined);
    b.add(s1 as AccessShape, 'sent', undefined);
    a.add(s3 as AccessShape, 'sent', undefined);
    expect([b.shape(0), b.shape(1)]).toEqual([s0, s1]);
    expect([a.shape(0), a.shape(1)]).toEqual([s0, s3]);
  });

  it('refuses a missing shape, in a list of its own or shared, and places the next right', () => {
    const [s0, s1] = [50, 51].map((n) => shapeOf('marketing.email', n)) as AccessShape[];
    const sent = [{ outcome: 'sent' as const }];
    const a = createAccessBatch('cus_1', T0, (s) => `acc_${s.accessor.id}`);
    a.add(s0 as AccessShape, 'sent', undefined);
    expect(() => a.add(undefined as never, 'sent', undefined)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'batch[1].shape' }) }),
    );
    expect(() => a.addAll([s1 as AccessShape, undefined as never], [0, 0], sent, 2)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'batch[2].shape' }) }),
    );
    a.add(s1 as AccessShape, 'sent', undefined);
    expect(a.records().map((r) => r.accessor.id)).toEqual(['rule-50', 'rule-51']);
  });

  it('gives back exactly the records added, whatever their outcome and detail (property)', () => {
    const shapes = PURPOSES.map(shapeOf);
    const add = fc.record({
      shape: fc.integer({ min: 0, max: 2 }),
      outcome: fc.constantFrom('held_back', 'sent', 'looked_up', 'explained'),
      detail: fc.option(
        fc.oneof(
          fc.constantFrom('conditions_not_met', 'insufficient_data', 'quiet_hours', 'conflict'),
          fc.string({ minLength: 1, maxLength: 40 }),
        ),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(
        fc.array(add, { maxLength: 40 }),
        fc.integer({ min: 0, max: 8 }),
        fc.boolean(),
        (adds, expected, made) => {
          // With `decisionIdOf`, a record sent without a decision id gets one made when read.
          const decisionIdOf = made ? (_: AccessShape, i: number) => `prop_made_${i}` : undefined;
          const batch = createAccessBatch(
            'cus_1',
            T0,
            (_, i) => `acc_${i}`,
            expected,
            decisionIdOf,
          );
          const want: AccessRecord[] = [];
          adds.forEach(({ shape, outcome, detail }, i) => {
            batch.add(shapes[shape] as AccessShape, outcome, detail);
            const decided = detail ?? (outcome === 'sent' && made ? `prop_made_${i}` : undefined);
            want.push({
              id: `acc_${i}`,
              subject: 'cus_1',
              at: T0,
              ...(shapes[shape] as AccessShape),
              outcome,
              ...(decided === undefined
                ? {}
                : outcome === 'held_back'
                  ? { heldBackBecause: decided }
                  : { decisionId: decided }),
            });
          });
          expect(batch.size).toBe(adds.length);
          expect(batch.records()).toEqual(want);
        },
      ),
    );
  });

  it('adds records at once as it adds them one by one, after records added singly (property)', () => {
    const shapes = PURPOSES.map(shapeOf);
    const kind = fc.record({
      outcome: fc.constantFrom('held_back', 'sent', 'looked_up', 'explained'),
      detail: fc.option(
        fc.oneof(
          fc.constantFrom('conditions_not_met', 'quiet_hours'),
          fc.string({ minLength: 1, maxLength: 40 }),
        ),
        { nil: undefined },
      ),
    });
    const row = fc.record({ shape: fc.integer({ min: 0, max: 2 }), kind: fc.nat() });
    fc.assert(
      fc.property(
        fc.array(kind, { minLength: 1, maxLength: 5 }),
        fc.array(row, { maxLength: 6 }),
        fc.array(row, { maxLength: 40 }),
        (table, before, rows) => {
          const make = () =>
            createAccessBatch(
              'cus_1',
              T0,
              (_, i) => `acc_${i}`,
              0,
              (_, i) => `prop_${i}`,
            );
          const one = make();
          const all = make();
          for (const b of before) {
            const k = table[b.kind % table.length] as (typeof table)[number];
            one.add(shapes[b.shape] as AccessShape, k.outcome, k.detail);
            all.add(shapes[b.shape] as AccessShape, k.outcome, k.detail);
          }
          for (const r of rows) {
            const k = table[r.kind % table.length] as (typeof table)[number];
            one.add(shapes[r.shape] as AccessShape, k.outcome, k.detail);
          }
          all.addAll(
            rows.map((r) => shapes[r.shape] as AccessShape),
            Int32Array.from(rows, (r) => r.kind % table.length),
            table,
            rows.length,
          );
          expect(all.size).toBe(before.length + rows.length);
          expect(all.records()).toEqual(one.records());
        },
      ),
    );
  });

  it('adds nothing at once where one record is bad, and says which', () => {
    const shape = shapeOf('marketing.email', 1);
    const batch = createAccessBatch('cus_1', T0, (_, i) => `acc_${i}`);
    batch.add(shape, 'sent', 'prop_1');
    const table = [{ outcome: 'held_back' as const, detail: 'cap' }];
    const path = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        return isCandorError(error) ? error.details.path : 'untyped';
      }
      return 'no error';
    };
    expect(path(() => batch.addAll([shape, shape], [0, 1], table, 2))).toBe('kinds[1]');
    expect(path(() => batch.addAll([shape, { ...shape }], [0, 0], table, 2))).toBe(
      'batch[2].shape',
    );
    expect(path(() => batch.addAll([shape], [0], [{ outcome: 'lost' as 'sent' }], 1))).toBe(
      'batch[1].outcome',
    );
    expect(path(() => batch.addAll([shape], [0], table, 2))).toBe('count');
    expect(batch.records().map((r) => r.outcome)).toEqual(['sent']);
    batch.addAll([shape, shape], [0, 0], table, 1);
    expect(batch.records().map((r) => r.heldBackBecause)).toEqual([undefined, 'cap']);
    // What a call that failed half-way coded leaves no trace on the records added after it.
    expect(path(() => batch.addAll([shape, shape, shape], [0, 0, 9], table, 3))).toBe('kinds[2]');
    batch.add(shape, 'held_back', 'consent');
    batch.add(shape, 'looked_up', undefined);
    expect(batch.records().map((r) => r.heldBackBecause ?? r.outcome)).toEqual([
      'sent',
      'cap',
      'consent',
      'looked_up',
    ]);
    // Nor on records added at once after it: here one that coded three records (filling an
    // integer of codes after the fifth record's) before its bad fourth.
    batch.add(shape, 'held_back', 'consent');
    const notMet = [{ outcome: 'held_back' as const, detail: 'conditions_not_met' }];
    expect(path(() => batch.addAll([shape, shape, shape, shape], [0, 0, 0, 7], table, 4))).toBe(
      'kinds[3]',
    );
    batch.addAll([shape, shape, shape], [0, 0, 0], notMet, 3);
    expect(batch.records(4).map((r) => r.heldBackBecause)).toEqual([
      'consent',
      'conditions_not_met',
      'conditions_not_met',
      'conditions_not_met',
    ]);
  });

  it("makes ids with one function for every batch, from each batch's key", () => {
    const shape = shapeOf('marketing.email', 1);
    const idOf: AccessIdOf = (s, i, b) => `acc_${s.accessor.id}_${b.subject}_${b.key}_${i}`;
    const first = createAccessBatch('cus_1', T0, idOf, 1, idOf, 'evt_1');
    const second = createAccessBatch('cus_2', T0, idOf, 1, idOf, 'evt_2');
    first.add(shape, 'sent', undefined);
    second.add(shape, 'sent', undefined);
    expect(first.record(0)).toMatchObject({
      id: 'acc_rule-1_cus_1_evt_1_0',
      decisionId: 'acc_rule-1_cus_1_evt_1_0',
    });
    expect(second.record(0).id).toBe('acc_rule-1_cus_2_evt_2_0');
    expect(() => createAccessBatch('cus_1', T0, idOf, 0, undefined, '')).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'key' }) }),
    );
  });

  it('refuses a decisionIdOf that is not a function, and a made decision id that is no id', () => {
    const shape = shapeOf('marketing.email', 1);
    expect(() => createAccessBatch('cus_1', T0, () => 'acc_1', 0, 'prop' as never)).toThrow(
      expect.objectContaining({
        code: 'core/invalid_input',
        details: expect.objectContaining({ path: 'decisionIdOf' }),
      }),
    );
    const batch = createAccessBatch(
      'cus_1',
      T0,
      () => 'acc_1',
      0,
      () => '',
    );
    batch.add(shape, 'sent', undefined);
    expect(() => batch.record(0)).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ path: 'batch[0].decisionId' }),
      }),
    );
  });

  it('a log answers a batch exactly as the same records appended one by one (property)', async () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.boolean());
    const append = fc.record({
      subject: fc.constantFrom('cus_1', 'cus_2'),
      day: fc.integer({ min: 0, max: 5 }),
      rows: fc.array(row, { maxLength: 6 }),
      keyed: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(append, { maxLength: 8 }),
        fc.record({
          from: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
          span: fc.integer({ min: 0, max: 5 }),
          purpose: fc.option(fc.constantFrom('service.proactive_support', 'marketing.email'), {
            nil: undefined,
          }),
          limit: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
          purgeAt: fc.integer({ min: 0, max: 8 }),
        }),
        async (appends, q) => {
          const batched = createMemoryAccessLog();
          const plain = createMemoryAccessLog();
          for (const a of appends) {
            const { batch, records } = both(a.subject, T0 + a.day * duration.day, a.rows, a.keyed);
            await appendAccessBatch(batched, batch);
            if (records.length > 0) await plain.append(records);
            // Records added after the append are not part of it.
            batch.add(shapeOf('marketing.email', 9), 'sent', 'prop_late');
          }
          const query = {
            subject: 'cus_1',
            ...(q.from === undefined
              ? {}
              : { from: T0 + q.from * duration.day, to: T0 + (q.from + q.span) * duration.day }),
            ...(q.purpose === undefined ? {} : { purpose: q.purpose }),
            ...(q.limit === undefined ? {} : { limit: q.limit }),
          };
          expect(await batched.query(query)).toEqual(await plain.query(query));
          const retention = {
            defaultMs: 3 * duration.day,
            byPurpose: { 'service.proactive_support.travel': duration.day },
          };
          const now = T0 + q.purgeAt * duration.day;
          expect(await batched.purge(now, retention)).toBe(await plain.purge(now, retention));
          for (const subject of ['cus_1', 'cus_2'])
            expect(await batched.query({ subject })).toEqual(await plain.query({ subject }));
          // What a purge kept is read, appended beside and purged again as before it.
          const later = both('cus_1', T0 + 6 * duration.day, [
            [0, false],
            [2, true],
          ]);
          await appendAccessBatch(batched, later.batch);
          await plain.append(later.records);
          const again = now + 2 * duration.day;
          expect(await batched.purge(again, retention)).toBe(await plain.purge(again, retention));
          for (const subject of ['cus_1', 'cus_2'])
            expect(await batched.query({ subject })).toEqual(await plain.query({ subject }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a log keeps many batches, and one of 70,000 records, as their records', async () => {
    const batched = createMemoryAccessLog();
    const plain = createMemoryAccessLog();
    const rows = (n: number, seed: number) =>
      Array.from({ length: n }, (_, k) => [(k + seed) % 3, (k * seed) % 5 === 0] as const);
    for (let b = 0; b < 3_000; b++) {
      const { batch, records } = both(`cus_${b % 7}`, T0 + b, rows(1 + (b % 97), b));
      await appendAccessBatch(batched, batch);
      await plain.append(records);
    }
    const big = both('cus_big', T0, rows(70_000, 3));
    await appendAccessBatch(batched, big.batch);
    await plain.append(big.records);
    for (const subject of ['cus_0', 'cus_6', 'cus_big'])
      expect(await batched.query({ subject })).toEqual(await plain.query({ subject }));
  });

  it('appends a batch as records to a log that does not store batches', async () => {
    const appended: AccessRecord[][] = [];
    const log: AccessLog = {
      append: async (records) => {
        appended.push([...records]);
      },
      query: async () => [],
      purge: async () => 0,
    };
    const { batch, records } = both('cus_1', T0, [
      [0, true],
      [2, false],
    ]);
    await appendAccessBatch(log, batch);
    expect(appended).toEqual([records]);
    await appendAccessBatch(log, createAccessBatch('cus_1', T0, String));
    expect(appended).toHaveLength(1);
  });

  it('refuses bad input with a typed error naming the field, and stores nothing', async () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return isCandorError(error) ? error.details.path : 'untyped';
      }
      return 'no error';
    };
    const good = {
      accessor: { kind: 'rule' as const, id: 'r', version: 1 },
      purpose: 'service.proactive_support',
      dataCategories: ['user.financial.card'],
      evidence: ['card.expiresAt'],
    };
    expect(code(() => accessShape({ ...good, purpose: 'Not A Purpose' }))).toBe('shape.purpose');
    expect(code(() => accessShape({ ...good, dataCategories: [] }))).toBe('shape.dataCategories');
    expect(code(() => accessShape({ ...good, evidence: ['x'.repeat(201)] }))).toBe(
      'shape.evidence[0]',
    );
    expect(code(() => createAccessBatch('', T0, String))).toBe('subject');
    expect(code(() => createAccessBatch('cus_1', 1.5, String))).toBe('at');
    const batch = createAccessBatch('cus_1', T0, (_, k) => (k === 0 ? '' : `acc_${k}`));
    const shape = accessShape(good);
    expect(code(() => batch.add(good, 'sent', undefined))).toBe('batch[0].shape');
    expect(code(() => batch.add(shape, 'lost' as 'sent', undefined))).toBe('batch[0].outcome');
    expect(code(() => batch.add(shape, 'held_back', 'x'.repeat(101)))).toBe(
      'batch[0].heldBackBecause',
    );
    expect(batch.size).toBe(0);
    batch.add(shape, 'sent', undefined);
    expect(code(() => batch.record(1))).toBe('i');
    expect(code(() => batch.record(0))).toBe('batch[0].id');
    const log = createMemoryAccessLog();
    const forged = { subject: 'cus_1', at: T0, size: 1, shape: () => shape, record: () => ({}) };
    await expect(
      (log.appendBatch as NonNullable<AccessLog['appendBatch']>)(forged as never),
    ).rejects.toMatchObject({ code: 'core/invalid_input', details: { path: 'batch' } });
    expect(await log.query({ subject: 'cus_1' })).toEqual([]);
  });

  it('keeps a customer’s repeated record id once, as a durable log does (a retried append)', async () => {
    const log = createMemoryAccessLog();
    const rows = [
      [0, false],
      [1, true],
    ] as const;
    const first = both('cus_1', T0, rows, true);
    await appendAccessBatch(log, first.batch);
    // The same evaluation recorded again: as a batch with its key, and as records.
    await appendAccessBatch(log, both('cus_1', T0, rows, true).batch);
    await log.append(first.records);
    await appendAccessBatch(log, both('cus_1', T0, rows).batch);
    await log.append([first.records[0] as AccessRecord]);
    expect(await log.query({ subject: 'cus_1' })).toEqual([...first.records].reverse());
    // Another customer's record of the same id is theirs.
    await log.append([{ ...(first.records[0] as AccessRecord), subject: 'cus_2' }]);
    expect(await log.query({ subject: 'cus_2' })).toHaveLength(1);
    // A batch whose ids cannot be made, appended as records would be, is refused whole.
    const bad = createAccessBatch('cus_1', T0, () => '');
    bad.add(shapeOf('marketing.email', 1), 'held_back', 'cap');
    await expect(appendAccessBatch(log, bad)).rejects.toMatchObject({ code: 'core/invalid_input' });
    expect(await log.query({ subject: 'cus_1' })).toHaveLength(2);
  });

  it('purges nothing where a record a purge keeps cannot be made', async () => {
    const log = createMemoryAccessLog();
    const [email, support] = [
      shapeOf('marketing.email', 1),
      shapeOf('service.proactive_support', 2),
    ];
    // Record ids made on read (batches with a key, appended once): the email record has none.
    const idOf = (s: AccessShape) => (s === email ? '' : 'acc_support');
    const batch = createAccessBatch('cus_1', T0, idOf, 1, undefined, 'e1');
    batch.add(support, 'held_back', 'cap');
    await appendAccessBatch(log, batch);
    const bad = createAccessBatch('cus_2', T0, idOf, 2, undefined, 'e1');
    bad.add(support, 'held_back', 'cap');
    bad.add(email, 'held_back', 'cap');
    await appendAccessBatch(log, bad);
    // Two days on, the support record of cus_2's batch is purged, so its email record must be
    // made to be kept on its own: it cannot be, and neither customer's records change.
    const retention = {
      defaultMs: 30 * duration.day,
      byPurpose: { 'service.proactive_support': duration.day },
    };
    const before = await log.query({ subject: 'cus_1' });
    await expect(log.purge(T0 + 2 * duration.day, retention)).rejects.toMatchObject({
      code: 'core/invalid_input',
      details: { path: 'batch[1].id' },
    });
    expect(await log.query({ subject: 'cus_1' })).toEqual(before);
    expect(await log.query({ subject: 'cus_2', purpose: 'service' })).toHaveLength(1);
    // Once every record can be made, the purge goes through.
    expect(await log.purge(T0 + 2 * duration.day, { defaultMs: duration.day })).toBe(3);
    expect(await log.query({ subject: 'cus_1' })).toEqual([]);
  });
});
