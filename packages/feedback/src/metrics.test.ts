import { duration } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { computeTrustMetrics } from './metrics';
import type { FeedbackEvent } from './schema';
import { wilsonInterval } from './wilson';

let n = 0;
const ev = (kind: FeedbackEvent['kind'], over: Partial<FeedbackEvent> = {}): FeedbackEvent => {
  n++;
  return {
    idempotencyKey: `k${n}`,
    kind,
    decisionId: `d${n}`,
    subject: 'cus_1',
    ruleId: 'offer',
    topic: 'offers.travel',
    channel: 'email',
    at: 0,
    ...over,
  };
};

describe('computeTrustMetrics', () => {
  it('reports rates per rule, channel and bucket, dated by when the message went out', () => {
    const events: FeedbackEvent[] = [];
    for (let i = 0; i < 10; i++) events.push(ev('delivered', { decisionId: `m${i}`, at: 1000 }));
    events.push(ev('helpful', { decisionId: 'm0', at: duration.day + 5 }));
    events.push(ev('helpful', { decisionId: 'm0', at: duration.day + 6 }));
    events.push(ev('intrusive', { decisionId: 'm1', at: 2000 }));
    events.push(ev('unsubscribed', { decisionId: 'm2', at: 3000 }));
    events.push(ev('delivered', { decisionId: 'p0', channel: 'push', at: duration.day }));
    const { buckets } = computeTrustMetrics(events);
    expect(buckets).toEqual([
      expect.objectContaining({
        channel: 'email',
        bucketStart: 0,
        exposures: 10,
        helpfulRate: 0.1,
        intrusiveRate: 0.1,
        optOutRate: 0.1,
        complaintRate: 0,
      }),
      expect.objectContaining({
        channel: 'push',
        bucketStart: duration.day,
        exposures: 1,
        helpfulRate: 0,
      }),
    ]);
  });

  it('measures control efficacy: deliveries on a muted topic after "not interested"', () => {
    const events = [
      ev('not_interested', { at: 100, subject: 'a' }),
      ev('delivered', { at: 200, subject: 'a', topic: 'offers.travel.hotels' }),
      ev('delivered', { at: 300, subject: 'a', topic: 'billing' }),
      ev('not_interested', { at: 100, subject: 'b' }),
      ev('delivered', { at: 50, subject: 'b' }),
    ];
    expect(computeTrustMetrics(events).controlEfficacy).toEqual({
      signals: 2,
      honored: 1,
      efficacy: 0.5,
      leakedDeliveries: 1,
    });
  });

  it('validates its input', () => {
    expect(() => computeTrustMetrics([{ ...ev('delivered'), at: Number.NaN }])).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_event' }),
    );
  });
});

describe('wilsonInterval', () => {
  it('matches the textbook values and stays within [0, 1]', () => {
    const w = wilsonInterval(8, 100);
    expect(w.lower).toBeCloseTo(0.0411, 3);
    expect(w.upper).toBeCloseTo(0.15, 3);
    expect(wilsonInterval(0, 10).lower).toBe(0);
    expect(wilsonInterval(10, 10).upper).toBe(1);
    expect(wilsonInterval(0, 0)).toMatchObject({ lower: 0, upper: 1 });
  });

  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(5, 3)).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_reward' }),
    );
    expect(() => wilsonInterval(Number.NaN, 3)).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_reward' }),
    );
  });
});
