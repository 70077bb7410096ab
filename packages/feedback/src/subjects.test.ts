import { duration, type SuppressionQuery } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnnouncer } from './announce';
import { budgetOf } from './budget';
import { resolveLoopConfig } from './config';
import type { FeedbackKind } from './kinds';
import type { FeedbackEvent } from './schema';
import {
  applyToSubject,
  createSubjects,
  forgetSubject,
  type Subjects,
  stateOf,
  subjectNumber,
} from './subjects';
import { activeReasons, strongestSuppression } from './suppressions';

/*
 * The per-subject part of the view is built from each subject's own events and can be dropped
 * and rebuilt: what a bounded cache of customers needs. These properties compare everything a
 * subject's `check()`, `budget()` and `suppressions()` read.
 */

const start = Date.parse('2026-05-03T09:00:00Z');
const config = resolveLoopConfig({
  escalation: { after: 2, withinMs: 5 * duration.day },
  fatigue: { windowMs: 3 * duration.day, defaultCap: 4, crossChannelCap: 6 },
});
const SUBJECTS = ['cus_a', 'cus_b', 'cus_c', 'cus_d'];
const CHANNELS = ['push', 'email', 'sms'];
const TOPICS = ['offers.travel', 'offers.travel.hotels', 'billing.card'];
const KINDS: FeedbackKind[] = [
  'delivered',
  'delivered',
  'ignored',
  'dismissed',
  'opened',
  'clicked',
  'helpful',
  'not_interested',
  'not_relevant',
  'too_frequent',
  'intrusive',
  'wrong_data',
  'stop_this',
  'unsubscribed',
];

const arbitraryEvents = fc
  .array(
    fc.record({
      subject: fc.constantFrom(...SUBJECTS),
      channel: fc.constantFrom(...CHANNELS),
      topic: fc.constantFrom(...TOPICS),
      kind: fc.constantFrom(...KINDS),
      wide: fc.boolean(),
      critical: fc.boolean(),
      offset: fc.integer({ min: 0, max: 8 * duration.day }),
    }),
    { maxLength: 60 },
  )
  .map((items) =>
    items.map(
      (item, i): FeedbackEvent => ({
        idempotencyKey: `k${i}`,
        kind: item.kind,
        decisionId: `d${i}`,
        subject: item.subject,
        ruleId: `rule_${i % 3}`,
        topic: item.topic,
        channel: item.channel,
        at: start + item.offset,
        ...(item.kind === 'too_frequent' && item.wide ? { scope: 'all' as const } : {}),
        ...(item.kind === 'not_relevant' && item.wide ? { itemKey: `item_${i % 2}` } : {}),
        ...(item.critical && item.kind === 'delivered' ? { critical: true } : {}),
      }),
    ),
  );

function build(events: readonly FeedbackEvent[]): Subjects {
  const subjects = createSubjects(config);
  const announcer = createAnnouncer();
  for (const event of events) applyToSubject(subjects, announcer, config, event);
  return subjects;
}

/** Everything check(), budget() and suppressions() read about `subject`, at a few instants. */
function snapshot(subjects: Subjects, subject: string) {
  return [start + duration.day, start + 4 * duration.day, start + 9 * duration.day].map((at) => ({
    reasons: activeReasons(stateOf(subjects, subject), at),
    budgets: CHANNELS.map((channel) => budgetOf(subjects, subject, channel, at)),
    verdicts: TOPICS.flatMap((topic) =>
      CHANNELS.map((channel) => {
        const query: SuppressionQuery = {
          subject,
          ruleId: 'rule_1',
          topic,
          channel,
          at,
          itemKey: 'item_1',
        };
        return strongestSuppression(stateOf(subjects, subject), query)?.reason ?? null;
      }),
    ),
  }));
}

describe("a subject's state", () => {
  it('is built from its own events alone', () => {
    fc.assert(
      fc.property(arbitraryEvents, (events) => {
        const all = build(events);
        for (const subject of SUBJECTS) {
          const alone = build(events.filter((e) => e.subject === subject));
          expect(snapshot(all, subject)).toEqual(snapshot(alone, subject));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is dropped by forgetSubject, without touching the others, and rebuilt from its events', () => {
    fc.assert(
      fc.property(arbitraryEvents, fc.constantFrom(...SUBJECTS), (events, gone) => {
        const subjects = build(events);
        const before = new Map(SUBJECTS.map((s) => [s, snapshot(subjects, s)]));
        const held = subjects.numbers.has(gone);
        expect(forgetSubject(subjects, gone)).toBe(held);
        expect(subjects.numbers.has(gone)).toBe(false);
        expect(snapshot(subjects, gone)).toEqual(snapshot(build([]), gone));
        for (const s of SUBJECTS)
          if (s !== gone) expect(snapshot(subjects, s)).toEqual(before.get(s));
        // A newcomer takes the forgotten number and starts clean.
        const newcomer = events
          .filter((e) => e.subject === gone)
          .map((e) => ({ ...e, subject: 'cus_new' }));
        const announcer = createAnnouncer();
        for (const e of newcomer) applyToSubject(subjects, announcer, config, e);
        expect(snapshot(subjects, 'cus_new')).toEqual(snapshot(build(newcomer), 'cus_new'));
        // The forgotten subject's events, applied again, rebuild exactly what it had.
        for (const e of events)
          if (e.subject === gone) applyToSubject(subjects, announcer, config, e);
        expect(snapshot(subjects, gone)).toEqual(before.get(gone));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the fatigue columns as big as the subjects held, not those ever seen', () => {
    const subjects = createSubjects(config);
    const announcer = createAnnouncer();
    for (let i = 0; i < 5_000; i++) {
      const subject = `cus_${i}`;
      applyToSubject(subjects, announcer, config, {
        idempotencyKey: `k${i}`,
        kind: 'delivered',
        decisionId: `d${i}`,
        subject,
        ruleId: 'r',
        topic: 'offers.travel',
        channel: 'push',
        at: start,
      });
      if (i >= 100) forgetSubject(subjects, `cus_${i - 100}`);
    }
    expect(subjects.numbers.size).toBe(100);
    expect(subjects.states.length).toBeLessThanOrEqual(101);
    expect(subjects.fatigue.columns[0]?.pages.length).toBe(1);
    expect(subjectNumber(subjects, 'cus_4999')).toBeLessThanOrEqual(100);
  });
});
