import type { DecisionRecord, JsonValue } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { clock, fakeGate, NOW } from '../test/fixtures';
import { createExplainer } from './explainer';

const explainer = createExplainer({
  clock,
  facts: {
    'order.promisedHandoverAt': {
      label: { en: 'the hand-over we promised', de: 'die zugesagte Übergabe' },
      format: 'date',
    },
  },
  messages: {
    en: { labels: { events: { 'carrier.scanned': 'carrier scan' } } },
    de: { labels: { events: { 'carrier.scanned': 'Scan des Paketdienstes' } } },
  },
});

const late = (absence: JsonValue): DecisionRecord => ({
  id: 'prop_1',
  subject: 'cus_1',
  at: NOW,
  source: { kind: 'rule', id: 'delivery-delay', version: 1 },
  action: { type: 'notify', channel: 'email', topic: 'shopping.delivery' },
  purpose: 'service.proactive_support',
  dataCategories: ['user.orders'],
  reasons: [
    {
      id: 'r1',
      code: 'trigger',
      text: 'no carrier.scanned event within 86400000 ms of order.promisedHandoverAt',
      evidence: ['f1'],
      params: { fact: 'order.promisedHandoverAt', actual: '2026-05-30T10:00:00Z', absence },
    },
  ],
  evidence: [
    {
      id: 'f1',
      path: 'order.promisedHandoverAt',
      category: 'user.orders',
      value: '2026-05-30T10:00:00Z',
      provenance: { source: 'orders', kind: 'observed', observedAt: NOW, party: 'first' },
    },
  ],
  consent: [],
});
const gate = fakeGate({ basis: 'consent' });
const absence = { expect: 'carrier.scanned', after: 'order.placed', within: 86_400_000 };

describe('an absence trigger, explained', () => {
  it('says what did not arrive, within how long of what, and the opposite', () => {
    const e = explainer.explain(late(absence), { consent: gate });
    expect(e.summary).toContain(
      'because no carrier scan arrived within 24 hours of the hand-over we promised (May 30, 2026).',
    );
    expect(e.counterfactual).toBe(
      'You would not have got this email if the carrier scan had arrived within 24 hours of the hand-over we promised.',
    );
    const de = explainer.explain(late(absence), { consent: gate, locale: 'de' });
    expect(de.summary).toContain(
      'die zugesagte Übergabe war 30. Mai 2026, und innerhalb von 24 Stunden danach kam kein Scan des Paketdienstes',
    );
  });

  it('falls back to the event type in words without a label, and ignores a malformed absence', () => {
    const bare = createExplainer({ clock });
    expect(bare.explain(late(absence), { consent: gate }).summary).toContain(
      'no carrier scanned arrived within 24 hours of',
    );
    const e = explainer.explain(late({ expect: 1 }), { consent: gate });
    expect(e.summary).not.toContain('arrived');
  });
});

describe('a decision triggered by an event alone', () => {
  it('names the event by its label, never by its type', () => {
    const booked: DecisionRecord = {
      ...late(absence),
      reasons: [
        {
          id: 'r1',
          code: 'trigger',
          text: 'triggered by a carrier.scanned event',
          evidence: ['f1'],
        },
      ],
      evidence: [
        {
          id: 'f1',
          path: 'event.type',
          category: 'user.orders',
          value: 'carrier.scanned',
          provenance: { source: 'candor.rules', kind: 'derived', observedAt: NOW, party: 'first' },
        },
      ],
    };
    for (const [locale, label] of [
      ['en', 'carrier scan'],
      ['de', 'Scan des Paketdienstes'],
    ] as const) {
      const e = explainer.explain(booked, { consent: gate, locale, layer: 'detailed' });
      expect(e.dataUsed.map((d) => d.value)).toEqual([label]);
      expect(e.dataUsed[0]?.text).not.toContain('carrier.scanned');
    }
  });
});
