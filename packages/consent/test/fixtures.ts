import { createVirtualClock, duration } from '@candor/core';
import { createConsentManager } from '../src/manager';
import { definePurposes } from '../src/purposes';
import type { ConsentManagerOptions } from '../src/types';

/** The purposes every manager test uses. */
export const purposes = definePurposes({
  'service.fraud_protection': {
    title: 'Fraud protection',
    bases: ['legal_obligation'],
    necessary: true,
    categories: ['user.financial'],
  },
  'service.proactive_support': {
    title: 'Proactive support',
    bases: ['legitimate_interest', 'consent'],
    categories: ['user.financial.card', 'user.travel.itinerary', 'user.contact'],
  },
  marketing: {
    title: 'Marketing',
    bases: ['consent'],
    categories: ['user.contact'],
    tags: ['direct_marketing'],
  },
  'marketing.email': {
    title: 'Marketing emails',
    bases: ['consent'],
    categories: ['user.contact.email', 'user.behavior.purchase_history'],
    tags: ['direct_marketing'],
    expiresIn: 365 * duration.day,
    refusalExpiresIn: 180 * duration.day,
    consentMode: ['ad_user_data'],
  },
  'marketing.direct_li': {
    title: 'Offers by post',
    bases: ['legitimate_interest'],
    categories: ['user.contact.address'],
    tags: ['direct_marketing'],
  },
  'ads.targeted': {
    title: 'Targeted advertising',
    bases: ['consent'],
    categories: ['user.behavior', 'user.location'],
    tags: ['targeted_advertising', 'sale_share'],
    consentMode: ['ad_storage', 'ad_personalization'],
    tcf: [3, 4],
  },
  'analytics.measurement': {
    title: 'Measurement',
    bases: ['consent'],
    categories: ['user.behavior'],
    tags: ['analytics'],
    consentMode: ['analytics_storage'],
  },
  'personalization.health': {
    title: 'Health tips',
    bases: ['consent'],
    categories: ['user.health.conditions'],
  },
});

export type TestPurpose = (typeof purposes.ids)[number];

/** A manager on a virtual clock at 2026-05-01. */
export function setup(
  options: Partial<ConsentManagerOptions<TestPurpose>> = {},
  start = '2026-05-01T09:00:00Z',
) {
  const clock = createVirtualClock(start);
  const manager = createConsentManager({ purposes, clock, ...options });
  return { clock, manager };
}
