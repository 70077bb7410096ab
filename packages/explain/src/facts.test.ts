import type { DecisionRecord, JsonValue } from '@candor/core';
import { isCandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { cardExpiryProposal, clock, fakeGate, NOW } from '../test/fixtures';
import { createExplainer, type ExplainerOptions } from './explainer';
import type { FactDescription, FactRegistry } from './facts';
import { renderText } from './render';
import { explainJsonSchema, parseFactRegistry, safeParseFactRegistry } from './schemas';

/** The value of one fact as the data list shows it, with a description for its path. */
function shown(d: FactDescription, value: JsonValue, locale = 'en'): string {
  const explainer = createExplainer({ clock, facts: { 'x.value': d } });
  const record = cardExpiryProposal({
    reasons: [{ id: 'r1', code: 'signal', text: 'x', evidence: ['f1'] }],
    evidence: [
      {
        id: 'f1',
        path: 'x.value',
        category: 'user.behavior.purchase_history',
        value,
        provenance: { source: 'shop', kind: 'stated', observedAt: NOW, party: 'first' },
      },
    ],
  });
  return explainer.explain(record, { consent: fakeGate(), locale }).dataUsed[0]!.value;
}

function loadError(options: ExplainerOptions) {
  try {
    createExplainer(options);
  } catch (error) {
    if (isCandorError(error)) return error;
    throw error;
  }
  throw new Error('expected createExplainer to throw');
}

describe('facts carry their own label and format', () => {
  it('money, with its currency, for the locale', () => {
    const eur: FactDescription = { label: 'x', format: 'money', currency: 'EUR' };
    expect(shown(eur, 950)).toBe('€950');
    expect(shown(eur, 950.5)).toBe('€950.50');
    expect(shown(eur, 950, 'de')).toBe('950\u00a0€');
  });

  it('dates and date-times (UTC), from ISO text or epoch milliseconds', () => {
    expect(shown({ label: 'x', format: 'date' }, '2026-12-16T09:00:00Z')).toBe('December 16, 2026');
    expect(shown({ label: 'x', format: 'date' }, Date.UTC(2026, 11, 16), 'de')).toBe(
      '16. Dezember 2026',
    );
    expect(shown({ label: 'x', format: 'datetime' }, '2026-12-16T09:05:00Z')).toBe(
      'December 16, 2026 at 9:05 AM UTC',
    );
  });

  it('durations in the coarsest whole unit, never "1 day"', () => {
    const minutes: FactDescription = { label: 'x', format: 'duration', unit: 'minute' };
    expect(shown(minutes, 55)).toBe('55 minutes');
    expect(shown(minutes, 120)).toBe('2 hours');
    expect(shown(minutes, 1440)).toBe('24 hours');
    expect(shown(minutes, 90, 'de')).toBe('90 Minuten');
    expect(shown({ label: 'x', format: 'duration' }, '90d')).toBe('90 days');
    expect(shown({ label: 'x', format: 'duration', unit: 'day' }, 14, 'de')).toBe('2 Wochen');
  });

  it('numbers with units, percentages, countries, booleans, enumerations and lists', () => {
    expect(shown({ label: 'x', format: 'number', unit: 'kilometer' }, 12)).toBe('12 kilometers');
    expect(shown({ label: 'x', format: 'number' }, 12_500, 'de')).toBe('12.500');
    expect(shown({ label: 'x', format: 'percent' }, 0.255)).toBe('25.5%');
    expect(shown({ label: 'x', format: 'country' }, 'PT')).toBe('Portugal');
    expect(shown({ label: 'x', format: 'country' }, 'UA', 'de')).toBe('die Ukraine');
    expect(shown({ label: 'x', format: 'country' }, 'DE', 'de')).toBe('Deutschland');
    expect(shown({ label: 'x', format: 'boolean' }, true, 'de')).toBe('ja');
    const places: FactDescription = {
      label: 'x',
      values: { FRA: { en: 'Frankfurt', de: 'Frankfurt am Main' }, LIS: 'Lisbon' },
    };
    expect(shown(places, 'FRA', 'de')).toBe('Frankfurt am Main');
    expect(shown(places, 'LIS', 'de')).toBe('Lisbon');
    expect(shown(places, ['FRA', 'LIS'])).toBe('Frankfurt and Lisbon');
    expect(shown(places, 'JFK')).toBe('JFK');
    // A value that does not fit the format is shown as it is.
    expect(shown({ label: 'x', format: 'money', currency: 'EUR' }, 'n/a')).toBe('n/a');
  });

  it('the label names the fact in clauses, data lines and controls; the category is the fallback', () => {
    const explainer = createExplainer({
      clock,
      facts: {
        'card.expiresAt': {
          label: { en: 'your card’s expiry date', de: 'das Ablaufdatum Ihrer Karte' },
          format: 'date',
        },
      },
    });
    const e = explainer.explain(cardExpiryProposal(), { consent: fakeGate(), layer: 'detailed' });
    expect(e.reasons.map((r) => r.clauses[0]?.text)).toEqual([
      'Your card’s expiry date is June 30, 2026, before July 1, 2026.',
      'A value from your purchase history is 5, more than 2.',
    ]);
    expect(e.dataUsed.map((d) => d.label)).toEqual([
      'your card’s expiry date',
      'your purchase history',
    ]);
    expect(e.controls.filter((c) => c.kind === 'correct_data').map((c) => c.label)).toEqual([
      'Correct your card’s expiry date',
      'Correct your purchase history',
    ]);
    // The fact without a description is reported, so teams can add one.
    expect(e.warnings).toContainEqual({
      code: 'missing_label',
      kind: 'facts',
      id: 'orders.last90d',
    });
    const de = explainer.explain(cardExpiryProposal(), { consent: fakeGate(), locale: 'de' });
    expect(de.reasons[0]?.clauses[0]?.text).toBe(
      'Das Ablaufdatum Ihrer Karte ist der 30. Juni 2026, also vor dem 1. Juli 2026.',
    );
  });

  it('a label missing for a locale falls back to the category, never to another language', () => {
    const explainer = createExplainer({
      clock,
      facts: { 'card.expiresAt': { label: { en: 'your card’s expiry date' }, format: 'date' } },
    });
    const de = explainer.explain(cardExpiryProposal(), { consent: fakeGate(), locale: 'de' });
    expect(renderText(de)).not.toContain('expiry date');
    expect(de.dataUsed[0]?.text).toBe('Ihre Kartendaten: 30. Juni 2026 (Ihre Angabe).');
    expect(de.warnings).toContainEqual({
      code: 'missing_label',
      kind: 'facts',
      id: 'card.expiresAt',
    });
  });

  it('a windowed count without a description is named by its category and window', () => {
    const record: DecisionRecord = cardExpiryProposal({
      reasons: [
        {
          id: 'r1',
          code: 'condition',
          text: 'count(order.returned, 90d) is at least 2',
          evidence: ['f1'],
          params: { fact: 'count(order.returned, 90d)', op: 'gte', expected: 2, actual: 3 },
        },
      ],
      evidence: [
        {
          id: 'f1',
          path: 'count(order.returned, 90d)',
          category: 'user.behavior.returns',
          value: 3,
          provenance: { source: 'candor.rules', kind: 'derived', observedAt: NOW, party: 'first' },
        },
      ],
    });
    const explainer = createExplainer({ clock });
    const en = explainer.explain(record, { consent: fakeGate() });
    expect(en.summary).toBe(
      'You got this email about “card expiry” because the number of your returns in the last 90 days is 3, at least 2.',
    );
    expect(en.dataUsed[0]?.text).toBe(
      'The number of your returns in the last 90 days: 3 (worked out by our systems).',
    );
    expect(explainer.explain(record, { consent: fakeGate(), locale: 'de' }).dataUsed[0]?.text).toBe(
      'Die Anzahl innerhalb der letzten 90 Tage (Ihre Rücksendungen): 3 (von unseren Systemen berechnet).',
    );
  });

  it('a fact the customer cannot correct offers no correction', () => {
    const explainer = createExplainer({
      clock,
      facts: { 'card.expiresAt': { label: 'the forecast', correctable: false } },
    });
    const e = explainer.explain(cardExpiryProposal(), { consent: fakeGate() });
    expect(e.controls.filter((c) => c.kind === 'correct_data').map((c) => c.id)).toEqual([
      'correct_data:f_orders',
    ]);
    expect(e.reasons[0]?.controls).not.toContain('correct_data:f_exp');
  });
});

describe('a family of facts', () => {
  /** The data list's line for a fact at `path` holding `value`, with `facts` described. */
  const line = (facts: FactRegistry, path: string, value: JsonValue, locale = 'en') => {
    const explainer = createExplainer({ clock, facts });
    const record = cardExpiryProposal({
      reasons: [{ id: 'r1', code: 'signal', text: 'x', evidence: ['f1'] }],
      evidence: [
        {
          id: 'f1',
          path,
          category: 'user.support',
          value,
          provenance: { source: 'support', kind: 'stated', observedAt: NOW, party: 'first' },
        },
      ],
    });
    return explainer.explain(record, { consent: fakeGate(), locale }).dataUsed[0]?.text;
  };
  const complaint = { summary: 'Parcel arrived broken', status: 'open' };
  const facts: FactRegistry = {
    'memory.complaint.*': {
      label: { en: 'your complaint', de: 'Ihre Beschwerde' },
      field: 'summary',
    },
    'memory.complaint.ord_1': { label: 'your complaint about the lamp', field: 'summary' },
  };

  it('shares the description of its paths, whose own description wins', () => {
    expect(line(facts, 'memory.complaint.ord_9', complaint)).toBe(
      'Your complaint: Parcel arrived broken (you told us this).',
    );
    expect(line(facts, 'memory.complaint.ord_9', complaint, 'de')).toMatch(
      /^Ihre Beschwerde: Parcel arrived broken /,
    );
    expect(line(facts, 'memory.complaint.ord_1', complaint)).toMatch(
      /^Your complaint about the lamp: Parcel arrived broken /,
    );
    // One segment below the family only; another family is not described.
    expect(line(facts, 'memory.complaint.ord_9.status', 'open')).not.toMatch(/complaint/);
    expect(line(facts, 'memory.case.ord_9', complaint)).toMatch(/Parcel arrived broken, open/);
  });

  it('shows the field of an object value, and other values as they are', () => {
    expect(line(facts, 'memory.complaint.ord_9', 'Parcel arrived broken')).toMatch(
      /: Parcel arrived broken \(/,
    );
    expect(line(facts, 'memory.complaint.ord_9', { status: 'open' })).toMatch(/: open \(/);
  });
});

describe('the fact registry is checked when the explainer is created', () => {
  it('names the field at fault', () => {
    const cases: Array<[FactRegistry, string]> = [
      [{ x: { label: 'x', format: 'money' } }, 'facts.x.currency'],
      [{ x: { label: 'x', format: 'money', currency: 'euro' } }, 'facts.x.currency'],
      [{ x: { label: 'x', currency: 'EUR' } }, 'facts.x.currency'],
      [{ x: { label: 'x', format: 'duration', unit: 'fortnight' } }, 'facts.x.unit'],
      [{ x: { label: 'x', format: 'number', unit: 'parsec-ish' } }, 'facts.x.unit'],
      [{ x: { label: 'x', format: 'date', unit: 'day' } }, 'facts.x.unit'],
      [{ x: { label: '' } }, 'facts.x.label'],
      [{ x: { label: { en: '' } } }, 'facts.x.label.en'],
      [{ x: { label: 'x', values: { a: {} } } }, 'facts.x.values.a'],
      [{ x: { label: 'x', correctable: 'no' as never } }, 'facts.x.correctable'],
      [{ x: { label: 'x', field: '' } }, 'facts.x.field'],
      [{ x: { label: 'x', feild: 'summary' } as never }, 'facts.x.feild'],
    ];
    for (const [facts, path] of cases) {
      const error = loadError({ facts });
      expect(error.code).toBe('explain/invalid_input');
      expect(error.details.path).toBe(path);
    }
  });

  it('lints labels and value names like catalog text', () => {
    const error = loadError({
      facts: { x: { label: { en: 'the shoes we know you love' } } },
    });
    expect(error.code).toBe('explain/catalog_lint');
    expect(error.details.path).toBe('facts.x.label');
    const german = loadError({
      facts: { x: { label: 'x', values: { a: { de: 'garantiert günstig' } } } },
    });
    expect(german.details.path).toBe('facts.x.values.a');
    expect(() =>
      createExplainer({ facts: { x: { label: { en: 'the best price' } } }, lint: false }),
    ).not.toThrow();
  });

  it('has a schema for hand-written registries, and JSON Schema for editors', () => {
    const json = {
      'txn.amount': { label: { en: 'the payment amount' }, format: 'money', currency: 'EUR' },
    };
    expect(parseFactRegistry(json)).toEqual(json);
    expect(safeParseFactRegistry({ x: { label: 'x', format: 'yen' } }).success).toBe(false);
    const schema = explainJsonSchema('FactRegistry');
    expect(schema.type).toBe('object');
  });
});
