import type { AppendResult, ConsentEvent, LedgerEntry } from '@candor/consent';
import {
  createConsentManager,
  createMemoryLedgerStore,
  definePurposes,
  verifyChain,
} from '@candor/consent';
import { createVirtualClock, duration, isCandorError } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPostgresLedgerStore, type PostgresLedgerStore } from './consent';
import type { CandorDatabase } from './database';
import { driverCases, useTestDatabases } from './drivers.test-helpers';

const T0 = 1_780_000_000_000;

function event(kind: ConsentEvent['kind'], purposes: string[], at = T0): ConsentEvent {
  return { kind, actor: { kind: 'subject' }, purposes, basis: 'consent', at, method: 'api' };
}

/** Appends with the usual writer loop: re-read the head and retry on a stale sequence. */
async function appendWithRetry(
  store: PostgresLedgerStore,
  subject: string,
  key: string,
  ev: ConsentEvent,
  at: number,
): Promise<LedgerEntry> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const head = await store.head(subject);
    try {
      const { entry } = await store.append({
        subject,
        expectedSequence: head?.sequence ?? 0,
        idempotencyKey: key,
        recordedAt: at,
        event: ev,
      });
      return entry;
    } catch (error) {
      if (!isCandorError(error, 'consent/stale_sequence')) throw error;
    }
  }
  throw new Error(`gave up appending ${key}`);
}

describe('createPostgresLedgerStore', () => {
  it('rejects anything but a Candor database, naming it', () => {
    for (const db of [null, undefined, 'postgres://x', {}]) {
      expect(() => createPostgresLedgerStore(db as never)).toThrow(
        expect.objectContaining({
          code: 'postgres/invalid_options',
          details: expect.objectContaining({ path: 'db', value: db }),
        }),
      );
    }
  });
});

describe.each(driverCases)('consent ledger store on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);

  it.skipIf(skip)('appends, reads back every field unchanged, and the chain verifies', async () => {
    const store = createPostgresLedgerStore(await database());
    const a = await store.append({
      subject: 'cus_1',
      expectedSequence: 0,
      idempotencyKey: 'k1',
      recordedAt: T0,
      event: { ...event('given', ['marketing.email']), expiresAt: T0 + 1000, surface: 'web.é✓' },
    });
    const b = await store.append({
      subject: 'cus_1',
      expectedSequence: 1,
      idempotencyKey: 'k2',
      recordedAt: T0 + 5,
      event: event('withdrawn', ['marketing.email'], T0 + 5),
    });
    expect(a.duplicate).toBe(false);
    expect(b.entry.sequence).toBe(2);
    expect(b.entry.prevHash).toBe(a.entry.hash);
    expect(await store.read('cus_1')).toEqual([a.entry, b.entry]);
    expect(await store.read('cus_1', { afterSequence: 1 })).toEqual([b.entry]);
    expect(await store.read('nobody')).toEqual([]);
    expect(await store.head('cus_1')).toEqual({ sequence: 2, hash: b.entry.hash });
    expect(await store.head('nobody')).toBeNull();
    expect(await store.findByIdempotencyKey('k1')).toEqual(a.entry);
    expect(await store.findByIdempotencyKey('missing')).toBeNull();
    const all: LedgerEntry[] = [];
    for await (const entry of store.entries()) all.push(entry);
    expect(all).toEqual([a.entry, b.entry]);
    expect(verifyChain(all).valid).toBe(true);
    expect(await store.verify()).toEqual({ valid: true, subjects: 1, entries: 2 });
  });

  it.skipIf(skip)(
    "stores each event as exactly the JSON text of the sealed entry's event",
    async () => {
      const db = await database();
      const store = createPostgresLedgerStore(db);
      // Unsorted keys, quotes, backslashes, control characters, astral and combining characters.
      const tricky: ConsentEvent = {
        method: 'api',
        kind: 'given',
        purposes: ['marketing.email', 'marketing.email', 'analytics'],
        basis: 'consent',
        actor: { kind: 'subject' },
        at: T0,
        surface: 'web "quoted" \\path\\ tab\tnew\nline \u0001 e\u0301 😀 ✓',
      };
      const results = await Promise.all(
        ['cus_a', 'cus_b'].map((subject, i) =>
          store.append({
            subject,
            expectedSequence: 0,
            idempotencyKey: `exact-${i}`,
            recordedAt: T0,
            event: tricky,
          }),
        ),
      );
      const rows = await db.driver.query<{ event: string }>(
        `select event from ${db.table('consent_entries')} order by subject`,
      );
      expect(rows.map((r) => r.event)).toEqual(results.map((r) => JSON.stringify(r.entry.event)));
      expect(rows[0]?.event.startsWith('{"actor":{"kind":"subject"},"at":')).toBe(true);
      expect(await store.read('cus_b')).toEqual([results[1]?.entry]);
      expect((await store.current('cus_a')).map((c) => c.purpose)).toEqual([
        'analytics',
        'marketing.email',
      ]);
      expect((await store.verify()).valid).toBe(true);
    },
  );

  it.skipIf(skip)(
    'a retry with the same idempotency key writes nothing and returns the original',
    async () => {
      const db = await database();
      const store = createPostgresLedgerStore(db);
      const request = {
        subject: 'cus_1',
        expectedSequence: 0,
        idempotencyKey: 'grant-1',
        recordedAt: T0,
        event: event('given', ['marketing.email']),
      };
      const first = await store.append(request);
      // The retry arrives after another write moved the head: still a duplicate, not stale.
      await store.append({ ...request, idempotencyKey: 'other', expectedSequence: 1 });
      const retry = await store.append({ ...request, recordedAt: T0 + 99 });
      expect(retry).toEqual({ entry: first.entry, duplicate: true });
      // A second store (another instance, cold cache) sees the same.
      const other = createPostgresLedgerStore(await database({ schema: db.schema }));
      expect(await other.append(request)).toEqual({ entry: first.entry, duplicate: true });
      expect((await store.read('cus_1')).length).toBe(2);
      await expect(store.append({ ...request, subject: 'cus_2' })).rejects.toMatchObject({
        code: 'consent/idempotency_conflict',
        details: { path: 'idempotencyKey', storedSubject: 'cus_1' },
      });
    },
  );

  it.skipIf(skip)('rejects a stale or future expected sequence and writes nothing', async () => {
    const db = await database();
    const store = createPostgresLedgerStore(db);
    const base = { subject: 'cus_1', recordedAt: T0, event: event('given', ['marketing']) };
    await store.append({ ...base, expectedSequence: 0, idempotencyKey: 'a' });
    await expect(
      store.append({ ...base, expectedSequence: 0, idempotencyKey: 'b' }),
    ).rejects.toMatchObject({
      code: 'consent/stale_sequence',
      details: { path: 'expectedSequence', value: 0, actual: 1 },
    });
    await expect(
      store.append({ ...base, expectedSequence: 5, idempotencyKey: 'c' }),
    ).rejects.toMatchObject({ code: 'consent/stale_sequence', details: { actual: 1 } });
    // A writer whose cached head is stale (another instance appended) is refused, not forked.
    const other = createPostgresLedgerStore(await database({ schema: db.schema }));
    await other.append({ ...base, expectedSequence: 1, idempotencyKey: 'd' });
    await expect(
      store.append({ ...base, expectedSequence: 1, idempotencyKey: 'e' }),
    ).rejects.toMatchObject({ code: 'consent/stale_sequence', details: { actual: 2 } });
    expect((await store.read('cus_1')).map((e) => e.idempotencyKey)).toEqual(['a', 'd']);
    await expect(
      store.append({ ...base, expectedSequence: -1, idempotencyKey: 'f' }),
    ).rejects.toMatchObject({
      code: 'consent/invalid_event',
      details: { path: 'expectedSequence' },
    });
  });

  it.skipIf(skip)(
    '8 concurrent writers on separate connections never fork a chain or lose an acknowledged event',
    async () => {
      const first = await database();
      const writers = [
        first,
        ...(await Promise.all(Array.from({ length: 7 }, () => database({ schema: first.schema })))),
      ];
      const subjects = ['cus_a', 'cus_b', 'cus_c'];
      const perWriter = 15;
      const acknowledged = await Promise.all(
        writers.map(async (db, w) => {
          const store = createPostgresLedgerStore(db);
          const acks: LedgerEntry[] = [];
          for (let i = 0; i < perWriter; i++) {
            const subject = subjects[(w + i) % subjects.length]!;
            const kind = i % 2 === 0 ? 'given' : 'withdrawn';
            acks.push(
              await appendWithRetry(
                store,
                subject,
                `w${w}-${i}`,
                event(kind, ['marketing.email'], T0 + i),
                T0 + i,
              ),
            );
          }
          return acks;
        }),
      );
      const store = createPostgresLedgerStore(first);
      let total = 0;
      for (const subject of subjects) {
        const chain = await store.read(subject);
        total += chain.length;
        expect(chain.map((e) => e.sequence)).toEqual(chain.map((_, i) => i + 1));
        expect(verifyChain(chain)).toMatchObject({ valid: true });
        expect(await store.head(subject)).toEqual({
          sequence: chain.length,
          hash: chain.at(-1)!.hash,
        });
      }
      const flat = acknowledged.flat();
      expect(total).toBe(writers.length * perWriter);
      for (const ack of flat)
        expect(await store.findByIdempotencyKey(ack.idempotencyKey)).toEqual(ack);
      expect(await store.verify()).toEqual({ valid: true, subjects: 3, entries: total });
    },
  );

  it.skipIf(skip)(
    'group-commits concurrent appends of one instance without mixing up their outcomes',
    async () => {
      const store = createPostgresLedgerStore(await database(), { maxBatch: 16 });
      const fresh = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          store.append({
            subject: `cus_${i}`,
            expectedSequence: 0,
            idempotencyKey: `g${i}`,
            recordedAt: T0,
            event: event('given', ['marketing']),
          }),
        ),
      );
      expect(fresh.map((r) => [r.entry.subject, r.entry.sequence, r.duplicate])).toEqual(
        Array.from({ length: 100 }, (_, i) => [`cus_${i}`, 1, false]),
      );
      // 20 racing appends on one head, plus a retry of an acknowledged key, in the same burst.
      const race = await Promise.allSettled([
        ...Array.from({ length: 20 }, (_, i) =>
          store.append({
            subject: 'cus_7',
            expectedSequence: 1,
            idempotencyKey: `r${i}`,
            recordedAt: T0 + 1,
            event: event('withdrawn', ['marketing'], T0 + 1),
          }),
        ),
        store.append({
          subject: 'cus_7',
          expectedSequence: 0,
          idempotencyKey: 'g7',
          recordedAt: T0,
          event: event('given', ['marketing']),
        }),
      ]);
      expect(race.filter((r) => r.status === 'fulfilled' && !r.value.duplicate)).toHaveLength(1);
      expect(
        race.filter(
          (r) => r.status === 'rejected' && isCandorError(r.reason, 'consent/stale_sequence'),
        ),
      ).toHaveLength(19);
      expect(race.at(-1)).toMatchObject({
        status: 'fulfilled',
        value: { duplicate: true, entry: fresh[7]!.entry },
      });
      expect(await store.verify()).toEqual({ valid: true, subjects: 100, entries: 101 });
    },
  );

  it.skipIf(skip)(
    'a burst of appends takes one statement per connection; a taken sequence fails only its append',
    async () => {
      const db = await database();
      let statements = 0;
      const counted: CandorDatabase = {
        ...db,
        driver: {
          ...db.driver,
          query: (text, params) => {
            statements++;
            return db.driver.query(text, params);
          },
        },
      };
      const store = createPostgresLedgerStore(counted, { writeConcurrency: 2 });
      const burst = (key: string, expectedSequence: number) =>
        Promise.allSettled(
          Array.from({ length: 100 }, (_, i) =>
            store.append({
              subject: `cus_${i}`,
              expectedSequence,
              idempotencyKey: `${key}${i}`,
              recordedAt: T0 + expectedSequence,
              event: event('given', ['marketing'], T0 + expectedSequence),
            }),
          ),
        );
      const first = await burst('a', 0);
      expect(first.every((r) => r.status === 'fulfilled')).toBe(true);
      expect(statements).toBe(2);
      statements = 0;
      await burst('b', 1);
      expect(statements).toBe(2);
      // Another instance takes cus_5's next sequence: this store's cached head is now stale.
      const other = createPostgresLedgerStore(await database({ schema: db.schema }));
      await other.append({
        subject: 'cus_5',
        expectedSequence: 2,
        idempotencyKey: 'elsewhere',
        recordedAt: T0 + 2,
        event: event('withdrawn', ['marketing'], T0 + 2),
      });
      statements = 0;
      const third = await burst('c', 2);
      // The batch holding cus_5: the plain insert fails, the batch is written without it, and
      // its head is looked up (3 statements); the other batch is one statement.
      expect(statements).toBe(4);
      expect(third[5]).toMatchObject({
        status: 'rejected',
        reason: { code: 'consent/stale_sequence', details: { actual: 3 } },
      });
      const written = third.filter((r) => r.status === 'fulfilled');
      expect(written).toHaveLength(99);
      expect(await store.head('cus_4')).toEqual({
        sequence: 3,
        hash: (written[4] as PromiseFulfilledResult<AppendResult>).value.entry.hash,
      });
      expect(await store.verify()).toEqual({ valid: true, subjects: 100, entries: 300 });
    },
  );

  it.skipIf(skip)('verify() names the first tampered entry', async () => {
    const db = await database();
    const store = createPostgresLedgerStore(db);
    for (let i = 0; i < 3; i++) {
      await store.append({
        subject: 'cus_1',
        expectedSequence: i,
        idempotencyKey: `k${i}`,
        recordedAt: T0 + i,
        event: event('given', ['marketing'], T0 + i),
      });
    }
    await store.append({
      subject: 'cus_0',
      expectedSequence: 0,
      idempotencyKey: 'z',
      recordedAt: T0,
      event: event('given', ['marketing']),
    });
    await db.driver.query(
      `update ${db.table('consent_entries')} set event = replace(event, '"given"', '"refused"') where subject = 'cus_1' and sequence = 2`,
    );
    const tampered = (await store.read('cus_1'))[1]!;
    expect(await store.verify()).toMatchObject({
      valid: false,
      subject: 'cus_1',
      sequence: 2,
      entryId: tampered.id,
      problem: 'hash_mismatch',
    });
    expect(await store.verify('cus_0')).toEqual({ valid: true, subjects: 1, entries: 1 });
  });

  it.skipIf(skip)(
    'reads the chain as of a past time and keeps the current state per purpose',
    async () => {
      const store = createPostgresLedgerStore(await database());
      const steps: Array<[ConsentEvent['kind'], string[]]> = [
        ['given', ['marketing.email', 'analytics.measurement']],
        ['notice_shown', ['marketing.email']],
        ['withdrawn', ['marketing.email']],
      ];
      for (const [i, [kind, purposes]] of steps.entries()) {
        await store.append({
          subject: 'cus_1',
          expectedSequence: i,
          idempotencyKey: `k${i}`,
          recordedAt: T0 + i * 1000,
          event: event(kind, purposes, T0 + i * 1000),
        });
      }
      expect((await store.readAsOf('cus_1', T0 - 1)).length).toBe(0);
      expect((await store.readAsOf('cus_1', T0 + 1500)).map((e) => e.event.kind)).toEqual([
        'given',
        'notice_shown',
      ]);
      expect(verifyChain(await store.readAsOf('cus_1', T0 + 1500)).valid).toBe(true);
      expect((await store.readAsOf('cus_1', T0 + 9999)).length).toBe(3);
      expect((await store.current('cus_1')).map((r) => [r.purpose, r.kind, r.sequence])).toEqual([
        ['analytics.measurement', 'given', 1],
        ['marketing.email', 'withdrawn', 3],
      ]);
    },
  );

  it.skipIf(skip)(
    'keeps the current state per data category chosen on its own, as the evaluator reads it',
    async () => {
      const store = createPostgresLedgerStore(await database());
      const scoped = (kind: ConsentEvent['kind'], categories: string[]) => ({
        ...event(kind, ['marketing.email']),
        dataCategories: categories,
      });
      const steps: ConsentEvent[] = [
        event('given', ['marketing.email']),
        scoped('withdrawn', ['user.behavior.purchase_history', 'user.contact.email']),
        scoped('given', ['user.contact.email']),
        event('renewed', ['marketing.email']),
      ];
      for (const [i, ev] of steps.entries()) {
        await store.append({
          subject: 'cus_1',
          expectedSequence: i,
          idempotencyKey: `c${i}`,
          recordedAt: T0 + i,
          event: { ...ev, at: T0 + i },
        });
      }
      const rows = async () =>
        (await store.current('cus_1')).map((r) => [r.dataCategory, r.kind, r.sequence]);
      // A renewal re-confirms the purpose; it does not speak for the categories.
      expect(await rows()).toEqual([
        [null, 'renewed', 4],
        ['user.behavior.purchase_history', 'withdrawn', 2],
        ['user.contact.email', 'given', 3],
      ]);
      // A new choice about the whole purpose speaks for every category: their rows go.
      await store.append({
        subject: 'cus_1',
        expectedSequence: 4,
        idempotencyKey: 'c4',
        recordedAt: T0 + 4,
        event: event('withdrawn', ['marketing.email'], T0 + 4),
      });
      expect(await rows()).toEqual([[null, 'withdrawn', 5]]);
      expect((await store.verify('cus_1')).valid).toBe(true);
      expect((await store.read('cus_1'))[1]?.event.dataCategories).toEqual([
        'user.behavior.purchase_history',
        'user.contact.email',
      ]);
    },
  );

  it.skipIf(skip)(
    'keeps the offer a grant was made under (in the event text, hashed: no new column), through reads',
    async () => {
      const store = createPostgresLedgerStore(await database());
      const offer = { id: 'tips-discount', version: '2026-05' };
      await store.append({
        subject: 'cus_1',
        expectedSequence: 0,
        idempotencyKey: 'o0',
        recordedAt: T0,
        event: { ...event('given', ['marketing.email']), offer },
      });
      await store.append({
        subject: 'cus_1',
        expectedSequence: 1,
        idempotencyKey: 'o1',
        recordedAt: T0 + 1,
        event: event('withdrawn', ['marketing.email'], T0 + 1),
      });
      const [grant, withdrawal] = await store.read('cus_1');
      expect(grant?.event.offer).toEqual(offer);
      expect(withdrawal?.event).not.toHaveProperty('offer');
      expect((await store.verify('cus_1')).valid).toBe(true);
      expect(verifyChain((await store.readAsOf('cus_1', T0)) ?? []).valid).toBe(true);
    },
  );

  it.skipIf(skip)(
    'a manager over it answers per-category choices exactly as one over the memory store',
    async () => {
      const purposes = definePurposes({
        'marketing.email': {
          title: 'Marketing emails',
          bases: ['consent'],
          categories: ['user.contact.email', 'user.behavior'],
        },
      });
      const clock = createVirtualClock(T0);
      const managers = [createMemoryLedgerStore(), createPostgresLedgerStore(await database())].map(
        (store) => createConsentManager({ purposes, store, clock, jurisdiction: 'FR' }),
      );
      await Promise.all(managers.map((m) => m.load()));
      const subject = 'cus_cat';
      const writes = [
        (m: (typeof managers)[number]) => m.grant({ subject, purposes: 'marketing.email' }),
        (m: (typeof managers)[number]) =>
          m.withdraw({
            subject,
            purposes: 'marketing.email',
            dataCategories: ['user.behavior.returns'],
          }),
        (m: (typeof managers)[number]) =>
          m.refuse({
            subject,
            purposes: 'marketing.email',
            dataCategories: ['user.contact.email'],
          }),
        (m: (typeof managers)[number]) =>
          m.grant({ subject, purposes: 'marketing.email', dataCategories: ['user.behavior'] }),
        (m: (typeof managers)[number]) => m.withdraw({ subject, purposes: 'marketing.email' }),
      ];
      const questions = [
        ['user.behavior.returns'],
        ['user.behavior.purchase_history'],
        ['user.behavior'],
        ['user.contact.email'],
        ['user.contact.email', 'user.behavior.purchase_history'],
        [],
      ];
      for (const write of writes) {
        clock.advance(duration.minute);
        for (const m of managers) await write(m);
        const [memory, pg] = managers.map((m) =>
          questions.map((dataCategories) => {
            const v = m.decide({ subject, purpose: 'marketing.email', dataCategories });
            return [v.allowed, v.status, v.reasons[0]?.code, v.reasons[0]?.dataCategory];
          }),
        );
        expect(pg).toEqual(memory);
      }
      for (const m of managers) m.close();
    },
  );

  it.skipIf(skip)(
    'says a purpose is withdrawn, refused or objected to exactly when decide() does (property)',
    async () => {
      const purposes = definePurposes({
        'marketing.email': { title: 'Emails', bases: ['consent'], categories: ['user.contact'] },
      });
      const clock = createVirtualClock(T0);
      const store = createPostgresLedgerStore(await database());
      const manager = createConsentManager({ purposes, store, clock, jurisdiction: 'FR' });
      await manager.load();
      const purpose = 'marketing.email';
      // Choices by the subject or the company, some delivered late (dated up to a day back),
      // renewals, and a legacy system's imports.
      const choice = fc.record({
        op: fc.constantFrom('grant', 'withdraw', 'object', 'refuse', 'renew', 'import'),
        kind: fc.constantFrom('given' as const, 'withdrawn' as const),
        bySubject: fc.boolean(),
        late: fc.option(fc.integer({ min: 1, max: duration.day }), { nil: undefined }),
        wait: fc.integer({ min: 0, max: duration.hour }),
      });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(choice, { minLength: 1, maxLength: 8 }), async (choices) => {
          const subject = `cus_p${run++}`;
          for (const c of choices) {
            clock.advance(duration.day + c.wait);
            const at = c.late === undefined ? {} : { at: clock.now() - c.late };
            const actor = { kind: c.bySubject ? ('subject' as const) : ('agent' as const) };
            if (c.op === 'import')
              await manager.import([{ subject, kind: c.kind, purposes: [purpose], ...at }]);
            else if (c.op === 'grant' || c.op === 'renew')
              await manager[c.op]({ subject, purposes: purpose, actor, ...at });
            else await manager[c.op]({ subject, purposes: purpose, ...at });
            const verdict = manager.decide({ subject, purpose, dataCategories: [] });
            const row = (await store.current(subject)).find((r) => r.dataCategory === null);
            const granted = row?.kind === 'given' || row?.kind === 'renewed';
            expect({ row: row?.kind, granted }).toEqual({
              row: row?.kind,
              granted: verdict.allowed,
            });
          }
        }),
        { numRuns: 40 },
      );
      manager.close();
    },
  );
});
