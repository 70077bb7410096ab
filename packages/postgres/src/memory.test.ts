import { deflateRawSync } from 'node:zlib';
import { type ConsentGate, createVirtualClock, duration } from '@candor/core';
import {
  createInMemoryStore,
  createMemoryBook,
  foldMemories,
  type Memory,
  type MemoryContent,
  type MemoryInput,
  purposeMemories,
} from '@candor/memory';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowAll } from '../../../test-utils/gates.ts';
import type { CandorDatabase } from './database';
import { driverCases, useTestDatabases } from './drivers.test-helpers';
import { createPostgresMemoryStore, type PostgresMemoryStore } from './memory';
import { decodeSlice, decodeSnapshot, type SliceRow, type StoredFormat } from './memory-snapshot';
import { candorMigrations, migrate } from './migrations';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const accessor = { kind: 'feature', id: 'test' } as const;

const contents: ((i: number) => MemoryContent)[] = [
  (i) => ({ kind: 'stated_reason', reason: `reason ${i}` }),
  (i) => ({ kind: 'preference', key: `seat_${i % 2}`, value: `row ${i}` }),
  (i) => ({ kind: 'complaint', summary: `complaint ${i}`, status: 'open' }),
  (i) => ({ kind: 'support_case', summary: `case ${i}`, status: 'open' }),
  (i) => ({ kind: 'staff_note', note: `note ${i}`, staffId: 'agent_1' }),
];

const input = (subject: string, i: number, kind: number, at: number): MemoryInput => ({
  subject,
  content: (contents[kind % contents.length] as (i: number) => MemoryContent)(i),
  category: 'user.support',
  provenance: { source: 'test', kind: 'stated', observedAt: at, party: 'first' },
  purposes: [i % 2 === 0 ? 'service.proactive_support' : 'marketing'],
  // Reasons about a few orders, so that some contradict each other.
  about: { type: 'order', id: `ord_${i % 3}` },
});

/** What a correction says instead, for each kind. */
function changed(c: MemoryContent, i: number): MemoryContent {
  if (c.kind === 'stated_reason') return { ...c, reason: `fixed ${i}` };
  if (c.kind === 'preference') return { ...c, value: `fixed ${i}` };
  if (c.kind === 'staff_note') return { ...c, note: `fixed ${i}` };
  return { ...c, summary: `fixed ${i}` };
}

const PURPOSES = ['service.proactive_support', 'service.support', 'marketing.email'] as const;

/**
 * The snapshot and the slices a cold read gets, and the fold of the history: they must be equal.
 */
async function expectAgreement(store: PostgresMemoryStore, subject: string) {
  const history = foldMemories(await store.read(subject)).active;
  expect(await store.readActive(subject)).toEqual(history);
  for (const purpose of PURPOSES)
    expect(await store.readForPurpose(subject, purpose)).toEqual(purposeMemories(history, purpose));
  return history;
}

/** The ids of the memories each stored slice row of `subject` holds. */
async function slicedIds(db: CandorDatabase, subject: string): Promise<string[]> {
  const rows = await db.driver.query<SliceRow>(
    `select format, memories from ${db.table('memory_slices')} where subject = $1 and slice <> ''`,
    [subject],
  );
  return rows.flatMap((r) => decodeSlice(r).memories.map((m) => m.id));
}

/** Allows everything but support data. */
const noSupport: ConsentGate = {
  decide: (q) => ({ ...allowAll.decide(q), allowed: !q.dataCategories.includes('user.support') }),
};

/**
 * Rewrites a subject's snapshot and slice rows as the store of migration 11 wrote them: the
 * deflated JSON of the memories and of each slice, in statements that do not name the format.
 */
async function rewriteAsFormat1(db: CandorDatabase, subject: string) {
  const table = db.table('memory_slices');
  const snapshots = db.table('memory_snapshots');
  await db.driver.transaction(async (tx) => {
    const [snapshot] = await tx.query<{ memories: Uint8Array; format: StoredFormat }>(
      `select memories, format from ${snapshots} where subject = $1`,
      [subject],
    );
    if (snapshot !== undefined) {
      const active = decodeSnapshot(snapshot.memories, snapshot.format);
      await tx.query(`delete from ${snapshots} where subject = $1`, [subject]);
      await tx.query(`insert into ${snapshots} (subject, memories, count) values ($1, $2, $3)`, [
        subject,
        deflateRawSync(JSON.stringify(active), { level: 1 }),
        active.length,
      ]);
    }
    const rows = await tx.query<SliceRow>(
      `select slice, format, memories from ${table} where subject = $1`,
      [subject],
    );
    if (rows.length === 0) return;
    await tx.query(`delete from ${table} where subject = $1`, [subject]);
    for (const row of rows)
      await tx.query(`insert into ${table} (subject, slice, memories) values ($1, $2, $3)`, [
        subject,
        row.slice,
        row.slice === ''
          ? row.memories
          : deflateRawSync(JSON.stringify(decodeSlice(row)), { level: 1 }),
      ]);
  });
}

describe.each(driverCases)('memory store snapshots on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);

  it.skipIf(skip)(
    'a cold read of the snapshot, and a recall and brief from the slices of either format, always equal the fold of the entries (property)',
    async () => {
      const db = await database();
      const store = createPostgresMemoryStore(db);
      const step = fc.record({
        op: fc.constantFrom(
          'remember',
          'remember',
          'inferred',
          'correct',
          'resolve',
          'erase',
          'reuse',
          'legacy',
        ),
        kind: fc.nat(),
        pick: fc.nat(),
        days: fc.integer({ min: 0, max: 60 }),
      });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { minLength: 1, maxLength: 14 }),
          fc.boolean(),
          async (steps, deny) => {
            const subject = `cus_${run++}`;
            const clock = createVirtualClock(T0);
            const book = createMemoryBook({ consent: allowAll, store, clock, cacheSubjects: 0 });
            // Recalls and briefs from the slices, and from a fold of the history, under one gate.
            const consent = deny ? noSupport : allowAll;
            const sliced = createMemoryBook({ consent, store, clock, cacheSubjects: 0 });
            const folded = createMemoryBook({
              consent,
              store: { read: (x) => store.read(x), append: store.append, erase: store.erase },
              clock,
              cacheSubjects: 0,
            });
            for (const [i, s] of steps.entries()) {
              clock.advance(duration.hour + s.days * duration.day);
              const { active, superseded, erased } = await book.list(subject);
              const target = active[s.pick % Math.max(1, active.length)];
              if (s.op === 'legacy') {
                // The subject's slices as a writer of migration 11 left them (no format named).
                await rewriteAsFormat1(db, subject);
              } else if (s.op === 'remember' || s.op === 'inferred' || target === undefined) {
                const memory = {
                  ...input(subject, i, s.kind, clock.now()),
                  // Half of them support data, which `deny` withholds.
                  category: i % 2 === 0 ? 'user.support' : 'user.behavior.purchase_reason',
                };
                await book.remember(
                  s.op === 'inferred'
                    ? {
                        ...memory,
                        provenance: { ...memory.provenance, kind: 'inferred' },
                        confidence: 0.9,
                      }
                    : memory,
                );
              } else if (s.op === 'correct') {
                await book.correct(subject, target.id, changed(target.content, i));
              } else if (s.op === 'resolve') {
                await book
                  .resolve(subject, target.id, { resolution: 'sorted' })
                  .catch((e) => expect(e).toMatchObject({ code: 'memory/not_allowed' }));
              } else if (s.op === 'erase') {
                await book.erase(subject, target.id);
              } else {
                // Straight through the port: a superseded or erased id written again as active.
                const old: Memory | undefined = superseded[s.pick % Math.max(1, superseded.length)];
                const gone = erased[s.pick % Math.max(1, erased.length)];
                const id = old?.id ?? gone?.id ?? target.id;
                await store.append(subject, [
                  { type: 'memory', memory: { ...target, id, status: 'active' } },
                ]);
              }
              const expected = await expectAgreement(store, subject);
              for (const purpose of PURPOSES) {
                const ask = { purpose, accessor };
                expect(await sliced.recall(subject, ask)).toEqual(
                  await folded.recall(subject, ask),
                );
                expect(await sliced.brief(subject, ask)).toEqual(await folded.brief(subject, ask));
              }
              // Nothing erased or superseded is in the snapshot row.
              const [row] = await db.driver.query<{ memories: Uint8Array; format: StoredFormat }>(
                `select memories, format from ${db.table('memory_snapshots')} where subject = $1`,
                [subject],
              );
              const held = (row ? decodeSnapshot(row.memories, row.format) : []).map((m) => m.id);
              expect(held).toEqual(expected.map((m) => m.id));
              // Nor in any slice.
              const ids = new Set(held);
              for (const id of await slicedIds(db, subject)) expect(ids.has(id)).toBe(true);
            }
          },
        ),
        {
          numRuns: kind === 'pglite' ? 25 : 40,
          // Slices left in format 1, read, then rewritten in format 2 by the next write.
          examples: [
            [
              [
                { op: 'remember', kind: 2, pick: 0, days: 0 },
                { op: 'legacy', kind: 0, pick: 0, days: 0 },
                { op: 'remember', kind: 0, pick: 0, days: 0 },
              ],
              true,
            ],
          ],
        },
      );
    },
  );

  it.skipIf(skip)('a recall reads one snapshot row, and answers as the history does', async () => {
    const db = await database();
    const store = createPostgresMemoryStore(db);
    const clock = createVirtualClock(T0);
    const book = createMemoryBook({ consent: allowAll, store, clock, cacheSubjects: 0 });
    const reason = await book.remember(input('cus_1', 0, 0, T0));
    const complaint = await book.remember(input('cus_1', 2, 2, T0));
    await book.correct('cus_1', reason.id, { kind: 'stated_reason', reason: 'a gift' });
    await book.resolve('cus_1', complaint.id, { resolution: 'refunded' });
    const history = createMemoryBook({
      consent: allowAll,
      store: { read: (s) => store.read(s), append: store.append, erase: store.erase },
      clock,
      cacheSubjects: 0,
    });
    const ask = { purpose: 'service.proactive_support', accessor } as const;
    const recalled = await book.recall('cus_1', ask);
    expect(recalled).toEqual(await history.recall('cus_1', ask));
    expect(recalled.facts.map((f) => f.value)).toEqual([
      { summary: 'complaint 2', status: 'resolved', resolution: 'refunded' },
      'a gift',
    ]);
  });

  it.skipIf(skip)(
    'builds the snapshots of memories written before their migration, and drops one written around it',
    async () => {
      const db = await database({ migrate: false });
      // Every migration before the snapshots' (found by name: its number may change).
      const snapshots = candorMigrations.find((m) => m.name.startsWith('memory snapshots'));
      await migrate(
        db.driver,
        db.schema,
        candorMigrations.filter((m) => m.version < (snapshots?.version ?? 0)),
      );
      expect(snapshots).toBeDefined();
      const clock = createVirtualClock(T0);
      // The book writes to memory; its entries are then copied in as the version-6 store wrote
      // them (entries only, no snapshot table yet).
      const kept = createInMemoryStore();
      const legacy = createMemoryBook({ consent: allowAll, clock, store: kept });
      const entries = db.table('memory_entries');
      for (const subject of ['cus_a', 'cus_b', 'cus_c']) {
        const m = await legacy.remember(input(subject, 1, 0, T0));
        await legacy.correct(subject, m.id, { kind: 'stated_reason', reason: `new ${subject}` });
        await legacy.remember(input(subject, 2, 2, T0));
      }
      await legacy.erase('cus_c', (await legacy.list('cus_c')).active[0]!.id);
      for (const subject of ['cus_a', 'cus_b', 'cus_c'])
        for (const [i, entry] of (await kept.read(subject)).entries())
          await db.driver.query(
            `insert into ${entries} (subject, seq, memory_id, entry) values ($1, $2, $3, $4::jsonb)`,
            [
              subject,
              i + 1,
              entry.type === 'memory' ? entry.memory.id : entry.tombstone.id,
              JSON.stringify(entry),
            ],
          );
      const store = createPostgresMemoryStore(db);
      await db.migrate();
      const snapshotTable = db.table('memory_snapshots');
      // cus_a is read before the backfill: built on that first read.
      await expectAgreement(store, 'cus_a');
      expect(await store.buildSnapshots()).toEqual({ subjects: 3, built: 2 });
      expect(await store.buildSnapshots()).toEqual({ subjects: 3, built: 0 });
      const count = async () =>
        Number(
          (await db.driver.query<{ n: number }>(`select count(*) as n from ${snapshotTable}`))[0]
            ?.n,
        );
      expect(await count()).toBe(3);
      for (const subject of ['cus_a', 'cus_b', 'cus_c']) {
        const active = await expectAgreement(store, subject);
        expect(active.map((m) => m.content)).toEqual(
          (await legacy.list(subject)).active.map((m) => m.content),
        );
      }
      // A hand-written delete (not through the store) drops the snapshot: nothing deleted can
      // be recalled from it, and the next read builds it again from what is left.
      const [first] = await store.readActive('cus_b');
      await db.driver.query(`delete from ${entries} where subject = 'cus_b' and memory_id = $1`, [
        first!.id,
      ]);
      expect(await count()).toBe(2);
      expect(await slicedIds(db, 'cus_b')).toEqual([]);
      const after = await expectAgreement(store, 'cus_b');
      expect(after.map((m) => m.id)).not.toContain(first!.id);
      expect(await count()).toBe(3);
      expect(await slicedIds(db, 'cus_b')).not.toContain(first!.id);
    },
  );

  it.skipIf(skip)(
    'builds the slices of customers whose snapshot was written before the slices’ migration',
    async () => {
      const db = await database();
      const store = createPostgresMemoryStore(db);
      const clock = createVirtualClock(T0);
      const book = createMemoryBook({ consent: allowAll, store, clock, cacheSubjects: 0 });
      for (const subject of ['cus_a', 'cus_b'])
        for (let i = 0; i < 6; i++) await book.remember(input(subject, i, i, T0));
      // As the store of migration 10 left them: snapshots, no slices.
      await db.driver.query(`delete from ${db.table('memory_slices')}`);
      const active = foldMemories(await store.read('cus_a')).active;
      const ask = { purpose: 'service.proactive_support', accessor } as const;
      const recalled = await book.recall('cus_a', ask);
      // The reason and the note for the purpose, and the open complaint and case (0, 2, 3, 4).
      expect(recalled.memories.map((m) => m.id)).toEqual([0, 2, 3, 4].map((i) => active[i]!.id));
      expect(await store.buildSnapshots()).toEqual({ subjects: 2, built: 1 });
      expect(await store.buildSnapshots()).toEqual({ subjects: 2, built: 0 });
      for (const subject of ['cus_a', 'cus_b']) await expectAgreement(store, subject);
    },
  );

  it.skipIf(skip)(
    'reads snapshots and slices stored before migration 12 as they are, and buildSnapshots rewrites them packed',
    async () => {
      const db = await database();
      const store = createPostgresMemoryStore(db);
      const clock = createVirtualClock(T0);
      const book = createMemoryBook({ consent: allowAll, store, clock, cacheSubjects: 0 });
      for (const subject of ['cus_a', 'cus_b', 'cus_c'])
        for (let i = 0; i < 6; i++) await book.remember(input(subject, i, i, T0));
      await rewriteAsFormat1(db, 'cus_a');
      await rewriteAsFormat1(db, 'cus_b');
      // Each subject's formats: of the snapshot, then of its slice rows.
      const formats = async () =>
        (
          await db.driver.query<{ subject: string; format: number }>(
            `select subject, format from ${db.table('memory_snapshots')}
             union all
             select distinct subject, format from ${db.table('memory_slices')}
             order by subject`,
          )
        ).map((r) => `${r.subject}:${r.format}`);
      expect(await formats()).toEqual([
        'cus_a:1',
        'cus_a:1',
        'cus_b:1',
        'cus_b:1',
        'cus_c:2',
        'cus_c:2',
      ]);
      // Read as they are: no write on a read.
      for (const subject of ['cus_a', 'cus_b', 'cus_c']) await expectAgreement(store, subject);
      expect(await formats()).toEqual([
        'cus_a:1',
        'cus_a:1',
        'cus_b:1',
        'cus_b:1',
        'cus_c:2',
        'cus_c:2',
      ]);
      expect(await store.buildSnapshots()).toEqual({ subjects: 3, built: 2 });
      expect(await store.buildSnapshots()).toEqual({ subjects: 3, built: 0 });
      expect(await formats()).toEqual([
        'cus_a:2',
        'cus_a:2',
        'cus_b:2',
        'cus_b:2',
        'cus_c:2',
        'cus_c:2',
      ]);
      for (const subject of ['cus_a', 'cus_b', 'cus_c']) await expectAgreement(store, subject);
    },
  );

  it.skipIf(skip)(
    'two instances appending for one customer at once lose nothing from the snapshot',
    async () => {
      const a = await database();
      const b = await database({ schema: a.schema });
      const stores = [createPostgresMemoryStore(a), createPostgresMemoryStore(b)];
      const clock = createVirtualClock(T0);
      const books = stores.map((store) =>
        createMemoryBook({ consent: allowAll, store, clock, cacheSubjects: 0 }),
      );
      const written = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (books[i % 2] as (typeof books)[0]).remember(input('cus_1', i, i, T0)),
        ),
      );
      const active = await expectAgreement(stores[1] as PostgresMemoryStore, 'cus_1');
      expect(new Set(active.map((m) => m.id))).toEqual(new Set(written.map((m) => m.id)));
      // Corrections and erasures racing on two instances: the snapshot still equals the fold.
      await Promise.all(
        active
          .slice(0, 10)
          .map((m, i) =>
            i % 2 === 0
              ? (books[0] as (typeof books)[0]).erase('cus_1', m.id)
              : stores[1]!.append('cus_1', [
                  { type: 'memory', memory: { ...m, status: 'superseded', supersededBy: 'x' } },
                ]),
          ),
      );
      const left = await expectAgreement(stores[0] as PostgresMemoryStore, 'cus_1');
      expect(left).toHaveLength(30);
    },
  );

  it.skipIf(skip)('rejects bad input with a typed error and writes nothing', async () => {
    const db = await database();
    const store = createPostgresMemoryStore(db);
    const clock = createVirtualClock(T0);
    const book = createMemoryBook({ consent: allowAll, clock });
    const good = await book.remember(input('cus_1', 1, 0, T0));
    await expect(
      store.append('cus_1', [
        { type: 'memory', memory: good },
        { type: 'memory', memory: { ...good, id: 7 } } as never,
      ]),
    ).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: { path: 'entries[1].memory.id' },
    });
    await expect(store.append('cus_1', 'nope' as never)).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: { path: 'entries' },
    });
    await expect(store.erase('cus_1', [1] as never, [])).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: { path: 'memoryIds' },
    });
    await expect(
      store.erase('cus_1', [good.id], [{ id: good.id, subject: 'cus_1' } as never]),
    ).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: { path: 'tombstones[0].kind' },
    });
    // Another customer's memory or tombstone is never filed under this one.
    await expect(store.append('cus_2', [{ type: 'memory', memory: good }])).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: { path: 'entries[0].memory.subject', value: 'cus_1' },
    });
    const tombstone = {
      id: good.id,
      subject: 'cus_1',
      kind: good.kind,
      erasedAt: good.createdAt,
      reason: 'customer_request' as const,
    };
    await expect(store.erase('cus_2', [good.id], [tombstone])).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: { path: 'tombstones[0].subject' },
    });
    expect(await store.read('cus_2')).toEqual([]);
    await expect(store.readActive('' as never)).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: { path: 'subject' },
    });
    await expect(store.readForPurpose('cus_1', 'not a purpose')).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: { path: 'purpose' },
    });
    expect(await store.read('cus_1')).toEqual([]);
    expect(await store.readForPurpose('cus_1', 'marketing')).toEqual({
      memories: [],
      count: 0,
      contradictions: [],
    });
    expect(await store.readActive('cus_1')).toEqual([]);
    const [row] = await db.driver.query<{ n: number }>(
      `select count(*) as n from ${db.table('memory_snapshots')}`,
    );
    expect(Number(row?.n)).toBe(0);
  });
});
