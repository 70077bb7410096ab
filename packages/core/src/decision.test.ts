import { describe, expect, it } from 'vitest';
import { parseDecisionRecord, safeParseDecisionRecord } from './decision';
import { CandorError } from './errors';
import { coreJsonSchema } from './json-schema';

const observedAt = Date.UTC(2026, 4, 1);
const record = {
  id: 'd1',
  subject: 'cus_1',
  at: Date.UTC(2026, 5, 23),
  source: { kind: 'rule', id: 'card-expiry', version: 1 },
  action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
  reasons: [{ id: 'r1', code: 'condition', text: 'card expires within 30 days', evidence: ['f1'] }],
  evidence: [
    {
      id: 'f1',
      path: 'card.expiresAt',
      category: 'user.financial.card',
      value: '2026-06-30',
      provenance: { source: 'billing', kind: 'stated', observedAt, party: 'first' },
    },
  ],
  consent: [],
};

describe('DecisionRecord', () => {
  it('accepts a record whose reasons rest on its evidence', () => {
    expect(parseDecisionRecord(record).reasons[0]?.evidence).toEqual(['f1']);
  });

  it('rejects a reason citing a fact that is not in evidence, naming the path', () => {
    const bad = { ...record, reasons: [{ ...record.reasons[0], evidence: ['f9'] }] };
    const result = safeParseDecisionRecord(bad);
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.error).toBeInstanceOf(CandorError);
      expect(result.error.code).toBe('core/invalid_input');
      expect(result.error.details.path).toBe('decision.reasons[0].evidence[0]');
      expect(result.error.details.value).toBe('f9');
    }
  });

  it('rejects evidence in a category the decision did not declare', () => {
    const bad = { ...record, dataCategories: ['user.contact.email'] };
    expect(() => parseDecisionRecord(bad)).toThrowError(/does not declare/);
  });

  it('rejects unknown keys, so a typo cannot silently drop data, naming the key', () => {
    expect(() => parseDecisionRecord({ ...record, purpse: 'x' })).toThrowError(
      expect.objectContaining({
        message: 'decision.purpse: unknown field "purpse"',
        details: expect.objectContaining({ path: 'decision.purpse', value: 'x' }),
      }),
    );
  });

  it('exports a JSON Schema generated from the same definition', () => {
    const schema = coreJsonSchema('DecisionRecord');
    expect(schema.type).toBe('object');
    expect(schema.required).toContain('reasons');
  });
});
