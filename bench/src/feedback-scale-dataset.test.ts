import { createFeedbackLoop, createMemoryFeedbackStore, eventFingerprint } from '@candor/feedback';
import { describe, expect, it } from 'vitest';
import {
  EVENTS_PER_SUBJECT,
  eventsInOrder,
  expectedCode,
  FEEDBACK_COPY_COLUMNS,
  FEEDBACK_NOW,
  feedbackCopyRow,
  feedbackEventsFor,
  feedbackSubject,
  queryFor,
} from './feedback-scale-dataset.ts';

describe('the feedback scale dataset', () => {
  it('has verdicts that vary as expectedCode says, with and without a subject cache', async () => {
    const n = 400;
    const store = createMemoryFeedbackStore();
    const events = [...eventsInOrder(n)];
    expect(events).toHaveLength(n * EVENTS_PER_SUBJECT);
    for (let k = 1; k < events.length; k++)
      expect(events[k]!.at).toBeGreaterThan(events[k - 1]!.at);
    expect((await store.appendEvents(events)).appended).toHaveLength(events.length);
    const clock = { now: () => FEEDBACK_NOW };
    const bounded = createFeedbackLoop({ store, clock, cache: { maxSubjects: n } });
    const whole = createFeedbackLoop({ store, clock });
    expect((await bounded.hydrate()).events).toBe(events.length);
    await whole.hydrate();
    await bounded.prepare(Array.from({ length: n }, (_, i) => feedbackSubject(i)));
    const codes = new Set<string | null>();
    for (let i = 0; i < n; i++) {
      const verdict = bounded.check(queryFor(i));
      expect(verdict.reason?.code ?? null).toBe(expectedCode(i));
      expect(verdict.suppressed).toBe(expectedCode(i) !== null);
      expect(whole.check(queryFor(i))).toEqual(verdict);
      codes.add(verdict.reason?.code ?? null);
    }
    expect([...codes].sort()).toEqual([null, 'not_interested', 'stop_this', 'too_frequent'].sort());
    expect(bounded.ruleHealth('travel-offer', 'a')).toEqual(whole.ruleHealth('travel-offer', 'a'));
    expect(bounded.pauses()).toEqual([]);
  });

  it('writes COPY rows as the store appends them: fingerprint, JSON text, copied columns', () => {
    const [, , event] = feedbackEventsFor(9);
    const row = feedbackCopyRow(42, event!);
    const cells = row.slice(0, -1).split('\t');
    expect(cells).toHaveLength(FEEDBACK_COPY_COLUMNS.split(',').length);
    expect(cells.slice(0, 6)).toEqual([
      '42',
      event!.idempotencyKey,
      event!.subject,
      String(event!.at),
      'not_interested',
      event!.ruleId,
    ]);
    expect(cells[6]).toBe(eventFingerprint(event!));
    expect(JSON.parse(cells[7]!)).toEqual(event);
  });
});
