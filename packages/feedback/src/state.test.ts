import { createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFeedbackLoop } from './loop';
import type { FeedbackEvent } from './schema';

/*
 * The loop keeps fatigue and deliveries in flat per-channel columns indexed by subject number.
 * These properties recount every budget figure from the raw events, the slow and obvious way, and
 * require the loop's view to agree for any interleaving of subjects, channels and arrival order.
 */

const start = Date.parse('2026-05-03T09:00:00Z');
const halfLifeMs = 2 * duration.day;
const windowMs = 3 * duration.day;
const weights = { delivered: 0.5, ignored: 1, dismissed: 2 } as const;
type Kind = keyof typeof weights;

const arbitraryEvents = fc.array(
  fc.record({
    subject: fc.constantFrom('cus_a', 'cus_b', 'cus_c', 'cus_d'),
    channel: fc.constantFrom('push', 'email', 'sms'),
    kind: fc.constantFrom<Kind>('delivered', 'ignored', 'dismissed'),
    critical: fc.boolean(),
    offset: fc.integer({ min: 0, max: 10 * duration.day }),
  }),
  { maxLength: 80 },
);

describe('fatigue and delivery state', () => {
  it('equals a brute-force recount over random event sequences, in any order', () => {
    fc.assert(
      fc.property(
        arbitraryEvents,
        fc.integer({ min: 0, max: 12 * duration.day }),
        (items, queryOffset) => {
          const now = start + 10 * duration.day;
          const loop = createFeedbackLoop({
            clock: createVirtualClock(now),
            fatigue: { halfLifeMs, windowMs, weights, defaultCap: 50, crossChannelCap: 100 },
          });
          const events: FeedbackEvent[] = items.map((item, i) => ({
            idempotencyKey: `k${i}`,
            kind: item.kind,
            decisionId: `d${i}`,
            subject: item.subject,
            ruleId: 'r',
            topic: 'offers.travel',
            channel: item.channel,
            at: start + item.offset,
            ...(item.critical ? { critical: true } : {}),
          }));
          // Other subjects first, so the ones checked live beyond the first pages of the state.
          loop.applyMany(
            Array.from({ length: 2100 }, (_, i) => ({
              idempotencyKey: `other-${i}`,
              kind: 'delivered' as const,
              decisionId: `other-${i}`,
              subject: `other_${i}`,
              ruleId: 'r',
              topic: 'offers.travel',
              channel: i % 2 ? 'push' : 'in_app',
              at: start,
            })),
          );
          // Half one by one, half as a batch: both write paths must build the same state.
          const half = events.length >> 1;
          for (const event of events.slice(0, half)) loop.apply(event);
          loop.applyMany(events.slice(half));

          const at = start + queryOffset;
          for (const subject of ['cus_a', 'cus_b', 'cus_c', 'cus_d', 'cus_unknown']) {
            const mine = events.filter((e) => e.subject === subject && e.critical !== true);
            const inWindow = (e: FeedbackEvent) =>
              e.kind === 'delivered' && e.at <= at && e.at > at - windowMs;
            const crossUsed = mine.filter(inWindow).length;
            for (const channel of ['push', 'email', 'sms', 'in_app']) {
              const here = mine.filter((e) => e.channel === channel);
              // No weight is negative, so the score is never clamped: a plain decayed sum.
              // Events later than `at` count at full weight (the score is not projected back).
              const expected = here.reduce(
                (sum, e) =>
                  sum + weights[e.kind as Kind] * 2 ** (-Math.max(0, at - e.at) / halfLifeMs),
                0,
              );
              const latest = Math.max(0, ...here.map((e) => e.at));
              const fatigue = loop.fatigue(subject, channel, at);
              const budget = loop.budget(subject, channel, at);
              if (latest <= at) expect(fatigue).toBeCloseTo(expected, 9);
              expect(budget.fatigue).toBe(fatigue);
              expect(budget.used).toBe(here.filter(inWindow).length);
              expect(budget.crossChannel.used).toBe(crossUsed);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
