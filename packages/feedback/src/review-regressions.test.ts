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
