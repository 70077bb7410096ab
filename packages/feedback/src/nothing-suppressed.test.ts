import { createVirtualClock, type SuppressionQuery } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fb, start } from './events.test-helpers';
import type { FeedbackKind } from './kinds';
import { createFeedbackLoop } from './loop';
import { createMemoryFeedbackStore } from './store';

const options = {
  fatigue: { windowMs: 100, halfLifeMs: 40, defaultCap: 2, crossChannelCap: 3, sensitivity: 1 },
  escalation: { after: 2, withinMs: 50, durationMs: 150 },
};
const kinds: FeedbackKind[] = [
  'delivered',
  'delivered',
  'opened',
  'ignored',
  'not_interested',
  'stop_this',
  'too_frequent',
  'intrusive',
  'lifted',
];
const subjects = ['s1', 's2', 's3'];
const rules = [
  { ruleId: 'travel-offer', topic: 'offers.travel' },
  { ruleId: 'card-expiry', topic: 'billing.card_expiry' },
];
const channels = ['push', 'email', 'sms'];

/** Every query a rule engine could ask about `subject` at `at`. */
function everyQuery(subject: string, at: number): SuppressionQuery[] {
  return rules.flatMap((rule) =>
    channels.flatMap((channel) =>
      [undefined, 'i1'].map((itemKey) => ({
        subject,
        ...rule,
        channel,
        at,
        ...(itemKey === undefined ? {} : { itemKey }),
      })),
    ),
  );
}

describe('nothingSuppressed: one question per customer instead of one per rule', () => {
  it('never says "nothing" when check() would hold a message back (property)', () => {
    let nothing = 0;
    let something = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom(...kinds),
            subject: fc.constantFrom('s1', 's1', 's2'),
            rule: fc.nat(rules.length - 1),
            channel: fc.constantFrom(...channels),
            at: fc.integer({ min: 0, max: 400 }),
          }),
          { maxLength: 12 },
        ),
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 6 }),
        (events, instants) => {
          const loop = createFeedbackLoop(options);
          for (const e of events) {
            loop.apply(
              fb({
                kind: e.kind,
                subject: e.subject,
                ...(rules[e.rule] as (typeof rules)[number]),
                channel: e.channel,
                at: start + e.at,
              }),
            );
          }
          for (const subject of subjects) {
            for (const offset of instants) {
              const at = start + offset;
              if (!loop.nothingSuppressed(subject, at)) {
                something++;
                continue;
              }
              nothing++;
              for (const query of everyQuery(subject, at))
                expect(loop.check(query).suppressed, JSON.stringify(query)).toBe(false);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    // Not vacuous: both answers were given.
    expect(nothing).toBeGreaterThan(0);
    expect(something).toBeGreaterThan(0);
  });

  it('says "maybe" while a budget is zero, the customer is not prepared, or the instant is malformed', async () => {
    const clock = createVirtualClock(start);
    const store = createMemoryFeedbackStore();
    const loop = createFeedbackLoop({ store, clock, cache: { maxSubjects: 10 } });
    await loop.hydrate();
    expect(loop.nothingSuppressed('cus_1', start)).toBe(false); // not prepared: held back
    await loop.prepare(['cus_1']);
    expect(loop.nothingSuppressed('cus_1', start)).toBe(true);
    expect(loop.nothingSuppressed('cus_1', Number.NaN)).toBe(false);

    const silent = createFeedbackLoop({ fatigue: { caps: { sms: 0 } } });
    expect(silent.nothingSuppressed('cus_1', start)).toBe(false);
    expect(silent.check({ ...everyQuery('cus_1', start)[0]!, channel: 'sms' }).suppressed).toBe(
      true,
    );
  });
});
