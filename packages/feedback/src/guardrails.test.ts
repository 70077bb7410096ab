import { createVirtualClock, duration, type SuppressionQuery } from '@candor/core';
import { describe, expect, it } from 'vitest';
import type { FeedbackLoopOptions } from './config';
import { fb } from './events.test-helpers';
import { createFeedbackLoop } from './loop';
import type { FeedbackEvent } from './schema';
import { createMemoryFeedbackStore, type FeedbackStore } from './store';

const start = Date.parse('2026-05-03T09:00:00Z');
const guardrails = { thresholds: { complaint: 0.05 }, minExposures: 20 };

const query = (over: Partial<SuppressionQuery> = {}): SuppressionQuery => ({
  subject: 'someone_else',
  ruleId: 'fraud-alert',
  topic: 'security.fraud',
  channel: 'sms',
  at: start + duration.hour,
  ...over,
});

/** 40 deliveries of `ruleId`, a quarter of them reported as unwanted: enough to pause it. */
function complaints(ruleId: string, at: number, tag: string): FeedbackEvent[] {
  const events: FeedbackEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const base = {
      decisionId: `${tag}-d${i}`,
      subject: `cus_${i}`,
      ruleId,
      topic: 'security.fraud',
      channel: 'sms',
      at,
    };
    events.push({ ...base, idempotencyKey: `${tag}-del-${i}`, kind: 'delivered' });
    if (i % 4 === 0) events.push({ ...base, idempotencyKey: `${tag}-c-${i}`, kind: 'complained' });
  }
  return events;
}

function setup(store: FeedbackStore, options: FeedbackLoopOptions = {}) {
  const clock = createVirtualClock(start + duration.hour);
  return { clock, loop: createFeedbackLoop({ store, clock, guardrails, ...options }) };
}

describe('resume', () => {
  it('is stored: a restarted loop does not pause the rule again on the same evidence', async () => {
    const store = createMemoryFeedbackStore();
    const first = setup(store).loop;
    await first.submitMany(complaints('fraud-alert', start, 'a'));
    expect(first.isPaused('fraud-alert')).toBe(true);
    await first.resume('fraud-alert');
    expect(first.isPaused('fraud-alert')).toBe(false);
    // A late complaint dated before the resume is old evidence: it does not count any more.
    await first.submit({
      idempotencyKey: 'late',
      kind: 'complained',
      decisionId: 'a-d1',
      subject: 'cus_1',
      ruleId: 'fraud-alert',
      topic: 'security.fraud',
      channel: 'sms',
      at: start,
    });
    expect(first.ruleHealth('fraud-alert').rates.complaint.rate).toBe(0);

    const { clock, loop: restarted } = setup(store);
    await restarted.hydrate();
    expect(restarted.isPaused('fraud-alert')).toBe(false);
    expect(restarted.ruleHealth('fraud-alert')).toEqual(first.ruleHealth('fraud-alert'));
    expect(restarted.check(query()).suppressed).toBe(false);

    // New evidence after the resume pauses it again, live and after another restart.
    clock.advance(duration.day);
    await restarted.submitMany(complaints('fraud-alert', clock.now(), 'b'));
    expect(restarted.isPaused('fraud-alert')).toBe(true);
    const again = setup(store).loop;
    await again.hydrate();
    expect(again.pauses()).toEqual(restarted.pauses());
  });

  it('holds back a customer whose verdict was memoized before the pause, and answers as before once resumed', async () => {
    const { loop } = setup(createMemoryFeedbackStore());
    await loop.hydrate();
    loop.applyMany([fb({ kind: 'delivered', subject: 'someone_else', at: start })]);
    expect(loop.check(query()).suppressed).toBe(false);
    expect(loop.check(query()).suppressed).toBe(false);
    loop.applyMany(complaints('fraud-alert', start, 'a'));
    expect(loop.check(query()).reason?.code).toBe('rule_paused');
    await loop.resume('fraud-alert');
    expect(loop.check(query())).toEqual({ suppressed: false, reason: null });
  });

  it('restores the pause and rejects when the store cannot write it', async () => {
    const memory = createMemoryFeedbackStore();
    const store: FeedbackStore = {
      ...memory,
      appendResumes: async () => {
        throw new Error('disk full');
      },
    };
    const { loop } = setup(store);
    await loop.hydrate();
    loop.applyMany(complaints('fraud-alert', start, 'a'));
    await expect(loop.resume('fraud-alert')).rejects.toThrow('disk full');
    expect(loop.isPaused('fraud-alert')).toBe(true);
    expect(loop.check(query()).reason?.code).toBe('rule_paused');
  });

  it('lasts until a restart with a store that cannot store resumes', async () => {
    const { appendEvents, readEvents, appendDecisions, readDecisions } =
      createMemoryFeedbackStore();
    const store: FeedbackStore = { appendEvents, readEvents, appendDecisions, readDecisions };
    const first = setup(store).loop;
    await first.submitMany(complaints('fraud-alert', start, 'a'));
    await first.resume('fraud-alert');
    expect(first.isPaused('fraud-alert')).toBe(false);
    const restarted = setup(store).loop;
    await restarted.hydrate();
    expect(restarted.isPaused('fraud-alert')).toBe(true);
  });
});

describe('critical rules', () => {
  it('are flagged by the guardrails but not paused for critical messages', async () => {
    const { loop } = setup(createMemoryFeedbackStore(), {
      critical: (q) => q.topic.startsWith('security.'),
    });
    await loop.hydrate();
    const heard: string[] = [];
    loop.subscribe((e) => {
      if (e.type === 'rule_paused') heard.push(e.pause.ruleId);
    });
    loop.applyMany(complaints('fraud-alert', start, 'a'));
    expect(heard).toEqual(['fraud-alert']);
    expect(loop.isPaused('fraud-alert')).toBe(true);
    // The fraud alert still goes out…
    expect(loop.check(query()).suppressed).toBe(false);
    // …but a non-critical message of the same rule is paused,
    expect(loop.check(query({ topic: 'offers.travel' })).reason?.code).toBe('rule_paused');
    // and the customer's own "stop" is recorded: it silences the rule's other messages to them,
    // never the security alert itself (only consent can stop that).
    loop.apply({
      idempotencyKey: 'stop',
      kind: 'stop_this',
      decisionId: 'a-d3',
      subject: 'cus_3',
      ruleId: 'fraud-alert',
      topic: 'security.fraud',
      channel: 'sms',
      at: start,
    });
    expect(loop.check(query({ subject: 'cus_3' })).suppressed).toBe(false);
    expect(loop.check(query({ subject: 'cus_3', topic: 'offers.travel' })).reason?.code).toBe(
      'stop_this',
    );
    expect(loop.suppressions('cus_3').map((r) => r.code)).toContain('stop_this');
  });
});
