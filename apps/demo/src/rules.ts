import type { Rule } from '@candor/rules';

/** A change made for the customer before the message (a rule that acts, then tells). */
export interface MadeChange {
  /** What the booking was, and what it is now. */
  readonly from: string;
  readonly to: string;
  /** Until when the customer can undo it, in words. */
  readonly undoUntil: string;
}

/** Plain-language titles for the rule set and the messages each rule sends. */
export interface RuleCopy {
  readonly title: string;
  /** Choices the customer can make on the message, one button each (`id` → button label). */
  readonly choices?: Readonly<Record<string, { readonly label: string; readonly done: string }>>;
  /** A page of the customer's the message links to (`path` under `/customers/<id>/`). */
  readonly link?: { readonly text: string; readonly path: string };
  /** The message; `change` when the rule changed something for the customer first. */
  readonly message: (
    facts: ReadonlyMap<string, unknown>,
    change?: MadeChange,
  ) => { title: string; body: string };
}

const text = (facts: ReadonlyMap<string, unknown>, path: string, fallback = ''): string => {
  const v = facts.get(path);
  return v === undefined || v === null ? fallback : String(v);
};
const date = (facts: ReadonlyMap<string, unknown>, path: string): string =>
  text(facts, path).slice(0, 10);
/** The date a day after the instant in `path` (the delay so far), or '' without it. */
const dayLater = (facts: ReadonlyMap<string, unknown>, path: string): string => {
  const at = Date.parse(text(facts, path));
  return Number.isNaN(at) ? '' : new Date(at + 86_400_000).toISOString().slice(0, 10);
};

/** The proactive rules, as data: purpose and data categories are what the consent gate checks. */
export const demoRules: readonly Rule[] = [
  {
    id: 'suspicious-charge',
    version: 1,
    description: 'Alert on a large card payment made outside the home country.',
    purpose: 'service.fraud_protection',
    dataCategories: ['user.financial.transactions', 'user.location.approximate'],
    trigger: { type: 'event', events: ['txn.created'] },
    conditions: {
      all: [
        { fact: 'txn.amount', op: 'gt', value: 500 },
        { fact: 'txn.country', op: 'neq', value: { fact: 'account.homeCountry' } },
      ],
    },
    action: {
      type: 'notify',
      channel: 'push',
      topic: 'security.suspicious_charge',
      templateKey: 'suspicious-charge',
    },
    urgency: 'critical',
  },
  {
    id: 'storm-rebooking',
    version: 1,
    description:
      'When severe weather threatens a short connection, move a customer who allowed automatic changes to the earlier flight and tell them, with an undo for four hours; offer the rebooking to everyone else.',
    purpose: 'service.proactive_support',
    dataCategories: ['user.travel.itinerary', 'context.weather'],
    trigger: { type: 'event', events: ['flight.weather_risk'] },
    conditions: {
      all: [
        { fact: 'weather.risk', op: 'in', value: ['high', 'severe'] },
        { fact: 'trip.connection.layoverMinutes', op: 'lt', value: 120 },
      ],
    },
    action: {
      type: 'notify',
      channel: 'push',
      topic: 'travel.disruption',
      templateKey: 'storm-rebooking',
    },
    // Acts, then tells: only with the customer's permission for automatic changes.
    change: { type: 'booking.rebook', purpose: 'service.automatic_changes', undoWithin: '4h' },
    urgency: 'high',
    dedup: { key: '{subject}:{trip.route}', ttl: '1d' },
  },
  {
    id: 'trek-storm-warning',
    version: 1,
    description:
      'Warn a customer who told us why they bought their gear when a storm threatens that region, with a gear checklist.',
    purpose: 'service.proactive_support',
    dataCategories: ['user.behavior.purchase_reason', 'user.travel.itinerary', 'context.weather'],
    trigger: { type: 'event', events: ['weather.alert'] },
    conditions: {
      all: [
        { fact: 'weather.severity', op: 'in', value: ['high', 'severe'] },
        { fact: 'purchase.statedReason', op: 'contains', value: { fact: 'weather.region' } },
      ],
    },
    action: {
      type: 'notify',
      channel: 'email',
      topic: 'travel.trek_safety',
      templateKey: 'trek-storm-warning',
    },
    urgency: 'high',
    cooldown: '1d',
  },
  {
    id: 'card-expiry-renewal',
    version: 1,
    description:
      'Remind the customer when the card on file expires before the subscription renews.',
    purpose: 'service.proactive_support',
    dataCategories: ['user.financial.card', 'user.financial.subscription'],
    trigger: { type: 'event', events: ['card.expiring'] },
    conditions: { fact: 'card.expiresAt', op: 'before', value: { fact: 'subscription.renewsAt' } },
    action: {
      type: 'notify',
      channel: 'email',
      topic: 'billing.card_expiry',
      templateKey: 'card-expiry',
    },
    cooldown: '7d',
  },
  {
    id: 'sizing-guide',
    version: 1,
    description: 'Offer the sizing guide after a second return for size within 90 days.',
    purpose: 'personalization.recommendations',
    dataCategories: ['user.behavior.returns'],
    trigger: { type: 'event', events: ['order.returned'] },
    conditions: {
      all: [
        { fact: 'return.reason', op: 'eq', value: 'size' },
        {
          window: {
            event: 'order.returned',
            within: '90d',
            agg: 'count',
            where: { 'return.reason': 'size' },
          },
          category: 'user.behavior.returns',
          op: 'gte',
          value: 2,
        },
      ],
    },
    action: {
      type: 'notify',
      channel: 'in_app',
      topic: 'shopping.sizing',
      templateKey: 'sizing-guide',
    },
    cooldown: '30d',
  },
  {
    id: 'eco-shipping',
    version: 1,
    description: 'Highlight eco-friendly shipping at checkout for customers who said they care.',
    purpose: 'personalization.recommendations',
    dataCategories: ['user.preferences.sustainability', 'user.behavior.purchase_history'],
    trigger: { type: 'event', events: ['checkout.started'] },
    conditions: { fact: 'preferences.sustainability', op: 'eq', value: true },
    action: {
      type: 'notify',
      channel: 'in_app',
      topic: 'shopping.shipping',
      templateKey: 'eco-shipping',
    },
    // Refused personalization: only that low-emission delivery runs in the region, nothing personal.
    contextual: {
      dataCategories: ['context.region'],
      conditions: { fact: 'region.lowEmissionDelivery', op: 'eq', value: true },
      action: {
        type: 'notify',
        channel: 'in_app',
        topic: 'shopping.shipping',
        templateKey: 'eco-shipping-area',
      },
    },
  },
  {
    id: 'partner-insurance',
    version: 1,
    description: 'A travel-insurance offer from a partner, which means sharing the trip with them.',
    purpose: 'marketing.partners',
    dataCategories: ['user.travel.itinerary'],
    trigger: { type: 'event', events: ['flight.booked'] },
    action: {
      type: 'notify',
      channel: 'email',
      topic: 'offers.partners',
      templateKey: 'partner-insurance',
    },
    urgency: 'low',
  },
  {
    id: 'order-confirmation',
    version: 1,
    description:
      'Confirm an order with its delivery estimate and the way the customer sent back their last return, so they know their returns option.',
    purpose: 'personalization.recommendations',
    dataCategories: ['user.behavior.returns'],
    trigger: { type: 'event', events: ['order.placed'] },
    conditions: { fact: 'returns.lastMethod', op: 'exists' },
    action: {
      type: 'notify',
      channel: 'email',
      topic: 'shopping.orders',
      templateKey: 'order-confirmation',
    },
    urgency: 'normal',
    // One confirmation per order, however often the order is sent again.
    dedup: { key: '{subject}:{order.id}', ttl: '30d' },
  },
  {
    id: 'delivery-delay',
    version: 1,
    description:
      'Tell a customer first when the carrier has not scanned their order 24 hours after the hand-over we promised.',
    purpose: 'service.proactive_support',
    dataCategories: ['user.orders'],
    trigger: {
      type: 'absence',
      after: 'order.placed',
      expect: 'carrier.scanned',
      within: '24h',
      from: 'order.promisedHandoverAt',
      correlate: ['order.id'],
    },
    // Only while the delivery date we gave is still ahead: after it, a "late" notice is too late.
    conditions: { fact: 'order.estimatedDeliveryAt', op: 'daysUntil', value: [0, 30] },
    action: {
      type: 'notify',
      channel: 'email',
      topic: 'shopping.delivery',
      templateKey: 'delivery-delay',
    },
    urgency: 'normal',
  },
  {
    id: 'appliance-failure',
    version: 1,
    description:
      'Warn a customer before their connected washing machine fails: its drum vibration is at or above the level at which the bearing usually fails within weeks, and rising. With a technician booking.',
    purpose: 'service.diagnostics',
    dataCategories: ['user.device.diagnostics'],
    trigger: { type: 'event', events: ['appliance.diagnostics'] },
    conditions: {
      all: [
        // 7 mm/s: where a drum bearing's vibration usually means it fails within weeks.
        { fact: 'appliance.vibration', op: 'gte', value: 7 },
        { fact: 'appliance.vibration', op: 'gt', value: { fact: 'appliance.vibrationWeekAgo' } },
      ],
    },
    action: {
      type: 'notify',
      channel: 'email',
      topic: 'service.appliance_health',
      templateKey: 'appliance-failure',
    },
    urgency: 'high',
    cooldown: '7d',
  },
];

/** How a customer sent back their last return, in words. */
const returnMethods: Readonly<Record<string, string>> = {
  parcel_shop: 'dropped it off at a parcel shop',
  courier_pickup: 'had a courier pick it up at home',
};

export const ruleCopy: Readonly<Record<string, RuleCopy>> = {
  'appliance-failure': {
    title: 'Warning before an appliance fails',
    message: (f) => ({
      title: `Your ${text(f, 'appliance.name', 'appliance')} may break down soon`,
      body: `It measured a drum vibration of ${text(f, 'appliance.vibration', 'more than')} mm/s, up from ${text(f, 'appliance.vibrationWeekAgo', 'less')} mm/s a week before. From 7 mm/s the drum bearing usually fails within weeks. A technician can replace it before it breaks: book a visit at a time that suits you.`,
    }),
    link: { text: 'Book a technician', path: 'technician' },
  },
  'order-confirmation': {
    title: 'Order confirmation with your returns option',
    message: (f) => ({
      title: `Order ${text(f, 'order.id')} confirmed`,
      body: `It should arrive by ${date(f, 'order.estimatedDeliveryAt')}. Last time you sent something back, you ${returnMethods[text(f, 'returns.lastMethod')] ?? 'used our returns service'}: you can return this order the same way, free of charge within 30 days.`,
    }),
  },
  'delivery-delay': {
    title: 'Delivery running late',
    choices: {
      wait: { label: 'Wait for it', done: 'You chose to wait for it' },
      refund_shipping: {
        label: 'Refund the shipping cost',
        done: 'You asked us to refund the shipping cost',
      },
      cancel: { label: 'Cancel the order', done: 'You asked us to cancel the order' },
    },
    message: (f) => ({
      title: `Your order ${text(f, 'order.id')} is running late`,
      body: `We promised to hand it to the carrier by ${date(f, 'order.promisedHandoverAt')}, and a day later they have not picked it up. It should now arrive by ${dayLater(f, 'order.estimatedDeliveryAt')} instead of ${date(f, 'order.estimatedDeliveryAt')}. You can wait, ask us to refund the shipping cost, or cancel the order.`,
    }),
  },
  'suspicious-charge': {
    title: 'Suspicious-charge alert',
    message: (f) => ({
      title: 'Was this you?',
      body: `A payment of ${text(f, 'txn.amount')} EUR at ${text(f, 'txn.merchant', 'a merchant')} in ${text(f, 'txn.country')} was made with your card. If it was not you, freeze the card in one tap.`,
    }),
  },
  'storm-rebooking': {
    title: 'Storm rebooking for a connecting flight',
    message: (f, change) =>
      change
        ? {
            title: `We moved you to ${change.to}`,
            body: `A storm is expected at ${text(f, 'trip.connection.airport', 'your connection')}, and your ${text(f, 'trip.connection.layoverMinutes')}-minute connection on ${text(f, 'trip.route')} was at risk. You allow us to change your bookings when a trip is at risk, so we held a seat on ${change.to} and moved you to it from ${change.from}, free of charge. You can undo this in one tap until ${change.undoUntil}.`,
          }
        : {
            title: `Storm expected at ${text(f, 'trip.connection.airport', 'your connection')}`,
            body: `Your ${text(f, 'trip.connection.layoverMinutes')}-minute connection on ${text(f, 'trip.route')} is at risk. We are holding a seat on an earlier flight for you: rebook free of charge.`,
          },
  },
  'trek-storm-warning': {
    title: 'Storm warning and gear checklist for a planned trek',
    message: (f) => ({
      title: `Storm warning for the ${text(f, 'weather.region', 'mountains')}`,
      body: `A storm is forecast in the ${text(f, 'weather.region', 'mountains')}. Before your trek, check your gear: a waterproof jacket, warm layers, a map and compass, a head torch and a first-aid kit, and leave your route with a friend or your hut.`,
    }),
  },
  'card-expiry-renewal': {
    title: 'Card expiring before a subscription renewal',
    message: (f) => ({
      title: 'Your card expires before your renewal',
      body: `Your card ending ${text(f, 'card.last4')} expires on ${date(f, 'card.expiresAt')}, before ${text(f, 'subscription.plan', 'your plan')} renews on ${date(f, 'subscription.renewsAt')}. Update it to keep your plan without a gap.`,
    }),
  },
  'sizing-guide': {
    title: 'Sizing guide after returns for size',
    message: () => ({
      title: 'Find your size the first time',
      body: 'Returns are a hassle. Our sizing guide compares brands with the sizes you kept.',
    }),
  },
  'eco-shipping': {
    title: 'Eco-friendly shipping for those who care',
    message: () => ({
      title: 'Ship it greener',
      body: 'You told us you care about the planet: consolidated, low-emission shipping is available for this order at no extra cost.',
    }),
  },
  'partner-insurance': {
    title: 'Partner travel-insurance offer',
    message: (f) => ({
      title: 'Travel insurance from our partner',
      body: `Cover your trip ${text(f, 'trip.route')} with our insurance partner.`,
    }),
  },
};

/**
 * What a rule's contextual fallback sends (by its action's template key): a message resting on
 * context only, for a customer who refused the rule's purpose.
 */
export const contextualCopy: Readonly<Record<string, RuleCopy['message']>> = {
  'eco-shipping-area': () => ({
    title: 'Greener delivery in your region',
    body: 'Consolidated, low-emission delivery runs in your region at no extra cost. You can choose it at checkout.',
  }),
};
