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
