import type { SuppressionSource } from '@candor/core';
import { expectTypeOf, it } from 'vitest';
import {
  createFeedbackLoop,
  createThompsonSampler,
  type FeedbackErrorCode,
  type FeedbackEvent,
  type FeedbackKind,
  type FeedbackObserver,
  safeParseFeedbackEvent,
} from './index';

it('the loop is a SuppressionSource and the sampler a FeedbackObserver', () => {
  expectTypeOf(createFeedbackLoop()).toExtend<SuppressionSource>();
  expectTypeOf(createThompsonSampler()).toExtend<FeedbackObserver>();
});

it('the schema types are precise', () => {
  expectTypeOf<FeedbackEvent['kind']>().toEqualTypeOf<FeedbackKind>();
  expectTypeOf<'intrusive'>().toExtend<FeedbackKind>();
  const result = safeParseFeedbackEvent({});
  if (!result.success) expectTypeOf(result.error.code).toEqualTypeOf<FeedbackErrorCode>();
});
