import type { ConsentGate, ConsentVerdict } from '@candor/core';
import { describe, expectTypeOf, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  type ChangeDetails,
  type ChangeInput,
  type ConsentChoice,
  type ConsentChoiceResult,
  type ConsentEvent,
  type ConsentManager,
  type ConsentSnapshot,
  createConsentManager,
  definePurposes,
  type GrantInput,
  type ImportRecord,
  type LedgerEntry,
  type NoticeDefinition,
  type PolicyPack,
  type PromptNeed,
  type PurposeDefinition,
  type PurposeRegistry,
  policyPacks,
  validatePolicyPack,
} from './index';
import type * as schema from './schema';

const purposes = definePurposes({
  'marketing.email': { title: 'Emails', bases: ['consent'], categories: ['user.contact.email'] },
  'analytics.measurement': { title: 'Measurement', bases: ['consent'], categories: [] },
});
const manager = createConsentManager({ purposes });

describe('purpose ids are literal types', () => {
  it('infers the registry’s purpose union', () => {
    expectTypeOf(purposes).toEqualTypeOf<
      PurposeRegistry<'marketing.email' | 'analytics.measurement'>
    >();
    expectTypeOf(manager).toEqualTypeOf<
      ConsentManager<'marketing.email' | 'analytics.measurement'>
    >();
  });

  it('makes a misspelt purpose a compile error in every write and in decide()', () => {
    // @ts-expect-error misspelt purpose
    void manager.grant({ subject: 's', purposes: 'marketing.emial' });
    // @ts-expect-error misspelt purpose in a list
    void manager.withdraw({ subject: 's', purposes: ['marketing.email', 'analytics'] });
    // @ts-expect-error misspelt purpose
    void manager.refuse({ subject: 's', purposes: 'marketing' });
    // @ts-expect-error misspelt purpose
    void manager.object({ subject: 's', purposes: 'marketing.sms' });
    // @ts-expect-error misspelt purpose
    manager.decide({ subject: 's', purpose: 'marketing.emails', dataCategories: [] });
    void manager.grant({ subject: 's', purposes: ['marketing.email', 'analytics.measurement'] });
    expectTypeOf(
      manager.decide({ subject: 's', purpose: 'marketing.email', dataCategories: [] }),
    ).toEqualTypeOf<ConsentVerdict>();
  });

  it('takes data categories on choices, never on writes about whole purposes', () => {
    const only = { dataCategories: ['user.contact.email'] } as const;
    void manager.withdraw({ subject: 's', purposes: 'marketing.email', ...only });
    void manager.grant({ subject: 's', purposes: 'marketing.email', ...only });
    void manager.refuse({ subject: 's', purposes: 'marketing.email', ...only });
    void manager.object({ subject: 's', purposes: 'marketing.email', ...only });
    void manager.revoke({
      subject: 's',
      purposes: 'marketing.email',
      // @ts-expect-error a revocation is about whole purposes
      dataCategories: ['user.contact.email'],
    });
    void manager.renew({
      subject: 's',
      purposes: 'marketing.email',
      // @ts-expect-error a renewal is about whole purposes
      dataCategories: ['user.contact.email'],
    });
    expectTypeOf<PromptNeed<'marketing.email'>['dataCategories']>().toEqualTypeOf<
      readonly string[] | undefined
    >();
  });

  it('checks notice purposes against the registry', () => {
    createConsentManager({
      purposes,
      notices: [
        {
          id: 'n',
          version: '1',
          language: 'en',
          effectiveAt: 0,
          material: true,
          // @ts-expect-error misspelt purpose in a notice
          purposes: ['marketing.emial'],
          content: 'x',
        },
      ],
    });
  });

  it('is a ConsentGate, and needsPrompt speaks the registry’s ids', () => {
    expectTypeOf(manager).toExtend<ConsentGate>();
    expectTypeOf(manager.gate).toEqualTypeOf<Required<ConsentGate>>();
    expectTypeOf(manager.needsPrompt('s')).toEqualTypeOf<
      PromptNeed<'marketing.email' | 'analytics.measurement'>[]
    >();
  });
});

describe('a misspelt field is a compile error', () => {
  it('in a purpose definition and in definePurposes’ options', () => {
    definePurposes({
      // @ts-expect-error `expiresin` is not a field (the grant would never expire)
      'a.b': { title: 'A', bases: ['consent'], categories: [], expiresin: 1 },
    });
    // @ts-expect-error `sensitiveCategory` is not an option
    definePurposes({}, { sensitiveCategory: ['user.kids'] });
    // The ids are still inferred as literals.
    expectTypeOf(
      definePurposes({ 'a.b': { title: 'A', bases: ['consent'], categories: [], expiresIn: 1 } }),
    ).toEqualTypeOf<PurposeRegistry<'a.b'>>();
  });

  it('in notices, policy packs and the manager’s options', () => {
    const notice = { id: 'n', version: '1', language: 'en', effectiveAt: 0, content: 'x' };
    createConsentManager({
      purposes,
      // @ts-expect-error `materal` is not a field
      notices: [{ ...notice, material: true, purposes: ['marketing.email'], materal: true }],
    });
    // @ts-expect-error `gpcScop` is not a field
    createConsentManager({ purposes, policies: [{ ...policyPacks.strict, gpcScop: [] }] });
    // @ts-expect-error `gpcScop` is not a field
    validatePolicyPack({ ...policyPacks.strict, gpcScop: [] });
    // @ts-expect-error `jurisidction` is not an option
    createConsentManager({ purposes, jurisidction: 'FR' });
  });

  it('in every write', () => {
    // @ts-expect-error `mehtod` is not a field
    void manager.grant({ subject: 's', purposes: 'marketing.email', mehtod: 'banner' });
    // @ts-expect-error `confirmed` is a grant's alone
    void manager.withdraw({ subject: 's', purposes: 'marketing.email', confirmed: true });
    // @ts-expect-error a GPC signal is given under no notice
    void manager.observeGpc({ subject: 's', gpc: true, notice: { id: 'n' } });
    // @ts-expect-error `gpcc` is not a field
    void manager.import([{ subject: 's', kind: 'signal_observed', gpcc: true }]);
  });
});

/**
 * A type as plain data: no `readonly`, and an optional field never `undefined` (zod writes
 * `field?: T | undefined`; the hand types, under `exactOptionalPropertyTypes`, `field?: T`).
 */
type Plain<T> = T extends readonly (infer U)[]
  ? Plain<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Plain<Exclude<T[K], undefined>> }
    : T;
/** What a schema accepts, as plain data. */
type Input<S extends z.ZodMiniType> = Plain<z.input<S>>;

describe('each public input type is its schema’s type (schema.ts)', () => {
  // Equal as plain data: the same fields, each as optional and of the same type, so each is
  // assignable to the other (readonly aside) and neither has a field the other lacks.
  it('field for field', () => {
    expectTypeOf<Plain<PurposeDefinition>>().toEqualTypeOf<
      Input<typeof schema.PurposeDefinition>
    >();
    expectTypeOf<Plain<NoticeDefinition>>().toEqualTypeOf<Input<typeof schema.NoticeDefinition>>();
    expectTypeOf<Plain<PolicyPack>>().toEqualTypeOf<Input<typeof schema.PolicyPack>>();
    expectTypeOf<Plain<ConsentEvent>>().toEqualTypeOf<Input<typeof schema.ConsentEvent>>();
    expectTypeOf<Plain<LedgerEntry>>().toEqualTypeOf<Input<typeof schema.LedgerEntry>>();
    expectTypeOf<Plain<ChangeDetails>>().toEqualTypeOf<Input<typeof schema.ChangeDetails>>();
    expectTypeOf<Plain<ChangeInput<string>>>().toEqualTypeOf<Input<typeof schema.ChangeInput>>();
    expectTypeOf<Plain<GrantInput<string>>>().toEqualTypeOf<Input<typeof schema.GrantInput>>();
    expectTypeOf<Plain<ImportRecord<string>>>().toEqualTypeOf<Input<typeof schema.ImportRecord>>();
    expectTypeOf<Plain<ConsentSnapshot>>().toEqualTypeOf<Input<typeof schema.ConsentSnapshot>>();
    expectTypeOf<Plain<ConsentChoice>>().toEqualTypeOf<Input<typeof schema.ConsentChoice>>();
    expectTypeOf<Plain<ConsentChoiceResult>>().toEqualTypeOf<
      Input<typeof schema.ConsentChoiceResult>
    >();
    // What a schema accepts, the hand type accepts as it is (readonly takes mutable).
    expectTypeOf<Plain<z.input<typeof schema.PurposeDefinition>>>().toExtend<PurposeDefinition>();
  });

  it('so a drift is a compile error', () => {
    type Drifted = Omit<PurposeDefinition, 'expiresIn'> & { readonly expiresin?: number };
    // @ts-expect-error a renamed optional field
    expectTypeOf<Plain<Drifted>>().toEqualTypeOf<Input<typeof schema.PurposeDefinition>>();
    type Looser = Omit<PolicyPack, 'model'> & { readonly model: string };
    // @ts-expect-error a wider field
    expectTypeOf<Plain<Looser>>().toEqualTypeOf<Input<typeof schema.PolicyPack>>();
    type Optional = Omit<NoticeDefinition, 'material'> & { readonly material?: boolean };
    // @ts-expect-error a required field made optional
    expectTypeOf<Plain<Optional>>().toEqualTypeOf<Input<typeof schema.NoticeDefinition>>();
  });
});

describe('value exchange types', () => {
  it('a grant may name an offer; a benefit has plain words and optional terms', () => {
    expectTypeOf<import('./index').GrantInput<'a'>['offer']>().toEqualTypeOf<
      { readonly id: string; readonly version?: string } | undefined
    >();
    expectTypeOf<import('./index').ConsentEvent['offer']>().toEqualTypeOf<
      import('./index').OfferRef | undefined
    >();
    const benefit: import('./index').Benefit = {
      text: '10% off',
      terms: { kind: 'discount', percent: 10 },
    };
    void benefit;
    // @ts-expect-error a discount is in percent
    const wrong: import('./index').BenefitTerms = { kind: 'discount', amount: 10 };
    void wrong;
  });
});
