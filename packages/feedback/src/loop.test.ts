import { createVirtualClock, duration, isCandorError, type SuppressionQuery } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fb } from './events.test-helpers';
import { createFeedbackLoop } from './loop';
import { createMemoryFeedbackStore } from './store';
import type { FeedbackLoopEvent } from './types';

const start = Date.parse('2026-05-03T09:00:00Z');
const q = (over: Partial<SuppressionQuery> = {}): SuppressionQuery => ({
  subject: 'cus_1',
  ruleId: 'travel-offer',
  topic: 'offers.travel',
  channel: 'push',
  at: start,
  ...over,
});

function setup(options: Parameters<typeof createFeedbackLoop>[0] = {}, now = start) {
  const clock = createVirtualClock(now);
  const loop = createFeedbackLoop({ clock, ...options });
  return { clock, loop };
}

describe('suppressions', () => {
  it('mutes a topic and its children on the very next check, until it expires', () => {
    const { clock, loop } = setup();
    expect(loop.check(q()).suppressed).toBe(false);
    loop.apply(
      fb({ kind: 'not_interested', scope: 'topic', at: start, durationMs: 10 * duration.day }),
    );
    const child = loop.check(
      q({ ruleId: 'hotel-offer', topic: 'offers.travel.hotels', channel: 'email' }),
    );
    expect(child.suppressed).toBe(true);
    expect(child.reason?.detail).toBe(
      'No messages on this topic because you chose "not interested" on 3 May 2026 (until 13 May 2026)',
    );
    expect(loop.check(q({ topic: 'offers.travelling' })).suppressed).toBe(false);
    expect(loop.check(q({ topic: 'offers' })).suppressed).toBe(false);
    expect(loop.check(q({ subject: 'cus_2' })).suppressed).toBe(false);
    clock.advance(10 * duration.day);
    expect(loop.check(q({ at: clock.now() })).suppressed).toBe(false);
  });

  it('scopes item, rule, channel and all as named', () => {
    const { loop } = setup();
    loop.apply(fb({ kind: 'not_relevant', itemKey: 'hotel-42', at: start }));
    expect(loop.check(q({ itemKey: 'hotel-42' })).reason?.scope).toBe('item');
    expect(loop.check(q({ itemKey: 'hotel-43' })).suppressed).toBe(false);
    loop.apply(fb({ kind: 'stop_this', ruleId: 'card-expiry', topic: 'billing', at: start }));
    expect(loop.check(q({ ruleId: 'card-expiry', topic: 'billing' })).reason?.scope).toBe('rule');
    loop.apply(fb({ kind: 'unsubscribed', channel: 'sms', at: start }));
    expect(loop.check(q({ channel: 'sms', topic: 'billing', ruleId: 'x' })).reason?.code).toBe(
      'unsubscribed',
    );
    expect(loop.check(q({ topic: 'billing', ruleId: 'x' })).suppressed).toBe(false);
    loop.apply(fb({ kind: 'stop_this', subject: 'cus_9', scope: 'all', at: start }));
    expect(
      loop.check(q({ subject: 'cus_9', topic: 'service', channel: 'email', ruleId: 'any' })).reason
        ?.scope,
    ).toBe('all');
  });

  it('keeps stop_this and unsubscribe permanent', () => {
    const { loop } = setup();
    loop.apply(fb({ kind: 'stop_this', at: start }));
    const verdict = loop.check(q({ at: start + 10 * 365 * duration.day }));
    expect(verdict.suppressed).toBe(true);
    expect(verdict.reason?.until).toBeNull();
    expect(verdict.reason?.detail).toBe(
      'No messages like this one because you chose "stop this" on 3 May 2026',
    );
  });

  it('escalates repeated "not interested" on one topic to a long topic mute', () => {
    const { loop } = setup(
      { escalation: { after: 3, withinMs: 30 * duration.day, durationMs: null } },
      start + 9 * duration.day,
    );
    const at = (d: number) => start + d * duration.day;
    for (const [i, itemKey] of ['a', 'b', 'c'].entries()) {
      loop.apply(
        fb({ kind: 'not_interested', scope: 'item', itemKey, at: at(i), durationMs: duration.day }),
      );
    }
    const verdict = loop.check(q({ at: at(400), ruleId: 'other' }));
    expect(verdict.reason?.code).toBe('not_interested_repeated');
    expect(verdict.reason?.until).toBeNull();
    expect(verdict.reason?.detail).toContain('"not interested" 3 times');
  });

  it('does not escalate signals spread beyond the window, whatever their arrival order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 40, 80], { minLength: 3, maxLength: 3 }), (days) => {
        const { loop } = setup({}, start + 100 * duration.day);
        for (const d of days) {
          loop.apply(
            fb({
              kind: 'not_interested',
              scope: 'item',
              itemKey: `i${d}`,
              at: start + d * duration.day,
            }),
          );
        }
        return loop.check(q({ at: start + 200 * duration.day })).suppressed === false;
      }),
      { numRuns: 10 },
    );
  });

  it('escalates the same whatever order the signals arrive in', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 5, 9], { minLength: 3, maxLength: 3 }), (days) => {
        const { loop } = setup({ escalation: { durationMs: null } }, start + 100 * duration.day);
        for (const d of days) {
          loop.apply(
            fb({
              kind: 'not_interested',
              scope: 'item',
              itemKey: `i${d}`,
              at: start + d * duration.day,
            }),
          );
        }
        const verdict = loop.check(q({ at: start + 500 * duration.day }));
        return (
          verdict.reason?.code === 'not_interested_repeated' &&
          verdict.reason.since === start + 9 * duration.day
        );
      }),
      { numRuns: 10 },
    );
  });

  it('applies a late event at its own time and flags it', () => {
    const { clock, loop } = setup();
    clock.advance(20 * duration.day);
    const result = loop.apply(
      fb({ kind: 'not_interested', at: start, durationMs: 30 * duration.day }),
    );
    expect(result.late).toBe(true);
    expect(loop.check(q({ at: clock.now() })).suppressed).toBe(true);
    expect(loop.check(q({ at: start - 1 })).suppressed).toBe(false);
  });

  it('never lets a suppressed (subject, topic) through, for any order of any events', () => {
    const kinds = ['delivered', 'opened', 'clicked', 'ignored', 'dismissed', 'helpful'] as const;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ kind: fc.constantFrom(...kinds), day: fc.integer({ min: 0, max: 20 }) }),
          {
            maxLength: 30,
          },
        ),
        fc.integer({ min: 0, max: 20 }),
        (noise, muteDay) => {
          const { loop } = setup(
            { fatigue: { defaultCap: 1000, crossChannelCap: 1000 } },
            start + 30 * duration.day,
          );
          const events = noise.map((n) => fb({ kind: n.kind, at: start + n.day * duration.day }));
          events.splice(
            events.length >> 1,
            0,
            fb({ kind: 'not_interested', at: start + muteDay * duration.day }),
          );
          for (const e of events) loop.apply(e);
          for (let d = muteDay; d < muteDay + 90; d += 7) {
            if (
              !loop.check(q({ at: start + d * duration.day, topic: 'offers.travel.x' })).suppressed
            )
              return false;
          }
          return true;
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('budgets and fatigue', () => {
  it('too_frequent lowers the channel cap and says why', () => {
    const { loop } = setup({ fatigue: { defaultCap: 4 } });
    expect(loop.budget('cus_1', 'push', start).allowed).toBe(4);
    loop.apply(fb({ kind: 'too_frequent', at: start }));
    const budget = loop.budget('cus_1', 'push', start);
    expect(budget.allowed).toBe(2);
    expect(loop.budget('cus_1', 'email', start).allowed).toBe(4);
    for (let i = 0; i < 2; i++) loop.apply(fb({ kind: 'delivered', at: start + i }));
    const verdict = loop.check(q({ at: start + 10 }));
    expect(verdict.suppressed).toBe(true);
    expect(verdict.reason?.detail).toBe(
      'Fewer messages on this channel because you chose "too frequent" on 3 May 2026',
    );
  });

  it('raises fatigue with ignores and dismissals, decays it, and caps adaptively', () => {
    const { loop } = setup({ fatigue: { defaultCap: 6, halfLifeMs: duration.day } });
    for (let i = 0; i < 4; i++) loop.apply(fb({ kind: 'dismissed', at: start }));
    expect(loop.fatigue('cus_1', 'push', start)).toBeCloseTo(6);
    expect(loop.fatigue('cus_1', 'push', start + duration.day)).toBeCloseTo(3);
    expect(loop.budget('cus_1', 'push', start).allowed).toBe(2);
    expect(loop.budget('cus_1', 'push', start + 10 * duration.day).allowed).toBe(5);
  });

  it('gives the same fatigue whatever order events arrive in', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom('delivered', 'ignored', 'dismissed' as const),
            t: fc.integer({ min: 0, max: 1e9 }),
          }),
          { maxLength: 20 },
        ),
        (items) => {
          const a = setup().loop;
          const b = setup().loop;
          const events = items.map((i) => fb({ kind: i.kind, at: start - 2e9 + i.t }));
          for (const e of events) a.apply(e);
          for (const e of [...events].sort((x, y) => x.at - y.at)) b.apply(e);
          return (
            Math.abs(a.fatigue('cus_1', 'push', start) - b.fatigue('cus_1', 'push', start)) < 1e-9
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('enforces a cross-channel budget and exempts critical messages', () => {
    const { loop } = setup({
      fatigue: { defaultCap: 10, crossChannelCap: 3, weights: { delivered: 0 } },
      critical: (query) => query.topic.startsWith('security'),
    });
    for (const channel of ['push', 'email', 'sms'])
      loop.apply(fb({ kind: 'delivered', channel, at: start }));
    loop.apply(
      fb({
        kind: 'delivered',
        channel: 'push',
        at: start,
        critical: true,
        topic: 'security.fraud',
      }),
    );
    const verdict = loop.check(q({ channel: 'in_app', at: start + 1 }));
    expect(verdict.reason?.code).toBe('cross_channel_budget');
    expect(loop.budget('cus_1', 'push', start + 1).used).toBe(1);
    expect(
      loop.check(q({ channel: 'in_app', topic: 'security.fraud', at: start + 1 })).suppressed,
    ).toBe(false);
    expect(loop.check(q({ channel: 'in_app', at: start + 8 * duration.day })).suppressed).toBe(
      false,
    );
  });

  it('intrusive lowers the budget everywhere and suppresses the rule', () => {
    const { loop } = setup({ fatigue: { defaultCap: 4, crossChannelCap: 8 } });
    loop.apply(fb({ kind: 'intrusive', at: start }));
    expect(loop.budget('cus_1', 'email', start).allowed).toBe(2);
    expect(loop.budget('cus_1', 'email', start).crossChannel.allowed).toBe(4);
    expect(loop.check(q()).reason?.code).toBe('intrusive');
    expect(loop.suppressions('cus_1', start).map((r) => r.code)).toEqual([
      'intrusive',
      'intrusive',
    ]);
  });
});

describe('corrections, orphans, duplicates', () => {
  it('opens a correction request for wrong_data and pauses the item', () => {
    const { loop } = setup();
    const seen: FeedbackLoopEvent[] = [];
    loop.subscribe((e) => seen.push(e));
    loop.apply(
      fb({ kind: 'wrong_data', itemKey: 'flight-LH400', note: 'I cancelled that trip', at: start }),
    );
    expect(loop.corrections('cus_1')).toMatchObject([
      { note: 'I cancelled that trip', itemKey: 'flight-LH400' },
    ]);
    expect(seen.map((e) => e.type)).toEqual(['orphaned', 'suppressed', 'correction_requested']);
    expect(loop.check(q({ itemKey: 'flight-LH400' })).reason?.detail).toMatch(
      /^Paused this item because you reported wrong data/,
    );
  });

  it('keeps feedback on unknown decisions as orphans until the decision is logged', () => {
    const { loop } = setup();
    const event = fb({ kind: 'clicked', decisionId: 'd-late', at: start });
    expect(loop.apply(event).orphaned).toBe(true);
    expect(loop.orphans()).toEqual([event]);
    loop.applyDecision({
      decisionId: 'd-late',
      subject: 'cus_1',
      ruleId: 'travel-offer',
      topic: 'offers.travel',
      channel: 'push',
      at: start - 1,
    });
    expect(loop.orphans()).toEqual([]);
    expect(loop.apply(fb({ kind: 'opened', decisionId: 'd-late', at: start })).orphaned).toBe(
      false,
    );
  });

  it('rejects feedback naming a decision of another subject', () => {
    const { loop } = setup();
    loop.applyDecision({
      decisionId: 'd-x',
      subject: 'cus_2',
      ruleId: 'travel-offer',
      topic: 'offers.travel',
      channel: 'push',
      at: start,
    });
    expect(() => loop.apply(fb({ kind: 'stop_this', decisionId: 'd-x', at: start }))).toThrowError(
      expect.objectContaining({ code: 'feedback/decision_mismatch' }),
    );
  });

  it('treats a repeated idempotency key as one event and a reused one as a conflict', () => {
    const { loop } = setup({ fatigue: { weights: { delivered: 1 } } });
    const event = fb({ kind: 'delivered', at: start });
    expect(loop.apply(event).status).toBe('accepted');
    expect(loop.apply({ ...event }).status).toBe('duplicate');
    expect(loop.fatigue('cus_1', 'push', start)).toBe(1);
    expect(loop.budget('cus_1', 'push', start).used).toBe(1);
    try {
      loop.apply({ ...event, kind: 'clicked' });
      expect.unreachable();
    } catch (error) {
      expect(isCandorError(error, 'feedback/idempotency_conflict')).toBe(true);
    }
  });

  it('refuses events from the future and malformed input with typed errors', () => {
    const { loop } = setup();
    expect(() => loop.apply(fb({ kind: 'clicked', at: start + duration.hour }))).toThrowError(
      expect.objectContaining({ code: 'feedback/future_event' }),
    );
    expect(() => loop.apply({ ...fb({ kind: 'clicked' }), scope: 'topic' })).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_scope' }),
    );
    expect(() => loop.apply({ ...fb({ kind: 'converted' }), value: Number.NaN })).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_reward' }),
    );
    expect(() => loop.check({ ...q(), at: Number.NaN })).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_event' }),
    );
    expect(() => createFeedbackLoop({ fatigue: { halfLifeMs: -1 } })).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_option' }),
    );
  });
});

describe('persistence', () => {
  it('rebuilds the same view from the store after a restart', async () => {
    const store = createMemoryFeedbackStore();
    const clock = createVirtualClock(start);
    const first = createFeedbackLoop({ store, clock });
    await first.hydrate();
    await first.logDecision({
      decisionId: 'd-1',
      subject: 'cus_1',
      ruleId: 'travel-offer',
      topic: 'offers.travel',
      channel: 'push',
      at: start,
    });
    await first.submit(fb({ kind: 'not_interested', decisionId: 'd-1', at: start }));
    await first.submit(fb({ kind: 'too_frequent', at: start }));
    const second = createFeedbackLoop({ store, clock });
    expect(await second.hydrate()).toEqual({ decisions: 1, events: 2 });
    expect(second.check(q())).toEqual(first.check(q()));
    expect(second.budget('cus_1', 'push')).toEqual(first.budget('cus_1', 'push'));
    expect(second.orphans()).toHaveLength(1);
  });
});

describe('guardrails', () => {
  it('pauses a rule whose intrusive rate is confidently above threshold, with the why', () => {
    const { loop } = setup({ guardrails: { thresholds: { intrusive: 0.05 }, minExposures: 20 } });
    const paused: FeedbackLoopEvent[] = [];
    loop.subscribe((e) => e.type === 'rule_paused' && paused.push(e));
    for (let i = 0; i < 100; i++) {
      const decisionId = `d${i}`;
      loop.apply(
        fb({
          kind: 'delivered',
          decisionId,
          subject: `s${i}`,
          variantId: i % 2 ? 'a' : 'b',
          at: start,
        }),
      );
      if (i % 2 === 0 && i < 40) {
        loop.apply(
          fb({ kind: 'intrusive', decisionId, subject: `s${i}`, variantId: 'b', at: start }),
        );
      }
    }
    expect(loop.isPaused('travel-offer')).toBe(true);
    expect(loop.isPaused('travel-offer', 'b')).toBe(true);
    expect(loop.ruleHealth('travel-offer', 'a').paused).toBeNull();
    const pause = loop.pauses().find((p) => p.variantId === null);
    expect(pause?.metric).toBe('intrusive');
    expect(pause?.interval.lower).toBeGreaterThan(0.05);
    expect(pause?.detail).toMatch(
      /^intrusive rate \d+\.\d% \(95% CI [\d.]+%–[\d.]+%\) over \d+ messages exceeds 5\.0%$/,
    );
    expect(paused.length).toBe(2);
    expect(loop.check(q({ subject: 'someone_else' })).reason?.code).toBe('rule_paused');
    loop.resume('travel-offer');
    expect(loop.check(q({ subject: 'someone_else' })).suppressed).toBe(false);
  });

  it('does not pause on a small sample or a rate within threshold', () => {
    const { loop } = setup();
    for (let i = 0; i < 200; i++) {
      loop.apply(fb({ kind: 'delivered', decisionId: `d${i}`, subject: `s${i}`, at: start }));
      if (i % 100 === 0)
        loop.apply(fb({ kind: 'intrusive', decisionId: `d${i}`, subject: `s${i}`, at: start }));
    }
    expect(loop.isPaused('travel-offer')).toBe(false);
    expect(loop.ruleHealth('travel-offer').rates.intrusive.rate).toBeCloseTo(0.01);
  });
});

describe('listeners', () => {
  it('hear events after the state is complete; a throwing listener changes nothing', () => {
    const loop = createFeedbackLoop({
      clock: createVirtualClock(Date.parse('2026-05-03T09:00:00Z')),
    });
    const at = Date.parse('2026-05-03T09:00:00Z');
    const heard: boolean[] = [];
    loop.subscribe((event) => {
      if (event.type === 'suppressed') {
        heard.push(
          loop.check({
            subject: 'cus_1',
            ruleId: 'travel-offer',
            topic: 'offers.travel',
            channel: 'push',
            at,
          }).suppressed,
        );
      }
    });
    loop.subscribe(() => {
      throw new Error('listener bug');
    });
    expect(() => loop.apply(fb({ kind: 'stop_this', at }))).toThrow('listener bug');
    expect(heard).toEqual([true]);
    expect(loop.suppressions('cus_1', at)).toHaveLength(1);
  });

  it('stay silent while hydrate replays history', async () => {
    const store = createMemoryFeedbackStore();
    const clock = createVirtualClock(Date.parse('2026-05-03T09:00:00Z'));
    await createFeedbackLoop({ store, clock }).submit(fb({ kind: 'wrong_data', at: clock.now() }));
    const restarted = createFeedbackLoop({ store, clock });
    const heard: string[] = [];
    restarted.subscribe((event) => heard.push(event.type));
    await restarted.hydrate();
    expect(heard).toEqual([]);
    expect(restarted.corrections()).toHaveLength(1);
  });
});
