import { createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { purposes, type TestPurpose } from '../test/fixtures';
import { createConsentManager } from './manager';
import { createMemoryLedgerStore } from './store';
import type { DecideQuery } from './types';

const START = Date.parse('2026-05-01T09:00:00Z');
const kinds = ['grant', 'refuse', 'withdraw', 'object', 'revoke', 'renew', 'expire'] as const;
const written: readonly TestPurpose[] = ['marketing', 'marketing.email', 'ads.targeted'];
/** Questions as apps ask them: declared, undeclared, sensitive and no categories. */
const shapes: readonly Omit<DecideQuery<TestPurpose>, 'subject'>[] = [
  { purpose: 'marketing.email', dataCategories: ['user.contact.email'] },
  { purpose: 'marketing.email', dataCategories: [] },
  { purpose: 'marketing.email', dataCategories: ['user.location.precise'] },
  { purpose: 'marketing', dataCategories: ['user.contact'] },
  { purpose: 'ads.targeted', dataCategories: ['user.behavior'] },
  { purpose: 'ads.targeted', dataCategories: ['user.location.precise'] },
  { purpose: 'marketing.email', dataCategories: ['user.behavior.purchase_history'] },
  {
    purpose: 'marketing.email',
    dataCategories: ['user.contact.email', 'user.behavior.purchase_history'],
  },
];
/** A category each written purpose declares, for writes about some categories only. */
const categoryOf: Partial<Record<TestPurpose, string>> = {
  marketing: 'user.contact',
  'marketing.email': 'user.behavior.purchase_history',
  'ads.targeted': 'user.location',
};
const scoped: readonly string[] = ['grant', 'refuse', 'withdraw', 'object'];

const step = fc.record({
  kind: fc.constantFrom(...kinds, 'gpc_on', 'gpc_off', 'wait'),
  subject: fc.constantFrom('cus_a', 'cus_b'),
  purpose: fc.constantFrom(...written),
  expiresIn: fc.option(fc.integer({ min: 1, max: 10 * duration.day }), { nil: undefined }),
  wait: fc.integer({ min: 0, max: 20 * duration.day }),
  jurisdiction: fc.constantFrom('FR', 'US-CA'),
  someCategories: fc.boolean(),
});

describe('decide() caches', () => {
  it('answer exactly as a fresh evaluation after any writes, expiries and times (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        const clock = createVirtualClock(START);
        const store = createMemoryLedgerStore();
        const manager = createConsentManager({ purposes, clock, store, jurisdiction: 'FR' });
        await manager.load();
        for (const s of steps) {
          const input = {
            subject: s.subject,
            purposes: s.purpose,
            jurisdiction: s.jurisdiction,
            ...(s.expiresIn === undefined ? {} : { expiresAt: clock.now() + s.expiresIn }),
            ...(s.someCategories && scoped.includes(s.kind)
              ? { dataCategories: [categoryOf[s.purpose] ?? 'user.contact'] }
              : {}),
          };
          if (s.kind === 'gpc_on' || s.kind === 'gpc_off') {
            await manager.observeGpc({ subject: s.subject, gpc: s.kind === 'gpc_on' });
          } else if (s.kind !== 'wait') {
            const method = { grant: 'grant', refuse: 'refuse', withdraw: 'withdraw' } as const;
            const write = method[s.kind as keyof typeof method] ?? s.kind;
            await manager[write](input);
          }
          // Warm every cache, then move the clock so expiries may pass.
          for (const shape of shapes) manager.decide({ subject: s.subject, ...shape });
          clock.advance(s.wait);
          const fresh = createConsentManager({ purposes, clock, store, jurisdiction: 'FR' });
          await fresh.load();
          const past = START + Math.floor((clock.now() - START) / 2);
          for (const subject of ['cus_a', 'cus_b', 'cus_new']) {
            for (const shape of shapes) {
              for (const at of [undefined, past, clock.now()]) {
                const query = { subject, ...shape, ...(at === undefined ? {} : { at }) };
                const expected = fresh.decide(query);
                expect(manager.decide(query)).toEqual(expected);
                expect(manager.decide(query)).toEqual(expected);
              }
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  }, 30_000);

  it('apply a withdrawal to the very next decide(), before the write completes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<TestPurpose>('marketing', 'marketing.email'),
        fc.integer({ min: 1, max: 5 }),
        async (withdrawn, repeats) => {
          const clock = createVirtualClock(START);
          const manager = createConsentManager({ purposes, clock, jurisdiction: 'FR' });
          await manager.grant({ subject: 'cus_1', purposes: ['marketing', 'marketing.email'] });
          const query = {
            subject: 'cus_1',
            purpose: 'marketing.email',
            dataCategories: ['user.contact.email'],
          } as const;
          for (let i = 0; i < repeats; i++) expect(manager.decide(query).allowed).toBe(true);
          const pending = manager.withdraw({ subject: 'cus_1', purposes: withdrawn });
          expect(manager.decide(query)).toMatchObject({ allowed: false, status: 'withdrawn' });
          await pending;
          expect(manager.decide(query)).toMatchObject({ allowed: false, status: 'withdrawn' });
        },
      ),
      { numRuns: 20 },
    );
  });

  it('re-checks a reused category array that the caller changed', async () => {
    const manager = createConsentManager({ purposes, clock: createVirtualClock(START) });
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    const categories: string[] = ['user.contact.email'];
    const query = {
      subject: 'cus_1',
      purpose: 'marketing.email' as const,
      dataCategories: categories,
    };
    expect(manager.decide(query).allowed).toBe(true);
    categories[0] = 'user.location.precise';
    expect(manager.decide(query)).toMatchObject({ allowed: false });
    expect(manager.decide(query).reasons[0]?.code).toBe('category_not_declared');
  });
});
