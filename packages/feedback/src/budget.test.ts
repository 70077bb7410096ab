import { createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fb } from './events.test-helpers';
import type { FeedbackKind } from './kinds';
import { createFeedbackLoop } from './loop';

const start = Date.parse('2026-05-03T09:00:00Z');

describe("check()'s budget gate", () => {
  it('holds back exactly when budget() says the subject is out of budget, with the same reason (property)', () => {
    const event = fc.record({
      kind: fc.constantFrom<FeedbackKind>(
        'delivered',
        'delivered',
        'ignored',
        'opened',
        'too_frequent',
      ),
      scope: fc.constantFrom('channel', 'all') as fc.Arbitrary<'channel' | 'all'>,
      channel: fc.constantFrom('push', 'email', 'sms'),
      subject: fc.constantFrom('s1', 's2'),
      at: fc.integer({ min: 0, max: 10 * 24 }),
    });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 25 }),
        fc.integer({ min: 0, max: 12 * 24 }),
        fc.constantFrom(1, 2, 5),
        (events, hour, cap) => {
          const loop = createFeedbackLoop({
            clock: createVirtualClock(start + 20 * duration.day),
            fatigue: { defaultCap: cap, crossChannelCap: cap + 1 },
          });
          for (const e of events) {
            loop.apply(
              fb({
                kind: e.kind,
                subject: e.subject,
                channel: e.channel,
                at: start + e.at * duration.hour,
                ...(e.kind === 'too_frequent' ? { scope: e.scope } : {}),
              }),
            );
          }
          const at = start + hour * duration.hour;
          for (const subject of ['s1', 's2', 'nobody']) {
            for (const channel of ['push', 'email', 'sms']) {
              const verdict = loop.check({ subject, ruleId: 'r', topic: 't', channel, at });
              const budget = loop.budget(subject, channel, at);
              expect(verdict.reason).toEqual(budget.reason);
              expect(verdict.suppressed).toBe(!budget.withinBudget);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
