import { describe, expectTypeOf, it } from 'vitest';
import {
  type ClientVerdict,
  type ConsentChoice,
  type ConsentClient,
  type ConsentModeState,
  createConsentClient,
} from './client';

type Purpose = 'marketing.email' | 'analytics.measurement';
const send = async (choice: ConsentChoice<Purpose>) => ({ key: choice.key });

describe('the thin client is typed by its purposes', () => {
  it('accepts only declared purposes once they are given', () => {
    const client = createConsentClient<Purpose>({ send });
    expectTypeOf(client).toEqualTypeOf<ConsentClient<Purpose>>();
    expectTypeOf(client.decide({ purpose: 'marketing.email' })).toEqualTypeOf<ClientVerdict>();
    expectTypeOf(client.has('analytics.measurement', ['user.behavior'])).toEqualTypeOf<boolean>();
    // @ts-expect-error a misspelt purpose
    client.has('marketing.emial');
    // @ts-expect-error a misspelt purpose
    void client.withdraw('analytics');
    // @ts-expect-error the client makes grants, refusals and withdrawals (an objection is posted)
    void client.object?.('marketing.email');
    // @ts-expect-error the method of a choice is the banner or the preference centre
    void client.grant('marketing.email', { method: 'api' });
    expectTypeOf(client.consentMode()).toEqualTypeOf<ConsentModeState>();
    expectTypeOf(client.pending).toEqualTypeOf<readonly ConsentChoice<Purpose>[]>();
  });

  it('takes any purpose string without them, and needs a send', () => {
    const client = createConsentClient({ send: async () => ({}) });
    expectTypeOf(client.has).parameter(0).toEqualTypeOf<string>();
    // @ts-expect-error send is required
    createConsentClient({ load: async () => ({}) });
  });
});
