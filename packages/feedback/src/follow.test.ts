import {
  type ChangeFeed,
  createLocalChangeFeed,
  createVirtualClock,
  duration,
  type FeedNotice,
} from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fb, q, start, tick } from './events.test-helpers';
import { createFeedbackLoop } from './loop';
import type { FeedbackEvent } from './schema';
import { createMemoryFeedbackStore, type FeedbackStore } from './store';

/** Two loops on one store, as two app instances on one database would be. */
async function twoInstances(store: FeedbackStore = createMemoryFeedbackStore()) {
  const clock = createVirtualClock(start + duration.minute);
  const a = createFeedbackLoop({ store, clock });
  const b = createFeedbackLoop({ store, clock });
  await Promise.all([a.hydrate(), b.hydrate()]);
  return { a, b, clock, store };
}

/** A store whose feed the test drives. */
function storeWithFeed() {
  const inner = createMemoryFeedbackStore();
  const local = createLocalChangeFeed();
  let fresh = true;
  const feed: ChangeFeed & { announce(n: FeedNotice): void; setFresh(v: boolean): void } = {
    staleAfterMs: 5_000,
    get fresh() {
      return fresh;
    },
    ready: () => Promise.resolve(),
    subscribe: (listener) => local.subscribe(listener),
    announce: (notice) => local.announce(notice),
    setFresh(value) {
      fresh = value;
    },
  };
  const { feed: _ignored, ...rest } = inner;
  return { store: { ...rest, feed } as FeedbackStore, feed };
}

describe('several loops on one store', () => {
  it('a "not interested" given through one holds back the next message on the other', async () => {
    const { a, b } = await twoInstances();
    expect(b.check(q()).suppressed).toBe(false);
    await a.submit(fb({ kind: 'not_interested', at: start }));
    // No hydrate(): b heard it from the store's feed.
    expect(b.check(q()).suppressed).toBe(true);
    await tick();
    expect(b.check(q()).reason?.code).toBe('not_interested');
    expect(b.viewStatus('cus_1')).toBe('ready');
    // Applied silently on b: its own listeners are not told twice.
    expect(b.events()).toHaveLength(1);
  });

  it('a guardrail pause lifted on one is lifted on the other', async () => {
    const { a, b } = await twoInstances();
    const many: FeedbackEvent[] = [];
    for (let i = 0; i < 40; i++) {
      const base = {
        decisionId: `d${i}`,
        subject: `s${i}`,
        ruleId: 'r',
        topic: 't.x',
        channel: 'sms',
        at: start,
      };
      many.push({ ...base, idempotencyKey: `del-${i}`, kind: 'delivered' });
      if (i % 4 === 0) many.push({ ...base, idempotencyKey: `c-${i}`, kind: 'complained' });
    }
    await a.submitMany(many);
    await tick();
    expect(a.isPaused('r')).toBe(true);
    expect(b.isPaused('r')).toBe(true);
    await a.resume('r');
    await tick();
    expect(b.isPaused('r')).toBe(false);
    expect(
      b.check(q({ ruleId: 'r', topic: 't.x', channel: 'sms', subject: 'other' })).suppressed,
    ).toBe(false);
  });

  it('never lets through what the stored feedback holds back, whichever instance took it (property)', async () => {
    const op = fc.record({
      on: fc.constantFrom('a', 'b'),
      kind: fc.constantFrom('not_interested', 'stop_this', 'helpful', 'too_frequent'),
      subject: fc.constantFrom('s1', 's2'),
      topic: fc.constantFrom('offers.travel', 'offers.hotel'),
      settle: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
        const { a, b, clock, store } = await twoInstances();
        const loops = { a, b };
        for (const o of ops) {
          await loops[o.on].submit(
            fb({ kind: o.kind, subject: o.subject, topic: o.topic, at: clock.now() }),
          );
          if (o.settle) await tick();
          const truth = createFeedbackLoop({ store, clock });
          await truth.hydrate();
          for (const subject of ['s1', 's2']) {
            for (const topic of ['offers.travel', 'offers.hotel']) {
              const query = q({ subject, topic, at: clock.now() });
              if (truth.check(query).suppressed) {
                expect(a.check(query).suppressed).toBe(true);
                expect(b.check(query).suppressed).toBe(true);
              }
            }
          }
          truth.close();
          clock.advance(duration.minute);
        }
      }),
      { numRuns: 50 },
    );
  });
  it('holds back a customer announced while another read is under way until it is read', async () => {
    const store = createMemoryFeedbackStore();
    // The second loop's reads answer what the store held when they began, 20 ms later.
    let reads = 0;
    const slow: FeedbackStore = {
      ...store,
      readEvents: async (options) => {
        reads++;
        const rows = await store.readEvents(options);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return rows;
      },
    };
    const clock = createVirtualClock(start + duration.minute);
    const a = createFeedbackLoop({ store, clock });
    const b = createFeedbackLoop({ store: slow, clock });
    await Promise.all([a.hydrate(), b.hydrate()]);
    const before = reads;
    await a.submit(fb({ kind: 'opened', subject: 'cus_2', at: start }));
    // Announced while b reads the event above, which its read does not hold.
    await a.submit(fb({ kind: 'not_interested', at: start }));
    const answers: (string | null)[] = [];
    while (b.check(q()).reason?.code !== 'not_interested' && answers.length < 200) {
      answers.push(b.check(q()).reason?.code ?? null);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(reads - before).toBeGreaterThanOrEqual(2);
    expect(answers).not.toContain(null);
    expect(b.check(q()).reason?.code).toBe('not_interested');
    a.close();
    b.close();
  });
});

describe('what this loop does while it reads another loop’s feedback', () => {
  it('is announced to its listeners, and an observer’s error reaches its caller', async () => {
    const store = createMemoryFeedbackStore();
    const slow: FeedbackStore = {
      ...store,
      readEvents: async (options) => {
        const rows = await store.readEvents(options);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return rows;
      },
    };
    const clock = createVirtualClock(start + duration.minute);
    let failing = false;
    const b = createFeedbackLoop({
      store: slow,
      clock,
      observers: [
        {
          observe: () => {
            if (failing) throw new Error('learner down');
          },
        },
      ],
    });
    const heard: string[] = [];
    b.subscribe((e) => heard.push(e.type));
    const a = createFeedbackLoop({ store, clock });
    await Promise.all([a.hydrate(), b.hydrate()]);
    // Another instance's feedback: b reads it for 20 ms.
    await a.submit(fb({ kind: 'helpful', subject: 'cus_2', at: start }));
    b.apply(fb({ kind: 'stop_this', scope: 'rule', at: start }));
    expect(heard).toContain('suppressed');
    failing = true;
    expect(() => b.apply(fb({ kind: 'helpful', at: start }))).toThrow('learner down');
    a.close();
    b.close();
  });
});

describe('critical messages', () => {
  it('are never silenced by a mute, "not interested", a stop or fatigue; the feedback is kept', async () => {
    const clock = createVirtualClock(start);
    const loop = createFeedbackLoop({ clock, fatigue: { defaultCap: 1 } });
    const alert = { ruleId: 'fraud-alert', topic: 'security.suspicious_charge', channel: 'sms' };
    for (const kind of ['not_interested', 'stop_this', 'too_frequent', 'intrusive'] as const) {
      loop.apply(
        fb({ kind, ...alert, at: start, scope: kind === 'not_interested' ? 'topic' : undefined }),
      );
    }
    for (let i = 0; i < 5; i++) loop.apply(fb({ kind: 'delivered', ...alert, at: start }));
    const query = q({ ...alert, at: start + duration.minute });
    expect(loop.check(query).suppressed).toBe(true);
    expect(loop.check({ ...query, critical: true })).toEqual({ suppressed: false, reason: null });
    expect(loop.suppressions('cus_1', start + duration.minute).length).toBeGreaterThan(0);
    const viaOption = createFeedbackLoop({
      clock,
      critical: (x) => x.topic.startsWith('security.'),
    });
    viaOption.apply(fb({ kind: 'not_interested', ...alert, at: start, scope: 'topic' }));
    expect(viaOption.check(query).suppressed).toBe(false);
  });
});

describe('a view that cannot prove it is current holds back non-critical messages', () => {
  it('answers not_loaded before hydrate() over a store you pass', async () => {
    const store = createMemoryFeedbackStore();
    await store.appendEvents([fb({ kind: 'not_interested', at: start })]);
    const loop = createFeedbackLoop({ store, clock: createVirtualClock(start + duration.minute) });
    expect(loop.viewStatus('cus_1')).toBe('not_loaded');
    expect(loop.check(q()).reason?.code).toBe('not_loaded');
    expect(loop.check(q({ subject: 'someone_else' })).reason?.code).toBe('not_loaded');
    expect(loop.check(q({ critical: true })).suppressed).toBe(false);
    await loop.hydrate();
    expect(loop.check(q()).reason?.code).toBe('not_interested');
    expect(loop.check(q({ subject: 'someone_else' })).suppressed).toBe(false);
  });

  it('answers stale_view while the feed is stale or says nothing, and again once fresh', async () => {
    const { store, feed } = storeWithFeed();
    const loop = createFeedbackLoop({ store, clock: createVirtualClock(start) });
    await loop.hydrate();
    expect(loop.check(q()).suppressed).toBe(false);
    feed.announce({ type: 'stale', detail: 'connection lost' });
    expect(loop.check(q()).reason?.code).toBe('stale_view');
    expect(loop.check(q({ critical: true })).suppressed).toBe(false);
    feed.announce({ type: 'fresh' });
    expect(loop.check(q()).suppressed).toBe(false);
    feed.setFresh(false);
    const answers = Array.from({ length: 2_048 }, () => loop.check(q()));
    expect(answers.at(-1)?.reason?.code).toBe('stale_view');
    loop.close();
    feed.setFresh(true);
    expect(loop.viewStatus('cus_1')).toBe('stale_view');
  });
});
