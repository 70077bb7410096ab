import { createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkpointKey } from './checkpoint';
import { resolveLoopConfig } from './config';
import { fb } from './events.test-helpers';
import type { FeedbackKind } from './kinds';
import { createFeedbackLoop } from './loop';
import { createMemoryFeedbackStore, type FeedbackStore, type ReadOptions } from './store';
import type { FeedbackLoop } from './types';

const start = Date.parse('2026-05-03T09:00:00Z');
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const guardrails = { thresholds: { complaint: 0.2, intrusive: 0.3 }, minExposures: 3 };
const key = checkpointKey(resolveLoopConfig({ guardrails }).guardrails);

/** A store that remembers where each events read started. */
function watched(inner: FeedbackStore = createMemoryFeedbackStore()) {
  const reads: number[] = [];
  const store: FeedbackStore = {
    ...inner,
    readEvents(options?: ReadOptions) {
      reads.push(options?.afterSeq ?? 0);
      return inner.readEvents(options);
    },
  };
  return { store, reads };
}

/** What the guardrails know about rules r1, r2 and their variants A, B. */
function health(loop: FeedbackLoop) {
  const out: unknown[] = [];
  for (const rule of ['r1', 'r2']) {
    for (const variant of [undefined, 'A', 'B']) {
      const h = loop.ruleHealth(rule, variant);
      out.push([rule, variant, h.exposures, h.rates, h.paused]);
    }
  }
  return { rules: out, pauses: [...loop.pauses()].sort((a, b) => (a.ruleId < b.ruleId ? -1 : 1)) };
}

async function complaints(loop: FeedbackLoop, n: number, at: number) {
  for (let i = 0; i < n; i++) {
    const subject = `cus_${i}`;
    const decisionId = `d-${at}-${i}`;
    await loop.submit(fb({ kind: 'delivered', subject, decisionId, ruleId: 'r1', at }));
    await loop.submit(fb({ kind: 'complained', subject, decisionId, ruleId: 'r1', at }));
  }
}

describe('guardrail checkpoints (a loop with a subject cache)', () => {
  it('start-up reads only the events stored after the latest checkpoint, and counts the same', async () => {
    const inner = createMemoryFeedbackStore();
    const clock = createVirtualClock(start + duration.minute);
    const cache = { maxSubjects: 10, checkpointEvery: 5 };
    const writer = createFeedbackLoop({ store: inner, clock, guardrails, cache });
    await complaints(writer, 6, start);
    await tick();
    const checkpoint = await inner.readCheckpoint?.(key);
    expect(checkpoint?.events).toBeGreaterThanOrEqual(10);
    expect(writer.isPaused('r1')).toBe(true);

    const { store, reads } = watched(inner);
    const restarted = createFeedbackLoop({ store, clock, guardrails, cache });
    expect(await restarted.hydrate()).toEqual({
      decisions: 0,
      events: 12 - (checkpoint?.events ?? 0),
    });
    expect(reads[0]).toBe(checkpoint?.events);
    const whole = createFeedbackLoop({ store: inner, clock, guardrails });
    await whole.hydrate();
    expect(health(restarted)).toEqual(health(whole));
    expect(
      restarted.check({ subject: 'x', ruleId: 'r1', topic: 't', channel: 'push', at: clock.now() })
        .reason?.code,
    ).toBe('not_loaded');
    await restarted.prepare('x');
    expect(
      restarted.check({ subject: 'x', ruleId: 'r1', topic: 't', channel: 'push', at: clock.now() })
        .reason?.code,
    ).toBe('rule_paused');
  });

  it('a resume stored after the checkpoint lifts the pause it holds', async () => {
    const store = createMemoryFeedbackStore();
    const clock = createVirtualClock(start + duration.minute);
    const cache = { maxSubjects: 10, checkpointEvery: 2 };
    const writer = createFeedbackLoop({ store, clock, guardrails, cache });
    await complaints(writer, 4, start);
    await tick();
    expect((await store.readCheckpoint?.(key))?.paused.length).toBe(1);
    await writer.resume('r1');
    const restarted = createFeedbackLoop({ store, clock, guardrails, cache });
    await restarted.hydrate();
    expect(restarted.isPaused('r1')).toBe(false);
    expect(restarted.ruleHealth('r1').exposures).toBe(0);
  });

  it('ignores a malformed checkpoint and reads every event instead', async () => {
    const inner = createMemoryFeedbackStore();
    const clock = createVirtualClock(start + duration.minute);
    const writer = createFeedbackLoop({ store: inner, clock, guardrails });
    await writer.hydrate();
    await complaints(writer, 4, start);
    for (const bad of [
      { events: 'many' },
      {
        events: 3,
        resumes: 0,
        latestAt: 0,
        rules: [['r1', [1]]],
        reactions: { ids: [], bits: [], variants: [] },
        paused: [],
      },
      {
        events: 3,
        resumes: 0,
        latestAt: 0,
        rules: [],
        reactions: { ids: ['d1'], bits: [], variants: [] },
        paused: [],
      },
      null,
    ]) {
      const { store, reads } = watched({
        ...inner,
        readCheckpoint: async () => bad as never,
      });
      const loop = createFeedbackLoop({ store, clock, guardrails, cache: { maxSubjects: 1 } });
      await loop.hydrate();
      expect(reads[0]).toBe(0);
      expect(health(loop)).toEqual(health(writer));
    }
  });

  it('counts what a loop that read everything counts, whenever checkpoints were taken (property)', async () => {
    const step = fc.oneof(
      fc.record({
        type: fc.constant('event' as const),
        // Mostly deliveries: rates are capped at one per exposure, which would hide a miscount.
        kind: fc.constantFrom<FeedbackKind>(
          'delivered',
          'delivered',
          'delivered',
          'complained',
          'intrusive',
          'helpful',
          'not_interested',
        ),
        rule: fc.constantFrom('r1', 'r2'),
        variant: fc.constantFrom(undefined, 'A', 'B'),
        decision: fc.integer({ min: 0, max: 3 }),
        subject: fc.constantFrom('s1', 's2', 's3'),
      }),
      fc.record({ type: fc.constant('resume' as const), rule: fc.constantFrom('r1', 'r2') }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        async (steps, every) => {
          const store = createMemoryFeedbackStore();
          const clock = createVirtualClock(start);
          const cache = { maxSubjects: 2, checkpointEvery: every };
          const writer = createFeedbackLoop({ store, clock, guardrails, cache });
          let n = 0;
          for (const s of steps) {
            clock.advance(duration.minute);
            if (s.type === 'resume') await writer.resume(s.rule);
            else {
              await writer.submit(
                fb({
                  kind: s.kind,
                  idempotencyKey: `k${n++}`,
                  subject: s.subject,
                  ruleId: s.rule,
                  decisionId: `${s.rule}-${s.decision}`,
                  at: clock.now(),
                  ...(s.variant === undefined ? {} : { variantId: s.variant }),
                }),
              );
            }
            await tick();
            // An instance starting now, from the latest checkpoint, and one reading everything.
            const restarted = createFeedbackLoop({ store, clock, guardrails, cache });
            await restarted.hydrate();
            const whole = createFeedbackLoop({ store, clock, guardrails });
            await whole.hydrate();
            expect(health(restarted)).toEqual(health(whole));
            expect(health(writer)).toEqual(health(whole));
            restarted.close();
            whole.close();
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
