import { describe, expectTypeOf, it } from 'vitest';
import type { BatchIngestResult, DecisionEntry, FeedbackEvent, IngestResult } from './index';
import { createFeedbackLoop } from './index';

/*
 * The loop's write methods take the schema-inferred types: a misspelt or unknown field, a kind
 * that does not exist or a missing field is a compile error (and, through a cast, still a typed
 * run-time error: see bad-input.test.ts).
 */

const loop = createFeedbackLoop();
const event = {
  idempotencyKey: 'fb-1',
  kind: 'not_interested',
  decisionId: 'd-1',
  subject: 'cus_1',
  ruleId: 'travel-offer',
  topic: 'offers.travel',
  channel: 'push',
  at: 0,
  scope: 'topic',
} satisfies FeedbackEvent;
const decision = {
  decisionId: 'd-1',
  subject: 'cus_1',
  ruleId: 'travel-offer',
  topic: 'offers.travel',
  channel: 'push',
  at: 0,
} satisfies DecisionEntry;

describe('the loop takes schema-typed input', () => {
  it('names FeedbackEvent and DecisionEntry in every write method', () => {
    expectTypeOf(loop.submit).parameter(0).toEqualTypeOf<FeedbackEvent>();
    expectTypeOf(loop.apply).parameter(0).toEqualTypeOf<FeedbackEvent>();
    expectTypeOf(loop.submitMany).parameter(0).toEqualTypeOf<readonly FeedbackEvent[]>();
    expectTypeOf(loop.applyMany).parameter(0).toEqualTypeOf<readonly FeedbackEvent[]>();
    expectTypeOf(loop.logDecision).parameter(0).toEqualTypeOf<DecisionEntry>();
    expectTypeOf(loop.applyDecision).parameter(0).toEqualTypeOf<DecisionEntry>();
    expectTypeOf(loop.apply(event)).toEqualTypeOf<IngestResult>();
    expectTypeOf(loop.applyMany([event])).toEqualTypeOf<BatchIngestResult>();
    expectTypeOf(loop.submit(event)).resolves.toEqualTypeOf<IngestResult>();
  });

  it('rejects misspelt and unknown fields', () => {
    // @ts-expect-error `scpoe` is not a field (scope)
    loop.apply({ ...event, scpoe: 'topic' });
    // @ts-expect-error `durationMS` is not a field (durationMs)
    void loop.submit({ ...event, durationMS: 1_000 });
    // @ts-expect-error `itemkey` is not a field (itemKey)
    loop.applyMany([{ ...event, itemkey: 'sku-1' }]);
    // @ts-expect-error `variant` is not a field (variantId)
    void loop.submitMany([event, { ...event, idempotencyKey: 'fb-2', variant: 'v1' }]);
    // @ts-expect-error `propensty` is not a field (propensity)
    void loop.logDecision({ ...decision, propensty: 0.5 });
    // @ts-expect-error `chanel` is not a field (channel)
    loop.applyDecision({ ...decision, chanel: 'email' });
  });

  it('rejects unknown kinds and scopes, wrong value types and missing fields', () => {
    // @ts-expect-error not a feedback kind
    loop.apply({ ...event, kind: 'not_intrested' });
    // @ts-expect-error not a scope
    loop.apply({ ...event, scope: 'topics' });
    // @ts-expect-error `at` is epoch milliseconds, not a Date
    loop.apply({ ...event, at: new Date() });
    const { subject: _subject, ...withoutSubject } = event;
    // @ts-expect-error `subject` is required
    loop.apply(withoutSubject);
    const { at: _at, ...undated } = decision;
    // @ts-expect-error `at` is required
    loop.applyDecision(undated);
  });
});
