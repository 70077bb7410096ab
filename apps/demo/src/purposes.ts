import { definePurposes, type NoticeDefinition } from '@candor/consent';
import { duration } from '@candor/core';

/** The purposes the demo company processes data for, in plain language. */
export const purposes = definePurposes({
  'service.fraud_protection': {
    title: 'Protecting you from fraud',
    description:
      'We watch card payments for signs of fraud and alert you at once when something looks wrong. We rely on our legitimate interest in keeping your account safe; you can object.',
    bases: ['legitimate_interest'],
    categories: ['user.financial.transactions', 'user.location.approximate'],
    tags: ['security'],
  },
  'service.proactive_support': {
    title: 'Proactive help with your trips, orders and subscription',
    description:
      'We tell you before something goes wrong: a storm threatening a connection, an order running late, a card that will expire before your renewal. Only with your consent.',
    bases: ['consent'],
    categories: [
      'user.travel.itinerary',
      'user.orders',
      'user.financial.card',
      'user.financial.subscription',
      'user.behavior.purchase_reason',
      // The weather forecast: context, not personal data (the policy packs say so).
      'context.weather',
    ],
    benefit: {
      text: 'a warning before a trip, an order or a renewal goes wrong, with a way out offered first',
      terms: { kind: 'service_level', level: 'proactive help' },
    },
    expiresIn: 365 * duration.day,
  },
  'service.automatic_changes': {
    title: 'Automatic changes to your bookings',
    description:
      'When a storm or a cancellation threatens your trip, we may move you to a better flight first and tell you right after, with one tap to undo it for four hours. Without this, we only offer the change. Only with your consent.',
    bases: ['consent'],
    categories: ['user.travel.itinerary'],
    expiresIn: 365 * duration.day,
  },
  'service.diagnostics': {
    title: 'Using your appliances’ diagnostic data for service',
    description:
      'Your connected appliances report how their parts are doing. With your consent we watch for signs that a part is about to fail and warn you before it breaks, with a technician booking.',
    bases: ['consent'],
    categories: ['user.device.diagnostics'],
    expiresIn: 365 * duration.day,
  },
  'service.support': {
    title: 'Helping you when you contact us',
    description:
      'When you contact us, our staff see your open complaints and support cases, problems we solved recently, and reasons you gave us, each with where it came from. We need this to serve you under our contract.',
    bases: ['contract'],
    categories: ['user.support', 'user.behavior.purchase_reason'],
  },
  'personalization.recommendations': {
    title: 'Tips based on what you do and tell us',
    description:
      'Suggestions such as a sizing guide after returns, or eco-friendly shipping if you told us you care. Only with your consent.',
    bases: ['consent'],
    categories: ['user.behavior', 'user.preferences'],
    benefit: {
      text: 'tips and shipping options that fit what you buy',
      terms: { kind: 'feature', feature: 'personal tips' },
    },
    tags: ['personalization'],
    expiresIn: 365 * duration.day,
  },
  'marketing.partners': {
    title: 'Offers from our travel partners',
    description:
      'We share your booked trip with a partner insurer so they can offer you cover. This is a "sharing" of personal information: Global Privacy Control opts you out.',
    bases: ['consent'],
    categories: ['user.travel.itinerary'],
    tags: ['sale_share', 'direct_marketing'],
    expiresIn: 365 * duration.day,
  },
});

export type DemoPurpose = (typeof purposes.ids)[number];

/** The privacy notice every choice is recorded under (its text is hashed into the ledger). */
export const notices: readonly NoticeDefinition<DemoPurpose>[] = [
  {
    id: 'privacy',
    version: '2026-01',
    language: 'en',
    effectiveAt: Date.parse('2026-01-01T00:00:00Z'),
    material: true,
    purposes: [...purposes.ids],
    content:
      'Candor Travel & Shop privacy notice, January 2026. We use your data for fraud protection (legitimate interest), proactive help with trips and billing (consent), automatic changes to your bookings when your trip is at risk (consent), service warnings from the diagnostic data of your appliances (consent), personalized tips (consent) and partner offers (consent, shared with partners). You can change any choice at any time in your privacy preferences.',
    url: '/transparency',
  },
];

/** Who is accountable, printed on every receipt. */
export const controller = {
  name: 'Candor Travel & Shop (demo)',
  contact: 'Privacy Office',
  email: 'privacy@candor.example',
  policyUrl: 'https://candor.example/privacy',
  service: 'Candor demo',
} as const;
