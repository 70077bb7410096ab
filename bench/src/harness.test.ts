import { describe, expect, it } from 'vitest';
import { formatTable, runSuite } from './harness.ts';

describe('bench harness', () => {
  it('measures peers in one run and reports the ratio between them', async () => {
    let sink = 0;
    const result = await runSuite({
      kind: 'throughput',
      name: 'demo',
      roundMs: 20,
      rounds: 3,
      cases: [
        { name: 'one add', fn: () => (sink += 1) },
        {
          name: 'hundred adds',
          fn: () => {
            for (let i = 0; i < 100; i++) sink += i;
          },
        },
      ],
      targets: [{ case: 'one add', baseline: 'hundred adds', atLeast: 1 }],
    });
    expect(sink).toBeGreaterThan(0);
    expect(result.cases.map((c) => c.name)).toEqual(['one add', 'hundred adds']);
    for (const c of result.cases)
      expect(c.opsPerSecond.min).toBeLessThanOrEqual(c.opsPerSecond.median);
    expect(result.ratios['one add / hundred adds']).toBeGreaterThan(1);
    expect(result.targets[0]?.met).toBe(true);
    expect(formatTable([result])).toMatch(/met +demo: one add ≥ 1× hundred adds/);
  });

  it("runs a suite's setup once, before measuring", async () => {
    const data: number[] = [];
    let setups = 0;
    const result = await runSuite({
      kind: 'throughput',
      name: 'with setup',
      roundMs: 10,
      rounds: 2,
      setup: () => {
        setups += 1;
        data.push(1, 2, 3);
      },
      cases: [{ name: 'sum', fn: () => data.reduce((a, b) => a + b, 0) }],
    });
    expect(setups).toBe(1);
    expect(result.cases[0]?.opsPerSecond.median).toBeGreaterThan(0);
  });

  it('reports the median of per-round ratios too, and can check a target against it', async () => {
    let sink = 0;
    const result = await runSuite({
      kind: 'throughput',
      name: 'paired',
      roundMs: 10,
      rounds: 3,
      cases: [
        { name: 'one add', fn: () => (sink += 1) },
        {
          name: 'hundred adds',
          fn: () => {
            for (let i = 0; i < 100; i++) sink += i;
          },
        },
      ],
      targets: [{ case: 'one add', baseline: 'hundred adds', atLeast: 1, paired: true }],
    });
    expect(result.ratios['one add / hundred adds, paired by round']).toBeGreaterThan(1);
    expect(result.targets[0]).toMatchObject({
      description: 'one add ≥ 1× hundred adds (median of per-round ratios)',
      value: result.ratios['one add / hundred adds, paired by round'],
      met: true,
    });
  });

  it('rotates the order of the cases each round', async () => {
    const firsts: string[] = [];
    let last = '';
    const track = (name: string) => () => {
      if (name !== last) firsts.push(name);
      last = name;
    };
    await runSuite({
      kind: 'throughput',
      name: 'rotation',
      roundMs: 5,
      rounds: 3,
      cases: ['a', 'b', 'c'].map((name) => ({ name, fn: track(name) })),
    });
    // Warm-up a, b, c; then rounds a b c, b c a, c a b.
    expect(firsts.join('')).toBe('abcabcbcacab');
  });

  it('checks metric targets', async () => {
    const result = await runSuite({
      kind: 'metrics',
      name: 'size',
      measure: () => [{ name: 'bundle', value: 9.5, unit: 'KB', target: { atMost: 8 } }],
    });
    expect(result.targets).toEqual([{ description: 'bundle ≤ 8 KB', value: 9.5, met: false }]);
    expect(formatTable([result])).toContain('MISS');
  });
});
