import { createVirtualClock } from '@candor/core';
import type { DecisionEntry, FeedbackCheckpoint, FeedbackEvent } from '@candor/feedback';
import { createFeedbackLoop } from '@candor/feedback';
import { describe, expect, it, vi } from 'vitest';
import { driverCases, useTestDatabases } from './drivers.test-helpers';
import { createPostgresFeedbackStore } from './feedback';

const T0 = 1_780_000_000_000;
/** The checkpoint key of a loop with the default guardrails. */
const KEY = 'guardrails:{"complaint":0.01,"intrusive":0.05}|20|1.96';

function decision(id: string, subject = 'cus_1', at = T0): DecisionEntry {
  return {
    decisionId: id,
    subject,
    ruleId: 'card-expiry',
    topic: 'billing.card_expiry',
    channel: 'email',
    at,
  };
}

function feedback(
  key: string,
  kind: FeedbackEvent['kind'],
  decisionId: string,
  subject = 'cus_1',
  at = T0 + 1000,
): FeedbackEvent {
  return {
    idempotencyKey: key,
    kind,
    decisionId,
    subject,
    ruleId: 'card-expiry',
    topic: 'billing.card_expiry',
    channel: 'email',
    at,
  };
}

describe.each(driverCases)('feedback store on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);

  it.skipIf(skip)('rejects a malformed argument with a typed error naming it', async () => {
    expect(() => createPostgresFeedbackStore(null as never)).toThrow(
      expect.objectContaining({
        code: 'postgres/invalid_options',
        details: expect.objectContaining({ path: 'db' }),
      }),
    );
    const store = createPostgresFeedbackStore(await database());
    await expect(store.readEvents(null as never)).rejects.toMatchObject({
      code: 'feedback/invalid_option',
      details: { path: 'options' },
    });
    await expect(store.readDecisions(null as never)).rejects.toMatchObject({
      code: 'feedback/invalid_option',
      details: { path: 'options' },
    });
    await expect(store.appendResumes({} as never)).rejects.toMatchObject({
      code: 'feedback/invalid_event',
      details: { path: '(root)' },
    });
  });

  it.skipIf(skip)(
    'appends idempotently, reports duplicates and reads back in order with filters',
    async () => {
      const store = createPostgresFeedbackStore(await database());
      const e1 = feedback('k1', 'opened', 'd1');
      const e2 = {
        ...feedback('k2', 'not_interested', 'd1'),
        scope: 'topic' as const,
        note: 'ça suffit',
      };
      const e3 = feedback('k3', 'clicked', 'd2', 'cus_2', T0 + 5000);
      expect(await store.appendEvents([e1, e2])).toEqual({
        appended: ['k1', 'k2'],
        duplicates: [],
      });
      expect(await store.appendEvents([e2, e3, e3])).toEqual({
        appended: ['k3'],
        duplicates: ['k2', 'k3'],
      });
      expect(await store.readEvents()).toEqual([
        { seq: 1, event: e1 },
        { seq: 2, event: e2 },
        { seq: 3, event: e3 },
      ]);
      expect((await store.readEvents({ subject: 'cus_2' })).map((r) => r.seq)).toEqual([3]);
      expect((await store.readEvents({ afterSeq: 1, limit: 1 })).map((r) => r.seq)).toEqual([2]);
      expect((await store.readEvents({ since: T0 + 2000 })).map((r) => r.seq)).toEqual([3]);
      expect(await store.appendDecisions([decision('d1'), decision('d1')])).toEqual({
        appended: ['d1'],
        duplicates: ['d1'],
      });
      expect(await store.readDecisions()).toEqual([{ seq: 1, entry: decision('d1') }]);
      expect(await store.counts()).toEqual({ events: 3, decisions: 1 });
    },
  );

  it.skipIf(skip)(
    'rejects a reused key with other content and writes nothing of that call',
    async () => {
      const store = createPostgresFeedbackStore(await database());
      await store.appendEvents([feedback('k1', 'opened', 'd1')]);
      await expect(
        store.appendEvents([feedback('k2', 'clicked', 'd1'), feedback('k1', 'dismissed', 'd1')]),
      ).rejects.toMatchObject({ code: 'feedback/idempotency_conflict', details: { path: '[1]' } });
      expect((await store.readEvents()).map((r) => r.event.idempotencyKey)).toEqual(['k1']);
      await expect(
        store.appendDecisions([decision('d1'), { ...decision('d1'), channel: 'sms' }]),
      ).rejects.toMatchObject({
        code: 'feedback/idempotency_conflict',
      });
      expect(await store.readDecisions()).toEqual([]);
    },
  );

  it.skipIf(skip)('keeps positions gap-free with 4 instances appending at once', async () => {
    const first = await database();
    const stores = [
      first,
      ...(await Promise.all([1, 2, 3].map(() => database({ schema: first.schema })))),
    ].map((db) => createPostgresFeedbackStore(db));
    await Promise.all(
      stores.map(async (store, w) => {
        for (let i = 0; i < 10; i++)
          await store.appendEvents([
            feedback(`w${w}-${i}a`, 'opened', `d${i}`),
            feedback(`w${w}-${i}b`, 'clicked', `d${i}`),
          ]);
      }),
    );
    const all = await stores[0]!.readEvents();
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(new Set(all.map((r) => r.event.idempotencyKey)).size).toBe(80);
  });

  it.skipIf(skip)(
    'a resumed rule stays resumed after a restart, and its old evidence no longer counts',
    async () => {
      const db = await database();
      const clock = createVirtualClock(T0 + 10_000);
      const guardrails = { thresholds: { complaint: 0.05 }, minExposures: 20 };
      const open = async () =>
        createFeedbackLoop({
          store: createPostgresFeedbackStore(await database({ schema: db.schema })),
          clock,
          guardrails,
        });
      const loop = await open();
      const events: FeedbackEvent[] = [];
      for (let i = 0; i < 40; i++) {
        events.push(feedback(`del-${i}`, 'delivered', `d${i}`, `cus_${i}`));
        if (i % 4 === 0) events.push(feedback(`c-${i}`, 'complained', `d${i}`, `cus_${i}`));
      }
      await loop.submitMany(events);
      expect(loop.isPaused('card-expiry')).toBe(true);
      await loop.resume('card-expiry');
      expect(await createPostgresFeedbackStore(db).readResumes()).toEqual([
        { ruleId: 'card-expiry', variantId: null, at: T0 + 10_000 },
      ]);

      const restarted = await open();
      await restarted.hydrate();
      expect(restarted.isPaused('card-expiry')).toBe(false);
      expect(restarted.ruleHealth('card-expiry').rates.complaint.rate).toBe(0);
    },
  );

  it.skipIf(skip)(
    'a loop with a subject cache reads only the customers it prepares, in one read each batch',
    async () => {
      const db = await database();
      const clock = createVirtualClock(T0 + 2000);
      const store = createPostgresFeedbackStore(db);
      const writer = createFeedbackLoop({ store, clock });
      await writer.hydrate();
      await writer.submit({ ...feedback('k1', 'not_interested', 'd1'), scope: 'topic' });
      await writer.submit(feedback('k2', 'opened', 'd2', 'cus_2'));
      expect((await store.readEventsOf(['cus_2', 'cus_1', 'cus_2'])).map((r) => r.seq)).toEqual([
        1, 2,
      ]);
      await expect(store.readEventsOf('cus_1' as never)).rejects.toMatchObject({
        code: 'feedback/invalid_event',
      });
      const cached = createFeedbackLoop({
        store: createPostgresFeedbackStore(await database({ schema: db.schema })),
        clock,
        cache: { maxSubjects: 1 },
      });
      const query = {
        subject: 'cus_1',
        ruleId: 'card-expiry',
        topic: 'billing.card_expiry',
        channel: 'email',
        at: T0 + 3000,
      };
      expect(cached.check(query).reason?.code).toBe('not_loaded');
      await cached.prepare(['cus_1']);
      expect(cached.check(query).reason?.code).toBe('not_interested');
      await cached.prepare(['cus_2']);
      expect(cached.check(query).reason?.code).toBe('not_loaded');
      expect(cached.check({ ...query, subject: 'cus_2' }).suppressed).toBe(false);
      cached.close();
      writer.close();
    },
  );

  it.skipIf(skip)(
    'keeps the guardrail checkpoint with the most events; a restarted loop starts from it',
    async () => {
      const db = await database();
      const clock = createVirtualClock(T0 + 2000);
      const store = createPostgresFeedbackStore(db);
      const cache = { maxSubjects: 2, checkpointEvery: 2 };
      const writer = createFeedbackLoop({ store, clock, cache });
      await writer.hydrate();
      for (const [i, kind] of (['delivered', 'complained', 'delivered'] as const).entries()) {
        await writer.submit(feedback(`k${i}`, kind, `d${i}`, `cus_${i}`));
      }
      await vi.waitFor(async () => expect(await store.readCheckpoint(KEY)).not.toBeNull());
      const stored = await store.readCheckpoint(KEY);
      expect(stored?.events).toBeGreaterThanOrEqual(2);
      await store.writeCheckpoint(KEY, { ...(stored as FeedbackCheckpoint), events: 1, rules: [] });
      expect(await store.readCheckpoint(KEY)).toEqual(stored);
      await expect(store.readCheckpoint('')).rejects.toMatchObject({
        code: 'feedback/invalid_option',
      });
      const restarted = createFeedbackLoop({
        store: createPostgresFeedbackStore(await database({ schema: db.schema })),
        clock,
        cache,
      });
      expect((await restarted.hydrate()).events).toBe(3 - (stored?.events ?? 0));
      expect(restarted.ruleHealth('card-expiry')).toEqual(writer.ruleHealth('card-expiry'));
      restarted.close();
      writer.close();
    },
  );

  it.skipIf(skip)(
    'a feedback loop rebuilds suppressions from the durable store after a restart',
    async () => {
      const db = await database();
      const clock = createVirtualClock(T0 + 2000);
      const loop = createFeedbackLoop({ store: createPostgresFeedbackStore(db), clock });
      await loop.hydrate();
      await loop.logDecision(decision('d1'));
      await loop.submit({ ...feedback('k1', 'not_interested', 'd1'), scope: 'topic' });
      const query = {
        subject: 'cus_1',
        ruleId: 'card-expiry',
        topic: 'billing.card_expiry',
        channel: 'email',
        at: T0 + 3000,
      };
      expect(loop.check(query).suppressed).toBe(true);
      const restarted = createFeedbackLoop({
        store: createPostgresFeedbackStore(await database({ schema: db.schema })),
        clock,
      });
      // Before it has read the store it holds back rather than answer from an empty view.
      expect(restarted.check(query).reason?.code).toBe('not_loaded');
      expect(await restarted.hydrate()).toEqual({ decisions: 1, events: 1 });
      expect(restarted.check(query)).toMatchObject({
        suppressed: true,
        reason: { scope: 'topic' },
      });
    },
  );
});
