import { duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { purposes, setup, type TestPurpose } from '../test/fixtures';
import { policyPacks, resolvePolicy } from './policy';
import type { ConsentManager } from './types';

const consentPurposes: TestPurpose[] = [
  'marketing',
  'marketing.email',
  'ads.targeted',
  'analytics.measurement',
  'personalization.health',
];
const withdrawable: TestPurpose[] = [
  ...consentPurposes,
  'service.proactive_support',
  'marketing.direct_li',
];
const jurisdictions = ['FR', 'GB', 'US-CA', 'BR', 'DE'];

type Op =
  | { op: 'grant'; purpose: TestPurpose; confirmed: boolean; actor: 'subject' | 'company' }
  | { op: 'import_grant'; purpose: TestPurpose }
  | { op: 'refuse' | 'withdraw' | 'object' | 'revoke' | 'renew'; purpose: TestPurpose }
  | { op: 'gpc'; on: boolean }
  | { op: 'shown'; purpose: TestPurpose }
  | { op: 'wait'; days: number };

const purposeArb = fc.constantFrom(...withdrawable);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('grant' as const),
    purpose: purposeArb,
    confirmed: fc.boolean(),
    actor: fc.constantFrom('subject' as const, 'company' as const),
  }),
  fc.record({ op: fc.constant('import_grant' as const), purpose: purposeArb }),
  fc.record({
    op: fc.constantFrom(
      'refuse' as const,
      'withdraw' as const,
      'object' as const,
      'revoke' as const,
      'renew' as const,
    ),
    purpose: purposeArb,
  }),
  fc.record({ op: fc.constant('gpc' as const), on: fc.boolean() }),
  fc.record({ op: fc.constant('shown' as const), purpose: purposeArb }),
  fc.record({ op: fc.constant('wait' as const), days: fc.integer({ min: 0, max: 400 }) }),
);

async function apply(
  manager: ConsentManager<TestPurpose>,
  advance: (ms: number) => void,
  ops: readonly Op[],
  subject = 's',
) {
  for (const op of ops) {
    switch (op.op) {
      case 'grant':
        await manager.grant({
          subject,
          purposes: op.purpose,
          confirmed: op.confirmed,
          actor: { kind: op.actor },
        });
        break;
      case 'import_grant':
        await manager.import([{ subject, kind: 'given', purposes: op.purpose }]);
        break;
      case 'refuse':
        await manager.refuse({ subject, purposes: op.purpose });
        break;
      case 'withdraw':
        await manager.withdraw({ subject, purposes: op.purpose });
        break;
      case 'object':
        await manager.object({ subject, purposes: op.purpose });
        break;
      case 'revoke':
        await manager.revoke({ subject, purposes: op.purpose });
        break;
      case 'renew':
        await manager.renew({ subject, purposes: op.purpose });
        break;
      case 'gpc':
        await manager.observeGpc({ subject, gpc: op.on });
        break;
      case 'shown':
        await manager.noticeShown({ subject, purposes: op.purpose });
        break;
      case 'wait':
        advance(op.days * duration.day);
        break;
    }
  }
}

const categoriesOf = (purpose: TestPurpose) => purposes.get(purpose)?.categories ?? [];
const descendants = (purpose: TestPurpose) =>
  purposes.ids.filter((id) => id === purpose || id.startsWith(`${purpose}.`));

describe('policy packs', () => {
  it('resolve by jurisdiction, with a strict default', () => {
    expect(resolvePolicy('FR')).toBe(policyPacks.eu);
    expect(resolvePolicy('fr')).toBe(policyPacks.eu);
    expect(resolvePolicy('GB')).toBe(policyPacks.uk);
    expect(resolvePolicy('US-CA')).toBe(policyPacks.usCa);
    expect(resolvePolicy('US-NY')).toBe(policyPacks.strict);
    expect(resolvePolicy(undefined)).toBe(policyPacks.strict);
  });

  it('cannot be changed after a manager took them, whoever holds them', async () => {
    const ask = {
      subject: 'cus_1',
      purpose: 'marketing.email' as const,
      dataCategories: ['user.contact.email'],
    };
    // A pack of the caller's own, and the list it came in: changed once the manager exists.
    const mine = { ...policyPacks.usCa, id: 'mine', jurisdictions: ['US-TX'] };
    const policies = [mine];
    const { manager } = setup({ policies, jurisdiction: 'US-TX' });
    const untouched = setup({ policies: [{ ...mine }], jurisdiction: 'US-TX' }).manager;
    await Promise.all([manager.load(), untouched.load()]);
    (mine as { model: string }).model = 'opt_in';
    mine.jurisdictions.push('US-CA');
    policies.unshift({ ...policyPacks.strict, jurisdictions: ['US-TX'] });
    const verdict = manager.decide(ask);
    expect(verdict.allowed).toBe(true); // opt-out, as when it was made: allowed until a no
    expect(verdict).toEqual(untouched.decide(ask));
    // The built-in packs are frozen through and through.
    expect(Object.isFrozen(policyPacks.eu)).toBe(true);
    expect(Object.isFrozen(policyPacks.eu.jurisdictions)).toBe(true);
    expect(() => {
      (policyPacks.eu as { model: string }).model = 'opt_out';
    }).toThrow(TypeError);
  });
});

describe('invariants (property tests)', () => {
  it('a withdrawal applies to the very next decide(), for the purpose and its children', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...jurisdictions),
        fc.array(opArb, { maxLength: 12 }),
        purposeArb,
        async (jurisdiction, ops, target) => {
          const { manager, clock } = setup({ jurisdiction });
          await apply(manager, (ms) => clock.advance(ms), ops);
          const pending = manager.withdraw({ subject: 's', purposes: target });
          for (const purpose of descendants(target)) {
            const verdict = manager.decide({
              subject: 's',
              purpose,
              dataCategories: categoriesOf(purpose),
            });
            expect(verdict.allowed).toBe(false);
          }
          await pending;
          for (const purpose of descendants(target)) {
            expect(manager.decide({ subject: 's', purpose, dataCategories: [] }).allowed).toBe(
              false,
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a grant dated before a withdrawal or objection never lifts it, however late it arrives', async () => {
    const restrictions = ['withdraw', 'object'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...jurisdictions),
        fc.array(opArb, { maxLength: 8 }),
        fc.constantFrom(...withdrawable),
        fc.constantFrom(...restrictions),
        fc.boolean(),
        fc.integer({ min: 1, max: 30 * duration.day }),
        fc.integer({ min: 0, max: 3 * duration.day }),
        async (jurisdiction, before, target, restriction, byCategory, earlier, later) => {
          const { manager, clock } = setup({ jurisdiction });
          await apply(manager, (ms) => clock.advance(ms), before);
          clock.advance(31 * duration.day);
          // Of one of the purpose's categories, or of all of it.
          const scope = byCategory ? { dataCategories: categoriesOf(target).slice(0, 1) } : {};
          await manager[restriction]({ subject: 's', purposes: target, ...scope });
          const restrictedAt = clock.now();
          clock.advance(later);
          // An offline device's grant, made before the restriction, delivered after it.
          await manager.grant({
            subject: 's',
            purposes: target,
            ...scope,
            at: restrictedAt - earlier,
            confirmed: true,
            actor: { kind: 'subject' },
          });
          for (const purpose of descendants(target)) {
            const verdict = manager.decide({
              subject: 's',
              purpose,
              dataCategories: categoriesOf(target).slice(0, 1),
            });
            expect(verdict.allowed).toBe(false);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('an objection to direct marketing is absolute: only the subject’s own later grant lifts it', async () => {
    const dm: TestPurpose[] = ['marketing', 'marketing.email', 'marketing.direct_li'];
    const notBySubject = opArb.filter((op) => !(op.op === 'grant' && op.actor === 'subject'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...jurisdictions),
        fc.array(opArb, { maxLength: 8 }),
        fc.constantFrom(...dm),
        fc.array(notBySubject, { maxLength: 10 }),
        async (jurisdiction, before, target, after) => {
          const { manager, clock } = setup({ jurisdiction });
          await apply(manager, (ms) => clock.advance(ms), before);
          await manager.object({ subject: 's', purposes: target });
          await apply(manager, (ms) => clock.advance(ms), after);
          for (const purpose of descendants(target)) {
            const verdict = manager.decide({ subject: 's', purpose, dataCategories: [] });
            expect(verdict.allowed).toBe(false);
            expect(verdict.status).toBe('objected');
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('EU and UK are opt-in: without a grant no consent purpose is ever allowed', async () => {
    const noGrant = opArb.filter((op) => op.op !== 'grant' && op.op !== 'import_grant');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('FR', 'DE', 'GB', 'IE'),
        fc.array(noGrant, { maxLength: 12 }),
        fc.constantFrom(...consentPurposes),
        async (jurisdiction, ops, purpose) => {
          const { manager, clock } = setup({ jurisdiction });
          await apply(manager, (ms) => clock.advance(ms), ops);
          expect(
            manager.decide({ subject: 's', purpose, dataCategories: categoriesOf(purpose) })
              .allowed,
          ).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sensitive data always needs an explicit grant, in every jurisdiction', async () => {
    const noGrant = opArb.filter((op) => op.op !== 'grant' && op.op !== 'import_grant');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...jurisdictions),
        fc.array(noGrant, { maxLength: 10 }),
        async (jurisdiction, ops) => {
          const { manager, clock } = setup({ jurisdiction });
          await apply(manager, (ms) => clock.advance(ms), ops);
          const verdict = manager.decide({
            subject: 's',
            purpose: 'personalization.health',
            dataCategories: ['user.health.conditions'],
          });
          expect(verdict.allowed).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('in California GPC opts out of sale/share and targeted ads unless a confirmed grant follows it', async () => {
    const noConfirmed = opArb.filter(
      (op) => !(op.op === 'grant' && op.confirmed) && op.op !== 'gpc',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 8 }),
        fc.array(noConfirmed, { maxLength: 10 }),
        fc.boolean(),
        async (before, after, confirmAtEnd) => {
          const { manager, clock } = setup({ jurisdiction: 'US-CA' });
          await apply(manager, (ms) => clock.advance(ms), before);
          // A fresh signal (a GPC that stays on does not re-record, so a confirmed grant made
          // after it keeps standing).
          await manager.observeGpc({ subject: 's', gpc: false });
          expect(await manager.observeGpc({ subject: 's', gpc: true })).not.toBeNull();
          const signalAt = clock.now();
          await apply(manager, (ms) => clock.advance(ms), after);
          const ads = {
            subject: 's',
            purpose: 'ads.targeted',
            dataCategories: ['user.behavior'],
          } as const;
          const verdict = manager.decide(ads);
          expect(verdict.allowed).toBe(false);
          if (verdict.status !== 'objected') expect(verdict.reasons[0]?.code).toBe('gpc_opt_out');
          if (confirmAtEnd) {
            // A confirmed grant dated before the signal, delivered after it, does not confirm.
            clock.advance(duration.hour);
            const early = { subject: 's', purposes: 'ads.targeted', confirmed: true } as const;
            await manager.grant({ ...early, at: signalAt - 1 });
            expect(manager.decide(ads).allowed).toBe(false);
            await manager.grant({ subject: 's', purposes: 'ads.targeted', confirmed: true });
            // A confirmed explicit grant after the signal wins (an objection would still block).
            const objected = manager.decide(ads).status === 'objected';
            expect(manager.decide(ads).allowed).toBe(!objected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('after a US opt-out, does not re-ask for 12 months whatever happens to notices or expiry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<TestPurpose>(
          'personalization.health',
          'ads.targeted',
          'analytics.measurement',
        ),
        fc.constantFrom('refuse' as const, 'withdraw' as const),
        fc.integer({ min: 1, max: 364 }),
        fc.option(fc.integer({ min: 1, max: 364 }), { nil: undefined }),
        fc.integer({ min: 0, max: 364 }),
        async (purpose, how, expiresInDays, noticeDay, waitDays) => {
          const start = Date.parse('2026-05-01T09:00:00Z');
          const notices = [
            {
              id: 'n',
              version: '1',
              language: 'en',
              effectiveAt: 0,
              material: true,
              purposes: [purpose],
              content: 'v1',
            },
            ...(noticeDay === undefined
              ? []
              : [
                  {
                    id: 'n',
                    version: '2',
                    language: 'en',
                    effectiveAt: start + noticeDay * duration.day,
                    material: true,
                    purposes: [purpose],
                    content: 'v2',
                  },
                ]),
          ];
          const { manager, clock } = setup({ jurisdiction: 'US-CA', notices });
          const input = {
            subject: 's',
            purposes: purpose,
            expiresAt: start + expiresInDays * duration.day,
          };
          await (how === 'refuse' ? manager.refuse(input) : manager.withdraw(input));
          clock.advance(waitDays * duration.day);
          expect(manager.needsPrompt('s').map((n) => n.purpose)).not.toContain(purpose);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fails closed on undeclared purposes and categories', async () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    const dotted = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));
    const { manager } = setup({ jurisdiction: 'US-CA' });
    await manager.grant({ subject: 's', purposes: consentPurposes });
    fc.assert(
      fc.property(dotted, dotted, fc.constantFrom(...purposes.ids), (purpose, category, known) => {
        if (!purposes.has(purpose)) {
          expect(manager.gate.decide({ subject: 's', purpose, dataCategories: [] }).allowed).toBe(
            false,
          );
        }
        const declared = categoriesOf(known).some(
          (c) => category === c || category.startsWith(`${c}.`),
        );
        if (!declared) {
          const verdict = manager.decide({
            subject: 's',
            purpose: known,
            dataCategories: [category],
          });
          expect(verdict.allowed).toBe(false);
          expect(verdict.reasons[0]).toMatchObject({
            code: 'category_not_declared',
            dataCategory: category,
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('time travel: the verdict at a past instant equals replaying only what happened by then', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...jurisdictions),
        fc.array(opArb, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 11 }),
        async (jurisdiction, ops, cut) => {
          const keys = () => {
            let n = 0;
            return () => `key-${n++}`;
          };
          const a = setup({ jurisdiction, generateKey: keys() });
          await apply(a.manager, (ms) => a.clock.advance(ms), ops.slice(0, cut));
          const at = a.clock.now();
          const b = setup({ jurisdiction, generateKey: keys() });
          await apply(b.manager, (ms) => b.clock.advance(ms), ops.slice(0, cut));
          // Later events happen strictly after `at`.
          b.clock.advance(1);
          await apply(b.manager, (ms) => b.clock.advance(ms), ops.slice(cut));
          for (const purpose of purposes.ids) {
            const query = { subject: 's', purpose, dataCategories: categoriesOf(purpose) };
            expect(b.manager.decide({ ...query, at })).toEqual(a.manager.decide({ ...query, at }));
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
