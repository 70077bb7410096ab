import { createVirtualClock, type SuppressionQuery } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fb } from './events.test-helpers';
import { type FeedbackKind, isPermanentKind, isScopedKind } from './kinds';
import { createFeedbackLoop } from './loop';
import type { FeedbackEvent } from './schema';
import { createMemoryFeedbackStore } from './store';

const start = Date.parse('2026-05-03T09:00:00Z');
/** Short windows, durations and half-life, so checks fall on every side of their edges. */
const WINDOW = 100;
const options = {
  fatigue: { windowMs: WINDOW, halfLifeMs: 40, defaultCap: 2, crossChannelCap: 3, sensitivity: 1 },
  escalation: { after: 2, withinMs: 50, durationMs: 150 },
  guardrails: { minExposures: 2 },
};

const kinds: FeedbackKind[] = [
  'delivered',
  'delivered',
  'delivered',
  'opened',
  'ignored',
  'dismissed',
  'not_interested',
  'not_relevant',
  'stop_this',
  'too_frequent',
  'too_frequent',
  'intrusive',
  'wrong_data',
  'lifted',
  'lifted',
  'complained',
];
const rules = [
  { ruleId: 'travel-offer', topic: 'offers.travel' },
  { ruleId: 'hotel-offer', topic: 'offers.travel.hotels' },
  { ruleId: 'card-expiry', topic: 'billing.card_expiry' },
];
const channels = ['push', 'email'];
const scopes = ['item', 'rule', 'topic', 'channel', 'all'] as const;

const eventOp = fc.record({
  type: fc.constant('event' as const),
  kind: fc.constantFrom(...kinds),
  subject: fc.constantFrom('s1', 's1', 's2'),
  rule: fc.nat(rules.length - 1),
  channel: fc.constantFrom(...channels),
  item: fc.constantFrom('i1', 'i2'),
  at: fc.integer({ min: 0, max: 400 }),
  scope: fc.option(fc.constantFrom(...scopes), { nil: undefined }),
  durationMs: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
  /** About an earlier event's subject, rule, topic, channel, item and scope (a lift of its mute). */
  like: fc.option(fc.nat(), { nil: undefined }),
});
/**
 * A check near an event applied earlier (its instant, its end, its window's end), anywhere, or a
 * little after the previous check; about that event's own subject, rule, topic, channel and item
 * (`like`) or those drawn. Then asked again about the instants `around` it, in that order.
 */
const checkOp = fc.record({
  type: fc.constant('check' as const),
  subject: fc.constantFrom('s1', 's1', 's2'),
  rule: fc.nat(rules.length - 1),
  channel: fc.constantFrom(...channels),
  item: fc.option(fc.constantFrom('i1', 'i2'), { nil: undefined }),
  near: fc.nat(),
  edge: fc.constantFrom('at', 'duration', 'window', 'free', 'after', 'after'),
  offset: fc.integer({ min: -2, max: 2 }),
  free: fc.integer({ min: -20, max: 600 }),
  like: fc.boolean(),
  around: fc.shuffledSubarray([-2, -1, 0, 1, 2]),
  /** Then asked about every instant next to an edge and every few ms, forwards and back. */
  sweep: fc.boolean(),
});

type EventOp = ReturnType<(typeof eventOp)['generate']>['value'];
type CheckOp = ReturnType<(typeof checkOp)['generate']>['value'];

/**
 * The event an op describes, valid whatever it drew (scope and duration only where allowed), about
 * what an earlier one was about when it says so.
 */
function eventOf(o: EventOp, applied: readonly FeedbackEvent[]): FeedbackEvent {
  const earlier = o.like === undefined ? undefined : applied[o.like % applied.length];
  const drawn = isScopedKind(o.kind) ? o.scope : undefined;
  const scope = earlier === undefined || drawn === undefined ? drawn : earlier.scope;
  const timed = isScopedKind(o.kind) && !isPermanentKind(o.kind);
  return fb({
    kind: o.kind,
    subject: o.subject,
    ...(rules[o.rule] as (typeof rules)[number]),
    channel: o.channel,
    itemKey: o.item,
    ...(earlier === undefined
      ? {}
      : {
          subject: earlier.subject,
          ruleId: earlier.ruleId,
          topic: earlier.topic,
          channel: earlier.channel,
          itemKey: earlier.itemKey,
        }),
    at: start + o.at,
    ...(scope === undefined ? {} : { scope }),
    ...(timed && o.durationMs !== undefined ? { durationMs: o.durationMs } : {}),
  });
}

/** The query a check op asks, given the events applied so far and the previous query. */
function queryOf(
  o: CheckOp,
  applied: readonly FeedbackEvent[],
  previous: SuppressionQuery | undefined,
): SuppressionQuery {
  const drawn = {
    subject: o.subject,
    ...(rules[o.rule] as (typeof rules)[number]),
    channel: o.channel,
    ...(o.item === undefined ? {} : { itemKey: o.item }),
  };
  if (o.edge === 'after' && previous !== undefined) {
    return { ...(o.like ? previous : drawn), at: previous.at + (Math.abs(o.free) % 64) + 1 };
  }
  const event = applied[o.near % Math.max(1, applied.length)];
  if (event === undefined || o.edge === 'free' || o.edge === 'after') {
    return { ...drawn, at: start + o.free };
  }
  const base =
    o.edge === 'at'
      ? event.at
      : o.edge === 'window'
        ? event.at + WINDOW
        : event.at + (event.durationMs ?? 150);
  const { subject, ruleId, topic, channel, itemKey } = event;
  const like = { subject, ruleId, topic, channel, ...(itemKey === undefined ? {} : { itemKey }) };
  return { ...(o.like ? like : drawn), at: base + o.offset };
}

/** Every instant next to an event's edges, and every 5 ms, in order. */
function sweepOf(applied: readonly FeedbackEvent[]): number[] {
  const instants = new Set<number>();
  for (let t = -20; t <= 700; t += 5) instants.add(start + t);
  for (const e of applied) {
    for (const edge of [e.at, e.at + WINDOW, e.at + (e.durationMs ?? 150)]) {
      for (const d of [-1, 0, 1]) instants.add(edge + d);
    }
  }
  return [...instants].sort((a, b) => a - b);
}

describe("check()'s memo", () => {
  it('answers exactly as a loop computing afresh, at any instant, however events interleave (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(eventOp, checkOp), { minLength: 4, maxLength: 30, size: 'medium' }),
        (ops) => {
          const clock = createVirtualClock(start + 10_000);
          const loop = createFeedbackLoop({ ...options, clock });
          const applied: FeedbackEvent[] = [];
          let previous: SuppressionQuery | undefined;
          for (const o of ops) {
            if (o.type === 'event') {
              const event = eventOf(o, applied);
              loop.apply(event);
              applied.push(event);
              continue;
            }
            const query = queryOf(o, applied, previous);
            previous = query;
            const fresh = createFeedbackLoop({ ...options, clock });
            fresh.applyMany(applied);
            const expected = fresh.check(query);
            // Asked twice: computed (or memoized earlier at another instant), then memoized.
            expect(loop.check(query)).toEqual(expected);
            expect(loop.check(query)).toEqual(expected);
            // Then about the instants around it, on either side of the memo's edges.
            for (const d of o.around) {
              const at = query.at + d;
              expect(loop.check({ ...query, at })).toEqual(fresh.check({ ...query, at }));
            }
            if (!o.sweep) continue;
            const instants = sweepOf(applied);
            for (const at of [...instants, ...instants.reverse()]) {
              expect(loop.check({ ...query, at })).toEqual(fresh.check({ ...query, at }));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives up a verdict at the instant a lift, a delivery leaving the window or decaying fatigue changes it', () => {
    const roomier = { ...options, fatigue: { ...options.fatigue, defaultCap: 4 } };
    const query = {
      subject: 'cus_1',
      ruleId: 'travel-offer',
      topic: 'offers.travel',
      channel: 'push',
    };
    const cases: { events: FeedbackEvent[]; at: number[]; codes: (string | null)[] }[] = [
      {
        // Muted, then lifted at +50.
        events: [
          fb({ kind: 'not_interested', at: start, scope: 'topic' }),
          fb({ kind: 'lifted', at: start + 50, scope: 'topic' }),
        ],
        at: [start + 10, start + 50],
        codes: ['not_interested', null],
      },
      {
        // Budget halved (2 a window), both used: held back until both leave the window.
        events: [
          fb({ kind: 'too_frequent', at: start, scope: 'channel' }),
          fb({ kind: 'delivered', at: start + 1 }),
          fb({ kind: 'delivered', at: start + 2 }),
        ],
        at: [start + 10, start + 102],
        codes: ['too_frequent', null],
      },
      {
        // Budget halved, and fatigue leaves none of it until it decays (to 1 by about +24 ms).
        events: [
          fb({ kind: 'too_frequent', at: start, scope: 'channel' }),
          fb({ kind: 'dismissed', at: start }),
        ],
        at: [start + 5, start + 60],
        codes: ['too_frequent', null],
      },
      {
        // Asked about an instant before the fatigue recorded later: it counts in full until then.
        events: [
          fb({ kind: 'too_frequent', at: start, scope: 'channel' }),
          fb({ kind: 'dismissed', at: start + 100 }),
        ],
        at: [start + 50, start + 200],
        codes: ['too_frequent', null],
      },
    ];
    for (const { events, at, codes } of cases) {
      const loop = createFeedbackLoop({ ...roomier, clock: createVirtualClock(start + 10_000) });
      loop.applyMany(events);
      expect(at.map((t) => loop.check({ ...query, at: t }).reason?.code ?? null)).toEqual(codes);
    }
    // A fatigue reason is dated at the check: each instant gets its own.
    const tired = createFeedbackLoop({ ...options, clock: createVirtualClock(start + 10_000) });
    tired.applyMany([
      fb({ kind: 'delivered', at: start }),
      fb({ kind: 'delivered', at: start + 1 }),
    ]);
    for (const at of [start + 5, start + 6, start + 7]) {
      expect(tired.check({ ...query, at }).reason).toMatchObject({ code: 'fatigue', since: at });
    }
  });

  it('holds back the subject whose feedback another loop on the same store took, at once and later (property)', async () => {
    const op = fc.record({
      on: fc.constantFrom('a', 'b'),
      event: eventOp,
      checks: fc.array(checkOp, { minLength: 1, maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
        const store = createMemoryFeedbackStore();
        const clock = createVirtualClock(start + 10_000);
        const loops = {
          a: createFeedbackLoop({ ...options, store, clock, cache: { maxSubjects: 2 } }),
          b: createFeedbackLoop({ ...options, store, clock }),
        };
        await loops.b.hydrate();
        await loops.a.prepare(['s1', 's2']);
        const applied: FeedbackEvent[] = [];
        let previous: SuppressionQuery | undefined;
        for (const o of ops) {
          const event = eventOf(o.event, applied);
          await loops[o.on].submit(event);
          applied.push(event);
          await new Promise((resolve) => setTimeout(resolve, 0));
          const truth = createFeedbackLoop({ ...options, store, clock });
          await truth.hydrate();
          for (const c of o.checks) {
            const query = queryOf(c, applied, previous);
            previous = query;
            const expected = truth.check(query);
            for (const loop of [loops.a, loops.b]) {
              expect(loop.viewStatus(c.subject)).toBe('ready');
              expect(verdictOf(loop.check(query))).toEqual(verdictOf(expected));
              expect(verdictOf(loop.check(query))).toEqual(verdictOf(expected));
            }
          }
          truth.close();
        }
        loops.a.close();
        loops.b.close();
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * A verdict without the feedback ids and wording its reason names: two equal signals arriving in
 * other orders on two instances may name either.
 */
function verdictOf(v: { suppressed: boolean; reason: { code: string } | null }) {
  return { suppressed: v.suppressed, code: v.reason?.code ?? null };
}
