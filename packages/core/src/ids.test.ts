import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCandorError } from './errors';
import {
  ancestorsOf,
  isDottedId,
  isWithin,
  parseDataCategoryId,
  parsePurposeId,
  safeParseTopicId,
} from './ids';
import { PurposeId } from './schemas';

const segment = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const dotted = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));

describe('dotted ids', () => {
  it('accepts lower-case dot hierarchies', () => {
    expect(parsePurposeId('service.fraud_protection')).toBe('service.fraud_protection');
    expect(parseDataCategoryId('user.behavior.purchase_history')).toBe(
      'user.behavior.purchase_history',
    );
  });

  it.each([
    '',
    'Marketing',
    'marketing.',
    '.marketing',
    'a..b',
    'a.1b',
    'a b',
    'a-b',
    'a'.repeat(129),
    42,
    null,
    '__proto__.x',
  ])('rejects %j with a typed error naming the value', (bad) => {
    let caught: unknown;
    try {
      parsePurposeId(bad);
    } catch (error) {
      caught = error;
    }
    expect(isCandorError(caught, 'core/invalid_id')).toBe(true);
    if (isCandorError(caught)) expect(caught.details.value).toBe(bad);
  });

  it('safeParse returns the error instead of throwing', () => {
    const result = safeParseTopicId('Billing');
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.message).toContain('"Billing"');
  });

  it('zod schema and parser agree', () => {
    fc.assert(
      fc.property(fc.oneof(dotted, fc.string()), (value) => {
        expect(PurposeId.safeParse(value).success).toBe(isDottedId(value));
      }),
    );
  });
});

describe('isWithin', () => {
  it('is segment-aware', () => {
    expect(isWithin('marketing.email', 'marketing')).toBe(true);
    expect(isWithin('marketing', 'marketing')).toBe(true);
    expect(isWithin('marketing.emails', 'marketing.email')).toBe(false);
    expect(isWithin('marketing', 'marketing.email')).toBe(false);
    expect(isWithin('marketingx', 'marketing')).toBe(false);
  });

  it('holds for every ancestor and only for ancestors', () => {
    fc.assert(
      fc.property(dotted, dotted, (a, b) => {
        const ancestors = ancestorsOf(a);
        expect(ancestors.at(-1)).toBe(a);
        for (const ancestor of ancestors) expect(isWithin(a, ancestor)).toBe(true);
        expect(isWithin(a, b)).toBe(ancestors.includes(b));
      }),
    );
  });
});
