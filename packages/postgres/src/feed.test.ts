import { createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPostgresLedgerStore } from './consent';
import { DATABASE_URL, driverCases, uniqueSchema, useTestDatabases } from './drivers.test-helpers';
import type { ChangeFeedOptions } from './feed';
import { type Instance, muteCardExpiry, openInstance } from './instance.test-helpers';

const email = {
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
} as const;

/** Polls `probe` until it is true (at most `ms`); returns how long that took. */
async function within(ms: number, probe: () => boolean | Promise<boolean>): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - start;
    if (performance.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const kinds = (outcomes: readonly { kind: string; reason?: string }[]) =>
  outcomes.map((o) => (o.kind === 'proposal' ? 'sent' : o.reason));

describe.each(driverCases)('the change feed on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);
  /** Two app instances on one schema, each with its own database handle (and feed). */
  async function twoInstances(feed = { staleAfterMs: 2_000 }) {
    const schema = uniqueSchema();
    const dbA = await database({ schema, feed });
    const dbB = await database({ schema, feed });
    const a = await openInstance(dbA);
    const b = await openInstance(dbB);
    return { a, b, dbA, dbB, schema };
  }

  it.skipIf(skip)(
    "a withdrawal, a mute and a pause made on one instance reach the other's next decision",
    async () => {
      const { a, b } = await twoInstances();
      await a.consent.grant({ subject: 'cus_1', purposes: 'service.proactive_support' });
      await within(2_000, () => b.consent.decide({ subject: 'cus_1', ...email }).allowed);
      expect(kinds(await b.evaluate('cus_1'))).toEqual(['sent']);

      await a.consent.withdraw({ subject: 'cus_1', purposes: 'service.proactive_support' });
      // No refresh(), no load(): b follows the feed.
      await within(
        2_000,
        () => b.consent.decide({ subject: 'cus_1', ...email }).status === 'withdrawn',
      );
      expect(kinds(await b.evaluate('cus_1'))).toEqual(['consent']);

      await b.consent.grant({ subject: 'cus_2', purposes: 'service.proactive_support' });
      await muteCardExpiry(b.feedback, 'cus_2', Date.now(), 'mute-1');
      await within(
        2_000,
        () =>
          a.feedback.check({
            subject: 'cus_2',
            ruleId: 'card-expiry',
            topic: 'billing.card_expiry',
            channel: 'email',
            at: Date.now(),
          }).suppressed,
      );
      await within(2_000, () => a.consent.decide({ subject: 'cus_2', ...email }).allowed);
      expect(kinds(await a.evaluate('cus_2'))).toEqual(['suppressed']);

      await b.consent.grant({ subject: 'cus_3', purposes: 'service.proactive_support' });
      await a.engine.pause('card-expiry', { reason: 'checking complaints' });
      await within(
        2_000,
        () => b.engine.pauses().length === 1 && b.engine.viewStatus() === 'ready',
      );
      expect(kinds(await b.evaluate('cus_3'))).toEqual(['paused']);
      await a.engine.resume('card-expiry');
      await within(
        2_000,
        () => b.engine.pauses().length === 0 && b.engine.viewStatus() === 'ready',
      );
      expect(kinds(await b.evaluate('cus_3'))).toEqual(['sent']);
    },
  );

  it.skipIf(skip)(
    'two appends with one idempotency key for two subjects: one is stored, the other is refused',
    async () => {
      const store = createPostgresLedgerStore(await database());
      const event = {
        kind: 'given' as const,
        actor: { kind: 'subject' as const },
        purposes: ['service.proactive_support'],
        at: 1_780_000_000_000,
        method: 'api' as const,
      };
      const request = (subject: string) => ({
        subject,
        expectedSequence: 0,
        idempotencyKey: 'same-key',
        recordedAt: 1_780_000_000_000,
        event,
      });
      const results = await Promise.allSettled([
        store.append(request('cus_a')),
        store.append(request('cus_b')),
      ]);
      const stored = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      expect(stored).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
        code: 'consent/idempotency_conflict',
      });
      const loser =
        (stored[0] as PromiseFulfilledResult<{ entry: { subject: string } }>).value.entry
          .subject === 'cus_a'
          ? 'cus_b'
          : 'cus_a';
      // The other subject's chain is intact: its next append starts it.
      await store.append({ ...request(loser), idempotencyKey: 'next-key' });
      expect(await store.verify()).toMatchObject({ valid: true, subjects: 2, entries: 2 });
    },
  );

  it.skipIf(skip)(
    'never lets an instance that has caught up act on what the store forbids (property)',
    { timeout: 120_000 },
    async () => {
      const clock = createVirtualClock(Date.now());
      const schema = uniqueSchema();
      const dbA = await database({ schema });
      const dbB = await database({ schema });
      const instances = [await openInstance(dbA, clock), await openInstance(dbB, clock)] as const;
      const op = fc.record({
        on: fc.constantFrom(0, 1),
        what: fc.constantFrom('grant', 'withdraw', 'mute', 'late', 'event'),
        subject: fc.constantFrom('s1', 's2', 's3'),
        // How many minutes back an event is stamped: on time, a little late, or from long ago.
        back: fc.oneof(
          fc.constant(0),
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ max: 120, min: 0 }),
        ),
      });
      let key = 0;
      let fired = 0;
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
          // Each run has customers of its own (the database outlives runs).
          const run = runs++;
          for (const raw of ops) {
            const o = { ...raw, subject: `${raw.subject}_${run}` };
            clock.advance(duration.minute);
            const me = instances[o.on] as Instance;
            if (o.what === 'grant' || o.what === 'withdraw')
              await me.consent[o.what]({
                subject: o.subject,
                purposes: 'service.proactive_support',
              });
            else if (o.what === 'mute')
              await muteCardExpiry(me.feedback, o.subject, clock.now(), `m${key++}`);
            // Both instances catch up to the store (within the staleness bound)…
            const [counter] = await dbA.driver.query<{ last: string }>(
              `select last from ${dbA.table('change_counter')}`,
            );
            const last = Number(counter?.last);
            await within(2_000, () =>
              instances.every(
                (x, i) =>
                  (i === 0 ? dbA : dbB).feed.position >= last &&
                  x.consent.viewStatus(o.subject) === 'ready' &&
                  x.feedback.viewStatus(o.subject) === 'ready',
              ),
            );
            // …then any event, on time, late or out of order, fires only where the truth allows.
            const at = clock.now() - (o.what === 'late' ? o.back : 0) * duration.minute;
            const outcomes = await me.evaluate(o.subject, at);
            if (outcomes.some((x) => x.kind === 'proposal')) {
              fired++;
              const truth = await openInstance(dbA, clock);
              const allowed =
                truth.consent.decide({ subject: o.subject, ...email }).allowed &&
                truth.consent.decide({ subject: o.subject, ...email, at }).allowed &&
                !truth.feedback.check({
                  subject: o.subject,
                  ruleId: 'card-expiry',
                  topic: 'billing.card_expiry',
                  channel: 'email',
                  at,
                }).suppressed;
              truth.close();
              expect(allowed).toBe(true);
            }
          }
        }),
        { numRuns: kind === 'pglite' ? 15 : 10 },
      );
      // Not vacuous: events did fire where consent and feedback allowed them.
      expect(fired).toBeGreaterThan(0);
    },
  );
});

// PostgreSQL only: an embedded database has no connection to cut.
describe.skipIf(DATABASE_URL === undefined)('the change feed on PostgreSQL, cut', () => {
  const database = useTestDatabases('postgres');
  async function twoInstances(feed: Partial<ChangeFeedOptions>) {
    const schema = uniqueSchema();
    const dbA = await database({ schema, feed });
    const dbB = await database({ schema, feed });
    return { a: await openInstance(dbA), b: await openInstance(dbB), dbB, schema };
  }

  it('a cut feed fails closed within its bound, then catches up from where it left off', {
    timeout: 60_000,
  }, async () => {
    // The reconnect waits longer than the bound, so the stale window is observable.
    const { a, b, dbB, schema } = await twoInstances({
      staleAfterMs: 400,
      heartbeatMs: 100,
      reconnectDelayMs: 1_500,
    });
    await a.consent.grant({ subject: 'cus_1', purposes: 'service.proactive_support' });
    await within(2_000, () => b.consent.decide({ subject: 'cus_1', ...email }).allowed);

    const killed = await dbB.driver.query<{ ok: boolean }>(
      `select pg_terminate_backend(pid) as ok from pg_stat_activity
         where application_name = 'candor-feed' and query like $1`,
      [`%${schema}%`],
    );
    expect(killed.length).toBeGreaterThanOrEqual(1);
    const wentStale = await within(1_500, () => !dbB.feed.fresh);
    expect(wentStale).toBeLessThan(1_000);
    // While the feed is down, b denies rather than answer from a view it cannot prove current.
    await within(
      1_000,
      () => b.consent.decide({ subject: 'cus_1', ...email }).reasons[0]?.code === 'stale_view',
    );
    expect(kinds(await b.evaluate('cus_1'))).toEqual(['consent']);

    // A withdrawal made meanwhile (a's own view applies it at once)…
    await a.consent.withdraw({ subject: 'cus_1', purposes: 'service.proactive_support' });
    expect(a.consent.decide({ subject: 'cus_1', ...email }).allowed).toBe(false);
    // …is what b answers once it has reconnected and caught up.
    await within(
      10_000,
      () => b.consent.decide({ subject: 'cus_1', ...email }).status === 'withdrawn',
    );
    expect(dbB.feed.connected).toBe(true);
    expect(b.consent.viewStatus('cus_1')).toBe('ready');
  });
});
