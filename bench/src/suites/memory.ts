import { createMemoryAccessLog } from '@candor/core';
import { createMemoryBook, type MemoryBook, type MemoryInput } from '@candor/memory';
import { allowAll as allow } from '../../../test-utils/gates.ts';
import type { Metric, Suite } from '../harness.ts';

const MEMORIES = 1_000;
const T0 = Date.parse('2026-05-01T00:00:00Z');
const accessor = { kind: 'rule', id: 'storm-warning', version: 1 } as const;

/** 1,000 memories of one customer, two thirds of them for the purpose recalled. */
async function filled(book: MemoryBook): Promise<void> {
  for (let i = 0; i < MEMORIES; i++) {
    await book.remember({
      subject: 'cus_1',
      content: { kind: 'stated_reason', reason: `reason ${i}` },
      category: i % 2 === 0 ? 'user.behavior.purchase_reason' : 'user.preferences.travel',
      provenance: { source: 'checkout', kind: 'stated', observedAt: T0, party: 'first' },
      purposes: [i % 3 === 0 ? 'marketing' : 'service.proactive_support'],
      about: { type: 'order', id: `ord_${i}` },
    } satisfies MemoryInput);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Calls per second of `fn` over about `ms` (awaiting each call when it returns a promise). */
async function rate(fn: () => unknown, ms: number): Promise<number> {
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    const r = fn();
    if (r instanceof Promise) await r;
    calls++;
  }
  return (calls * 1000) / (performance.now() - start);
}

/**
 * In-memory recall against its floor: `Map.get` plus an array filter over the same 1,000 records
 * (target ≥ 0.25×), in alternating rounds of equal length, with and without an access log.
 */
export const memorySuites: Suite[] = [
  {
    kind: 'metrics',
    name: 'memory: recall of 1,000 memories vs Map.get + filter',
    async measure(): Promise<Metric[]> {
      const plain = createMemoryBook({ consent: allow });
      const logged = createMemoryBook({ consent: allow, accessLog: createMemoryAccessLog() });
      await filled(plain);
      await filled(logged);
      const rows = new Map([
        [
          'cus_1',
          Array.from({ length: MEMORIES }, (_, i) => ({
            purpose: i % 3 === 0 ? 'marketing' : 'service.proactive_support',
            value: `reason ${i}`,
          })),
        ],
      ]);
      let sink = 0;
      const baseline = () => {
        sink += (rows.get('cus_1') ?? []).filter(
          (r) => r.purpose === 'service.proactive_support',
        ).length;
      };
      const recall = (book: MemoryBook) => () =>
        book.recall('cus_1', { purpose: 'service.proactive_support', accessor });
      const samples = { recall: [] as number[], logged: [] as number[], base: [] as number[] };
      await rate(recall(plain), 100);
      await rate(baseline, 100);
      for (let round = 0; round < 12; round++) {
        // Rotate the order each round.
        const order = [
          ['recall', recall(plain)],
          ['logged', recall(logged)],
          ['base', baseline],
        ] as const;
        for (let k = 0; k < 3; k++) {
          const [name, fn] = order[(round + k) % 3]!;
          samples[name].push(await rate(fn, 150));
        }
      }
      if (sink === 0) throw new Error('the baseline found nothing');
      const paired = (xs: number[]) => median(xs.map((x, r) => x / (samples.base[r] as number)));
      return [
        { name: 'recall, no access log', value: median(samples.recall), unit: 'recalls/s' },
        { name: 'recall, in-memory access log', value: median(samples.logged), unit: 'recalls/s' },
        { name: 'Map.get + filter (the floor)', value: median(samples.base), unit: 'lookups/s' },
        {
          name: 'recall / floor (median of per-round ratios)',
          value: paired(samples.recall),
          unit: '×',
          target: { atLeast: 0.25 },
        },
        { name: 'recall with access log / floor', value: paired(samples.logged), unit: '×' },
      ];
    },
  },
];
