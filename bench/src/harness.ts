import { performance } from 'node:perf_hooks';

/** One contender in a throughput suite: `fn` does `opsPerCall` operations per call. */
export interface BenchCase {
  name: string;
  fn: () => unknown;
  /** Operations one call performs (e.g. 1,024 fact sets per call). Default 1. */
  opsPerCall?: number;
}

/** A ratio the architecture promises: `case` median ops/s over `baseline` median, at least `atLeast`. */
export interface RatioTarget {
  case: string;
  baseline: string;
  atLeast: number;
  /**
   * Check the target against the median of the per-round ratios (each round's `case` over the
   * same round's `baseline`, run back to back) instead of the ratio of the medians: steadier on a
   * loaded machine, whose speed drifts between rounds. Both are reported either way.
   */
  paired?: boolean;
}

/** Contenders measured in the same process run, so ratios between them are meaningful. */
export interface ThroughputSuite {
  kind: 'throughput';
  name: string;
  cases: BenchCase[];
  targets?: RatioTarget[];
  /** Runs once before the suite is measured (and only if it is selected): build its data here. */
  setup?: () => Promise<void> | void;
  /** Runs once after the suite is measured: drop its data, so later suites do not pay for its heap. */
  teardown?: () => void;
  /** Milliseconds per round; default 200. */
  roundMs?: number;
  rounds?: number;
}

/** A measurement that is not ops/s: sizes, compile times, regret. `target` says what passes. */
export interface Metric {
  name: string;
  value: number;
  unit: string;
  target?: { atMost?: number; atLeast?: number; note?: string };
}

/** A suite that computes its own metrics (bundle size, compile time, simulated regret). */
export interface MetricSuite {
  kind: 'metrics';
  name: string;
  measure: () => Promise<Metric[]> | Metric[];
}

export type Suite = ThroughputSuite | MetricSuite;

export interface CaseResult {
  name: string;
  opsPerSecond: { median: number; min: number; max: number };
  rounds: number;
}

export interface TargetResult {
  description: string;
  value: number;
  met: boolean;
}

export interface SuiteResult {
  suite: string;
  cases: CaseResult[];
  ratios: Record<string, number>;
  metrics: Metric[];
  targets: TargetResult[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` until `ms` have passed, returning calls made and time taken. */
function runFor(fn: () => unknown, ms: number): { calls: number; elapsed: number } {
  let calls = 0;
  let batch = 1;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return { calls, elapsed };
}

/**
 * Measures one case: a warm-up, then `rounds` timed rounds; ops/s median, min and max.
 *
 * @example
 * measureCase({ name: 'noop', fn: () => 0 }, 100, 5);
 */
export function measureCase(bench: BenchCase, roundMs: number, rounds: number): CaseResult {
  const ops = bench.opsPerCall ?? 1;
  runFor(bench.fn, Math.max(50, roundMs / 2));
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const { calls, elapsed } = runFor(bench.fn, roundMs);
    samples.push((calls * ops * 1000) / elapsed);
  }
  return {
    name: bench.name,
    opsPerSecond: { median: median(samples), min: Math.min(...samples), max: Math.max(...samples) },
    rounds,
  };
}

function checkMetric(metric: Metric): TargetResult | null {
  if (!metric.target) return null;
  const { atMost, atLeast } = metric.target;
  const met =
    (atMost === undefined || metric.value <= atMost) &&
    (atLeast === undefined || metric.value >= atLeast);
  const bound = [
    atLeast !== undefined ? `≥ ${atLeast}` : '',
    atMost !== undefined ? `≤ ${atMost}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return { description: `${metric.name} ${bound} ${metric.unit}`.trim(), value: metric.value, met };
}

/**
 * Runs one suite. Throughput cases interleave round by round, each round lasting about the same
 * time and the order rotating each round, so machine noise hits every case alike.
 *
 * @example
 * const result = await runSuite({ kind: 'throughput', name: 'x', cases: [{ name: 'a', fn: () => 1 }] });
 */
export async function runSuite(suite: Suite): Promise<SuiteResult> {
  if (suite.kind === 'metrics') {
    const metrics = await suite.measure();
    return {
      suite: suite.name,
      cases: [],
      ratios: {},
      metrics,
      targets: metrics.map(checkMetric).filter((t) => t !== null),
    };
  }
  await suite.setup?.();
  const roundMs = suite.roundMs ?? 200;
  const rounds = suite.rounds ?? 7;
  for (const bench of suite.cases) runFor(bench.fn, Math.max(50, roundMs / 2));
  const samples = new Map<string, number[]>(suite.cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    // The order rotates each round: a case that always ran right after another would inherit its
    // warm caches (or its garbage to collect), and one that always ran first never would.
    for (let c = 0; c < suite.cases.length; c++) {
      const bench = suite.cases[(r + c) % suite.cases.length]!;
      const { calls, elapsed } = runFor(bench.fn, roundMs);
      samples.get(bench.name)!.push((calls * (bench.opsPerCall ?? 1) * 1000) / elapsed);
    }
  }
  suite.teardown?.();
  const cases: CaseResult[] = suite.cases.map((c) => {
    const s = samples.get(c.name)!;
    return {
      name: c.name,
      opsPerSecond: { median: median(s), min: Math.min(...s), max: Math.max(...s) },
      rounds,
    };
  });
  const byName = new Map(cases.map((c) => [c.name, c.opsPerSecond.median]));
  const ratios: Record<string, number> = {};
  const targets: TargetResult[] = [];
  for (const target of suite.targets ?? []) {
    const a = byName.get(target.case);
    const b = byName.get(target.baseline);
    if (a === undefined || b === undefined)
      throw new Error(
        `${suite.name}: target names unknown case ${target.case} or ${target.baseline}`,
      );
    const ratio = a / b;
    const caseRounds = samples.get(target.case)!;
    const baseRounds = samples.get(target.baseline)!;
    const paired = median(caseRounds.map((x, r) => x / baseRounds[r]!));
    ratios[`${target.case} / ${target.baseline}`] = ratio;
    ratios[`${target.case} / ${target.baseline}, paired by round`] = paired;
    const value = target.paired ? paired : ratio;
    targets.push({
      description: `${target.case} ≥ ${target.atLeast}× ${target.baseline}${target.paired ? ' (median of per-round ratios)' : ''}`,
      value,
      met: value >= target.atLeast,
    });
  }
  return { suite: suite.name, cases, ratios, metrics: [], targets };
}

const fmt = (n: number) =>
  n >= 1e6
    ? `${(n / 1e6).toFixed(2)}M`
    : n >= 1e3
      ? `${(n / 1e3).toFixed(1)}k`
      : n >= 10
        ? n.toFixed(0)
        : n.toFixed(3);

/**
 * Formats results as a plain-text table: one row per case or metric, then the targets.
 *
 * @example
 * console.log(formatTable(results));
 */
export function formatTable(results: SuiteResult[]): string {
  const rows: string[][] = [['suite', 'case / metric', 'median', 'min', 'max']];
  for (const result of results) {
    for (const c of result.cases) {
      rows.push([
        result.suite,
        c.name,
        `${fmt(c.opsPerSecond.median)} ops/s`,
        fmt(c.opsPerSecond.min),
        fmt(c.opsPerSecond.max),
      ]);
    }
    for (const m of result.metrics)
      rows.push([result.suite, m.name, `${fmt(m.value)} ${m.unit}`, '', '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ];
  const targets = results.flatMap((r) =>
    r.targets.map(
      (t) => `${t.met ? 'met ' : 'MISS'}  ${r.suite}: ${t.description} (measured ${fmt(t.value)})`,
    ),
  );
  const ratios = results.flatMap((r) =>
    Object.entries(r.ratios).map(([name, value]) => `${r.suite}: ${name} = ${value.toFixed(3)}`),
  );
  if (ratios.length > 0) out.push('', 'ratios', ...ratios);
  if (targets.length > 0) out.push('', 'targets', ...targets);
  return out.join('\n');
}
