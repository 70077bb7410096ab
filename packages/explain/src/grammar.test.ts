import type { DecisionRecord, Fact, JsonValue } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { fakeGate, NOW } from '../test/fixtures';
import { createExplainer } from './explainer';
import type { FactRegistry } from './facts';
import { OPERATORS } from './phrase';

// Whole sentences for every operator (and its negation), in every layer, in English and German.
// The snapshot is the review: read it as a customer would (and fix what a native speaker would
// not write) whenever it changes.

const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const facts: FactRegistry = {
  'order.total': {
    label: { en: 'your order total', de: 'die Summe Ihrer Bestellung' },
    format: 'money',
    currency: 'EUR',
  },
  'budget.limit': {
    label: { en: 'your monthly budget', de: 'Ihr Monatsbudget' },
    format: 'money',
    currency: 'EUR',
  },
  'weather.risk': {
    label: { en: 'the storm risk at your destination', de: 'die Sturmgefahr an Ihrem Reiseziel' },
    values: {
      low: { en: 'low', de: 'gering' },
      high: { en: 'high', de: 'hoch' },
      severe: { en: 'severe', de: 'sehr hoch' },
    },
  },
  'cart.items': {
    label: { en: 'your cart', de: 'Ihre Auswahl im Warenkorb' },
    values: { shoes: { en: 'shoes', de: 'Schuhe' }, socks: { en: 'socks', de: 'Socken' } },
  },
  'voucher.code': { label: { en: 'your voucher code', de: 'die Nummer Ihres Gutscheins' } },
  'loyalty.tier': {
    label: { en: 'your loyalty level', de: 'Ihre Treuestufe' },
    values: { gold: { en: 'gold', de: 'Gold' }, silver: { en: 'silver', de: 'Silber' } },
  },
  'address.postcode': { label: { en: 'your postcode', de: 'Ihre Postleitzahl' } },
  'order.placedAt': {
    label: { en: 'the date of your last order', de: 'das Datum Ihrer letzten Bestellung' },
    format: 'date',
  },
  'card.expiresAt': {
    label: { en: 'your card’s expiry date', de: 'das Ablaufdatum Ihrer Karte' },
    format: 'date',
  },
  'subscription.renewsAt': {
    label: { en: 'your plan’s renewal date', de: 'die Verlängerung Ihres Abos' },
    format: 'date',
  },
  'trip.layoverMinutes': {
    label: { en: 'your time to change planes', de: 'Ihre Umsteigezeit' },
    format: 'duration',
    unit: 'minute',
  },
};

interface Case {
  /** The operator key this case shows. */
  readonly shows: string;
  readonly op?: string;
  readonly code?: string;
  readonly path: string;
  readonly value: JsonValue;
  readonly expected?: JsonValue;
  /** Another fact the condition compares with: path and value. */
  readonly ref?: readonly [string, JsonValue];
}

const soon = iso(NOW + 12 * day);
const later = iso(NOW + 25 * day);
const cases: readonly Case[] = [
  { shows: 'equal', op: 'eq', path: 'weather.risk', value: 'severe', expected: 'severe' },
  { shows: 'notEqual', op: 'neq', path: 'loyalty.tier', value: 'gold', expected: 'silver' },
  { shows: 'lessThan', op: 'lt', path: 'trip.layoverMinutes', value: 55, expected: 120 },
  { shows: 'lessThanInclusive', op: 'lte', path: 'order.total', value: 80, expected: 80 },
  { shows: 'greaterThan', op: 'gt', path: 'order.total', value: 950, expected: 500 },
  { shows: 'greaterThanInclusive', op: 'gte', path: 'order.total', value: 80, expected: 50 },
  { shows: 'in', op: 'in', path: 'weather.risk', value: 'severe', expected: ['high', 'severe'] },
  { shows: 'notIn', op: 'notIn', path: 'weather.risk', value: 'high', expected: ['low'] },
  {
    shows: 'contains',
    op: 'contains',
    path: 'cart.items',
    value: ['shoes', 'socks'],
    expected: 'shoes',
  },
  {
    shows: 'doesNotContain',
    op: 'notContains',
    path: 'cart.items',
    value: ['socks'],
    expected: 'shoes',
  },
  {
    shows: 'startsWith',
    op: 'startsWith',
    path: 'voucher.code',
    value: 'SPRING-24',
    expected: 'SPRING',
  },
  {
    shows: 'notStartsWith',
    op: 'startsWith',
    code: 'condition_not',
    path: 'voucher.code',
    value: 'WINTER-24',
    expected: 'SPRING',
  },
  { shows: 'between', op: 'between', path: 'order.total', value: 80, expected: [50, 100] },
  {
    shows: 'notBetween',
    op: 'between',
    code: 'condition_not',
    path: 'order.total',
    value: 180,
    expected: [50, 100],
  },
  { shows: 'exists', op: 'exists', path: 'loyalty.tier', value: 'gold', expected: true },
  { shows: 'notExists', op: 'exists', path: 'loyalty.tier', value: null, expected: false },
  {
    shows: 'matches',
    op: 'matches',
    path: 'address.postcode',
    value: '10115',
    expected: '^1\\d{4}$',
  },
  {
    shows: 'notMatches',
    op: 'matches',
    code: 'condition_not',
    path: 'address.postcode',
    value: '80331',
    expected: '^1\\d{4}$',
  },
  {
    shows: 'within',
    op: 'withinLast',
    path: 'order.placedAt',
    value: iso(NOW - 10 * day),
    expected: '30d',
  },
  {
    shows: 'notWithin',
    op: 'withinLast',
    code: 'condition_not',
    path: 'order.placedAt',
    value: iso(NOW - 50 * day),
    expected: '30d',
  },
  { shows: 'daysUntil', op: 'daysUntil', path: 'card.expiresAt', value: soon, expected: [7, 14] },
  {
    shows: 'notDaysUntil',
    op: 'daysUntil',
    code: 'condition_not',
    path: 'card.expiresAt',
    value: later,
    expected: [7, 14],
  },
  { shows: 'before', op: 'before', path: 'card.expiresAt', value: soon, expected: '2027-01-01' },
  {
    shows: 'notBefore',
    op: 'before',
    code: 'condition_not',
    path: 'card.expiresAt',
    value: later,
    expected: '2026-06-20',
  },
  {
    shows: 'after',
    op: 'after',
    path: 'order.placedAt',
    value: iso(NOW - day),
    expected: '2026-05-01',
  },
  {
    shows: 'notAfter',
    op: 'after',
    code: 'condition_not',
    path: 'order.placedAt',
    value: iso(NOW - 50 * day),
    expected: '2026-05-01',
  },
  { shows: 'value (a trigger)', code: 'trigger', path: 'card.expiresAt', value: soon },
  // Two facts compared with each other.
  {
    shows: 'equal, two facts',
    op: 'eq',
    path: 'order.total',
    value: 80,
    expected: { fact: 'budget.limit' },
    ref: ['budget.limit', 80],
  },
  {
    shows: 'notEqual, two facts',
    op: 'neq',
    path: 'order.total',
    value: 80,
    expected: { fact: 'budget.limit' },
    ref: ['budget.limit', 100],
  },
  {
    shows: 'lessThan, two facts',
    op: 'lessThan',
    path: 'order.total',
    value: 80,
    expected: { fact: 'budget.limit' },
    ref: ['budget.limit', 100],
  },
  {
    shows: 'greaterThan, two facts',
    op: 'greaterThan',
    path: 'order.total',
    value: 180,
    expected: { fact: 'budget.limit' },
    ref: ['budget.limit', 100],
  },
  {
    shows: 'before, two facts',
    op: 'before',
    path: 'card.expiresAt',
    value: soon,
    expected: { fact: 'subscription.renewsAt' },
    ref: ['subscription.renewsAt', later],
  },
  {
    shows: 'after, two facts',
    op: 'after',
    path: 'subscription.renewsAt',
    value: later,
    expected: { fact: 'card.expiresAt' },
    ref: ['card.expiresAt', soon],
  },
];

function recordOf(c: Case): DecisionRecord {
  const fact = (id: string, path: string, value: JsonValue): Fact => ({
    id,
    path,
    category: 'user.behavior.purchase_history',
    value,
    provenance: { source: 'shop', kind: 'stated', observedAt: NOW - day, party: 'first' },
  });
  const evidence = [
    fact('f1', c.path, c.value),
    ...(c.ref ? [fact('f2', c.ref[0], c.ref[1])] : []),
  ];
  return {
    id: 'd1',
    subject: 'cus_1',
    at: NOW,
    source: { kind: 'rule', id: 'r', version: 2 },
    action: { type: 'notify', channel: 'email', topic: 'shop.orders' },
    purpose: 'service.proactive_support',
    dataCategories: ['user.behavior.purchase_history'],
    reasons: [
      {
        id: 'r1',
        code: c.code ?? 'condition',
        text: 'x',
        evidence: evidence.map((f) => f.id),
        params: {
          fact: c.path,
          ...(c.op === undefined ? {} : { op: c.op }),
          ...(c.expected === undefined ? {} : { expected: c.expected }),
        },
      },
    ],
    evidence,
    consent: [],
  };
}

const explainer = createExplainer({
  clock: { now: () => NOW },
  facts,
  messages: {
    en: { labels: { topics: { 'shop.orders': 'your orders' }, rules: { r: 'Order help' } } },
    de: {
      labels: { topics: { 'shop.orders': 'Ihre Bestellungen' }, rules: { r: 'Bestellhilfe' } },
    },
  },
});
const gate = fakeGate();

function sentences(c: Case, locale: string) {
  const at = (layer: 'short' | 'standard' | 'detailed') =>
    explainer.explain(recordOf(c), { consent: gate, layer, locale });
  const [short, standard, detailed] = [at('short'), at('standard'), at('detailed')];
  return {
    short: short.summary,
    standard: [standard.summary, ...standard.dataUsed.map((d) => d.text), standard.counterfactual],
    detailed: [...detailed.reasons.map((r) => r.clauses[0]!.text), detailed.dataUsed[0]!.text],
  };
}

describe('grammar: whole sentences for every operator, layer and locale', () => {
  it('covers every operator the catalogs phrase, and each negation', () => {
    const shown = new Set(cases.map((c) => c.shows.split(',')[0]));
    for (const op of OPERATORS) expect(shown).toContain(op);
  });

  it.each(cases.map((c) => [c.shows, c] as const))('%s', (_, c) => {
    expect({ en: sentences(c, 'en'), de: sentences(c, 'de') }).toMatchSnapshot();
  });

  it('names json-rules-engine and @candor/rules operators the same way', () => {
    const pairs = [
      ['lt', 'lessThan'],
      ['lte', 'lessThanInclusive'],
      ['gt', 'greaterThan'],
      ['gte', 'greaterThanInclusive'],
      ['eq', 'equal'],
      ['neq', 'notEqual'],
      ['notContains', 'doesNotContain'],
      ['withinLast', 'within'],
    ] as const;
    for (const [short, long] of pairs) {
      const base = cases.find((c) => c.op === short && !c.ref && !c.code)!;
      for (const locale of ['en', 'de'])
        expect(sentences({ ...base, op: long }, locale)).toEqual(sentences(base, locale));
    }
  });

  it('never names a compared fact the customer’s choices hide, nor its value', () => {
    const c = cases.find((x) => x.shows === 'before, two facts')!;
    const record = {
      ...recordOf(c),
      evidence: recordOf(c).evidence.map((f) =>
        f.id === 'f2' ? { ...f, category: 'user.financial.subscription' } : f,
      ),
    };
    const hidden = fakeGate({ withdrawn: ['user.financial.subscription'] });
    for (const locale of ['en', 'de']) {
      const e = explainer.explain(record, { consent: hidden, layer: 'detailed', locale });
      const all = JSON.stringify([e.summary, e.reasons, e.dataUsed, e.counterfactual]);
      expect(all).not.toMatch(/renewal|Verlängerung|December 26|26\. Dezember/);
      expect(e.reasons[0]?.clauses[0]).toEqual({
        text:
          locale === 'en'
            ? 'Your card’s expiry date is June 13, 2026, compared with information that is not shown here.'
            : 'Das Ablaufdatum Ihrer Karte ist der 13. Juni 2026, verglichen mit einer Angabe, die hier nicht angezeigt wird.',
        evidence: ['f1'],
      });
    }
  });
});
