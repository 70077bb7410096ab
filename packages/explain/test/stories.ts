import type { ConsentGate, ConsentVerdict, DecisionRecord, Fact } from '@candor/core';

/**
 * The demo's six stories, as `@candor/rules` proposes them (reason codes, `{ fact, op,
 * expected, actual }` params, a `{ fact }` right-hand side, a windowed count), with the fact
 * descriptions and labels the demo gives its explainer. Used by the no-machine-words test, the
 * readability check and the bench; dependency-free (types only) so the bench can import it.
 */

const day = 86_400_000;
/** 2026-12-04T09:00:00Z: when the demo's events happened. */
export const STORY_TIME = Date.UTC(2026, 11, 4, 9);

function fact(
  id: string,
  path: string,
  category: string,
  value: Fact['value'],
  source: string,
  kind: Fact['provenance']['kind'],
  party: 'first' | 'third' = 'first',
): Fact {
  return { id, path, category, value, provenance: { source, kind, observedAt: STORY_TIME, party } };
}

function proposal(
  ruleId: string,
  action: DecisionRecord['action'],
  purpose: string,
  reasons: DecisionRecord['reasons'],
  evidence: readonly Fact[],
): DecisionRecord {
  return {
    id: `prop_${ruleId}`,
    subject: 'cus_ana',
    at: STORY_TIME,
    source: { kind: 'rule', id: ruleId, version: 1 },
    action,
    purpose,
    dataCategories: [...new Set(evidence.map((f) => f.category))],
    reasons,
    evidence,
    consent: [],
  };
}

/** The stories, by rule id. */
export const stories: Readonly<Record<string, DecisionRecord>> = {
  'suspicious-charge': proposal(
    'suspicious-charge',
    { type: 'notify', channel: 'push', topic: 'security.suspicious_charge', critical: true },
    'service.fraud_protection',
    [
      {
        id: 'r1',
        code: 'condition',
        text: 'txn.amount is above 500',
        evidence: ['f1'],
        params: { fact: 'txn.amount', op: 'gt', expected: 500, actual: 950 },
      },
      {
        id: 'r2',
        code: 'condition',
        text: 'txn.country is not {"fact":"account.homeCountry"}',
        evidence: ['f2', 'f3'],
        params: {
          fact: 'txn.country',
          op: 'neq',
          expected: { fact: 'account.homeCountry' },
          actual: 'UA',
        },
      },
    ],
    [
      fact('f1', 'txn.amount', 'user.financial.transactions', 950, 'payments', 'observed'),
      fact('f2', 'txn.country', 'user.financial.transactions', 'UA', 'payments', 'observed'),
      fact('f3', 'account.homeCountry', 'user.location.approximate', 'PT', 'account', 'stated'),
    ],
  ),
  'storm-rebooking': proposal(
    'storm-rebooking',
    { type: 'notify', channel: 'push', topic: 'travel.disruption' },
    'service.proactive_support',
    [
      {
        id: 'r1',
        code: 'condition',
        text: 'weather.risk is one of ["high","severe"]',
        evidence: ['f1'],
        params: { fact: 'weather.risk', op: 'in', expected: ['high', 'severe'], actual: 'severe' },
      },
      {
        id: 'r2',
        code: 'condition',
        text: 'trip.connection.layoverMinutes is below 120',
        evidence: ['f2'],
        params: { fact: 'trip.connection.layoverMinutes', op: 'lt', expected: 120, actual: 55 },
      },
    ],
    [
      fact(
        'f1',
        'weather.risk',
        'user.travel.itinerary',
        'severe',
        'weather_service',
        'inferred',
        'third',
      ),
      fact(
        'f2',
        'trip.connection.layoverMinutes',
        'user.travel.itinerary',
        55,
        'bookings',
        'stated',
      ),
    ],
  ),
  'trek-storm-warning': proposal(
    'trek-storm-warning',
    { type: 'notify', channel: 'email', topic: 'travel.trek_safety' },
    'service.proactive_support',
    [
      {
        id: 'r1',
        code: 'condition',
        text: 'weather.severity is one of ["high","severe"]',
        evidence: ['f1'],
        params: {
          fact: 'weather.severity',
          op: 'in',
          expected: ['high', 'severe'],
          actual: 'severe',
        },
      },
      {
        id: 'r2',
        code: 'condition',
        text: 'purchase.statedReason contains weather.region',
        evidence: ['f2', 'f3'],
        params: {
          fact: 'purchase.statedReason',
          op: 'contains',
          expected: { fact: 'weather.region' },
          actual: 'preparing for a trek in the Alps in June',
        },
      },
    ],
    [
      fact(
        'f1',
        'weather.severity',
        'user.travel.itinerary',
        'severe',
        'weather_service',
        'inferred',
        'third',
      ),
      fact(
        'f2',
        'purchase.statedReason',
        'user.behavior.purchase_reason',
        'preparing for a trek in the Alps in June',
        'checkout',
        'stated',
      ),
      fact(
        'f3',
        'weather.region',
        'user.travel.itinerary',
        'Alps',
        'weather_service',
        'inferred',
        'third',
      ),
    ],
  ),
  'card-expiry-renewal': proposal(
    'card-expiry-renewal',
    { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
    'service.proactive_support',
    [
      {
        id: 'r1',
        code: 'condition',
        text: 'card.expiresAt is before {"fact":"subscription.renewsAt"}',
        evidence: ['f1', 'f2'],
        params: {
          fact: 'card.expiresAt',
          op: 'before',
          expected: { fact: 'subscription.renewsAt' },
          actual: '2026-12-16T09:00:00.000Z',
        },
      },
    ],
    [
      fact(
        'f1',
        'card.expiresAt',
        'user.financial.card',
        new Date(STORY_TIME + 12 * day).toISOString(),
        'billing',
        'stated',
      ),
      fact(
        'f2',
        'subscription.renewsAt',
        'user.financial.subscription',
        new Date(STORY_TIME + 25 * day).toISOString(),
        'billing',
        'observed',
      ),
    ],
  ),
  'sizing-guide': proposal(
    'sizing-guide',
    { type: 'notify', channel: 'in_app', topic: 'shopping.sizing' },
    'personalization.recommendations',
    [
      {
        id: 'r1',
        code: 'condition',
        text: 'return.reason is "size"',
        evidence: ['f1'],
        params: { fact: 'return.reason', op: 'eq', expected: 'size', actual: 'size' },
      },
      {
        id: 'r2',
        code: 'condition',
        text: 'count(order.returned, 90d) is at least 2',
        evidence: ['f2'],
        params: { fact: 'count(order.returned, 90d)', op: 'gte', expected: 2, actual: 2 },
      },
    ],
    [
      fact('f1', 'return.reason', 'user.behavior.returns', 'size', 'orders', 'stated'),
      fact(
        'f2',
        'count(order.returned, 90d)',
        'user.behavior.returns',
        2,
        'candor.rules',
        'derived',
      ),
    ],
  ),
  'eco-shipping': proposal(
    'eco-shipping',
    { type: 'notify', channel: 'in_app', topic: 'shopping.shipping' },
    'personalization.recommendations',
    [
      {
        id: 'r1',
        code: 'condition',
        text: 'preferences.sustainability is true',
        evidence: ['f1'],
        params: { fact: 'preferences.sustainability', op: 'eq', expected: true, actual: true },
      },
    ],
    [
      fact(
        'f1',
        'preferences.sustainability',
        'user.preferences.sustainability',
        true,
        'preference_center',
        'stated',
      ),
    ],
  ),
};

/** What each fact is, in the customer's words (the demo's `facts` registry). */
export const storyFacts = {
  'txn.amount': {
    label: { en: 'the payment amount', de: 'die Höhe der Zahlung' },
    format: 'money',
    currency: 'EUR',
  },
  'txn.country': {
    label: { en: 'the country of the payment', de: 'das Land der Zahlung' },
    format: 'country',
  },
  'account.homeCountry': {
    label: { en: 'your home country', de: 'Ihr Heimatland' },
    format: 'country',
  },
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
  'trip.connection.layoverMinutes': {
    label: { en: 'your time to change planes', de: 'Ihre Umsteigezeit' },
    format: 'duration',
    unit: 'minute',
  },
  'card.expiresAt': {
    label: { en: 'your card’s expiry date', de: 'das Ablaufdatum Ihrer Karte' },
    format: 'date',
  },
  'subscription.renewsAt': {
    label: { en: 'your plan’s renewal date', de: 'die Verlängerung Ihres Abos' },
    format: 'date',
  },
  'weather.severity': {
    label: { en: 'the forecast storm risk', de: 'die vorhergesagte Sturmgefahr' },
    values: { high: { en: 'high', de: 'hoch' }, severe: { en: 'severe', de: 'sehr hoch' } },
    correctable: false,
  },
  'weather.region': {
    label: { en: 'the region of the storm warning', de: 'die Region der Sturmwarnung' },
    values: { Alps: { en: 'the Alps', de: 'die Alpen' } },
    correctable: false,
  },
  'purchase.statedReason': {
    label: { en: 'the reason you gave at checkout', de: 'Ihre Angabe beim Bezahlen' },
  },
  'return.reason': {
    label: { en: 'the reason you gave for your return', de: 'Ihre Angabe zum Rücksendegrund' },
    values: { size: { en: '“wrong size”', de: '„falsche Größe“' } },
  },
  'count(order.returned, 90d)': {
    label: {
      en: 'the number of your returns for size in the last 90 days',
      de: 'die Zahl Ihrer Rücksendungen wegen der Größe in den letzten 90 Tagen',
    },
    format: 'number',
  },
  'preferences.sustainability': {
    label: { en: 'your setting for eco-friendly shipping', de: 'Ihre Einstellung zum Öko-Versand' },
    format: 'boolean',
    values: { true: { en: 'on', de: 'an' }, false: { en: 'off', de: 'aus' } },
  },
} as const;

/** The demo's labels for its own ids (categories beyond the built-in ones, topics, sources, rules). */
export const storyMessages = {
  en: {
    labels: {
      categories: {
        'user.financial.subscription': 'your subscription',
        'user.preferences': 'preferences you told us',
        'user.preferences.sustainability': 'your stated interest in sustainability',
        'user.behavior.purchase_reason': 'the reasons you gave for a purchase',
      },
      topics: {
        'security.suspicious_charge': 'suspicious payments',
        'travel.disruption': 'travel disruptions',
        'billing.card_expiry': 'your card expiring',
        'shopping.sizing': 'sizing help',
        'shopping.shipping': 'shipping options',
        'travel.trek_safety': 'safety on your trek',
      },
      sources: {
        payments: 'our payment system',
        bookings: 'your bookings',
        weather_service: 'a weather service',
        billing: 'your billing details',
        orders: 'your orders',
        account: 'your account',
        preference_center: 'your preferences',
        checkout: 'our checkout page',
        'candor.rules': 'our rules',
      },
      rules: {
        'suspicious-charge': 'Suspicious-charge alert',
        'storm-rebooking': 'Storm rebooking for a connecting flight',
        'card-expiry-renewal': 'Card expiring before a subscription renewal',
        'sizing-guide': 'Sizing guide after returns for size',
        'eco-shipping': 'Eco-friendly shipping for those who care',
        'trek-storm-warning': 'Storm warning for a trek you told us about',
      },
    },
  },
  de: {
    labels: {
      categories: {
        'user.financial.subscription': 'Ihr Abo',
        'user.preferences': 'Ihre Vorlieben',
        'user.preferences.sustainability': 'Ihre Angabe zur Nachhaltigkeit',
        'user.behavior.purchase_reason': 'Ihre Angaben zum Kaufanlass',
      },
      topics: {
        'security.suspicious_charge': 'verdächtige Zahlungen',
        'travel.disruption': 'Reisestörungen',
        'billing.card_expiry': 'Kartenablauf',
        'shopping.sizing': 'Größenberatung',
        'shopping.shipping': 'Versand',
        'travel.trek_safety': 'Sicherheit auf Ihrer Tour',
      },
      sources: {
        payments: 'unser Zahlungssystem',
        bookings: 'Ihre Buchungen',
        weather_service: 'ein Wetterdienst',
        billing: 'Ihre Abrechnungsdaten',
        orders: 'Ihre Bestellungen',
        account: 'Ihr Konto',
        preference_center: 'Ihre Einstellungen',
        checkout: 'unsere Bezahlseite',
        'candor.rules': 'unsere Regeln',
      },
      rules: {
        'suspicious-charge': 'Warnung vor verdächtigen Zahlungen',
        'storm-rebooking': 'Umbuchung bei Sturm',
        'card-expiry-renewal': 'Karte läuft vor der Verlängerung ab',
        'sizing-guide': 'Größenberatung nach Rücksendungen',
        'eco-shipping': 'Umweltfreundlicher Versand',
        'trek-storm-warning': 'Sturmwarnung für eine Tour, von der Sie uns erzählt haben',
      },
    },
  },
} as const;

/** Every id and path of the stories: none may appear in customer-facing text. */
export const storyIds: readonly string[] = [
  ...new Set(
    Object.values(stories).flatMap((s) => [
      s.source.id,
      s.purpose,
      s.action.topic,
      ...s.dataCategories,
      ...s.evidence.flatMap((f) => [f.path, f.category, f.provenance.source]),
    ]),
  ),
];

/** The demo's consent state: everything allowed; fraud protection rests on legitimate interest. */
export const storyConsent: ConsentGate = {
  decide: (q): ConsentVerdict => ({
    allowed: true,
    purpose: q.purpose,
    status: q.purpose === 'service.fraud_protection' ? 'not_required' : 'granted',
    basis: q.purpose === 'service.fraud_protection' ? 'legitimate_interest' : 'consent',
    reasons: [],
    recordIds: [],
    noticeVersion: '3',
    expiresAt: null,
  }),
};

/** When the stories are explained: an hour after they happened. */
export const storyClock = { now: () => STORY_TIME + 3_600_000 };

/** The sentences of an explanation a customer reads (no headings, no button labels). */
export function proseOf(e: {
  layer: string;
  summary: string;
  reasons: readonly { clauses: readonly { text: string }[] }[];
  dataUsed: readonly { text: string }[];
  purpose: { text: string };
  decision: { text: string | null };
  counterfactual: string;
  controlsNote: string | null;
  withheldText: readonly string[];
}): string {
  return [
    e.summary,
    ...(e.layer === 'detailed' ? e.reasons.flatMap((r) => r.clauses.map((c) => c.text)) : []),
    ...e.dataUsed.map((d) => d.text),
    e.purpose.text,
    e.decision.text ?? '',
    e.counterfactual,
    e.controlsNote ?? '',
    ...e.withheldText,
  ]
    .filter((t) => t !== '')
    .join('\n');
}
