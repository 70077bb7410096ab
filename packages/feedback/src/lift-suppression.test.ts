import { createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fb, q, start } from './events.test-helpers';
import { createFeedbackLoop } from './loop';
import { createMemoryFeedbackStore } from './store';

describe('lifting a suppression as listed (loop.lift)', () => {
  it('lifts each kind of listed mute by scope and target alone, answering the muted decision', async () => {
    const clock = createVirtualClock(start + duration.minute);
    const store = createMemoryFeedbackStore();
    const loop = createFeedbackLoop({ clock, store });
    await loop.hydrate();
    await loop.submit(fb({ kind: 'not_interested', at: start, scope: 'topic', decisionId: 'd-a' }));
    await loop.submit(fb({ kind: 'stop_this', at: start, scope: 'rule', ruleId: 'r-2' }));
    await loop.submit(fb({ kind: 'too_frequent', at: start, scope: 'channel', channel: 'sms' }));
    await loop.submit(
      fb({ kind: 'not_relevant', at: start, scope: 'item', itemKey: 'hotel-9', topic: 'x.y' }),
    );
    const listed = loop.suppressions('cus_1');
    expect(listed.map((r) => `${r.scope}:${r.target}`).sort()).toEqual([
      'channel:sms',
      'item:hotel-9',
      'rule:r-2',
      'topic:offers.travel',
    ]);
    expect(loop.check(q()).suppressed).toBe(true);
    for (const [i, r] of listed.entries()) {
      const result = await loop.lift({
        idempotencyKey: `unmute-${i}`,
        subject: 'cus_1',
        scope: r.scope,
        target: r.target,
      });
      expect(result.status).toBe('accepted');
    }
    expect(loop.suppressions('cus_1')).toEqual([]);
    expect(loop.check(q()).suppressed).toBe(false);
    expect(loop.check(q({ ruleId: 'r-2' })).suppressed).toBe(false);
    expect(loop.budget('cus_1', 'sms').factor).toBe(1);
    // Recorded (stored) as a lift of the decision that was muted.
    const lifts = (await store.readEvents()).map((row) => row.event);
    expect(lifts.filter((e) => e.kind === 'lifted')).toHaveLength(4);
    expect(lifts.find((e) => e.kind === 'lifted' && e.scope === 'topic')?.decisionId).toBe('d-a');
  });

  it('refuses an unknown, malformed or expired suppression with a typed error and writes nothing', async () => {
    const clock = createVirtualClock(start + duration.minute);
    const store = createMemoryFeedbackStore();
    const loop = createFeedbackLoop({ clock, store });
    await loop.hydrate();
    await loop.submit(fb({ kind: 'not_interested', at: start, scope: 'topic', durationMs: 1000 }));
    await loop.submit(fb({ kind: 'stop_this', at: start, scope: 'channel', subject: 'cus_2' }));
    const before = (await store.readEvents()).length;
    const lift = { idempotencyKey: 'k', subject: 'cus_1', scope: 'topic', target: 'offers.travel' };
    // Its mute lapsed a second after it began.
    await expect(loop.lift(lift as never)).rejects.toMatchObject({
      code: 'feedback/unknown_suppression',
      details: { path: 'lift.target' },
    });
    // Someone else's mute is not theirs to lift.
    await expect(
      loop.lift({ ...lift, scope: 'channel', target: 'push' } as never),
    ).rejects.toMatchObject({ code: 'feedback/unknown_suppression' });
    await expect(loop.lift({ ...lift, scope: 'everything' } as never)).rejects.toMatchObject({
      code: 'feedback/invalid_scope',
      details: { path: 'lift.scope' },
    });
    for (const bad of [
      null,
      { ...lift, target: '' },
      { ...lift, subject: 7 },
      { ...lift, at: 1.5 },
    ])
      await expect(loop.lift(bad as never)).rejects.toMatchObject({
        code: 'feedback/invalid_event',
      });
    expect((await store.readEvents()).length).toBe(before);
    expect(loop.check(q({ subject: 'cus_2' })).suppressed).toBe(true);
  });

  it('answers a retry with the same key as a duplicate, and refuses the key for another lift', async () => {
    const loop = createFeedbackLoop({ clock: createVirtualClock(start + duration.minute) });
    loop.apply(fb({ kind: 'stop_this', at: start, scope: 'channel' }));
    loop.apply(fb({ kind: 'stop_this', at: start, scope: 'topic' }));
    const lift = { idempotencyKey: 'k-1', subject: 'cus_1', scope: 'channel', target: 'push' };
    expect((await loop.lift(lift as never)).status).toBe('accepted');
    expect((await loop.lift(lift as never)).status).toBe('duplicate');
    await expect(
      loop.lift({ ...lift, scope: 'topic', target: 'offers.travel' } as never),
    ).rejects.toMatchObject({ code: 'feedback/idempotency_conflict' });
    expect(loop.suppressions('cus_1').map((r) => r.scope)).toEqual(['topic']);
  });

  it('after any mutes, lifting every listed one leaves nothing listed and the next check allowed (property)', async () => {
    const scopes = ['topic', 'channel', 'rule', 'all', 'item'] as const;
    const mute = fc.record({
      kind: fc.constantFrom(
        'not_interested' as const,
        'stop_this' as const,
        'too_frequent' as const,
        'intrusive' as const,
        'not_relevant' as const,
        'complained' as const,
      ),
      scope: fc.constantFrom(...scopes),
      topic: fc.constantFrom('offers.travel', 'offers.hotel'),
      channel: fc.constantFrom('push', 'email'),
      at: fc.integer({ min: 0, max: 100 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(mute, { minLength: 1, maxLength: 8 }), async (mutes) => {
        const clock = createVirtualClock(start + 200);
        const loop = createFeedbackLoop({ clock });
        for (const m of mutes) {
          loop.apply(
            fb({ ...m, at: start + m.at, ...(m.scope === 'item' ? { itemKey: 'i' } : {}) }),
          );
        }
        let n = 0;
        for (const r of loop.suppressions('cus_1')) {
          // A row lifted by an earlier lift of the same scope and target is gone by now.
          if (!loop.suppressions('cus_1').some((x) => x.scope === r.scope && x.target === r.target))
            continue;
          await loop.lift({
            idempotencyKey: `u-${n++}`,
            subject: 'cus_1',
            scope: r.scope,
            target: r.target,
          });
        }
        expect(loop.suppressions('cus_1')).toEqual([]);
        for (const topic of ['offers.travel', 'offers.hotel'])
          for (const channel of ['push', 'email'])
            expect(loop.check(q({ topic, channel, at: start + 200 })).suppressed).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
