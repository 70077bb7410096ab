import { createVirtualClock, duration } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { fb, q, start, tick } from './events.test-helpers';
import { createFeedbackLoop } from './loop';
import { createMemoryFeedbackStore, type FeedbackStore } from './store';

describe('bounded loop: what a review found (each failed before its fix)', () => {
  it('an append stored but then rejected (a timeout at commit), read back meanwhile, is applied', async () => {
    const inner = createMemoryFeedbackStore();
    let failNext = false;
    const store: FeedbackStore = {
      ...inner,
      feed: inner.feed,
      async appendEvents(events) {
        const r = await inner.appendEvents(events);
        if (failNext) {
          failNext = false;
          await tick();
          await tick(); // the feed's pull reads it back meanwhile
          throw new Error('connection lost after commit');
        }
        return r;
      },
    } as FeedbackStore;
    const clock = createVirtualClock(start + duration.minute);
    const cached = createFeedbackLoop({
      store,
      clock,
      cache: { maxSubjects: 10, checkpointEvery: 1 },
    });
    await cached.prepare('cus_1');
    failNext = true;
    await expect(
      cached.submit(fb({ kind: 'stop_this', subject: 'cus_1', at: start })),
    ).rejects.toThrow();
    await tick();
    await tick();
    // stored in the store; another loop sees it
    const other = createFeedbackLoop({ store, clock, cache: { maxSubjects: 10 } });
    await other.prepare('cus_1');
    expect(other.check(q()).suppressed).toBe(true);
    expect(cached.viewStatus('cus_1')).toBe('ready');
    expect(cached.check(q()).suppressed).toBe(true);
  });

  it('a second hydrate() applies nothing twice to held customers', async () => {
    const store = createMemoryFeedbackStore();
    const clock = createVirtualClock(start + duration.minute);
    const writer = createFeedbackLoop({ store, clock });
    await writer.hydrate();
    const cached = createFeedbackLoop({ store, clock, cache: { maxSubjects: 10 } });
    await cached.prepare('cus_1');
    await writer.submit(
      fb({ kind: 'not_interested', subject: 'cus_1', at: start, scope: 'topic' }),
    );
    await tick();
    await tick();
    const once = cached.suppressions('cus_1', clock.now());
    await cached.hydrate();
    // Read again from the checkpoint: held customers are read again too before they answer.
    expect(cached.viewStatus('cus_1')).toBe('not_loaded');
    await cached.prepare('cus_1');
    expect(cached.suppressions('cus_1', clock.now())).toEqual(once);
    expect(cached.budget('cus_1', 'push', clock.now())).toEqual(
      writer.budget('cus_1', 'push', clock.now()),
    );
  });
});

describe('bounded loop and lifts: what a review found', () => {
  it('prepare() reading a customer while its own submit is being acknowledged applies the event once', async () => {
    const inner = createMemoryFeedbackStore();
    let release: (() => void) | null = null;
    const store: FeedbackStore = {
      ...inner,
      feed: inner.feed,
      async appendEvents(events) {
        const r = await inner.appendEvents(events); // committed in the store
        await new Promise<void>((resolve) => {
          release = resolve;
        }); // ack in flight
        return r;
      },
    } as FeedbackStore;
    const clock = createVirtualClock(start + duration.minute);
    const cached = createFeedbackLoop({ store, clock, cache: { maxSubjects: 10 } });
    const ref = createFeedbackLoop({ store: inner, clock, cache: { maxSubjects: 10 } });
    await cached.prepare('cus_0');
    const submitting = cached.submit(
      fb({ kind: 'not_interested', subject: 'cus_1', at: start, scope: 'topic' }),
    );
    await tick();
    await cached.prepare('cus_1'); // reads the committed event
    (release as unknown as () => void)();
    await submitting;
    await tick();
    await tick();
    await ref.prepare('cus_1');
    expect(cached.suppressions('cus_1', clock.now())).toEqual(
      ref.suppressions('cus_1', clock.now()),
    );
  });
});

describe('bounded loop and lifts: what a review found', () => {
  it('a lift ends an escalation whichever arrives first', async () => {
    const mk = () => createFeedbackLoop({ clock: createVirtualClock(start + 30 * duration.day) });
    const ni = (k: string, at: number) =>
      fb({ idempotencyKey: k, kind: 'not_interested', subject: 'cus_1', at, scope: 'topic' });
    const lift = fb({
      idempotencyKey: 'L',
      kind: 'lifted',
      subject: 'cus_1',
      at: start + 5 * duration.day,
      scope: 'topic',
    });
    const [a, b, c] = [
      ni('a', start + duration.day),
      ni('b', start + 2 * duration.day),
      ni('c', start + 10 * duration.day),
    ];
    const A = mk();
    A.applyMany([a, b, lift, c]);
    const B = mk();
    B.applyMany([a, b, c, lift]);
    const at = start + 20 * duration.day;
    const codes = (l: ReturnType<typeof mk>) =>
      l
        .suppressions('cus_1', at)
        .map((r) => r.code)
        .sort();
    expect(codes(B)).toEqual(codes(A));
  });
});

describe('bounded loop and lifts: what a review found', () => {
  it('hydrate() at the same time as the first prepare() replays once, and checkpoints stay right', async () => {
    const store = createMemoryFeedbackStore();
    const clock = createVirtualClock(start + duration.minute);
    const writer = createFeedbackLoop({ store, clock });
    await writer.hydrate();
    for (let i = 0; i < 5; i++) {
      await writer.submit(fb({ kind: 'delivered', subject: `cus_${i}`, at: start }));
    }
    await writer.submit(fb({ kind: 'stop_this', subject: 'cus_1', at: start }));
    const cached = createFeedbackLoop({
      store,
      clock,
      cache: { maxSubjects: 10, checkpointEvery: 1 },
    });
    await Promise.all([cached.hydrate(), cached.prepare('cus_1')]);
    await tick();
    await writer.submit(fb({ kind: 'delivered', subject: 'cus_7', at: start }));
    await tick();
    await tick();
    const third0 = createFeedbackLoop({ store, clock, cache: { maxSubjects: 10 } });
    await third0.hydrate();

    expect(cached.ruleHealth('travel-offer').exposures).toBe(
      writer.ruleHealth('travel-offer').exposures,
    );
    expect(cached.suppressions('cus_1', clock.now()).length).toBe(
      writer.suppressions('cus_1', clock.now()).length,
    );
    const third = createFeedbackLoop({ store, clock, cache: { maxSubjects: 10 } });
    await third.hydrate();
    expect(third.ruleHealth('travel-offer').exposures).toBe(6);
  });
});

describe('what a review of input found (each failed before its fix)', () => {
  const clock = () => createVirtualClock(start + duration.minute);

  it('an event whose fields are inherited is refused at submit; nothing is stored', async () => {
    const store = createMemoryFeedbackStore();
    const loop = createFeedbackLoop({ store, clock: clock() });
    await loop.hydrate();
    const event = Object.create(fb({ kind: 'stop_this', scope: 'rule', at: start }));
    await expect(loop.submit(event)).rejects.toMatchObject({
      code: 'feedback/invalid_event',
      details: { path: 'event' },
    });
    expect(await store.readEvents()).toEqual([]);
  });

  it('reusing the object after submit() changes nothing kept: a restart still holds the stop', async () => {
    const store = createMemoryFeedbackStore();
    const a = createFeedbackLoop({ store, clock: clock() });
    await a.hydrate();
    const event: Record<string, unknown> = {
      ...fb({ kind: 'stop_this', scope: 'rule', at: start }),
    };
    await a.submit(event as never);
    // The app reuses its object for the next signal.
    Object.assign(event, { idempotencyKey: 'fb-reused', kind: 'opened', decisionId: 'd-reused' });
    delete event.scope;
    await a.submit(event as never);
    expect((await store.readEvents()).map((r) => r.event.kind)).toEqual(['stop_this', 'opened']);
    expect(a.events().map((e) => e.kind)).toEqual(['stop_this', 'opened']);
    const restarted = createFeedbackLoop({ store, clock: clock() });
    await restarted.hydrate();
    expect(restarted.check(q({ ruleId: 'travel-offer' })).suppressed).toBe(true);
  });

  it('a key used again for another topic, rule or channel is a conflict, not a duplicate', async () => {
    const loop = createFeedbackLoop({ clock: clock() });
    const first = fb({ kind: 'not_interested', scope: 'topic', at: start });
    await loop.submit(first);
    for (const change of [{ topic: 'offers.insurance' }, { ruleId: 'other' }, { channel: 'sms' }])
      await expect(loop.submit({ ...first, ...change })).rejects.toMatchObject({
        code: 'feedback/idempotency_conflict',
      });
    await expect(loop.submit(first)).resolves.toMatchObject({ status: 'duplicate' });
  });

  it.each([
    ['critical', { critical: 1 }],
    ['observers', { observers: {} }],
    ['observers[0]', { observers: [{}] }],
    ['clock', { clock: {} }],
  ])('refuses a malformed %s option when the loop is made', (path, options) => {
    expect(() => createFeedbackLoop(options as never)).toThrow(
      expect.objectContaining({
        code: 'feedback/invalid_option',
        details: expect.objectContaining({ path }),
      }),
    );
  });

  it('an observer that throws stops neither the event nor the other observers; the caller hears', async () => {
    const heard: string[] = [];
    const store = createMemoryFeedbackStore();
    const loop = createFeedbackLoop({
      store,
      clock: clock(),
      observers: [
        {
          observe: () => {
            throw new Error('learner down');
          },
        },
        { observe: (e) => heard.push(e.idempotencyKey) },
      ],
    });
    const event = fb({ kind: 'stop_this', scope: 'rule', at: start });
    await expect(loop.submit(event)).rejects.toThrow('learner down');
    expect(heard).toEqual([event.idempotencyKey]);
    expect(loop.check(q()).suppressed).toBe(true);
    expect(await store.readEvents()).toHaveLength(1);
    expect(await loop.submit(event)).toMatchObject({ status: 'duplicate' });
  });
});
