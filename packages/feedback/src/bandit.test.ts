import { duration, isCandorError } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createThompsonSampler, type LoggedChoice, offPolicyEstimate } from './bandit';
import { fb } from './events.test-helpers';
import { createRandom } from './random';

describe('createThompsonSampler', () => {
  it('never chooses an ineligible variant, exploration included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 7 }), fc.double({ min: 0, max: 1, noNaN: true })),
          {
            maxLength: 40,
          },
        ),
        fc.array(fc.subarray(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'], { minLength: 1 }), {
          minLength: 1,
          maxLength: 20,
        }),
        (seed, history, eligibility) => {
          const sampler = createThompsonSampler({
            seed,
            minExploration: 0.5,
            draws: 50,
            waitMs: 0,
          });
          history.forEach(([v, r], i) => {
            sampler.choose({ ruleId: 'r', eligible: [`v${v}`], decisionId: `h${i}`, at: i });
            sampler.reward(`h${i}`, { value: r });
          });
          sampler.settle(history.length);
          return eligibility.every((eligible, i) => {
            const choice = sampler.choose({ ruleId: 'r', eligible, decisionId: `c${i}`, at: 1e6 });
            return (
              eligible.includes(choice.variantId) && choice.propensity > 0 && choice.propensity <= 1
            );
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('logs the exact probability each choice had', () => {
    const sampler = createThompsonSampler({ seed: 3, minExploration: 0.1 });
    const probs = sampler.probabilities('r', ['a', 'b', 'c']);
    expect(Object.values(probs).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 10);
    for (const p of Object.values(probs)) expect(p).toBeGreaterThanOrEqual(0.1 / 3);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) {
      const choice = sampler.choose({ ruleId: 'r', eligible: ['a', 'b', 'c'] });
      expect(choice.propensity).toBe(probs[choice.variantId]);
      counts[choice.variantId] = (counts[choice.variantId] ?? 0) + 1;
    }
    for (const id of ['a', 'b', 'c'])
      expect((counts[id] ?? 0) / 10_000).toBeCloseTo(probs[id] ?? 0, 1);
  });

  it('is reproducible for a seed', () => {
    const run = (seed: number) => {
      const sampler = createThompsonSampler({ seed });
      return Array.from(
        { length: 50 },
        () => sampler.choose({ ruleId: 'r', eligible: ['a', 'b', 'c', 'd'] }).variantId,
      ).join();
    };
    expect(run(9)).toBe(run(9));
    expect(run(9)).not.toBe(run(10));
  });

  it('learns the best variant from rewards joined by decision id', () => {
    const random = createRandom(5);
    const truth: Record<string, number> = { a: 0.1, b: 0.5, c: 0.2 };
    const sampler = createThompsonSampler({ seed: 5, waitMs: 0 });
    let picksOfB = 0;
    for (let t = 0; t < 3000; t++) {
      const choice = sampler.choose({
        ruleId: 'r',
        eligible: ['a', 'b', 'c'],
        decisionId: `d${t}`,
        at: t,
      });
      if (random() < (truth[choice.variantId] ?? 0)) sampler.reward(`d${t}`, { value: 1 });
      sampler.settle(t);
      if (t >= 2000 && choice.variantId === 'b') picksOfB++;
    }
    expect(picksOfB / 1000).toBeGreaterThan(0.9);
    const b = sampler.posterior('r').find((p) => p.variantId === 'b');
    expect(b?.mean).toBeCloseTo(0.5, 1);
  });

  it('takes reward = value − λ·intrusiveness within the wait window, and a default after it', () => {
    const sampler = createThompsonSampler({ lambda: 2, waitMs: duration.day, defaultReward: 0.25 });
    sampler.choose({ ruleId: 'r', eligible: ['a'], decisionId: 'd1', at: 0 });
    sampler.choose({ ruleId: 'r', eligible: ['a'], decisionId: 'd2', at: 0 });
    sampler.choose({ ruleId: 'r', eligible: ['a'], decisionId: 'd3', at: 0 });
    sampler.observe(fb({ kind: 'clicked', decisionId: 'd1', at: 10 }));
    sampler.observe(fb({ kind: 'dismissed', decisionId: 'd1', at: 20 }));
    sampler.observe(fb({ kind: 'converted', decisionId: 'd3', at: 2 * duration.day }));
    expect(sampler.settle(duration.day - 1)).toBe(0);
    expect(sampler.settle(duration.day)).toBe(3);
    expect(sampler.log().map((c) => [c.decisionId, c.reward, c.defaulted])).toEqual([
      ['d1', 0.6 - 2 * 0.1, false],
      ['d2', 0.25, true],
      ['d3', 0.25, true],
    ]);
  });

  it('joins feedback that arrives before its choice', () => {
    const sampler = createThompsonSampler({ waitMs: 10 });
    sampler.observe(fb({ kind: 'helpful', decisionId: 'early', at: 5 }));
    sampler.choose({ ruleId: 'r', eligible: ['a'], decisionId: 'early', at: 4 });
    sampler.settle(100);
    expect(sampler.log()[0]?.reward).toBe(1);
  });

  it('refuses NaN and negative rewards and empty eligibility with typed errors', () => {
    const sampler = createThompsonSampler();
    for (const value of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(() => sampler.reward('d', { value })).toThrowError(
        expect.objectContaining({ code: 'feedback/invalid_reward' }),
      );
    }
    expect(() => sampler.reward('d', { intrusiveness: -0.5 })).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_reward' }),
    );
    try {
      sampler.choose({ ruleId: 'r', eligible: [] });
      expect.unreachable();
    } catch (error) {
      expect(isCandorError(error, 'feedback/no_eligible_variant')).toBe(true);
    }
    expect(() => createThompsonSampler({ minExploration: 1.5 })).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_option' }),
    );
  });
});

describe('offPolicyEstimate', () => {
  const entry = (variantId: string, propensity: number, reward: number): LoggedChoice => ({
    decisionId: null,
    ruleId: 'r',
    variantId,
    propensity,
    reward,
    eligible: ['a', 'b'],
    at: 0,
    defaulted: false,
  });

  it('computes IPS and SNIPS by the book', () => {
    const log = [entry('a', 0.5, 1), entry('b', 0.5, 0), entry('a', 0.25, 0)];
    const estimate = offPolicyEstimate(log, (c) => (c.variantId === 'a' ? 1 : 0));
    expect(estimate.ips).toBeCloseTo((2 * 1 + 0 + 4 * 0) / 3);
    expect(estimate.snips).toBeCloseTo(2 / 6);
    expect(estimate.effectiveSampleSize).toBeCloseTo(36 / 20);
  });

  it('recovers a candidate policy value from a seeded logging policy', () => {
    const sampler = createThompsonSampler({ seed: 11, minExploration: 0.3, waitMs: 0 });
    const random = createRandom(11);
    const truth: Record<string, number> = { a: 0.2, b: 0.6 };
    for (let t = 0; t < 4000; t++) {
      const choice = sampler.choose({
        ruleId: 'r',
        eligible: ['a', 'b'],
        decisionId: `d${t}`,
        at: t,
      });
      if (random() < (truth[choice.variantId] ?? 0)) sampler.reward(`d${t}`, { value: 1 });
      sampler.settle(t);
    }
    const onlyA = offPolicyEstimate(sampler.log(), (c) => (c.variantId === 'a' ? 1 : 0));
    expect(onlyA.snips).toBeCloseTo(0.2, 1);
    expect(() => offPolicyEstimate(sampler.log(), () => Number.NaN)).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_option' }),
    );
  });
});

describe('choose idempotency', () => {
  it('returns the same choice for a retried decision id and counts its reward once', () => {
    const sampler = createThompsonSampler({ seed: 2, waitMs: 10 });
    const first = sampler.choose({
      ruleId: 'r',
      eligible: ['a', 'b', 'c'],
      decisionId: 'd1',
      at: 0,
    });
    for (let i = 0; i < 20; i++) {
      expect(
        sampler.choose({ ruleId: 'r', eligible: ['a', 'b', 'c'], decisionId: 'd1', at: 1 }),
      ).toBe(first);
    }
    sampler.reward('d1', { value: 1 });
    expect(sampler.settle(100)).toBe(1);
    expect(sampler.posterior('r').reduce((n, p) => n + p.updates, 0)).toBe(1);
    expect(() => sampler.choose({ ruleId: 'r', eligible: ['a'], at: Number.NaN })).toThrowError(
      expect.objectContaining({ code: 'feedback/invalid_event' }),
    );
  });
});
