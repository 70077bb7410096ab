import {
  duration,
  type Fact,
  type Instant,
  type JsonValue,
  type ProvenanceKind,
} from '@candor/core';
import type { ExplainerOptions, FactRegistry } from '@candor/explain';
import { purposes } from './purposes';
import { ruleCopy } from './rules';
import type { CustomerView } from './service';

/**
 * The demo's world as data: customers, what the company knows about them (each fact with its
 * category and provenance), the proactive rules and the events the simulator can send.
 */

/** A profile fact, before it is attached to an event. */
export interface ProfileFact {
  readonly path: string;
  readonly category: string;
  readonly value: (now: Instant) => JsonValue;
  readonly source: string;
  readonly kind: ProvenanceKind;
  readonly party?: 'first' | 'third';
  /** When it was observed, in days before the event (default: at the event). */
  readonly observedDaysAgo?: number;
}

/** The consent a seeded customer starts with (recorded in the ledger at seed time). */
export interface SeedChoice {
  readonly purpose: string;
  readonly choice: 'given' | 'refused';
}

export interface SeedCustomer extends CustomerView {
  readonly timeZone: string;
  /** ISO 3166 code written on ledger events (`PT`, `FR`, `US-CA`). */
  readonly region: string;
  readonly choices: readonly SeedChoice[];
  readonly profile: readonly ProfileFact[];
}

const day = duration.day;

const card = (expiresInDays: number): ProfileFact[] => [
  {
    path: 'card.last4',
    category: 'user.financial.card',
    value: () => '4242',
    source: 'billing',
    kind: 'stated',
  },
  {
    path: 'card.expiresAt',
    category: 'user.financial.card',
    value: (now) => new Date(now + expiresInDays * day).toISOString(),
    source: 'billing',
    kind: 'stated',
  },
];
const subscription = (renewsInDays: number): ProfileFact[] => [
  {
    path: 'subscription.plan',
    category: 'user.financial.subscription',
    value: () => 'Candor Plus (yearly)',
    source: 'billing',
    kind: 'observed',
  },
  {
    path: 'subscription.renewsAt',
    category: 'user.financial.subscription',
    value: (now) => new Date(now + renewsInDays * day).toISOString(),
    source: 'billing',
    kind: 'observed',
  },
];
const home = (country: string): ProfileFact => ({
  path: 'account.homeCountry',
  category: 'user.location.approximate',
  value: () => country,
  source: 'account',
  kind: 'stated',
});
/** How the customer sent back their last return, and when. */
const lastReturn = (method: 'parcel_shop' | 'courier_pickup', daysAgo: number): ProfileFact => ({
  path: 'returns.lastMethod',
  category: 'user.behavior.returns',
  value: () => method,
  source: 'orders',
  kind: 'observed',
  observedDaysAgo: daysAgo,
});
const cares = (value: boolean): ProfileFact => ({
  path: 'preferences.sustainability',
  category: 'user.preferences.sustainability',
  value: () => value,
  source: 'preference_center',
  kind: 'stated',
});

/**
 * The trip every seeded customer has booked (Lisbon → Frankfurt → New York): the flight to
 * Frankfurt they are on, and the earlier one a storm rebooking moves them to.
 */
export const bookedTrip = {
  flight: 'flight LH 1167 at 16:40',
  earlier: 'flight LH 1165 at 14:05',
} as const;

export const customers: readonly SeedCustomer[] = [
  {
    id: 'cus_ana',
    name: 'Ana Sousa',
    jurisdiction: 'EU',
    region: 'PT',
    timeZone: 'Europe/Lisbon',
    gpc: false,
    story:
      'Lisbon. Said yes to proactive help, to automatic changes to her bookings and to personalization, and told us she cares about eco-friendly shipping. Flies through Frankfurt next week; her card expires before her yearly renewal.',
    choices: [
      { purpose: 'service.proactive_support', choice: 'given' },
      { purpose: 'service.automatic_changes', choice: 'given' },
      { purpose: 'service.diagnostics', choice: 'given' },
      { purpose: 'personalization.recommendations', choice: 'given' },
      { purpose: 'marketing.partners', choice: 'given' },
    ],
    profile: [
      home('PT'),
      cares(true),
      ...card(12),
      ...subscription(25),
      lastReturn('parcel_shop', 40),
    ],
  },
  {
    id: 'cus_ben',
    name: 'Ben Carter',
    jurisdiction: 'US-CA',
    region: 'US-CA',
    timeZone: 'America/Los_Angeles',
    gpc: true,
    story:
      'San Francisco. His browser sends Global Privacy Control, so nothing about him is sold or shared with partners, whatever else he allows. Returns shoes for size a lot.',
    choices: [
      { purpose: 'service.proactive_support', choice: 'given' },
      { purpose: 'personalization.recommendations', choice: 'given' },
    ],
    profile: [
      home('US'),
      cares(false),
      ...card(40),
      ...subscription(10),
      lastReturn('courier_pickup', 12),
    ],
  },
  {
    id: 'cus_chloe',
    name: 'Chloé Martin',
    jurisdiction: 'EU',
    region: 'FR',
    timeZone: 'Europe/Paris',
    gpc: false,
    story:
      'Lyon. Accepted proactive service messages but refused personalization: the sizing guide and the eco-shipping hint must never reach her.',
    choices: [
      { purpose: 'service.proactive_support', choice: 'given' },
      { purpose: 'personalization.recommendations', choice: 'refused' },
      { purpose: 'service.diagnostics', choice: 'refused' },
      { purpose: 'marketing.partners', choice: 'refused' },
    ],
    profile: [
      home('FR'),
      cares(true),
      ...card(5),
      ...subscription(30),
      lastReturn('parcel_shop', 70),
    ],
  },
];

/** A fact an event carries. */
export interface TemplateFact {
  readonly path: string;
  readonly category: string;
  readonly value: JsonValue;
  readonly source: string;
  readonly kind: ProvenanceKind;
  readonly party?: 'first' | 'third';
}

/** An event the simulator can send: its facts, built for one customer at one instant. */
export interface EventTemplate {
  readonly type: string;
  readonly label: string;
  readonly story: string;
  readonly facts: (now: Instant, customer: SeedCustomer) => readonly TemplateFact[];
  /** Profile facts (by path) the event carries along, for rules that compare against them. */
  readonly profile: readonly string[];
}

export const eventTemplates: readonly EventTemplate[] = [
  {
    type: 'txn.created',
    label: 'Card payment abroad (950 EUR)',
    story:
      'a large card payment in another country raises a suspicious-charge alert (fraud protection).',
    facts: () => [
      {
        path: 'txn.amount',
        category: 'user.financial.transactions',
        value: 950,
        source: 'payments',
        kind: 'observed',
      },
      {
        path: 'txn.merchant',
        category: 'user.financial.transactions',
        value: 'ELECTRO-MEGA Kyiv',
        source: 'payments',
        kind: 'observed',
      },
      {
        path: 'txn.country',
        category: 'user.financial.transactions',
        value: 'UA',
        source: 'payments',
        kind: 'observed',
      },
    ],
    profile: ['account.homeCountry'],
  },
  {
    type: 'flight.weather_risk',
    label: 'Storm at the connecting airport',
    story:
      'a storm threatens the short connection of a booked trip: offer a rebooking before the crowd does.',
    facts: (now) => [
      {
        path: 'trip.route',
        category: 'user.travel.itinerary',
        value: 'LIS → FRA → JFK',
        source: 'bookings',
        kind: 'stated',
      },
      {
        path: 'trip.connection.airport',
        category: 'user.travel.itinerary',
        value: 'FRA',
        source: 'bookings',
        kind: 'stated',
      },
      {
        path: 'trip.connection.layoverMinutes',
        category: 'user.travel.itinerary',
        value: 55,
        source: 'bookings',
        kind: 'stated',
      },
      {
        path: 'trip.departsAt',
        category: 'user.travel.itinerary',
        value: new Date(now + 2 * day).toISOString(),
        source: 'bookings',
        kind: 'stated',
      },
      {
        path: 'weather.risk',
        category: 'context.weather',
        value: 'severe',
        source: 'weather_service',
        kind: 'inferred',
        party: 'third',
      },
    ],
    profile: [],
  },
  {
    type: 'weather.alert',
    label: 'Storm warning for the Alps',
    story:
      'a storm is forecast in the Alps: customers who told us at checkout they are trekking there get a warning and a gear checklist.',
    facts: () => [
      {
        path: 'weather.region',
        category: 'context.weather',
        value: 'Alps',
        source: 'weather_service',
        kind: 'inferred',
        party: 'third',
      },
      {
        path: 'weather.severity',
        category: 'context.weather',
        value: 'severe',
        source: 'weather_service',
        kind: 'inferred',
        party: 'third',
      },
    ],
    profile: [],
  },
  {
    type: 'card.expiring',
    label: 'Card expiry check',
    story:
      'the card on file expires before the subscription renews: remind the customer to update it in time.',
    facts: () => [],
    profile: ['card.last4', 'card.expiresAt', 'subscription.plan', 'subscription.renewsAt'],
  },
  {
    type: 'order.returned',
    label: 'Order returned: wrong size',
    story: 'after a second return for size within 90 days, offer the sizing guide (send it twice).',
    facts: () => [
      {
        path: 'return.reason',
        category: 'user.behavior.returns',
        value: 'size',
        source: 'orders',
        kind: 'stated',
      },
      {
        path: 'return.item',
        category: 'user.behavior.returns',
        value: 'Trail runners, EU 42',
        source: 'orders',
        kind: 'observed',
      },
    ],
    profile: [],
  },
  {
    type: 'checkout.started',
    label: 'Checkout started',
    story:
      'highlight eco-friendly shipping for someone who said they care; someone who refused personalization hears only that low-emission delivery runs in their region.',
    facts: () => [
      {
        path: 'cart.items',
        category: 'user.behavior.purchase_history',
        value: 2,
        source: 'shop',
        kind: 'observed',
      },
      // Context, not personal data: the delivery network's coverage of the shop's region.
      {
        path: 'region.lowEmissionDelivery',
        category: 'context.region',
        value: true,
        source: 'delivery_network',
        kind: 'derived',
      },
    ],
    profile: ['preferences.sustainability'],
  },
  {
    type: 'flight.booked',
    label: 'Flight booked',
    story:
      'a partner travel-insurance offer, shared with a partner: never for customers who opted out (GPC).',
    facts: () => [
      {
        path: 'trip.route',
        category: 'user.travel.itinerary',
        value: 'LIS → FRA → JFK',
        source: 'bookings',
        kind: 'stated',
      },
    ],
    profile: [],
  },
  {
    type: 'order.placed',
    label: 'Order placed (promised to ship within a day)',
    story:
      'an order promised to leave the warehouse tomorrow: if the carrier has not scanned it 24 hours after that, the customer hears first, with a new estimate and a choice.',
    facts: (now) => [
      {
        path: 'order.id',
        category: 'user.orders',
        value: 'A-1042',
        source: 'orders',
        kind: 'observed',
      },
      {
        path: 'order.promisedHandoverAt',
        category: 'user.orders',
        value: new Date(now + day).toISOString(),
        source: 'orders',
        kind: 'observed',
      },
      {
        path: 'order.estimatedDeliveryAt',
        category: 'user.orders',
        value: new Date(now + 3 * day).toISOString(),
        source: 'orders',
        kind: 'observed',
      },
    ],
    profile: ['returns.lastMethod'],
  },
  {
    type: 'appliance.diagnostics',
    label: 'Washing machine reports rising drum vibration',
    story:
      'a connected washing machine reports drum vibration above the level at which its bearing usually fails, and rising: warn before it breaks, with a technician booking (only with consent to using diagnostics for service).',
    facts: () => [
      {
        path: 'appliance.name',
        category: 'user.device.diagnostics',
        value: 'washing machine',
        source: 'appliance',
        kind: 'observed',
      },
      {
        path: 'appliance.vibration',
        category: 'user.device.diagnostics',
        value: 7.8,
        source: 'appliance',
        kind: 'observed',
      },
      {
        path: 'appliance.vibrationWeekAgo',
        category: 'user.device.diagnostics',
        value: 5.9,
        source: 'appliance',
        kind: 'observed',
      },
    ],
    profile: [],
  },
  {
    type: 'carrier.scanned',
    label: 'Carrier scanned the order',
    story: 'the carrier picked the order up: the late-delivery message is no longer needed.',
    facts: () => [
      {
        path: 'order.id',
        category: 'user.orders',
        value: 'A-1042',
        source: 'carrier',
        kind: 'observed',
        party: 'third',
      },
    ],
    profile: [],
  },
];

/** Turns a template's facts and the customer's profile into core `Fact`s with provenance. */
export function buildFacts(
  template: EventTemplate,
  customer: SeedCustomer,
  eventId: string,
  now: Instant,
): Fact[] {
  const out: Fact[] = [];
  for (const f of template.facts(now, customer)) {
    out.push({
      id: `${eventId}:${f.path}`,
      path: f.path,
      category: f.category,
      value: f.value,
      provenance: { source: f.source, kind: f.kind, observedAt: now, party: f.party ?? 'first' },
    });
  }
  for (const path of template.profile) {
    const p = customer.profile.find((x) => x.path === path);
    if (!p) continue;
    out.push({
      id: `${eventId}:${p.path}`,
      path: p.path,
      category: p.category,
      value: p.value(now),
      provenance: {
        source: p.source,
        kind: p.kind,
        observedAt: now - (p.observedDaysAgo ?? 0) * day,
        party: p.party ?? 'first',
      },
    });
  }
  return out;
}

/**
 * What each fact is, in the customer's words, and how to show its values: the explainer names a
 * fact by its label ("the payment amount") and falls back to its data category only without one.
 * Paths are the facts' paths; a windowed count is named as `@candor/rules` labels it.
 */
export const factDescriptions: FactRegistry = {
  'txn.amount': {
    label: { en: 'the payment amount', de: 'die Höhe der Zahlung' },
    format: 'money',
    currency: 'EUR',
  },
  'txn.merchant': { label: { en: 'the shop you paid', de: 'das Geschäft der Zahlung' } },
  'txn.country': {
    label: { en: 'the country of the payment', de: 'das Land der Zahlung' },
    format: 'country',
  },
  'account.homeCountry': {
    label: { en: 'your home country', de: 'Ihr Heimatland' },
    format: 'country',
  },
  'trip.route': { label: { en: 'your route', de: 'Ihre Reiseroute' } },
  'trip.connection.airport': {
    label: { en: 'your connecting airport', de: 'Ihr Umsteigeflughafen' },
    values: { FRA: { en: 'Frankfurt', de: 'Frankfurt am Main' } },
  },
  'trip.connection.layoverMinutes': {
    label: { en: 'your time to change planes', de: 'Ihre Umsteigezeit' },
    format: 'duration',
    unit: 'minute',
  },
  'appliance.vibration': {
    label: {
      en: 'the drum vibration your washing machine measured',
      de: 'die Trommelvibration, die Ihre Waschmaschine gemessen hat',
    },
    format: 'number',
    unit: 'millimeter-per-second',
    correctable: false,
  },
  'appliance.vibrationWeekAgo': {
    label: {
      en: 'the drum vibration it measured a week before',
      de: 'die Trommelvibration, die sie eine Woche zuvor gemessen hat',
    },
    format: 'number',
    unit: 'millimeter-per-second',
    correctable: false,
  },
  'trip.departsAt': {
    label: { en: 'your departure time', de: 'Ihre Abflugzeit' },
    format: 'datetime',
  },
  // A forecast from a weather service: context for the trip, not something the customer told us.
  'weather.risk': {
    label: {
      en: 'the storm risk at your connecting airport',
      de: 'die Sturmgefahr beim Umsteigen',
    },
    values: {
      low: { en: 'low', de: 'gering' },
      high: { en: 'high', de: 'hoch' },
      severe: { en: 'severe', de: 'sehr hoch' },
    },
    correctable: false,
  },
  'weather.region': {
    label: { en: 'the region of the storm warning', de: 'die Region der Sturmwarnung' },
    values: { Alps: { en: 'the Alps', de: 'die Alpen' } },
    correctable: false,
  },
  'weather.severity': {
    label: { en: 'the forecast storm risk', de: 'die vorhergesagte Sturmgefahr' },
    values: {
      high: { en: 'high', de: 'hoch' },
      severe: { en: 'severe', de: 'sehr hoch' },
    },
    correctable: false,
  },
  'region.lowEmissionDelivery': {
    label: {
      en: 'low-emission delivery in your region',
      de: 'die emissionsarme Lieferung in Ihrer Region',
    },
    correctable: false,
  },
  'order.id': { label: { en: 'your order number', de: 'Ihre Bestellnummer' } },
  'returns.lastMethod': {
    label: {
      en: 'the way you sent back your last return',
      de: 'wie Sie Ihre letzte Rücksendung zurückgeschickt haben',
    },
    values: {
      parcel_shop: { en: 'a drop-off at a parcel shop', de: 'Abgabe in einem Paketshop' },
      courier_pickup: { en: 'a courier pick-up at home', de: 'Abholung zu Hause' },
    },
  },
  'order.promisedHandoverAt': {
    label: {
      en: 'the time we promised to hand your order to the carrier',
      de: 'der zugesagte Zeitpunkt der Übergabe an den Paketdienst',
    },
    format: 'datetime',
  },
  'order.estimatedDeliveryAt': {
    label: { en: 'the delivery date we gave you', de: 'das angekündigte Lieferdatum' },
    format: 'date',
  },
  // What the customer told us at checkout, recalled from @candor/memory with its provenance.
  'purchase.statedReason': {
    label: { en: 'the reason you gave at checkout', de: 'Ihre Angabe beim Bezahlen' },
  },
  'card.last4': {
    label: { en: 'the last four digits of your card', de: 'die letzten vier Ziffern Ihrer Karte' },
  },
  'card.expiresAt': {
    label: { en: 'your card’s expiry date', de: 'das Ablaufdatum Ihrer Karte' },
    format: 'date',
  },
  'subscription.plan': { label: { en: 'your plan', de: 'Ihr Abo' } },
  'subscription.renewsAt': {
    label: { en: 'your plan’s renewal date', de: 'die Verlängerung Ihres Abos' },
    format: 'date',
  },
  'return.reason': {
    label: { en: 'the reason you gave for your return', de: 'Ihre Angabe zum Rücksendegrund' },
    values: { size: { en: '“wrong size”', de: '„falsche Größe“' } },
  },
  'return.item': { label: { en: 'the item you returned', de: 'die zurückgesandte Ware' } },
  'count(order.returned, 90d)': {
    label: {
      en: 'the number of your returns for size in the last 90 days',
      de: 'die Zahl Ihrer Rücksendungen wegen der Größe in den letzten 90 Tagen',
    },
    format: 'number',
  },
  'cart.items': {
    label: { en: 'the number of items in your cart', de: 'die Zahl der Artikel im Warenkorb' },
    format: 'number',
  },
  'preferences.sustainability': {
    label: { en: 'your setting for eco-friendly shipping', de: 'Ihre Einstellung zum Öko-Versand' },
    format: 'boolean',
    values: { true: { en: 'on', de: 'an' }, false: { en: 'off', de: 'aus' } },
  },
};

/** Names for the demo's own categories, purposes, topics and sources (English, as the demo is). */
export const categoryLabels: Readonly<Record<string, string>> = {
  'user.financial.subscription': 'your subscription',
  'user.preferences': 'preferences you told us',
  'user.preferences.sustainability': 'your stated interest in sustainability',
  'user.behavior.purchase_reason': 'the reasons you gave for a purchase',
  'user.support': 'your complaints and support cases',
  'user.orders': 'your orders',
  'user.device.diagnostics': 'diagnostic data from your appliances',
};
export const topicLabels: Readonly<Record<string, string>> = {
  security: 'account security',
  'security.suspicious_charge': 'suspicious payments',
  travel: 'travel',
  'travel.disruption': 'travel disruptions',
  'travel.trek_safety': 'safety on your trek',
  billing: 'billing',
  'billing.card_expiry': 'your card expiring',
  shopping: 'shopping',
  'shopping.sizing': 'sizing help',
  'shopping.shipping': 'shipping options',
  'shopping.delivery': 'deliveries of your orders',
  'shopping.orders': 'your order confirmations',
  service: 'service',
  'service.appliance_health': 'the health of your appliances',
  offers: 'offers',
  'offers.partners': 'partner offers',
};
export const sourceLabels: Readonly<Record<string, string>> = {
  payments: 'our payment system',
  bookings: 'your bookings',
  weather_service: 'a weather service',
  delivery_network: 'our delivery network',
  billing: 'your billing details',
  orders: 'your orders',
  shop: 'our shop',
  account: 'your account',
  preference_center: 'what you told us in your preferences',
  customer_correction: 'a correction you asked us to make',
  checkout: 'our checkout page',
  support: 'our support team',
  'candor.rules': 'our rules',
  appliance: 'your washing machine',
};
/** Rules by their plain titles, for the detailed explanation's "decided by". */
export const ruleLabels: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ruleCopy).map(([id, copy]) => [id, copy.title]),
);

/** Everything the demo tells its explainer about names: facts and labels. */
export const explainerLabels = {
  facts: factDescriptions,
  messages: {
    en: {
      labels: {
        categories: categoryLabels,
        purposes: {
          'marketing.partners': 'offers from our travel partners',
          'service.automatic_changes': 'automatic changes to your bookings',
          'service.diagnostics': 'using your appliances’ diagnostic data for service',
          'service.support': 'helping you when you contact us',
        },
        topics: topicLabels,
        sources: sourceLabels,
        rules: ruleLabels,
        changes: { 'booking.rebook': 'moved you to an earlier flight' },
        events: { 'carrier.scanned': 'carrier scan', 'flight.booked': 'flight booking' },
        // "You share X, you get Y": each purpose's benefit, in the customer's words.
        benefits: Object.fromEntries(
          purposes.ids.flatMap((id) => {
            const text = purposes.get(id)?.benefit?.text;
            return text === undefined ? [] : [[id, text]];
          }),
        ),
      },
    },
  },
} satisfies Pick<ExplainerOptions, 'facts' | 'messages'>;
