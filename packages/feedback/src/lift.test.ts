import { createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fb, q, start } from './events.test-helpers';
import type { FeedbackKind } from './kinds';
import { createFeedbackLoop } from './loop';
import { parseFeedbackEvent } from './schema';

describe('a customer lifting their own mutes (lifted)', () => {
  it('an Unmute of a topic lets its next message through, recorded, and a new mute holds again', () => {
    const loop = createFeedbackLoop({ clock: createVirtualClock(start) });
    loop.apply(fb({ kind: 'not_interested', at: start, scope: 'topic' }));
    loop.apply(fb({ kind: 'stop_this', at: start, scope: 'channel', channel: 'sms' }));
    expect(loop.check(q()).reason?.code).toBe('not_interested');
    const result = loop.apply(fb({ kind: 'lifted', at: start + 10, scope: 'topic' }));
    expect(result.effects).toEqual([
      { type: 'lifted', subject: 'cus_1', scope: 'topic', target: 'offers.travel', at: start + 10 },
    ]);
    expect(loop.check(q()).suppressed).toBe(false);
    // Before the lift it was muted: asking about that time still says so.
    expect(loop.check(q({ at: start + 5 })).reason?.code).toBe('not_interested');
    // Only that scope: the stopped channel stays stopped.
    expect(loop.check(q({ channel: 'sms' })).reason?.code).toBe('stop_this');
    expect(loop.suppressions('cus_1', start + duration.hour).map((r) => r.code)).toEqual([
      'stop_this',
    ]);
    loop.apply(fb({ kind: 'not_interested', at: start + 20, scope: 'topic' }));
    expect(loop.check(q()).reason?.code).toBe('not_interested');
  });

  it('lifts a stop, and a budget reduction of the channel it names', () => {
    const loop = createFeedbackLoop({ clock: createVirtualClock(start) });
    loop.apply(fb({ kind: 'stop_this', at: start, scope: 'rule' }));
    loop.apply(fb({ kind: 'too_frequent', at: start, scope: 'channel' }));
    expect(loop.budget('cus_1', 'push', start + 1).factor).toBe(0.5);
    loop.apply(fb({ kind: 'lifted', at: start + 1, scope: 'rule' }));
    loop.apply(fb({ kind: 'lifted', at: start + 1, scope: 'channel' }));
    expect(loop.check(q()).suppressed).toBe(false);
    expect(loop.budget('cus_1', 'push', start + 2).factor).toBe(1);
  });

  it('covers a mute from before the lift that arrives after it, and restarts escalation', () => {
    const loop = createFeedbackLoop({ clock: createVirtualClock(start + duration.day) });
    for (let i = 0; i < 3; i++) {
      loop.apply(fb({ kind: 'not_interested', at: start + i, scope: 'item', itemKey: `o${i}` }));
    }
    expect(loop.check(q()).reason?.code).toBe('not_interested_repeated');
    loop.apply(fb({ kind: 'lifted', at: start + 100, scope: 'topic' }));
    expect(loop.check(q()).suppressed).toBe(false);
    // A late "not interested" dated before the lift is covered by it.
    loop.apply(fb({ kind: 'not_interested', at: start + 50, scope: 'topic' }));
    expect(loop.check(q()).suppressed).toBe(false);
    // One more after the lift does not complete a run with those before it.
    loop.apply(fb({ kind: 'not_interested', at: start + 200, scope: 'item', itemKey: 'o9' }));
    expect(loop.check(q()).suppressed).toBe(false);
  });

  it('takes a scope but no duration', () => {
    const base = fb({ kind: 'lifted', at: start });
    expect(() => parseFeedbackEvent({ ...base, durationMs: 1000 })).toThrow(
      expect.objectContaining({ code: 'feedback/invalid_duration' }),
    );
    expect(parseFeedbackEvent({ ...base, scope: 'all' }).scope).toBe('all');
  });

  it('a lift changes nothing but the mutes of its scope, and those no longer hold (property)', () => {
    const scopes = ['topic', 'channel', 'rule', 'all'] as const;
    const event = fc.record({
      kind: fc.constantFrom<FeedbackKind>(
        'not_interested',
        'stop_this',
        'too_frequent',
        'intrusive',
        'not_relevant',
      ),
      scope: fc.constantFrom(...scopes),
      topic: fc.constantFrom('offers.travel', 'offers.hotel'),
      channel: fc.constantFrom('push', 'email'),
      at: fc.integer({ min: 0, max: 100 }),
    });
    const liftOf = fc.record({
      scope: fc.constantFrom(...scopes),
      topic: fc.constantFrom('offers.travel', 'offers.hotel'),
      channel: fc.constantFrom('push', 'email'),
      at: fc.integer({ min: 0, max: 100 }),
      position: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), liftOf, (events, l) => {
        const clock = createVirtualClock(start + duration.day);
        const plain = createFeedbackLoop({ clock });
        const withLift = createFeedbackLoop({ clock });
        const lift = fb({
          kind: 'lifted',
          scope: l.scope,
          topic: l.topic,
          channel: l.channel,
          at: start + l.at,
        });
        const target = { topic: l.topic, channel: l.channel, rule: 'travel-offer', all: '*' }[
          l.scope
        ];
        events.forEach((e, i) => {
          const input = fb({ ...e, at: start + e.at });
          if (i === l.position % (events.length + 1)) withLift.apply(lift);
          plain.apply(input);
          withLift.apply(input);
        });
        if (l.position % (events.length + 1) === events.length) withLift.apply(lift);
        for (const topic of ['offers.travel', 'offers.hotel']) {
          for (const channel of ['push', 'email']) {
            const query = q({ topic, channel, at: start + 150 });
            const before = plain.check(query);
            const after = withLift.check(query);
            const r = after.reason;
            // What holds back after the lift is never a mute of its scope from before it.
            if (r !== null && r.scope === l.scope && r.target === target) {
              expect(r.since).toBeGreaterThan(start + l.at);
            }
            // Whatever held back for another reason still does. Budget reductions ("too frequent"
            // or "intrusive") hold back together and the verdict names only the latest: lifting
            // another of them can free the budget.
            const other = before.reason;
            const reduction =
              other !== null &&
              JSON.stringify(plain.budget(query.subject, channel, query.at).reason) ===
                JSON.stringify(other);
            if (
              other !== null &&
              !reduction &&
              (other.scope !== l.scope || other.target !== target)
            ) {
              if (other.code !== 'not_interested_repeated') expect(after.suppressed).toBe(true);
            }
          }
        }
      }),
      {
        numRuns: 300,
        examples: [
          // Two budget reductions (all channels, and push) hold back together; lifting the push one
          // frees the budget, though the verdict named the other.
          [
            [
              {
                kind: 'too_frequent',
                scope: 'all',
                topic: 'offers.travel',
                channel: 'push',
                at: 0,
              },
              {
                kind: 'too_frequent',
                scope: 'channel',
                topic: 'offers.travel',
                channel: 'push',
                at: 0,
              },
              { kind: 'intrusive', scope: 'topic', topic: 'offers.travel', channel: 'push', at: 0 },
            ],
            { scope: 'channel', topic: 'offers.travel', channel: 'push', at: 0, position: 0 },
          ],
          [
            [
              {
                kind: 'too_frequent',
                scope: 'channel',
                topic: 'offers.travel',
                channel: 'email',
                at: 0,
              },
              { kind: 'intrusive', scope: 'topic', topic: 'offers.travel', channel: 'push', at: 1 },
              {
                kind: 'too_frequent',
                scope: 'all',
                topic: 'offers.travel',
                channel: 'push',
                at: 0,
              },
            ],
            { scope: 'channel', topic: 'offers.travel', channel: 'email', at: 0, position: 0 },
          ],
        ],
      },
    );
  });
});
