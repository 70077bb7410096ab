import {
  CandorError,
  type ChangeFeed,
  createVirtualClock,
  duration,
  type FeedNotice,
  isCandorError,
  type SuppressionReason,
  type SuppressionVerdict,
} from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fb, q, start, tick } from './events.test-helpers';
import { createFeedbackLoop } from './loop';
import { createMemoryFeedbackStore, type FeedbackStore } from './store';

async function setup(maxSubjects = 2, store: FeedbackStore = createMemoryFeedbackStore()) {
  const clock = createVirtualClock(start + duration.minute);
  const writer = createFeedbackLoop({ store, clock });
  await writer.hydrate();
  const cached = createFeedbackLoop({ store, clock, cache: { maxSubjects } });
  return { store, clock, writer, cached };
}

/** A suppression reason without the feedback it names. */
const reason = ({ feedbackId: _id, detail: _detail, ...rest }: SuppressionReason) => rest;
/** Reasons in a fixed order (arrival order may differ between instances). */
const reasons = (list: readonly SuppressionReason[]) =>
  list.map((r) => JSON.stringify(reason(r))).sort();
const verdict = (v: SuppressionVerdict) => ({
  suppressed: v.suppressed,
  reason: v.reason === null ? null : reason(v.reason),
});

/** A memory store whose feed holds notices until `deliver()`. */
function delayedFeed() {
  const inner = createMemoryFeedbackStore();
  const queued: FeedNotice[] = [];
  const listeners = new Set<(notice: FeedNotice) => void>();
  inner.feed?.subscribe((notice) => {
    queued.push(notice);
  });
  const feed: ChangeFeed = {
    staleAfterMs: 5_000,
    fresh: true,
    ready: () => Promise.resolve(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const deliver = () => {
    for (const notice of queued.splice(0)) for (const listener of listeners) listener(notice);
  };
  return { store: { ...inner, feed } as FeedbackStore, deliver };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CandorError ? error.code : 'not a CandorError';
  }
  return undefined;
}

describe('a feedback loop with a subject cache', () => {
  it('holds back a customer it has not prepared, then answers from the store once prepared', async () => {
    const { writer, cached } = await setup();
    await writer.submit(
      fb({ kind: 'not_interested', subject: 'cus_1', at: start, scope: 'topic' }),
    );
    expect(cached.check(q()).reason?.code).toBe('not_loaded');
    expect(cached.viewStatus('cus_1')).toBe('not_loaded');
    await cached.prepare(['cus_1', 'cus_2']);
    expect(cached.viewStatus('cus_1')).toBe('ready');
    expect(cached.check(q()).reason?.code).toBe('not_interested');
    expect(cached.check(q({ subject: 'cus_2' })).suppressed).toBe(false);
    // Critical messages are never held back, prepared or not.
    expect(cached.check(q({ subject: 'cus_9', critical: true })).suppressed).toBe(false);
  });

  it('drops the least recently prepared beyond the bound, and reads them again the same', async () => {
    const { writer, cached, clock } = await setup(2);
    await writer.submit(fb({ kind: 'too_frequent', subject: 'cus_1', at: start }));
    await writer.submit(
      fb({ kind: 'not_interested', subject: 'cus_1', at: start, scope: 'topic' }),
    );
    await cached.prepare('cus_1');
    const before = cached.suppressions('cus_1', clock.now());
    const budget = cached.budget('cus_1', 'push', clock.now());
    await cached.prepare(['cus_2', 'cus_3']);
    expect(cached.check(q()).reason?.code).toBe('not_loaded');
    expect(codeOf(() => cached.suppressions('cus_1'))).toBe('feedback/not_prepared');
    expect(codeOf(() => cached.budget('cus_1', 'push'))).toBe('feedback/not_prepared');
    expect(cached.viewStatus('cus_2')).toBe('ready');
    await cached.prepare('cus_1');
    expect(cached.suppressions('cus_1', clock.now())).toEqual(before);
    expect(cached.budget('cus_1', 'push', clock.now())).toEqual(budget);
    // cus_2 was prepared least recently: it went.
    expect(cached.viewStatus('cus_2')).toBe('not_loaded');
    expect(cached.viewStatus('cus_3')).toBe('ready');
  });

  it('keeps customers prepared together in the order given, held or not before', async () => {
    const { cached } = await setup(3);
    await cached.prepare(['cus_1', 'cus_2', 'cus_3']);
    await cached.prepare('cus_4');
    // The first of the three went first, then the second.
    expect(['cus_1', 'cus_2', 'cus_3'].map((s) => cached.viewStatus(s))).toEqual([
      'not_loaded',
      'ready',
      'ready',
    ]);
    // cus_2 held already, cus_5 read now: cus_2 becomes the most recently prepared.
    await cached.prepare(['cus_5', 'cus_2']);
    await cached.prepare('cus_6');
    expect(['cus_2', 'cus_3', 'cus_4', 'cus_5'].map((s) => cached.viewStatus(s))).toEqual([
      'ready',
      'not_loaded',
      'not_loaded',
      'ready',
    ]);
  });

  it('answers a customer prepared again from the store as it is now, not from before it was dropped', async () => {
    const { writer, cached } = await setup(2);
    await cached.prepare('cus_1');
    expect(cached.check(q()).suppressed).toBe(false);
    await cached.prepare(['cus_2', 'cus_3']);
    await writer.submit(fb({ kind: 'stop_this', subject: 'cus_1', at: start }));
    await cached.prepare('cus_1');
    expect(cached.check(q()).reason?.code).toBe('stop_this');
  });

  it('applies feedback given elsewhere to a prepared customer at once, and its own to the next check', async () => {
    const { writer, cached } = await setup();
    await cached.prepare(['cus_1']);
    await writer.submit(fb({ kind: 'stop_this', subject: 'cus_1', at: start }));
    // Announced and not yet read: held back, never let through.
    expect(cached.check(q()).suppressed).toBe(true);
    await tick();
    expect(cached.check(q()).reason?.code).toBe('stop_this');
    await cached.prepare(['cus_2']);
    const result = await cached.submit(
      fb({ kind: 'not_interested', subject: 'cus_2', at: start, scope: 'topic' }),
    );
    expect(result.status).toBe('accepted');
    expect(cached.check(q({ subject: 'cus_2' })).reason?.code).toBe('not_interested');
    await tick();
    // Its own event read back from the store is not applied twice (one escalation step).
    expect(cached.suppressions('cus_2')).toEqual(writer.suppressions('cus_2'));
    expect(cached.suppressions('cus_2').length).toBeGreaterThan(0);
  });

  it('counts guardrails over every customer, prepared or not', async () => {
    const store = createMemoryFeedbackStore();
    const clock = createVirtualClock(start + duration.minute);
    const cached = createFeedbackLoop({
      store,
      clock,
      cache: { maxSubjects: 1 },
      guardrails: { thresholds: { complaint: 0.1 }, minExposures: 5 },
    });
    await cached.prepare('cus_0');
    for (let i = 0; i < 10; i++) {
      const subject = `cus_${i}`;
      await cached.submit(fb({ kind: 'delivered', subject, decisionId: `d${i}`, at: start }));
      await cached.submit(fb({ kind: 'complained', subject, decisionId: `d${i}`, at: start }));
    }
    expect(cached.isPaused('travel-offer')).toBe(true);
    expect(cached.check(q({ subject: 'cus_0' })).reason?.code).toBe('complained');
  });

  it('refuses a malformed prepare() with a typed error, reading and dropping nothing', async () => {
    const { cached } = await setup(3);
    await cached.prepare(['cus_1']);
    const bad: unknown[] = [42, [''], ['cus_2', 7], ['a', 'b', 'c', 'd'], { length: 1 }];
    for (const input of bad) {
      await expect(cached.prepare(input as string[])).rejects.toSatisfy((e: unknown) =>
        isCandorError(e, 'feedback/invalid_event'),
      );
    }
    expect(cached.viewStatus('cus_1')).toBe('ready');
    expect(cached.viewStatus('cus_2')).toBe('not_loaded');
    // Without a cache prepare() reads nothing, but it checks what it is given all the same.
    const whole = createFeedbackLoop({ clock: createVirtualClock(start) });
    for (const input of [42, [''], ['cus_2', 7], { length: 1 }])
      await expect(whole.prepare(input as string[])).rejects.toSatisfy((e: unknown) =>
        isCandorError(e, 'feedback/invalid_event'),
      );
    await expect(whole.prepare(Array.from({ length: 5_000 }, (_, i) => `c${i}`))).resolves.toBe(
      undefined,
    );
  });

  it('keeps nothing from a read that returns a malformed event', async () => {
    const inner = createMemoryFeedbackStore();
    const store: FeedbackStore = {
      ...inner,
      readEvents: inner.readEvents.bind(inner),
      async readEventsOf(subjects) {
        const rows = await inner.readEventsOf?.(subjects);
        return [...(rows ?? []), { seq: 99, event: { kind: 'nope', subject: 'cus_1' } as never }];
      },
    };
    const { cached } = await setup(2, store);
    await expect(cached.prepare(['cus_1', 'cus_2'])).rejects.toSatisfy(
      (e: unknown) =>
        isCandorError(e, 'feedback/invalid_event') &&
        e.details.path === 'stored[0].event.decisionId',
    );
    expect(cached.viewStatus('cus_1')).toBe('not_loaded');
    expect(cached.viewStatus('cus_2')).toBe('not_loaded');
  });

  it('refuses calls that need everyone in memory, and a store that cannot read one customer', async () => {
    const { cached } = await setup();
    expect(codeOf(() => cached.events())).toBe('feedback/unsupported');
    expect(codeOf(() => cached.corrections())).toBe('feedback/unsupported');
    expect(codeOf(() => cached.apply(fb({ kind: 'helpful', at: start })))).toBe(
      'feedback/unsupported',
    );
    const { readEventsOf: _none, ...withoutRead } = createMemoryFeedbackStore();
    expect(
      codeOf(() => createFeedbackLoop({ store: withoutRead, cache: { maxSubjects: 5 } })),
    ).toBe('feedback/invalid_option');
    for (const maxSubjects of [0, 1.5, Number.NaN]) {
      expect(codeOf(() => createFeedbackLoop({ cache: { maxSubjects } }))).toBe(
        'feedback/invalid_option',
      );
    }
  });

  it('answers every check like a loop that read the whole store, across two instances (property)', async () => {
    const subjects = ['s1', 's2', 's3', 's4'];
    const topics = ['offers.travel', 'offers.hotel'];
    const op = fc.oneof(
      fc.record({
        type: fc.constant('submit' as const),
        on: fc.constantFrom('a', 'b'),
        kind: fc.constantFrom(
          'not_interested',
          'stop_this',
          'too_frequent',
          'delivered',
          'helpful',
        ),
        subject: fc.constantFrom(...subjects),
        topic: fc.constantFrom(...topics),
        settle: fc.boolean(),
        batch: fc.boolean(),
      }),
      fc.record({
        type: fc.constant('prepare' as const),
        on: fc.constantFrom('a', 'b'),
        subjects: fc.subarray(subjects, { minLength: 1, maxLength: 2 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        // Notices arrive late, as from a database: reads and notices interleave.
        const { store, deliver } = delayedFeed();
        const clock = createVirtualClock(start + duration.minute);
        const options = { store, clock, fatigue: { defaultCap: 2 } };
        const loops = {
          a: createFeedbackLoop({ ...options, cache: { maxSubjects: 2 } }),
          b: createFeedbackLoop({ ...options, cache: { maxSubjects: 3 } }),
        };
        for (const o of ops) {
          if (o.type === 'prepare') await loops[o.on].prepare(o.subjects);
          else {
            const event = fb({ kind: o.kind, subject: o.subject, topic: o.topic, at: clock.now() });
            if (o.batch) {
              const other = fb({ kind: 'delivered', subject: o.subject, at: clock.now() });
              await loops[o.on].submitMany([event, other, event]);
            } else await loops[o.on].submit(event);
          }
          // Between settles notices are in flight, as from a database; compare once they land.
          if (o.type === 'submit' && !o.settle && o !== ops.at(-1)) continue;
          deliver();
          await tick();
          const truth = createFeedbackLoop(options);
          await truth.hydrate();
          for (const loop of [loops.a, loops.b]) {
            for (const subject of subjects) {
              for (const topic of topics) {
                const query = q({ subject, topic, at: clock.now() });
                const seen = loop.check(query);
                // Never less than the store holds; the same once the view says it is current
                // (which of two equal signals a suppression names depends on arrival order).
                if (truth.check(query).suppressed) expect(seen.suppressed).toBe(true);
                if (loop.viewStatus(subject) === 'ready') {
                  expect(verdict(seen)).toEqual(verdict(truth.check(query)));
                }
              }
              if (loop.viewStatus(subject) === 'ready') {
                const budget = loop.budget(subject, 'push');
                const expected = truth.budget(subject, 'push');
                // Which of two equal signals a budget reason names depends on arrival order too.
                const plain = (b: typeof budget) => ({
                  ...b,
                  fatigue: 0,
                  reason: b.reason === null ? null : reason(b.reason),
                });
                expect(plain(budget)).toEqual(plain(expected));
                expect(budget.fatigue).toBeCloseTo(expected.fatigue, 9);
                expect(reasons(loop.suppressions(subject))).toEqual(
                  reasons(truth.suppressions(subject)),
                );
              }
            }
          }
          truth.close();
          clock.advance(duration.minute);
        }
      }),
      {
        numRuns: 60,
        // Found in CI: two "too frequent" on one channel, arriving in different orders.
        examples: [
          [
            [
              { type: 'prepare', on: 'a', subjects: ['s3'] },
              {
                type: 'submit',
                on: 'b',
                kind: 'too_frequent',
                subject: 's3',
                topic: 'offers.travel',
                settle: false,
                batch: false,
              },
              {
                type: 'submit',
                on: 'a',
                kind: 'too_frequent',
                subject: 's3',
                topic: 'offers.travel',
                settle: false,
                batch: false,
              },
              { type: 'prepare', on: 'a', subjects: ['s4'] },
            ],
          ],
        ],
      },
    );
  });
});
