import type { ConsentGate, DecisionRecord } from '@candor/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AuditedExplanation,
  createExplainer,
  type ExplainErrorCode,
  type Explanation,
  type ExplanationControl,
  type MessageCatalog,
  type MessageId,
  type ParameterRegistry,
  parseMessageCatalog,
  parseParameterRegistry,
  type RenderFormat,
} from './index';

describe('public types', () => {
  it('explain returns an Explanation; the audited variant a promise of one with its audit', () => {
    const explainer = createExplainer();
    expectTypeOf(explainer.explain).parameter(0).toEqualTypeOf<DecisionRecord>();
    expectTypeOf(explainer.explain).returns.toEqualTypeOf<Explanation>();
    expectTypeOf(explainer.explainWithAudit).returns.resolves.toEqualTypeOf<AuditedExplanation>();
    expectTypeOf<{ consent: ConsentGate }>().toMatchTypeOf<
      Parameters<typeof explainer.explain>[1]
    >();
  });

  it('controls narrow by kind to what a consent or feedback call needs', () => {
    const handle = (c: ExplanationControl) => {
      if (c.kind === 'turn_off_data') {
        expectTypeOf(c.dataCategory).toBeString();
        expectTypeOf(c.mechanism).toEqualTypeOf<'withdraw' | 'object'>();
      }
      if (c.kind === 'mute_topic') expectTypeOf(c.scope).toEqualTypeOf<'topic'>();
      if (c.kind === 'fewer_like_this') expectTypeOf(c.scope).toEqualTypeOf<'rule'>();
      if (c.kind === 'manage_all') expectTypeOf(c.url).toEqualTypeOf<string | null>();
    };
    expectTypeOf(handle).toBeFunction();
  });

  it('hand-written files parse to the types the explainer takes', () => {
    const accepts = (registry: ParameterRegistry, catalog: MessageCatalog) => [registry, catalog];
    expectTypeOf(accepts).toBeCallableWith(
      parseParameterRegistry(undefined),
      parseMessageCatalog(undefined),
    );
  });

  it('narrow literal unions', () => {
    expectTypeOf<'summary'>().toMatchTypeOf<MessageId>();
    expectTypeOf<'explain/catalog_lint'>().toMatchTypeOf<ExplainErrorCode>();
    expectTypeOf<RenderFormat>().toEqualTypeOf<'text' | 'markdown' | 'html' | 'json'>();
    expectTypeOf<'summary.contextual' | 'purpose.exchange'>().toMatchTypeOf<MessageId>();
  });

  it('a purpose statement carries what the customer gets, if anything', () => {
    expectTypeOf<import('./index').PurposeStatement['benefit']>().toEqualTypeOf<string | null>();
    expectTypeOf<'benefits'>().toMatchTypeOf<import('./index').LabelKind>();
  });
});
