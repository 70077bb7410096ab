import { createVirtualClock, isCandorError } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { purposes } from '../test/fixtures';
import { createConsentManager } from './manager';
import { policyPacks, validatePolicyPack } from './policy';

// Context categories a policy pack treats as not personal need no consent: a decision that uses
// only them is allowed whatever the customer chose; one personal category and it is asked as usual.

const START = Date.parse('2026-05-01T09:00:00Z');
const purpose = 'ads.targeted';

async function refusedCustomer(policies = [policyPacks.eu]) {
  const manager = createConsentManager({
    purposes,
    clock: createVirtualClock(START),
    jurisdiction: 'FR',
    policies,
  });
  await manager.refuse({ subject: 's', purposes: purpose });
  return manager;
}

describe('context categories under a policy pack', () => {
  it('allows a decision using only context a refusing customer', async () => {
    const manager = await refusedCustomer();
    const ask = (dataCategories: string[]) =>
      manager.decide({ subject: 's', purpose, dataCategories });
    expect(ask(['user.behavior']).allowed).toBe(false);
    const weather = ask(['context.weather', 'context.region.country']);
    expect(weather).toMatchObject({ allowed: true, status: 'not_required', basis: null });
    expect(weather.reasons[0]?.code).toBe('not_personal');
    // The same question again (a settled shape is never the context one), then a personal one.
    expect(ask(['context.weather', 'context.region.country']).allowed).toBe(true);
    expect(ask(['user.behavior']).allowed).toBe(false);
    expect(ask(['context.weather', 'user.behavior']).allowed).toBe(false);
    expect(ask(['user.behavior', 'context.weather']).allowed).toBe(false);
  });

  it('never lets context alone reach a customer who said no to direct marketing', async () => {
    const manager = createConsentManager({
      purposes,
      clock: createVirtualClock(START),
      jurisdiction: 'FR',
    });
    await manager.refuse({ subject: 's', purposes: 'marketing.email' });
    await manager.object({ subject: 's', purposes: 'marketing.direct_li' });
    for (const purpose of ['marketing.email', 'marketing.direct_li', 'marketing'] as const) {
      const verdict = manager.decide({
        subject: 's',
        purpose,
        dataCategories: ['context.weather'],
      });
      expect(verdict.allowed).toBe(false);
      expect(verdict.reasons.map((r) => r.code)).not.toContain('not_personal');
    }
  });

  it('needs no purpose to declare context that every pack treats as not personal', async () => {
    const ask = (manager: ReturnType<typeof createConsentManager>) =>
      manager.decide({
        subject: 's',
        purpose: 'service.proactive_support',
        dataCategories: ['user.travel.itinerary', 'context.weather'],
      });
    const everywhere = createConsentManager({ purposes, jurisdiction: 'FR' });
    await everywhere.grant({ subject: 's', purposes: 'service.proactive_support' });
    expect(ask(everywhere)).toMatchObject({ allowed: true, status: 'granted' });
    // One pack the manager may apply treats it as personal: the purpose must declare it.
    const { notPersonal: _, ...personal } = policyPacks.usCa;
    const somewhere = createConsentManager({
      purposes,
      jurisdiction: 'FR',
      policies: [policyPacks.eu, personal],
    });
    await somewhere.grant({ subject: 's', purposes: 'service.proactive_support' });
    expect(ask(somewhere).allowed).toBe(false);
    expect(ask(somewhere).reasons[0]?.code).toBe('category_not_declared');
  });

  it('asks as usual when the pack does not treat context as not personal', async () => {
    const { notPersonal: _, ...personal } = policyPacks.eu;
    const manager = await refusedCustomer([personal]);
    const verdict = manager.decide({ subject: 's', purpose, dataCategories: ['context.weather'] });
    expect(verdict.allowed).toBe(false);
    expect(verdict.reasons.map((r) => r.code)).not.toContain('not_personal');
  });

  it('a made-up context category is not context', async () => {
    const manager = await refusedCustomer();
    const verdict = manager.decide({ subject: 's', purpose, dataCategories: ['context.mood'] });
    expect(verdict.allowed).toBe(false);
  });

  it('a pack may only list context categories as not personal, naming the bad one', () => {
    try {
      validatePolicyPack({ ...policyPacks.eu, notPersonal: ['context.time', 'user.contact'] });
      expect.unreachable();
    } catch (error) {
      expect(isCandorError(error, 'consent/invalid_policy')).toBe(true);
      expect((error as { details: { path: string } }).details.path).toBe('policy.notPersonal[1]');
    }
  });

  it('property: allowed without consent exactly when every category is context', async () => {
    const manager = await refusedCustomer();
    const category = fc.constantFrom(
      'context.time',
      'context.weather',
      'context.region',
      'context.device.class',
      'user.behavior',
      'user.behavior.returns',
      'user.location.approximate',
    );
    fc.assert(
      fc.property(fc.array(category, { minLength: 1, maxLength: 4 }), (dataCategories) => {
        const verdict = manager.decide({ subject: 's', purpose, dataCategories });
        const contextOnly = dataCategories.every((c) => c.startsWith('context.'));
        expect(verdict.allowed).toBe(contextOnly);
        expect(verdict.reasons[0]?.code === 'not_personal').toBe(contextOnly);
      }),
    );
  });
});
