import { createVirtualClock, duration, isCandorError, type SuppressionQuery } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeedbackKind } from './kinds';
import { createFeedbackLoop } from './loop';
import type { FeedbackEvent } from './schema';
import { createMemoryFeedbackStore, type FeedbackStore } from './store';
import type { FeedbackLoop, FeedbackLoopEvent } from './types';

const start = Date.parse('2026-05-03T09:00:00Z');
const now = start + 30 * duration.day;

function event(i: number, over: Partial<FeedbackEvent> & Pick<FeedbackEvent, 'kind'>) {
  return {
    idempotencyKey: `k${i}`,
    decisionId: `d${i}`,
    subject: 'cus_1',
    ruleId: 'travel-offer',
    topic: 'offers.travel',
    channel: 'push',
    at: start,
    ...over,
  } as FeedbackEvent;
}

const query = (over: Partial<SuppressionQuery> = {}): SuppressionQuery => ({
  subject: 'cus_1',
  ruleId: 'travel-offer',
  topic: 'offers.travel',
  channel: 'push',
  at: start + duration.day,
  ...over,
});

/** Everything a user can read from a loop, for comparing two loops. */
function view(loop: FeedbackLoop) {
  const out: unknown[] = [loop.events().length, loop.orphans().length, loop.pauses()];
  for (const subject of ['cus_1', 'cus_2', 'cus_3']) {
    out.push(loop.suppressions(subject, start + 10 * duration.day));
    for (const channel of ['push', 'email']) {
      out.push(loop.budget(subject, channel, start + 10 * duration.day));
      for (const topic of ['offers.travel', 'billing']) {
        for (let day = 0; day < 30; day += 3) {
          out.push(loop.check(query({ subject, channel, topic, at: start + day * duration.day })));
        }
      }
    }
  }
  out.push(loop.ruleHealth('travel-offer'), loop.ruleHealth('billing-rule'));
  return out;
}

const kinds: FeedbackKind[] = [
  'delivered',
  'opened',
  'clicked',
  'ignored',
  'dismissed',
  'helpful',
  'not_interested',
  'not_relevant',
  'too_frequent',
  'intrusive',
  'stop_this',
  'unsubscribed',
  'complained',
  'wrong_data',
];

describe('applyMany', () => {
  it('builds exactly the view that applying the events one by one builds', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 }), (keys) => {
        // Equal keys carry equal events, so repeats are duplicates, not conflicts.
        const events = keys.map((key) =>
          event(key, {
            kind: kinds[key % kinds.length] as FeedbackKind,
            subject: ['cus_1', 'cus_2', 'cus_3'][key % 3] as string,
            channel: key % 2 ? 'push' : 'email',
            topic: key % 5 ? 'offers.travel' : 'billing',
            ruleId: key % 4 ? 'travel-offer' : 'billing-rule',
            at: start + (key % 21) * duration.day,
          }),
        );
        const one = createFeedbackLoop({ clock: createVirtualClock(now) });
        let duplicates = 0;
        for (const e of events) if (one.apply(e).status === 'duplicate') duplicates++;
        const many = createFeedbackLoop({ clock: createVirtualClock(now) });
        const half = events.length >> 1;
        const a = many.applyMany(events.slice(0, half));
        const b = many.applyMany(events.slice(half));
        expect(a.accepted + b.accepted).toBe(one.events().length);
        expect(a.duplicates + b.duplicates).toBe(duplicates);
        expect(view(many)).toEqual(view(one));
      }),
      { numRuns: 40 },
    );
  });

  it('applies a suppression to the very next check', () => {
    const loop = createFeedbackLoop({ clock: createVirtualClock(now) });
    expect(loop.check(query()).suppressed).toBe(false);
    const result = loop.applyMany([
      event(1, { kind: 'delivered' }),
      event(2, { kind: 'not_interested', scope: 'topic' }),
    ]);
    expect(result).toMatchObject({ accepted: 2, duplicates: 0, orphaned: 2, late: 2 });
    expect(result.effects.map((e) => e.type)).toEqual(['suppressed']);
    expect(
      loop.check(query({ topic: 'offers.travel.hotels', channel: 'email' })).reason?.code,
    ).toBe('not_interested');
  });

  it('is all or nothing: one bad event rejects the batch, pathed, and changes nothing', () => {
    const loop = createFeedbackLoop({ clock: createVirtualClock(now) });
    const bad = [
      event(1, { kind: 'stop_this' }),
      event(2, { kind: 'delivered' }),
      { ...event(3, { kind: 'delivered' }), at: -5 },
    ];
    let caught: unknown;
    try {
      loop.applyMany(bad);
    } catch (error) {
      caught = error;
    }
    expect(isCandorError(caught) && caught.code).toBe('feedback/invalid_event');
    expect(isCandorError(caught) && caught.details?.path).toBe('events[2].at');
    expect(loop.events()).toHaveLength(0);
    expect(loop.check(query()).suppressed).toBe(false);
    // The keys of the rejected batch were not taken.
    expect(loop.apply(bad[0] as FeedbackEvent).status).toBe('accepted');
  });

  it('counts repeats within a batch as duplicates and rejects a reused key', () => {
    const loop = createFeedbackLoop({ clock: createVirtualClock(now) });
    const e = event(1, { kind: 'too_frequent' });
    expect(loop.applyMany([e, { ...e }, e])).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(loop.applyMany([event(2, { kind: 'delivered' }), e])).toMatchObject({
      accepted: 1,
      duplicates: 1,
    });
    const conflict = () =>
      loop.applyMany([event(3, { kind: 'delivered' }), { ...event(3, { kind: 'clicked' }) }]);
    expect(conflict).toThrow(/idempotency key "k3"/);
    expect(loop.events()).toHaveLength(2);
    expect(() => loop.applyMany('nope' as unknown as FeedbackEvent[])).toThrow(/expected an array/);
  });

  it('tells listeners once the whole batch is applied, and only then', () => {
    const loop = createFeedbackLoop({ clock: createVirtualClock(now) });
    const heard: [FeedbackLoopEvent['type'], number, boolean][] = [];
    loop.subscribe((e) => {
      heard.push([e.type, loop.events().length, loop.check(query({ channel: 'sms' })).suppressed]);
    });
    loop.applyMany([
      event(1, { kind: 'stop_this' }),
      event(2, { kind: 'delivered' }),
      event(3, { kind: 'unsubscribed', channel: 'sms', subject: 'cus_2' }),
    ]);
    expect(heard).toEqual([
      ['orphaned', 3, true],
      ['suppressed', 3, true],
      ['orphaned', 3, true],
      ['orphaned', 3, true],
      ['suppressed', 3, true],
    ]);
  });
});

describe('submitMany', () => {
  function countingStore(): FeedbackStore & { appends: number } {
    const inner = createMemoryFeedbackStore();
    const store = {
      appends: 0,
      appendEvents(events: readonly FeedbackEvent[]) {
        store.appends++;
        return inner.appendEvents(events);
      },
      readEvents: inner.readEvents,
      appendDecisions: inner.appendDecisions,
      readDecisions: inner.readDecisions,
    };
    return store;
  }

  it('persists a batch with one append, and a restarted loop rebuilds the same view', async () => {
    const store = countingStore();
    const clock = createVirtualClock(now);
    const first = createFeedbackLoop({ store, clock });
    await first.hydrate();
    const events = [
      event(1, { kind: 'delivered' }),
      event(2, { kind: 'too_frequent' }),
      event(3, { kind: 'not_interested', subject: 'cus_2' }),
    ];
    const result = await first.submitMany([...events, events[0] as FeedbackEvent]);
    expect(result).toMatchObject({ accepted: 3, duplicates: 1 });
    expect(store.appends).toBe(1);
    expect(first.budget('cus_1', 'push', start + duration.day).factor).toBe(0.5);
    const again = await first.submitMany(events);
    expect(again).toMatchObject({ accepted: 0, duplicates: 3 });
    expect(store.appends).toBe(1);
    const second = createFeedbackLoop({ store, clock });
    await second.hydrate();
    expect(view(second)).toEqual(view(first));
  });

  it('stores nothing when the batch is invalid', async () => {
    const store = countingStore();
    const loop = createFeedbackLoop({ store, clock: createVirtualClock(now) });
    await expect(
      loop.submitMany([
        event(1, { kind: 'delivered' }),
        event(2, { kind: 'ignored', scope: 'all' }),
      ]),
    ).rejects.toMatchObject({ code: 'feedback/invalid_scope' });
    expect(store.appends).toBe(0);
    expect(await store.readEvents()).toHaveLength(0);
    expect(loop.events()).toHaveLength(0);
  });

  it('applies a key only once when single and batch writes race', async () => {
    const loop = createFeedbackLoop({ clock: createVirtualClock(now) });
    const e = event(1, { kind: 'not_interested' });
    const [batch, single] = await Promise.all([
      loop.submitMany([e, event(2, { kind: 'delivered' })]),
      loop.submit(e),
    ]);
    expect(batch.accepted + (single.status === 'accepted' ? 1 : 0)).toBe(2);
    expect(loop.events()).toHaveLength(2);
    expect(loop.suppressions('cus_1')).toHaveLength(1);
  });
});
