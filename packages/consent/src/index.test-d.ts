import type { ConsentGate, ConsentVerdict } from '@candor/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type ConsentManager,
  createConsentManager,
  definePurposes,
  type PromptNeed,
  type PurposeRegistry,
} from './index';

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
