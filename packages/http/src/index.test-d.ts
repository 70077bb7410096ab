import { createConsentManager, definePurposes } from '@candor/consent';
import { describe, expectTypeOf, it } from 'vitest';
import { createPrivacyApi, type HttpErrorBody, type PrivacyApi } from './index';
import { toNodeListener } from './node';

const purposes = definePurposes({
  'marketing.email': { title: 'Emails', bases: ['consent'], categories: ['user.contact.email'] },
});
const consent = createConsentManager({ purposes });

describe('types', () => {
  it('needs the app’s authenticate hook and a consent manager', () => {
    expectTypeOf(
      createPrivacyApi({ consent, authenticate: () => 'cus_1' }),
    ).toEqualTypeOf<PrivacyApi>();
    // @ts-expect-error authenticate is required: the customer never comes from the request
    createPrivacyApi({ consent });
    // @ts-expect-error the hook answers a customer id or null, not a whole session
    createPrivacyApi({ consent, authenticate: () => ({ id: 'cus_1' }) });
  });

  it('is a Fetch handler that the Node adapter takes as is', () => {
    const api = createPrivacyApi({ consent, authenticate: async () => null });
    expectTypeOf(api.fetch).toEqualTypeOf<(request: Request) => Promise<Response>>();
    toNodeListener(api.fetch);
  });

  it('names every error code a response can carry', () => {
    expectTypeOf<HttpErrorBody['error']['code']>().toExtend<`http/${string}`>();
  });
});
