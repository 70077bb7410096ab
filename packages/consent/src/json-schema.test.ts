import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { purposes, setup } from '../test/fixtures';
import { consentJsonSchema, consentSchemaIssues } from './json-schema';
import { policyPacks } from './policy';
import { validateEvent } from './validate-event';

describe('JSON Schema for the hand-written formats', () => {
  it('produces draft 2020-12 schemas naming the fields', () => {
    const schema = consentJsonSchema('NoticeDefinition');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties as object)).toContain('material');
    expect(schema.required).toEqual(
      expect.arrayContaining(['id', 'version', 'language', 'effectiveAt', 'material', 'purposes']),
    );
  });

  it('accepts what the runtime writes: entries, purposes, packs', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 's', purposes: 'marketing.email', reason: 'newsletter' });
    await manager.observeGpc({ subject: 's', gpc: true });
    for (const entry of manager.entries('s')) {
      expect(consentSchemaIssues('LedgerEntry', entry)).toEqual([]);
    }
    for (const id of purposes.ids) {
      const { id: _id, lineage: _lineage, index: _index, ...definition } = purposes.get(id)!;
      expect(consentSchemaIssues('PurposeDefinition', definition)).toEqual([]);
    }
    expect(consentSchemaIssues('PolicyPack', policyPacks.usCa)).toEqual([]);
  });

  it('agrees with the runtime event validator on malformed events (property)', () => {
    const base = {
      kind: 'given',
      actor: { kind: 'subject' },
      purposes: ['marketing.email'],
      at: 1_000,
      method: 'api',
    };
    const broken = fc.oneof(
      fc.record({ field: fc.constant('kind'), value: fc.string() }),
      fc.record({ field: fc.constant('method'), value: fc.constantFrom('email', 'BANNER', '') }),
      fc.record({ field: fc.constant('jurisdiction'), value: fc.constantFrom('France', '', 'F') }),
      fc.record({ field: fc.constant('at'), value: fc.constantFrom(-1, 1.5) }),
      fc.record({ field: fc.constant('purposes'), value: fc.constantFrom(['Bad Id'], ['a..b']) }),
    );
    fc.assert(
      fc.property(broken, ({ field, value }) => {
        const event = { ...base, [field]: value };
        const schemaSaysValid = consentSchemaIssues('ConsentEvent', event).length === 0;
        let runtimeSaysValid = true;
        try {
          validateEvent('s', event as never, 10_000);
        } catch {
          runtimeSaysValid = false;
        }
        expect(runtimeSaysValid).toBe(schemaSaysValid);
      }),
      { numRuns: 80 },
    );
    expect(consentSchemaIssues('ConsentEvent', base)).toEqual([]);
  });
});
