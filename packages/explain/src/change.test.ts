import type { ChangeRecord, DecisionRecord } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { fakeGate, NOW } from '../test/fixtures';
import { createExplainer } from './explainer';
import { render } from './render';

const HOUR = 3_600_000;
let now = NOW;
const explainer = createExplainer({
  clock: { now: () => now },
  messages: {
    en: {
      labels: {
        changes: { 'booking.rebook': 'moved you to an earlier flight' },
        purposes: { 'service.automatic_changes': 'automatic changes to your bookings' },
        topics: { 'travel.disruption': 'travel disruptions' },
      },
    },
    de: {
      labels: {
        changes: { 'booking.rebook': 'Sie auf einen früheren Flug umgebucht' },
        purposes: { 'service.automatic_changes': 'automatische Änderungen Ihrer Buchungen' },
      },
    },
  },
});

const record: DecisionRecord = {
  id: 'prop_1',
  subject: 'cus_1',
  at: NOW,
  source: { kind: 'rule', id: 'storm-rebooking', version: 1 },
  action: { type: 'notify', channel: 'push', topic: 'travel.disruption' },
  purpose: 'service.proactive_support',
  dataCategories: ['user.travel.itinerary'],
  reasons: [
    {
      id: 'c1',
      code: 'condition',
      text: 'trip.layoverMinutes below 120',
      evidence: ['f1'],
      params: { path: 'trip.layoverMinutes', operator: 'lessThan', expected: 120, actual: 55 },
    },
  ],
  evidence: [
    {
      id: 'f1',
      path: 'trip.layoverMinutes',
      category: 'user.travel.itinerary',
      value: 55,
      provenance: { source: 'bookings', kind: 'observed', observedAt: NOW, party: 'first' },
    },
  ],
  consent: [],
};

const performed: ChangeRecord = {
  id: 'prop_1:change:performed',
  changeId: 'prop_1:change',
  kind: 'performed',
  subject: 'cus_1',
  decisionId: 'prop_1',
  type: 'booking.rebook',
  purpose: 'service.automatic_changes',
  at: NOW,
  undoUntil: NOW + 4 * HOUR,
};
const gate = fakeGate({ basis: 'consent' });

describe('a decision that changed something, then told the customer', () => {
  it('says what was changed, under which permission, and until when it can be undone', () => {
    now = NOW + HOUR;
    const e = explainer.explain(record, { consent: gate, changes: [performed] });
    expect(e.change).toEqual({
      changeId: 'prop_1:change',
      type: 'booking.rebook',
      status: 'undoable',
      at: NOW,
      undoUntil: NOW + 4 * HOUR,
      text: 'We moved you to an earlier flight on June 1, 2026 at 9:00 AM UTC without waiting for your answer, because you allowed automatic changes to your bookings. You can undo this until June 1, 2026 at 1:00 PM UTC.',
    });
    expect(e.controls[0]).toMatchObject({
      kind: 'undo_change',
      changeId: 'prop_1:change',
      until: NOW + 4 * HOUR,
      label: 'Undo this change (possible until June 1, 2026 at 1:00 PM UTC)',
    });
    expect(render(e, 'text')).toContain('You can undo this until June 1, 2026 at 1:00 PM UTC.');
    expect(render(e, 'html')).toContain('class="candor-change"');
    const de = explainer.explain(record, { consent: gate, changes: [performed], locale: 'de' });
    expect(de.change?.text).toBe(
      'Am 1. Juni 2026 um 09:00 UTC haben wir Sie auf einen früheren Flug umgebucht, ohne auf Ihre Antwort zu warten, weil Sie automatische Änderungen Ihrer Buchungen erlaubt haben. Sie können das bis 1. Juni 2026 um 13:00 UTC rückgängig machen.',
    );
  });

  it('after the window: says the change stands, and offers no undo', () => {
    now = NOW + 4 * HOUR;
    const e = explainer.explain(record, { consent: gate, changes: [performed] });
    expect(e.change?.status).toBe('expired');
    expect(e.change?.text).toContain(
      'The time to undo it ended on June 1, 2026 at 1:00 PM UTC, so the change stands.',
    );
    expect(e.controls.some((c) => c.kind === 'undo_change')).toBe(false);
  });

  it('after an undo: says when the customer undid it', () => {
    now = NOW + HOUR;
    const undone: ChangeRecord = {
      ...performed,
      id: 'prop_1:change:closed',
      kind: 'undone',
      at: NOW + 30 * 60_000,
    };
    const e = explainer.explain(record, { consent: gate, changes: [performed, undone] });
    expect(e.change?.text).toContain(
      'You undid this on June 1, 2026 at 9:30 AM UTC, so it is back as it was.',
    );
    expect(e.controls.some((c) => c.kind === 'undo_change')).toBe(false);
  });

  it("ignores other decisions' and other customers' changes; names a bad record", () => {
    now = NOW + HOUR;
    const other = { ...performed, decisionId: 'prop_2' };
    const theirs = { ...performed, subject: 'cus_2' };
    const e = explainer.explain(record, { consent: gate, changes: [other, theirs] });
    expect(e.change).toBeNull();
    expect(e.controls.some((c) => c.kind === 'undo_change')).toBe(false);
    expect(() =>
      explainer.explain(record, {
        consent: gate,
        changes: [{ ...performed, undoUntil: 'soon' } as never],
      }),
    ).toThrow(/options\.changes\[0\]\.undoUntil/);
  });
});

describe('an audited explanation of a change', () => {
  it('replays to the same words, with the change records it was made from', async () => {
    now = NOW + HOUR;
    const { explanation, audit } = await explainer.explainWithAudit(record, {
      consent: gate,
      changes: [performed],
    });
    expect(explanation.change?.status).toBe('undoable');
    // Stored as JSON, replayed later: the change records come from the audit, not from today.
    const replay = await explainer.replay(JSON.parse(JSON.stringify(audit)), record);
    expect(replay).toMatchObject({ matches: true, inputMatches: true, outputMatches: true });
    expect(replay.explanation).toEqual(explanation);
  });
});

describe('in the customer’s time zone', () => {
  it('says when a change was made and until when it can be undone in their zone', async () => {
    now = NOW + HOUR;
    const e = explainer.explain(record, {
      consent: gate,
      changes: [performed],
      timeZone: 'Europe/Lisbon',
    });
    expect(e.change?.text).toBe(
      'We moved you to an earlier flight on June 1, 2026 at 10:00 AM GMT+1 without waiting for your answer, because you allowed automatic changes to your bookings. You can undo this until June 1, 2026 at 2:00 PM GMT+1.',
    );
    const de = explainer.explain(record, {
      consent: gate,
      changes: [performed],
      locale: 'de',
      timeZone: 'Europe/Berlin',
    });
    expect(de.change?.text).toContain('bis 1. Juni 2026 um 15:00 MESZ rückgängig machen');
    // The audit keeps the zone, so the replay says the same.
    const { audit } = await explainer.explainWithAudit(record, {
      consent: gate,
      changes: [performed],
      timeZone: 'America/Los_Angeles',
    });
    expect(audit.timeZone).toBe('America/Los_Angeles');
    expect((await explainer.replay(JSON.parse(JSON.stringify(audit)), record)).matches).toBe(true);
  });

  it('dates the decision and the data in their zone too, but not the values of facts', () => {
    const early = Date.UTC(2026, 5, 1, 2);
    const at2am = {
      ...record,
      at: early,
      evidence: [
        {
          ...record.evidence[0]!,
          provenance: { ...record.evidence[0]!.provenance, observedAt: early },
        },
      ],
    };
    now = early + HOUR;
    const utc = explainer.explain(at2am, { consent: gate, layer: 'detailed' });
    const la = explainer.explain(at2am, {
      consent: gate,
      layer: 'detailed',
      timeZone: 'America/Los_Angeles',
    });
    expect(utc.decision.text).toContain('June 1, 2026');
    expect(la.decision.text).toContain('May 31, 2026');
    expect(la.dataUsed[0]?.text).toContain('May 31, 2026');
    expect(la.dataUsed[0]?.value).toBe(utc.dataUsed[0]?.value);
  });

  it('refuses a time zone that is not one, naming it', () => {
    for (const timeZone of ['Mars/Olympus', 'UTC+2', 42])
      expect(() =>
        explainer.explain(record, { consent: gate, timeZone: timeZone as string }),
      ).toThrow(
        expect.objectContaining({
          code: 'explain/invalid_input',
          details: expect.objectContaining({ path: 'options.timeZone' }),
        }),
      );
  });
});
