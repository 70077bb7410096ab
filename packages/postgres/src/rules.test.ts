import type { ConsentGate } from '@candor/core';
import type { Outcome, Reservation, Rule, RuleEvent, ScheduleEntry } from '@candor/rules';
import { createRuleEngine, fact } from '@candor/rules';
import { afterEach, describe, expect, it } from 'vitest';
import { allowAll } from '../../../test-utils/gates.ts';
import { cardExpiryReminder, invoiceUnpaid } from '../../../test-utils/rules.ts';
import { driverCases, openTestDatabase, type TestDatabase } from './drivers.test-helpers';
import { createPostgresRuleStateStore, type DueJobs, startDueJobs } from './rules';

const T0 = 1_780_000_000_000;
const DAY = 86_400_000;

function reservation(id: string, overrides: Partial<Reservation> = {}): Reservation {
  return {
    id,
    subject: 'cus_1',
    at: T0,
    keys: ['rule:card-expiry:cus_1', 'channel:push:cus_1'],
    limits: [{ gate: 'cap', key: 'channel:push:cus_1', max: 2, since: T0 - DAY + 1 }],
    dedup: null,
    ...overrides,
  };
}

function schedule(key: string, dueAt: number): ScheduleEntry {
  return {
    key,
    kind: 'relative',
    ruleId: 'card-expiry',
    subject: 'cus_1',
    dueAt,
    event: { id: `evt_${key}`, type: 'card.expiring', subject: 'cus_1', at: T0, facts: [] },
  };
}

/** An event of `cus_1` carrying one observed fact. */
function factEvent(
  type: string,
  id: string,
  at: number,
  path: string,
  category: string,
  value: string,
): RuleEvent {
  const provenance = { source: 'app', kind: 'observed', observedAt: at, party: 'first' } as const;
  return {
    id,
    type,
    subject: 'cus_1',
    at,
    facts: [{ id: `f_${id}`, path, category, value, provenance }],
  };
}

describe.each(driverCases)('rule state store on $name', ({ kind, skip }) => {
  const open: TestDatabase[] = [];
  const jobs: DueJobs[] = [];
  const database = async (options: { schema?: string } = {}) => {
    const db = await openTestDatabase(kind, options);
    open.push(db);
    return db;
  };
  afterEach(async () => {
    for (const j of jobs.splice(0)) await j.stop();
    const [first, ...rest] = open.splice(0);
    for (const db of rest) await db.close();
    if (first) {
      await first.driver.query(`drop schema if exists "${first.schema}_jobs" cascade`);
      await first.drop();
    }
  });

  it.skipIf(skip)('rejects a malformed argument with a typed error naming it', async () => {
    expect(() => createPostgresRuleStateStore({} as never)).toThrow(
      expect.objectContaining({
        code: 'postgres/invalid_options',
        details: expect.objectContaining({ path: 'db' }),
      }),
    );
    const store = createPostgresRuleStateStore(await database());
    await expect(store.appendEvent(null as never)).rejects.toMatchObject({
      code: 'postgres/invalid_input',
      details: { path: 'event' },
    });
    await expect(store.setPause('card-expiry', undefined as never)).rejects.toMatchObject({
      code: 'postgres/invalid_input',
      details: { path: 'pause' },
    });
    // A NUL character PostgreSQL cannot store: refused by name, nothing written. A backslash's
    // text that reads like one is stored as it is.
    const past = { id: 'evt_nul', subject: 'cus_1', type: 'order.placed', at: T0 };
    await expect(
      store.appendEvent({ ...past, fields: { 'order.note': 'a\u0000b' } }),
    ).rejects.toMatchObject({
      code: 'postgres/invalid_input',
      details: expect.objectContaining({ path: 'event.fields' }),
    });
    await store.appendEvent({ ...past, fields: { 'order.note': 'a\\u0000b' } });
    expect((await store.load('cus_1', 0)).events.map((e) => e.fields)).toEqual([
      { 'order.note': 'a\\u0000b' },
    ]);
  });

  it.skipIf(skip)('enforces a cap across instances racing for the last slots', async () => {
    const first = await database();
    const others = await Promise.all([1, 2, 3].map(() => database({ schema: first.schema })));
    const stores = [first, ...others].map((db) => createPostgresRuleStateStore(db));
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        stores[i % stores.length]!.reserve(reservation(`r${i}`, { at: T0 + i })),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    const refused = results.find((r) => !r.ok);
    expect(refused).toMatchObject({ ok: false, failed: 'limit', limit: { gate: 'cap', max: 2 } });
    const state = await stores[0]!.load('cus_1', T0 - DAY);
    expect(state.fires.filter((f) => f.key === 'channel:push:cus_1')).toHaveLength(2);
  });

  it.skipIf(skip)('rule engines on separate instances share a cap through the store', async () => {
    const first = await database();
    const second = await database({ schema: first.schema });
    const consent = allowAll;
    const rule: Rule = {
      id: 'low-balance',
      version: 1,
      purpose: 'service.proactive_support',
      dataCategories: ['user.financial.account'],
      trigger: { type: 'event', events: ['balance.changed'] },
      conditions: fact('account.balance').lt(100),
      action: { type: 'notify', channel: 'push', topic: 'billing.low_balance' },
      caps: [{ limit: 1, window: '1d', scope: 'rule' }],
    };
    const event = (id: string, at: number): RuleEvent => ({
      id,
      type: 'balance.changed',
      subject: 'cus_1',
      at,
      facts: [
        {
          id: 'f1',
          path: 'account.balance',
          category: 'user.financial.account',
          value: 50,
          provenance: { source: 'core-banking', kind: 'observed', observedAt: at, party: 'first' },
        },
      ],
    });
    const engine = (db: TestDatabase) =>
      createRuleEngine({ rules: [rule], consent, state: createPostgresRuleStateStore(db) });
    const kinds = (outcomes: Outcome[]) =>
      outcomes.map((o) => (o.kind === 'proposal' ? 'proposal' : o.reason));
    const [x, y] = await Promise.all([
      engine(first).process(event('e1', T0)),
      engine(second).process(event('e2', T0 + 1)),
    ]);
    expect([...kinds(x), ...kinds(y)].sort()).toEqual(['cap', 'proposal']);
    // A third instance (a restart) hydrates the cap from the store.
    expect(kinds(await engine(first).process(event('e3', T0 + 2)))).toEqual(['cap']);
  });

  it.skipIf(skip)(
    'an invoice paid on another instance is never reminded of, in either processing order',
    async () => {
      const first = await database();
      const second = await database({ schema: first.schema });
      const rule = invoiceUnpaid;

      const event = (type: string, id: string, at: number): RuleEvent =>
        factEvent(type, `${type}:${id}`, at, 'invoice.id', 'user.financial.invoice', id);

      const engine = async (db: TestDatabase) => {
        const e = createRuleEngine({
          rules: [rule],
          consent: allowAll,
          state: createPostgresRuleStateStore(db),
        });
        await e.hydrate();
        return e;
      };
      const [a, b] = [await engine(first), await engine(second)];
      // inv_1 in order, on two instances; inv_2's payment processed before its invoice.
      await a.process(event('invoice.issued', 'inv_1', T0));
      await b.process(event('payment.received', 'inv_1', T0 + DAY));
      await b.process(event('payment.received', 'inv_2', T0 + DAY));
      await a.process(event('invoice.issued', 'inv_2', T0));
      await a.process(event('invoice.issued', 'inv_3', T0));
      const reminded = (await a.processDue(T0 + 4 * DAY)).flatMap((o) =>
        o.kind === 'proposal' ? [o.evidence[0]?.value] : [],
      );
      expect(reminded).toEqual(['inv_3']);
    },
  );

  it.skipIf(skip)(
    'a card plan rests on the newest fact, and goes on withdrawal, whichever instance made it',
    async () => {
      const first = await database();
      const second = await database({ schema: first.schema });
      const rule = cardExpiryReminder;

      let allowed = true;
      const consent: ConsentGate = {
        decide: (q) => ({ ...allowAll.decide(q), ...(allowed ? {} : { allowed: false }) }),
      };
      const event = (id: string, at: number, expiresAt: string): RuleEvent =>
        factEvent('card.updated', id, at, 'card.expiresAt', 'user.financial.card', expiresAt);

      const engine = async (db: TestDatabase) => {
        const e = createRuleEngine({
          rules: [rule],
          consent,
          state: createPostgresRuleStateStore(db),
        });
        await e.hydrate();
        return e;
      };
      const [a, b] = [await engine(first), await engine(second)];
      const store = createPostgresRuleStateStore(first);
      await a.process(event('c2', T0 + DAY, '2027-09-30T00:00:00Z'));
      await b.process(event('c1', T0, '2027-06-30T00:00:00Z')); // late, and older
      expect((await store.listSchedules()).map((e) => e.event.id)).toEqual(['c2']);
      allowed = false;
      await b.process(event('c3', T0 + 2 * DAY, '2027-09-30T00:00:00Z'));
      expect(await store.listSchedules()).toEqual([]);
    },
  );

  it.skipIf(skip)('is idempotent by reservation id, releases, and honours dedup TTLs', async () => {
    const store = createPostgresRuleStateStore(await database());
    const dedup = { key: 'card-expiry:cus_1:4242', expiresAt: T0 + 7 * DAY };
    expect(await store.reserve(reservation('r1', { dedup }))).toEqual({ ok: true, replay: false });
    expect(await store.reserve(reservation('r1', { dedup }))).toEqual({ ok: true, replay: true });
    expect(await store.reserve(reservation('r2', { dedup, at: T0 + DAY }))).toEqual({
      ok: false,
      failed: 'dedup',
      expiresAt: T0 + 7 * DAY,
    });
    // After the TTL the same dedup key is free again.
    expect(
      await store.reserve(
        reservation('r3', {
          dedup: { ...dedup, expiresAt: T0 + 20 * DAY },
          at: T0 + 8 * DAY,
          limits: [],
        }),
      ),
    ).toEqual({ ok: true, replay: false });
    // A cooldown counts fires since its window start and reports the oldest.
    const cooldown = {
      gate: 'cooldown' as const,
      key: 'rule:card-expiry:cus_1',
      max: 1,
      since: T0 + 8 * DAY - 3 * DAY,
    };
    expect(
      await store.reserve(reservation('r4', { at: T0 + 9 * DAY, limits: [cooldown] })),
    ).toEqual({
      ok: false,
      failed: 'limit',
      limit: cooldown,
      oldestAt: T0 + 8 * DAY,
    });
    await store.release('r3');
    expect(
      await store.reserve(reservation('r4', { at: T0 + 9 * DAY, limits: [cooldown] })),
    ).toEqual({ ok: true, replay: false });
    const state = await store.load('cus_1', 0);
    expect(state.fires.map((f) => f.reservation).sort()).toEqual(['r1', 'r1', 'r4', 'r4']);
    // r3 had taken over the dedup key; releasing r3 freed it.
    expect(state.dedup).toEqual([]);
    expect(await store.reserve(reservation('r5', { dedup, at: T0 + 9 * DAY, limits: [] }))).toEqual(
      { ok: true, replay: false },
    );
    expect((await store.load('cus_1', 0)).dedup).toEqual([
      { reservation: 'r5', subject: 'cus_1', key: dedup.key, expiresAt: dedup.expiresAt },
    ]);
  });

  it.skipIf(skip)('keeps past events for windows, idempotently, and prunes old data', async () => {
    const store = createPostgresRuleStateStore(await database());
    const e1 = {
      id: 'evt_1',
      subject: 'cus_1',
      type: 'order.returned',
      at: T0,
      fields: { 'return.reason': 'size', n: 2 },
    };
    await store.appendEvent(e1);
    await store.appendEvent(e1);
    await store.appendEvent({ ...e1, id: 'evt_2', at: T0 + DAY });
    await store.appendEvent({ ...e1, subject: 'cus_2' });
    expect((await store.load('cus_1', T0)).events).toEqual([
      e1,
      { ...e1, id: 'evt_2', at: T0 + DAY },
    ]);
    expect((await store.load('cus_1', T0 + 1)).events.map((e) => e.id)).toEqual(['evt_2']);
    await store.reserve(reservation('r1'));
    expect((await store.prune(T0 + 1)).deleted).toBe(5);
    expect(await store.load('cus_1', 0)).toEqual({
      fires: [],
      dedup: [],
      events: [{ ...e1, id: 'evt_2', at: T0 + DAY }],
      schedules: [],
    });
  });

  it.skipIf(skip)('stores schedules and pauses durably', async () => {
    const db = await database();
    const store = createPostgresRuleStateStore(db);
    await store.putSchedule(schedule('b', T0 + 2000));
    await store.putSchedule(schedule('a', T0 + 1000));
    await store.putSchedule(schedule('b', T0 + 500));
    await store.putSchedule(schedule('c', T0 + 9000));
    await store.removeSchedule('c');
    await store.removeSchedule('missing');
    const pause = { ruleId: '*', reason: 'incident 42', since: T0, until: null, by: 'operator' };
    await store.setPause('*', pause);
    await store.setPause('sizing', { ...pause, ruleId: 'sizing', until: T0 + DAY });
    await store.setPause('sizing', null);
    // A new instance (a restart) sees the same.
    const again = createPostgresRuleStateStore(await database({ schema: db.schema }));
    expect((await again.listSchedules()).map((s) => [s.key, s.dueAt])).toEqual([
      ['b', T0 + 500],
      ['a', T0 + 1000],
    ]);
    expect((await again.listSchedules())[0]).toEqual(schedule('b', T0 + 500));
    // A customer's state comes with their schedule entries (another customer's stay out).
    await again.putSchedule({ ...schedule('d', T0 + 700), subject: 'cus_2' });
    expect((await again.load('cus_1', T0)).schedules).toEqual([
      schedule('b', T0 + 500),
      schedule('a', T0 + 1000),
    ]);
    await again.removeSchedule('d');
    expect(await again.listPauses()).toEqual([pause]);
    expect(await again.nextDueAt()).toBe(T0 + 500);
    expect(await again.takeDue(T0 + 999, 10)).toEqual([schedule('b', T0 + 500)]);
    expect(await again.takeDue(T0 + 999, 10)).toEqual([]);
  });

  it.skipIf(skip)(
    'two workers taking the same due schedules run each entry exactly once',
    async () => {
      const first = await database();
      const second = await database({ schema: first.schema });
      const a = createPostgresRuleStateStore(first);
      const b = createPostgresRuleStateStore(second);
      for (let i = 0; i < 40; i++)
        await a.putSchedule(schedule(`s${String(i).padStart(2, '0')}`, T0 + i));
      const taken = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).takeDue(T0 + 100, 7)),
      );
      const keys = taken.flat().map((e) => e.key);
      expect(keys).toHaveLength(40);
      expect(new Set(keys).size).toBe(40);
    },
  );

  it.skipIf(skip)(
    kind === 'postgres'
      ? 'pg-boss: two worker processes woken for the same due schedule run it once'
      : 'timer dispatch runs a due schedule once (single process)',
    async () => {
      const first = await database();
      const second = await database({ schema: first.schema });
      const ran: string[] = [];
      let wakeups = 0;
      const worker = async (db: TestDatabase) => {
        const store = createPostgresRuleStateStore(db);
        const j = await startDueJobs(db, {
          store,
          pollingIntervalSeconds: 0.5,
          run: async (now) => {
            wakeups++;
            for (const entry of await store.takeDue(now, 100)) ran.push(entry.key);
          },
        });
        jobs.push(j);
        return { store: createPostgresRuleStateStore(db, { jobs: j }), j };
      };
      const w1 = await worker(first);
      const w2 = kind === 'postgres' ? await worker(second) : w1;
      expect(w1.j.mode).toBe(kind === 'postgres' ? 'pg-boss' : 'timer');
      // Due shortly, not at once: pg-boss keeps one *waiting* job per singleton key, so the
      // re-plan must be sent before a worker takes the first job (else a second, idle wake-up).
      const dueAt = Date.now() + 1500;
      await w1.store.putSchedule(schedule('due-now', dueAt));
      await w2.store.putSchedule(schedule('due-now', dueAt)); // re-planned by the other instance
      await w2.store.putSchedule(schedule('later', dueAt + 600_000));
      const deadline = Date.now() + 15_000;
      while (ran.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1500)); // any second run would show up by now
      expect(ran).toEqual(['due-now']);
      expect(wakeups).toBe(1);
      expect((await w1.store.listSchedules()).map((s) => s.key)).toEqual(['later']);
    },
  );
});
