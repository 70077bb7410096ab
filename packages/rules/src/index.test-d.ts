import type { DecisionRecord } from '@candor/core';
import { expectTypeOf, test } from 'vitest';
import type {
  CompiledRuleSet,
  ContextualFallback,
  Outcome,
  Proposal,
  RuleEngine,
  RuleStateStore,
  Suppression,
  SuppressionCode,
} from './index';
import { createRuleEngine, defineRule, fact, parseRule, safeParseRule } from './index';

test('a Proposal is a core DecisionRecord', () => {
  expectTypeOf<Proposal>().toExtend<DecisionRecord>();
});

test('outcomes discriminate on kind', () => {
  const o = {} as Outcome;
  if (o.kind === 'proposal') expectTypeOf(o).toEqualTypeOf<Proposal>();
  else expectTypeOf(o.reason).toEqualTypeOf<SuppressionCode>();
});

test('evaluate is synchronous, process and the store are async', () => {
  expectTypeOf<RuleEngine['evaluate']>().returns.toEqualTypeOf<Outcome[]>();
  expectTypeOf<RuleEngine['process']>().returns.toEqualTypeOf<Promise<Outcome[]>>();
  expectTypeOf<ReturnType<RuleStateStore['reserve']>>().toExtend<Promise<unknown>>();
  expectTypeOf(createRuleEngine).returns.toEqualTypeOf<RuleEngine>();
  expectTypeOf<RuleEngine['rules']>().toEqualTypeOf<CompiledRuleSet>();
});

test('rules require purpose and data categories', () => {
  // @ts-expect-error purpose and dataCategories are required
  defineRule({
    id: 'x',
    version: 1,
    trigger: { type: 'event', events: ['e'] },
    action: { type: 't', channel: 'c', topic: 't' },
  });
  const rule = defineRule({
    id: 'x',
    version: 1,
    purpose: 'service.proactive_support',
    dataCategories: ['user.financial.card'],
    trigger: { type: 'event', events: ['e'] },
    conditions: fact('card.n').gt(1),
    action: { type: 't', channel: 'c', topic: 't' },
  });
  expectTypeOf(rule.id).toEqualTypeOf<'x'>();
  // @ts-expect-error between takes two numbers
  fact('a').between(1);
});

test('parse pairs', () => {
  const result = safeParseRule({});
  if (!result.success)
    expectTypeOf(result.error.code).toEqualTypeOf<import('./index').RulesErrorCode>();
  expectTypeOf(parseRule).returns.toEqualTypeOf<import('./index').Rule>();
  expectTypeOf<Suppression['retryAt']>().toEqualTypeOf<number | null | undefined>();
});

test('a rule may carry a contextual fallback with an action of its own', () => {
  expectTypeOf<import('./index').Rule['contextual']>().toEqualTypeOf<
    ContextualFallback | undefined
  >();
  expectTypeOf<ContextualFallback['action']>().toEqualTypeOf<import('@candor/core').Action>();
  // @ts-expect-error a fallback needs an action
  const missing: ContextualFallback = { dataCategories: ['context.weather'] };
  void missing;
});
