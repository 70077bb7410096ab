import { expectTypeOf, test } from 'vitest';
import type {
  AccessLog,
  AccessQuery,
  AccessSummary,
  AccessSummaryGroup,
  AccessSummaryOptions,
  ConsentGate,
  ConsentVerdict,
  SafeParseResult,
  SuppressionVerdict,
} from './index';
import {
  CandorError,
  contextCategories,
  isCandorError,
  isContextCategory,
  safeParsePurposeId,
} from './index';

test('isCandorError narrows the code', () => {
  const error: unknown = new CandorError('core/invalid_id', 'x');
  if (isCandorError(error, 'core/invalid_id'))
    expectTypeOf(error.code).toEqualTypeOf<'core/invalid_id'>();
});

test('safeParse results discriminate on success', () => {
  const result = safeParsePurposeId('a.b');
  expectTypeOf(result).toEqualTypeOf<SafeParseResult<string, 'core/invalid_id'>>();
  if (result.success) expectTypeOf(result.data).toEqualTypeOf<string>();
  else expectTypeOf(result.error).toEqualTypeOf<CandorError<'core/invalid_id'>>();
});

test('ports are synchronous', () => {
  expectTypeOf<ReturnType<ConsentGate['decide']>>().toEqualTypeOf<ConsentVerdict>();
  const verdict = {} as SuppressionVerdict;
  if (verdict.suppressed) expectTypeOf(verdict.reason.detail).toEqualTypeOf<string>();
});

test('summarize is optional on the AccessLog port, and a summary group says which feature', () => {
  expectTypeOf<AccessLog['summarize']>().toEqualTypeOf<
    ((query: AccessQuery, options: AccessSummaryOptions) => Promise<AccessSummary>) | undefined
  >();
  const group = {} as AccessSummaryGroup;
  if (group.accessor.kind === 'feature') expectTypeOf(group.accessor.id).toEqualTypeOf<string>();
  else expectTypeOf(group.accessor).not.toHaveProperty('id');
});

test('context categories are read-only data category ids; the guard takes anything', () => {
  expectTypeOf(contextCategories).toEqualTypeOf<readonly string[]>();
  expectTypeOf(isContextCategory).parameter(0).toBeUnknown();
  // @ts-expect-error the list cannot be changed
  contextCategories.push('context.mood');
});
