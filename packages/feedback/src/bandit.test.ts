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

  it('lists a variant named __proto__ like any other (nothing polluted)', () => {
    const sampler = createThompsonSampler({ seed: 3 });
    const probs = sampler.probabilities('r', ['__proto__', 'b']);
    expect(Object.keys(probs)).toEqual(['__proto__', 'b']);
    expect(Object.values(probs).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 10);
    expect(Object.getPrototypeOf(probs)).toBe(Object.prototype);
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

describe('choose re-checks eligibility for a remembered decision', () => {
  it('never returns a variant the caller has since marked ineligible', () => {
    const sampler = createThompsonSampler({ seed: 4, waitMs: 100 });
    const first = sampler.choose({
      ruleId: 'r',
      eligible: ['a', 'b', 'c'],
      decisionId: 'd1',
      at: 0,
    });
    const rest = ['a', 'b', 'c'].filter((v) => v !== first.variantId);
    const again = sampler.choose({ ruleId: 'r', eligible: rest, decisionId: 'd1', at: 1 });
    expect(rest).toContain(again.variantId);
    expect(again.eligible).toEqual(rest);
    // Still eligible: the remembered choice stands.
    const kept = sampler.choose({
      ruleId: 'r',
      eligible: ['a', 'b', 'c'],
      decisionId: 'd1',
      at: 2,
    });
    expect(kept.variantId).toBe(again.variantId);
    // One decision, one logged choice: the one that was issued last.
    sampler.reward('d1', { value: 1 });
    expect(sampler.settle(1_000)).toBe(1);
    expect(sampler.log().map((c) => [c.decisionId, c.variantId, c.reward])).toEqual([
      ['d1', again.variantId, 1],
    ]);
    const updated = sampler.posterior('r').filter((p) => p.updates > 0);
    expect(updated.map((p) => p.variantId)).toEqual([again.variantId]);
  });

  it('property: the returned variant is always in the eligible set of that call', () => {
    const variants = ['v0', 'v1', 'v2', 'v3', 'v4'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(
          fc.record({
            decision: fc.integer({ min: 0, max: 4 }),
            rule: fc.constantFrom('r', 'r', 'r', 's'),
            eligible: fc.subarray(variants),
            reward: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
            settle: fc.boolean(),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (seed, calls) => {
          const sampler = createThompsonSampler({ seed, draws: 40, waitMs: 5 });
          calls.forEach((call, t) => {
            const input = {
              ruleId: call.rule,
              eligible: call.eligible,
              decisionId: `d${call.decision}`,
              at: t,
            };
            if (call.eligible.length === 0) {
              expect(() => sampler.choose(input)).toThrowError(
                expect.objectContaining({ code: 'feedback/no_eligible_variant' }),
              );
            } else {
              const choice = sampler.choose(input);
              expect(call.eligible).toContain(choice.variantId);
              expect(choice.propensity).toBeGreaterThan(0);
              expect(choice.propensity).toBeLessThanOrEqual(1);
            }
            if (call.reward !== null) sampler.reward(`d${call.decision}`, { value: call.reward });
            if (call.settle) sampler.settle(t);
          });
          sampler.settle(calls.length + 10);
          // Every logged choice was, at its last issue, eligible, with a valid propensity.
          for (const logged of sampler.log()) {
            expect(logged.eligible).toContain(logged.variantId);
            expect(logged.propensity).toBeGreaterThan(0);
            expect(logged.propensity).toBeLessThanOrEqual(1);
          }
        },
      ),
      {
        numRuns: 200,
        // Found by CI under Node 24: re-checks summed the shares to 1.0000000000000002.
        examples: [
          [
            10,
            [
              {
                decision: 1,
                rule: 'r',
                eligible: ['v0', 'v1', 'v2', 'v3', 'v4'],
                reward: null,
                settle: false,
              },
              { decision: 1, rule: 'r', eligible: ['v1', 'v4'], reward: null, settle: false },
              {
                decision: 1,
                rule: 'r',
                eligible: ['v0', 'v2', 'v3', 'v4'],
                reward: null,
                settle: false,
              },
              { decision: 1, rule: 'r', eligible: ['v4'], reward: null, settle: false },
              { decision: 0, rule: 'r', eligible: [], reward: null, settle: false },
            ],
          ],
        ],
      },
    );
  });

  it('logs the probability the issued variant really had, so IPS stays unbiased', () => {
    // Each decision is chosen among a, b, c, then asked again with c no longer eligible. A variant
    // is issued either because it was chosen first and is still eligible, or because it was
    // chosen again; the logged propensity must be the sum of both paths.
    const sampler = createThompsonSampler({ seed: 21, minExploration: 0.6, waitMs: 0 });
    const n = 20_000;
    for (let t = 0; t < n; t++) {
      sampler.choose({ ruleId: 'r', eligible: ['a', 'b', 'c'], decisionId: `d${t}`, at: t });
      const issued = sampler.choose({
        ruleId: 'r',
        eligible: ['a', 'b'],
        decisionId: `d${t}`,
        at: t,
      });
      expect(issued.variantId).not.toBe('c');
    }
    sampler.settle(n);
    const log = sampler.log();
    expect(log).toHaveLength(n);
    // Σ 1[v]/propensity over n decisions estimates 1 for every variant that can be issued.
    for (const v of ['a', 'b']) {
      const onlyV = offPolicyEstimate(
        log.map((c) => ({ ...c, reward: 1 })),
        (c) => (c.variantId === v ? 1 : 0),
      );
      expect(onlyV.ips).toBeGreaterThan(0.97);
      expect(onlyV.ips).toBeLessThan(1.03);
    }
  });

  it('with nothing eligible any more, throws and drops the earlier choice from learning', () => {
    const sampler = createThompsonSampler({ seed: 2, waitMs: 10 });
    sampler.choose({ ruleId: 'r', eligible: ['a', 'b'], decisionId: 'gone', at: 0 });
    sampler.choose({ ruleId: 'r', eligible: ['a', 'b'], decisionId: 'kept', at: 0 });
    expect(() =>
      sampler.choose({ ruleId: 'r', eligible: [], decisionId: 'gone', at: 1 }),
    ).toThrowError(expect.objectContaining({ code: 'feedback/no_eligible_variant' }));
    sampler.reward('gone', { value: 1 });
    expect(sampler.settle(100)).toBe(1);
    expect(sampler.log().map((c) => c.decisionId)).toEqual(['kept']);
  });
});
