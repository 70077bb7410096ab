import {
  type ConsentGate,
  createVirtualClock,
  duration,
  type Instant,
  type Provenance,
} from '@candor/core';
import { createRuleEngine, defineRule, fact, type Outcome, type RuleEngine } from '@candor/rules';
import { describe, expect, it } from 'vitest';
import type { FeedbackLoopOptions } from './config';
import { createFeedbackLoop } from './loop';
import { computeTrustMetrics } from './metrics';
import type { FeedbackLoop } from './types';

const start = Date.parse('2026-05-03T08:00:00Z');

const allowAll: ConsentGate = {
  decide: (query) => ({
    allowed: true,
    purpose: query.purpose,
    status: 'granted',
    basis: 'consent',
    reasons: [{ code: 'explicit_grant', detail: 'granted in test' }],
    recordIds: [],
    noticeVersion: null,
    expiresAt: null,
  }),
};

const provenance: Provenance = {
  source: 'bookings',
  kind: 'stated',
  observedAt: 0,
  party: 'first',
};

const travelOffer = defineRule({
  id: 'travel-offer',
  version: 1,
  purpose: 'marketing.offers',
  dataCategories: ['user.travel.itinerary'],
  trigger: { type: 'event', events: ['trip.viewed'] },
  conditions: fact('trip.nights').gt(0),
  action: { type: 'notify', channel: 'push', topic: 'offers.travel.insurance' },
});

/** The app's side of the loop: rules propose, the app delivers and reports it back. */
function harness(options: FeedbackLoopOptions = {}) {
  const clock = createVirtualClock(start);
  const loop = createFeedbackLoop({ clock, ...options });
  const engine = createRuleEngine({
    rules: [travelOffer],
    consent: allowAll,
    suppressions: loop,
    clock,
  });
  let n = 0;
  const viewTrip = (subject: string, at: Instant): Outcome[] => {
    if (at > clock.now()) clock.set(at);
    n++;
    const outcomes = engine.evaluate({
      id: `evt-${n}`,
      type: 'trip.viewed',
      subject,
      at,
      facts: [
        { id: 'f1', path: 'trip.nights', category: 'user.travel.itinerary', value: 4, provenance },
      ],
    });
    for (const outcome of outcomes) {
      if (outcome.kind !== 'proposal') continue;
      loop.apply({
        idempotencyKey: `delivered-${outcome.id}`,
        kind: 'delivered',
        decisionId: outcome.id,
        subject,
        ruleId: outcome.ruleId,
        topic: outcome.action.topic,
        channel: outcome.action.channel,
        at,
      });
    }
    return outcomes;
  };
  const proposals = (outcomes: Outcome[]) => outcomes.filter((o) => o.kind === 'proposal');
  return { clock, loop, engine, viewTrip, proposals };
}

function react(
  loop: FeedbackLoop,
  outcome: Outcome,
  kind: 'not_interested' | 'too_frequent' | 'intrusive',
  extra: object = {},
) {
  if (outcome.kind !== 'proposal') throw new Error('not a proposal');
  return loop.apply({
    idempotencyKey: `${kind}-${outcome.id}`,
    kind,
    decisionId: outcome.id,
    subject: outcome.subject,
    ruleId: outcome.ruleId,
    topic: outcome.action.topic,
    channel: outcome.action.channel,
    at: outcome.at,
    ...extra,
  });
}

describe('closing the loop with @candor/rules', () => {
  it('after "not interested" on a topic, that topic reaches the subject zero times until expiry', () => {
    const { loop, viewTrip, proposals } = harness({
      fatigue: { defaultCap: 100, crossChannelCap: 100 },
    });
    const first = proposals(viewTrip('cus_1', start));
    expect(first).toHaveLength(1);
    react(loop, first[0] as Outcome, 'not_interested', {
      scope: 'topic',
      durationMs: 14 * duration.day,
    });
    const exposures: number[] = [];
    for (let day = 0; day < 20; day++) {
      exposures.push(
        proposals(viewTrip('cus_1', start + day * duration.day + duration.hour)).length,
      );
    }
    expect(exposures.slice(0, 14)).toEqual(Array(14).fill(0));
    expect(exposures.slice(14)).toEqual(Array(6).fill(1));
    expect(proposals(viewTrip('cus_2', start + duration.day))).toHaveLength(1);
    const blocked = viewTrip('cus_1', start + 13 * duration.day)[0];
    expect(blocked?.kind === 'suppression' && blocked.suppression?.code).toBe('not_interested');
    const efficacy = computeTrustMetrics(loop.events(), { efficacyWindowMs: 14 * duration.day });
    expect(efficacy.controlEfficacy).toMatchObject({ signals: 1, honored: 1, efficacy: 1 });
  });

  it('after "too frequent" the subject gets fewer messages per window', () => {
    const { loop, viewTrip, proposals } = harness({
      fatigue: { defaultCap: 4, weights: { delivered: 0 } },
    });
    const week = (from: Instant) => {
      let count = 0;
      let last: Outcome | undefined;
      for (let h = 0; h < 12; h++) {
        const got = proposals(viewTrip('cus_1', from + h * duration.hour));
        count += got.length;
        last = got[0] ?? last;
      }
      return { count, last };
    };
    const before = week(start);
    expect(before.count).toBe(4);
    react(loop, before.last as Outcome, 'too_frequent');
    const after = week(start + 8 * duration.day);
    expect(after.count).toBe(2);
    const blocked = viewTrip('cus_1', start + 8 * duration.day + 13 * duration.hour)[0];
    expect(blocked?.kind === 'suppression' && blocked.suppression?.detail).toBe(
      'Fewer messages on this channel because you chose "too frequent" on 3 May 2026',
    );
  });

  it('an auto-paused rule stops firing, through the engine pause the app wires up', async () => {
    const { loop, engine, viewTrip, proposals } = harness({
      guardrails: { thresholds: { intrusive: 0.05 }, minExposures: 20, suppressPausedRules: false },
    });
    const pausing: Promise<void>[] = [];
    loop.subscribe((event) => {
      if (event.type === 'rule_paused' && event.pause.variantId === null) {
        pausing.push(
          (engine as RuleEngine).pause(event.pause.ruleId, {
            reason: event.pause.detail,
            by: 'feedback.guardrail',
          }),
        );
      }
    });
    let fired = 0;
    for (let i = 0; i < 60 && pausing.length === 0; i++) {
      const got = proposals(viewTrip(`cus_${i}`, start + i * duration.minute));
      fired += got.length;
      if (i % 3 === 0 && got[0] !== undefined) react(loop, got[0], 'intrusive');
    }
    await Promise.all(pausing);
    expect(fired).toBeGreaterThanOrEqual(20);
    expect(loop.isPaused('travel-offer')).toBe(true);
    const next = viewTrip('cus_new', start + duration.hour);
    expect(next).toHaveLength(1);
    expect(next[0]?.kind === 'suppression' && next[0].reason).toBe('paused');
  });

  it('with no wiring at all, the loop itself keeps a paused rule from firing', () => {
    const { loop, viewTrip, proposals } = harness({
      guardrails: { thresholds: { intrusive: 0.05 }, minExposures: 20 },
    });
    for (let i = 0; i < 60 && !loop.isPaused('travel-offer'); i++) {
      const got = proposals(viewTrip(`cus_${i}`, start + i * duration.minute));
      if (i % 3 === 0 && got[0] !== undefined) react(loop, got[0], 'intrusive');
    }
    expect(loop.isPaused('travel-offer')).toBe(true);
    const next = viewTrip('cus_new', start + duration.hour)[0];
    expect(next?.kind === 'suppression' && next.suppression?.code).toBe('rule_paused');
  });
});
