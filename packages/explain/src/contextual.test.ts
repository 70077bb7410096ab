import {
  type ConsentGate,
  type ConsentVerdict,
  type DecisionRecord,
  duration,
  isContextCategory,
} from '@candor/core';
import { describe, expect, it } from 'vitest';
import { clock, NOW } from '../test/fixtures';
import { createExplainer } from './explainer';
import { renderText } from './render';

// A message resting only on context (a rule's contextual fallback): the explanation says it is
// based only on the time, the region, the weather, not on the customer's history.

/** The customer refused the purpose; context alone needs no consent (as consent's packs answer). */
const refusedButContext: ConsentGate = {
  decide(query): ConsentVerdict {
    const context =
      query.dataCategories.length > 0 && query.dataCategories.every(isContextCategory);
    return {
      allowed: context,
      purpose: query.purpose,
      status: context ? 'not_required' : 'refused',
      basis: null,
      reasons: [],
      recordIds: [],
      noticeVersion: null,
      expiresAt: null,
    };
  },
};

const provenance = {
  source: 'weather',
  kind: 'observed' as const,
  observedAt: NOW - duration.hour,
  party: 'third' as const,
};
const stormArea = (extra: DecisionRecord['evidence'] = []): DecisionRecord => ({
  id: 'prop_storm',
  subject: 'cus_chloe',
  at: NOW - duration.hour,
  source: { kind: 'rule', id: 'storm-rebooking', version: 1 },
  action: {
    type: 'notify',
    channel: 'push',
    topic: 'travel.disruption',
    templateKey: 'storm-area',
  },
  purpose: 'service.proactive_support',
  dataCategories: ['context.weather', 'context.region', ...extra.map((f) => f.category)],
  reasons: [
    {
      id: 'r1',
      code: 'condition',
      text: 'weather.severity at least 3',
      evidence: ['f1'],
      params: {
        path: 'weather.severity',
        operator: 'greaterThanInclusive',
        expected: 3,
        actual: 4,
      },
    },
    { id: 'r2', code: 'trigger', text: 'triggered by region.name', evidence: ['f2'] },
  ],
  evidence: [
    { id: 'f1', path: 'weather.severity', category: 'context.weather', value: 4, provenance },
    { id: 'f2', path: 'region.name', category: 'context.region', value: 'Lyon', provenance },
    ...extra,
  ],
  consent: [],
});

const explainer = createExplainer({
  clock,
  messages: {
    en: { labels: { topics: { 'travel.disruption': 'travel disruptions' } } },
    de: { labels: { topics: { 'travel.disruption': 'Reisestörungen' } } },
  },
});

describe('explain: a message resting on context only', () => {
  it('says it is based only on the weather and the region, not on the history', () => {
    const e = explainer.explain(stormArea(), { consent: refusedButContext });
    expect(e.summary).toBe(
      'You got this notification about travel disruptions based only on the weather forecast and your region, not on your history.',
    );
    expect(e.purpose.text).toBe(
      'This message does not use your personal data, so it does not depend on your choices about proactive service messages.',
    );
    expect(e.dataUsed.map((d) => d.categoryLabel)).toEqual(['the weather forecast', 'your region']);
    const short = explainer.explain(stormArea(), { consent: refusedButContext, layer: 'short' });
    expect(short.summary).toBe(
      'You got this notification based only on the weather forecast and your region, not on your history.',
    );
  });

  it('in German too', () => {
    const e = explainer.explain(stormArea(), { consent: refusedButContext, locale: 'de' });
    expect(e.summary).toBe(
      'Für diese Mitteilung zum Thema „Reisestörungen“ haben unsere Systeme nur die Wettervorhersage und Ihre Region verwendet, nicht Ihren Verlauf.',
    );
  });

  it('quotes an unlabelled topic once in German', () => {
    const e = createExplainer({ clock }).explain(stormArea(), {
      consent: refusedButContext,
      locale: 'de',
    });
    expect(e.summary).toBe(
      'Für diese Mitteilung zum Thema „disruption“ haben unsere Systeme nur die Wettervorhersage und Ihre Region verwendet, nicht Ihren Verlauf.',
    );
  });

  it('offers no control over personal data it did not use, and names none', () => {
    const e = explainer.explain(stormArea(), { consent: refusedButContext });
    const kinds = e.controls.map((c) => c.kind);
    expect(kinds).not.toContain('turn_off_data');
    expect(kinds).not.toContain('stop_purpose');
    expect(kinds).toContain('mute_topic');
    expect(renderText(e)).not.toMatch(/booked trips|purchase history/);
  });

  it('never says "only" when one personal fact was used too', () => {
    const trip = {
      id: 'f3',
      path: 'trip.flight',
      category: 'user.travel.itinerary',
      value: 'AF1234',
      provenance,
    };
    const e = explainer.explain(stormArea([trip]), { consent: refusedButContext });
    expect(e.summary).not.toContain('only');
    expect(e.purpose.text).not.toContain('does not use your personal data');
  });
});
