import { duration, type SuppressionQuery } from '@candor/core';
import type { FeedbackEvent } from './schema';

let counter = 0;

/** A valid feedback event with sensible defaults and fresh keys, for tests. */
export function fb(overrides: Partial<FeedbackEvent> & Pick<FeedbackEvent, 'kind'>): FeedbackEvent {
  counter++;
  return {
    idempotencyKey: `fb-${counter}`,
    decisionId: `d-${counter}`,
    subject: 'cus_1',
    ruleId: 'travel-offer',
    topic: 'offers.travel',
    channel: 'push',
    at: 0,
    ...overrides,
  } as FeedbackEvent;
}

/** The instant the feedback tests start at. */
export const start = Date.parse('2026-05-03T09:00:00Z');

/** A check an hour after {@link start}: cus_1, the travel offer, by push. */
export const q = (over: Partial<SuppressionQuery> = {}): SuppressionQuery => ({
  subject: 'cus_1',
  ruleId: 'travel-offer',
  topic: 'offers.travel',
  channel: 'push',
  at: start + duration.hour,
  ...over,
});

/** Lets pending promise callbacks and timers of zero run. */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
