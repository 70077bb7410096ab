import { performance } from 'node:perf_hooks';
import { createVirtualClock, duration } from '@candor/core';
import {
  createFeedbackLoop,
  createMemoryFeedbackStore,
  createRandom,
  createThompsonSampler,
  type FeedbackEvent,
  type FeedbackKind,
  type FeedbackStore,
} from '@candor/feedback';
import type { Metric, Suite } from '../harness.ts';

const start = Date.parse('2026-05-01T00:00:00Z');
/** The end of the 30 days `makeEvents` spreads its events over. */
export const end = start + 30 * duration.day;

/** A realistic mix: mostly deliveries and engagement, a few explicit controls. */
const mix: [FeedbackKind, number][] = [
  ['delivered', 40],
  ['opened', 18],
  ['clicked', 10],
  ['ignored', 15],
  ['dismissed', 6],
  ['converted', 3],
  ['helpful', 2],
  ['not_interested', 2],
  ['too_frequent', 1],
  ['intrusive', 1],
  ['stop_this', 1],
  ['unsubscribed', 1],
];
const wheel = mix.flatMap(([kind, weight]) => Array.from({ length: weight }, () => kind));

/** `n` seeded feedback events over 20k subjects and 40 rules (also used by the feed suites). */
export function makeEvents(n: number): FeedbackEvent[] {
  const random = createRandom(2026);
  const topics = ['billing.card_expiry', 'travel.disruption', 'offers.travel', 'offers.insurance'];
  const channels = ['email', 'push', 'sms'];
  return Array.from({ length: n }, (_, i) => {
    const kind = wheel[Math.floor(random() * wheel.length)] as FeedbackKind;
    const rule = Math.floor(random() * 40);
    return {
      idempotencyKey: `e${i}`,
      kind,
      decisionId: `d${i >> 2}`,
      subject: `cus_${Math.floor(random() * 20_000)}`,
      ruleId: `rule_${rule}`,
      variantId: `v${rule % 3}`,
      topic: topics[rule % topics.length] as string,
      channel: channels[rule % channels.length] as string,
      at: start + Math.floor(random() * 30 * duration.day),
    };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

/**
 * Median ops/s of `run` (which performs `ops` operations) over `rounds` timed runs after a
 * warm-up, by wall clock and by this process's CPU time (steadier on a shared machine).
 */
function measure(run: () => unknown, ops: number, rounds = 7): { wall: number; cpu: number } {
  run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    wall.push((ops * 1000) / (performance.now() - t0));
    const c = process.cpuUsage(c0);
    cpu.push((ops * 1e6) / (c.user + c.system));
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function opsPerSecond(run: () => unknown, ops: number, rounds = 7): number {
  return measure(run, ops, rounds).wall;
}

/** Batches as a queue consumer would hand them over (sliced outside the timed region). */
const batchSize = 1_000;

async function measureAsync(run: () => Promise<unknown>, ops: number, rounds = 5) {
  await run();
  const wall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await run();
    wall.push((ops * 1000) / (performance.now() - t0));
  }
  return median(wall);
}

async function ingestMetrics(): Promise<Metric[]> {
  // Built here, not at import, so the other suites do not carry 200k events in their heap.
  const ingestEvents = makeEvents(200_000);
  const ingestBatches = Array.from({ length: ingestEvents.length / batchSize }, (_, i) =>
    ingestEvents.slice(i * batchSize, (i + 1) * batchSize),
  );
  const newLoop = (store?: FeedbackStore) =>
    createFeedbackLoop({ clock: createVirtualClock(end), ...(store ? { store } : {}) });
  const batched = () => {
    const loop = newLoop();
    for (const batch of ingestBatches) loop.applyMany(batch);
    return loop;
  };
  const single = () => {
    const loop = newLoop();
    for (const event of ingestEvents) loop.apply(event);
  };
  const replay = () => {
    const loop = batched();
    for (const batch of ingestBatches) loop.applyMany(batch);
  };
  const persisted = async () => {
    const loop = newLoop(createMemoryFeedbackStore());
    for (const batch of ingestBatches) await loop.submitMany(batch);
  };
  const baseline = () => {
    const seen = new Map<string, FeedbackEvent>();
    for (const event of ingestEvents) seen.set(event.idempotencyKey, event);
  };
  const floor = measure(baseline, ingestEvents.length);
  const fresh = measure(batched, ingestEvents.length);
  const perEvent = measure(single, ingestEvents.length);
  const withDuplicates = measure(replay, 2 * ingestEvents.length);
  const stored = await measureAsync(persisted, ingestEvents.length);
  return [
    {
      name: `ingest, validated, 200k mixed events, applyMany × ${batchSize} (wall clock)`,
      value: fresh.wall,
      unit: 'events/s',
      target: { atLeast: 1_000_000 },
    },
    { name: 'ingest, same, per CPU-second of this process', value: fresh.cpu, unit: 'events/s' },
    { name: 'ingest, one apply() per event (wall clock)', value: perEvent.wall, unit: 'events/s' },
    {
      name: 'ingest incl. 200k duplicate replays, applyMany (wall clock)',
      value: withDuplicates.wall,
      unit: 'events/s',
    },
    {
      name: `ingest persisted to the memory store, submitMany × ${batchSize} (wall clock)`,
      value: stored,
      unit: 'events/s',
    },
    {
      name: 'baseline: one Map.set per idempotency key (wall clock)',
      value: floor.wall,
      unit: 'events/s',
    },
    { name: 'baseline, same, per CPU-second', value: floor.cpu, unit: 'events/s' },
    { name: 'ingest (applyMany) / Map.set baseline', value: fresh.wall / floor.wall, unit: '×' },
    {
      name: 'ingest (applyMany) / Map.set baseline, per CPU-second',
      value: fresh.cpu / floor.cpu,
      unit: '×',
    },
  ];
}

const variants = Array.from({ length: 10 }, (_, i) => `v${i}`);
const subsets = [
  variants,
  variants.slice(1),
  variants.slice(0, 8),
  variants.filter((_, i) => i % 3),
];

function choiceMetrics(): Metric[] {
  const sampler = createThompsonSampler({ seed: 1, waitMs: 0 });
  const random = createRandom(1);
  for (let t = 0; t < 5_000; t++) {
    const choice = sampler.choose({ ruleId: 'r', eligible: variants, decisionId: `w${t}`, at: t });
    if (random() < 0.05 + 0.04 * Number(choice.variantId.slice(1))) {
      sampler.reward(`w${t}`, { value: 1 });
    }
    sampler.settle(t);
  }
  const n = 1_000_000;
  const all = measure(() => {
    for (let i = 0; i < n; i++) sampler.choose({ ruleId: 'r', eligible: variants, at: end });
  }, n);
  const varying = opsPerSecond(() => {
    for (let i = 0; i < n; i++) {
      sampler.choose({ ruleId: 'r', eligible: subsets[i & 3] as string[], at: end });
    }
  }, n);
  return [
    {
      name: 'variant choice, 10 variants eligible',
      value: all.wall,
      unit: 'choices/s',
      target: { atLeast: 1_000_000 },
    },
    { name: 'variant choice, same, per CPU-second', value: all.cpu, unit: 'choices/s' },
    {
      name: 'variant choice, eligibility varying (7–10 of 10)',
      value: varying,
      unit: 'choices/s',
      target: { atLeast: 1_000_000 },
    },
  ];
}

/** Bernoulli arms with success rates 0.05, 0.10, …, 0.50. */
const arms = Array.from({ length: 10 }, (_, i) => 0.05 * (i + 1));
const best = Math.max(...arms);
const rounds = 100_000;
const seeds = [1, 2, 3];

function thompsonRegret(seed: number): number {
  const sampler = createThompsonSampler({ seed, waitMs: 0 });
  const world = createRandom(seed * 7919);
  let regret = 0;
  for (let t = 0; t < rounds; t++) {
    const id = `d${t}`;
    const choice = sampler.choose({ ruleId: 'sim', eligible: variants, decisionId: id, at: t });
    const mean = arms[Number(choice.variantId.slice(1))] as number;
    regret += best - mean;
    if (world() < mean) sampler.reward(id, { value: 1 });
    sampler.settle(t);
  }
  return regret;
}

function epsilonGreedyRegret(seed: number, epsilon: number): number {
  const random = createRandom(seed);
  const world = createRandom(seed * 7919);
  const pulls = new Float64Array(arms.length);
  const wins = new Float64Array(arms.length);
  let regret = 0;
  for (let t = 0; t < rounds; t++) {
    let arm = 0;
    if (random() < epsilon) arm = Math.floor(random() * arms.length);
    else {
      let bestMean = -1;
      for (let i = 0; i < arms.length; i++) {
        const m = (pulls[i] as number) === 0 ? 1 : (wins[i] as number) / (pulls[i] as number);
        if (m > bestMean) {
          bestMean = m;
          arm = i;
        }
      }
    }
    const mean = arms[arm] as number;
    regret += best - mean;
    pulls[arm] = (pulls[arm] as number) + 1;
    if (world() < mean) wins[arm] = (wins[arm] as number) + 1;
  }
  return regret;
}

function regretMetrics(): Metric[] {
  const mean = (f: (seed: number) => number) =>
    seeds.reduce((s, seed) => s + f(seed), 0) / seeds.length;
  const thompson = mean(thompsonRegret);
  const greedy = mean((seed) => epsilonGreedyRegret(seed, 0.1));
  const uniform = mean((seed) => epsilonGreedyRegret(seed, 1));
  return [
    {
      name: 'Thompson regret (100k rounds, 10 arms, mean of 3 seeds)',
      value: thompson,
      unit: 'reward',
    },
    { name: 'ε-greedy(0.1) regret', value: greedy, unit: 'reward' },
    { name: 'uniform random regret', value: uniform, unit: 'reward' },
    {
      name: 'Thompson / ε-greedy(0.1) regret',
      value: thompson / greedy,
      unit: '×',
      target: { atMost: 0.5 },
    },
    {
      name: 'Thompson / uniform random regret',
      value: thompson / uniform,
      unit: '×',
      target: { atMost: 0.1 },
    },
  ];
}

/** Feedback ingest, variant choice and a seeded bandit simulation against ε-greedy and uniform. */
export const feedbackSuites: Suite[] = [
  { kind: 'metrics', name: 'feedback: ingest in memory', measure: ingestMetrics },
  { kind: 'metrics', name: 'feedback: variant choice', measure: choiceMetrics },
  { kind: 'metrics', name: 'feedback: bandit regret', measure: regretMetrics },
];
