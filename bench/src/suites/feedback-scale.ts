import { spawn } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  createFeedbackLoop,
  createMemoryFeedbackStore,
  type FeedbackLoop,
  type FeedbackStore,
} from '@candor/feedback';
import { type CandorDatabase, createCandorDatabase } from '@candor/postgres';
import { createPostgresFeedbackStore, type PostgresFeedbackStore } from '@candor/postgres/feedback';
import { createDraw } from '../draw.ts';
import {
  ensureFeedbackDataset,
  expectedCode,
  FEEDBACK_EVENTS,
  FEEDBACK_NOW,
  FEEDBACK_SCHEMA,
  FEEDBACK_SUBJECTS,
  type FeedbackDatasetInfo,
  feedbackEventsFor,
  feedbackSubject,
  queryFor,
} from '../feedback-scale-dataset.ts';
import type { Metric, Suite } from '../harness.ts';
import { collector, heapAfterGc, percentile } from './scale.ts';

// ---------------------------------------------------------------------------------------------
// Issue #20, feedback part: 1M subjects and 3M feedback events in PostgreSQL (kept in the schema
// `bench_feedback_1m` between runs, see ../feedback-scale-dataset.ts, with the guardrail
// checkpoint a deployment's loops would have written), read by feedback loops with a bounded
// subject cache (`cache: { maxSubjects: 100_000 }`, filled by `prepare()`). Every subject a
// measurement prepares is drawn from one seeded shuffle of the 1M, each at most once per run, so
// "cold" subjects are never in the loop's cache (PostgreSQL's and the OS's caches are whatever
// the run left). Like the consent scale suites: only run when selected, DATABASE_URL required.
// ---------------------------------------------------------------------------------------------

const CACHE = 100_000;
const clock = { now: () => FEEDBACK_NOW };
const SINGLES = 5_000;
const WARM_SINGLES = 200;
const BATCH = 256;
const BATCHES = 400;
const WARM_BATCHES = 20;
/** The unbounded loop's hydrate is measured only when it can be expected to end within this. */
const FULL_HYDRATE_LIMIT_S = 60;
const FORCE_FULL_HYDRATE = process.env.BENCH_FEEDBACK_FULL_HYDRATE === '1';
const MB = 1024 * 1024;

let dataset: Promise<FeedbackDatasetInfo> | undefined;
const datasetFor = (url: string) => {
  dataset ??= ensureFeedbackDataset(url);
  return dataset;
};

/** Each of the 1M subject indices once per run, in a seeded random order. */
const { draw, drawMany } = createDraw(FEEDBACK_SUBJECTS, 21, 'feedback scale');

/** check() for subject i must answer the dataset's verdict (never held back). */
function verify(loop: FeedbackLoop, i: number): void {
  const verdict = loop.check(queryFor(i));
  const code = verdict.reason?.code ?? null;
  if (code !== expectedCode(i) || verdict.suppressed !== (code !== null))
    throw new Error(
      `feedback scale: check() answered ${code} for ${feedbackSubject(i)}, expected ${expectedCode(i)}`,
    );
}

/** Prepares `indices` (at most 10,000 per call, as prepare() takes) and checks each once. */
async function fill(loop: FeedbackLoop, indices: readonly number[]): Promise<void> {
  for (let k = 0; k < indices.length; k += 10_000) {
    const slice = indices.slice(k, k + 10_000);
    await loop.prepare(slice.map(feedbackSubject));
    for (const i of slice) verify(loop, i);
  }
}

/**
 * A database handle and a bounded loop for the measurements after start-up, its store's
 * readEventsOf timed. The feed's staleness bound is 30 s instead of 5 s, as in the consent scale
 * suite: the harness blocks the event loop for whole rounds, and this machine is shared, so a
 * catch-up can come late; with the default bound check() would answer (and be timed on)
 * `stale_view` now and then. The paths measured are the same either way.
 */
async function openBounded(url: string): Promise<{
  db: CandorDatabase;
  store: PostgresFeedbackStore;
  timed: FeedbackStore;
  loop: FeedbackLoop;
  reads: { ms: number };
}> {
  const db = await createCandorDatabase({
    url,
    schema: FEEDBACK_SCHEMA,
    feed: { staleAfterMs: 30_000, heartbeatMs: 1_000 },
  });
  const store = createPostgresFeedbackStore(db);
  const reads = { ms: 0 };
  const timed: FeedbackStore = {
    ...store,
    async readEventsOf(subjects) {
      const t = performance.now();
      try {
        return await store.readEventsOf(subjects);
      } finally {
        reads.ms += performance.now() - t;
      }
    },
  };
  const loop = createFeedbackLoop({ store: timed, clock, cache: { maxSubjects: CACHE } });
  await loop.hydrate();
  return { db, store, timed, loop, reads };
}

const benchDir = dirname(fileURLToPath(import.meta.url));

/** Runs feedback-scale-startup.mjs in a new Node process (plain JS, as a built app starts). */
function startupProcess(url: string, i: number): Promise<Record<string, number>> {
  const q = queryFor(i);
  const args = [
    join(benchDir, '..', 'feedback-scale-startup.mjs'),
    FEEDBACK_SCHEMA,
    q.subject,
    q.ruleId,
    q.topic,
    q.channel,
    expectedCode(i) ?? '-',
    String(FEEDBACK_NOW),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, DATABASE_URL: url, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as Record<string, number>);
      else reject(new Error(`feedback scale start-up process ended with ${code ?? signal}`));
    });
  });
}

async function generation(url: string): Promise<Metric[]> {
  const info = await datasetFor(url);
  const when = info.generatedNow ? 'in this run' : `kept from ${info.generatedAt}`;
  const s = info.seconds;
  const db = await createCandorDatabase({ url, schema: FEEDBACK_SCHEMA });
  let bytes = 0;
  try {
    const [row] = await db.driver.query<{ bytes: string }>(
      `select sum(pg_total_relation_size(c.oid)) as bytes from pg_class c
       join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind = 'r'`,
      [FEEDBACK_SCHEMA],
    );
    bytes = Number(row?.bytes);
  } finally {
    await db.close();
  }
  process.stderr.write(
    `feedback scale: dataset ${FEEDBACK_SCHEMA} (${when}): generated in ${s.total.toFixed(1)} s ` +
      `(events + COPY ${s.copy.toFixed(1)} s, indexes ${s.indexes.toFixed(1)} s, vacuum analyze ` +
      `${s.vacuumAnalyze.toFixed(1)} s, checkpoint by a bounded hydrate() ${s.checkpoint.toFixed(1)} s); ` +
      `checkpoint ${info.checkpoint.key} covers ${info.checkpoint.events} events, ` +
      `${info.checkpoint.bytes} bytes; completeness check ${(info.checkSeconds * 1000).toFixed(0)} ms\n`,
  );
  return [
    {
      name: `dataset generation, ${FEEDBACK_SUBJECTS / 1e6}M subjects, ${FEEDBACK_EVENTS / 1e6}M feedback events (${when})`,
      value: s.total,
      unit: 's',
    },
    { name: 'of which: events + COPY', value: s.copy, unit: 's' },
    { name: 'of which: indexes, vacuum analyze', value: s.indexes + s.vacuumAnalyze, unit: 's' },
    {
      name: `of which: the checkpoint: a bounded loop's hydrate() with none stored (reads all ${FEEDBACK_EVENTS / 1e6}M events)`,
      value: s.checkpoint,
      unit: 's',
    },
    {
      name: `dataset size (pg_total_relation_size, every table of ${FEEDBACK_SCHEMA})`,
      value: bytes / MB,
      unit: 'MB',
    },
    {
      name: 'the guardrail checkpoint as stored (JSON text)',
      value: info.checkpoint.bytes / MB,
      unit: 'MB',
    },
  ];
}

async function startup(url: string): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const child = await startupProcess(url, draw());
  metrics.push(
    {
      name: 'start-up to first check, new Node process (boot + imports + steps), cache 100k',
      value: child.sinceProcessStartMs!,
      unit: 'ms',
      target: { atMost: 2_000 },
    },
    {
      name: 'of which: open database + hydrate() (from the checkpoint) + prepare(1) + check (new process)',
      value: child.stepsMs!,
      unit: 'ms',
    },
    { name: 'of which: hydrate() (new process)', value: child.hydrateMs!, unit: 'ms' },
    {
      name: 'CPU time of that process until its first check (user + system, all threads)',
      value: child.cpuMs!,
      unit: 'ms',
    },
  );
  if (child.eventsReadByHydrate !== 0)
    throw new Error(
      `feedback scale: hydrate() read ${child.eventsReadByHydrate} events after the checkpoint`,
    );
  const info0 = await datasetFor(url);
  // The same steps in this (warm) process, on a new database handle and loop.
  const i = draw();
  const t0 = performance.now();
  const db = await createCandorDatabase({ url, schema: FEEDBACK_SCHEMA });
  const t1 = performance.now();
  const loop = createFeedbackLoop({
    store: createPostgresFeedbackStore(db),
    clock,
    cache: { maxSubjects: CACHE },
  });
  await loop.hydrate();
  const t2 = performance.now();
  await loop.prepare(feedbackSubject(i));
  const t3 = performance.now();
  verify(loop, i);
  const t4 = performance.now();
  loop.close();
  // Where hydrate()'s time goes: reading the checkpoint (one JSON text, parsed once),
  // and restoring it. Its `reactions` (the metrics each decision has counted, so that each counts
  // once per decision) grow with every decision that drew a guardrail metric: the same hydrate()
  // with them left out tells their share.
  const store = createPostgresFeedbackStore(db);
  const key = info0.checkpoint.key;
  let t = performance.now();
  const stored = await store.readCheckpoint(key);
  const readMs = performance.now() - t;
  if (stored === null) throw new Error('feedback scale: no checkpoint stored');
  const lean: FeedbackStore = {
    ...store,
    readCheckpoint: async () => ({ ...stored, reactions: { ids: [], bits: [], variants: [] } }),
    writeCheckpoint: async () => {},
  };
  t = performance.now();
  const leanLoop = createFeedbackLoop({ store: lean, clock, cache: { maxSubjects: CACHE } });
  await leanLoop.hydrate();
  const leanMs = performance.now() - t;
  leanLoop.close();
  await db.close();
  metrics.push(
    {
      name: 'start-up to first check, in this process: createCandorDatabase + hydrate() + prepare(1) + check',
      value: t4 - t0,
      unit: 'ms',
      target: { atMost: 2_000 },
    },
    {
      name: 'of which: createCandorDatabase (connect, migrations checked)',
      value: t1 - t0,
      unit: 'ms',
    },
    {
      name: 'of which: hydrate() (reads the checkpoint, then the events after it: none)',
      value: t2 - t1,
      unit: 'ms',
    },
    { name: 'of which: first prepare()', value: t3 - t2, unit: 'ms' },
  );
  metrics.push(
    {
      name: `the checkpoint's reactions (decisions that drew a guardrail metric, each kept forever)`,
      value: stored.reactions.ids.length,
      unit: 'decisions',
    },
    { name: 'store.readCheckpoint() alone (query + JSON parse)', value: readMs, unit: 'ms' },
    {
      name: 'hydrate() of the same checkpoint with its reactions left out (no read, no restore of them)',
      value: leanMs,
      unit: 'ms',
    },
  );
  process.stderr.write(
    `feedback scale: new process: ${JSON.stringify(child)}\n` +
      `feedback scale: in process: open ${(t1 - t0).toFixed(1)} ms, hydrate ${(t2 - t1).toFixed(1)} ms, ` +
      `prepare ${(t3 - t2).toFixed(1)} ms, check ${(t4 - t3).toFixed(2)} ms\n`,
  );

  // For comparison: a loop without a cache hydrating every event (every subject held). Its read
  // is at least the bounded loop's read of all events without a checkpoint, timed at generation:
  // run only when that stays under the limit (or when forced).
  const floor = info0.seconds.checkpoint;
  if (floor < FULL_HYDRATE_LIMIT_S || FORCE_FULL_HYDRATE) {
    const db2 = await createCandorDatabase({ url, schema: FEEDBACK_SCHEMA });
    try {
      const whole = createFeedbackLoop({ store: createPostgresFeedbackStore(db2), clock });
      const t = performance.now();
      const read = await whole.hydrate();
      const seconds = (performance.now() - t) / 1000;
      whole.close();
      metrics.push({
        name: `hydrate() WITHOUT cache: all ${read.events / 1e6}M events, every subject held (in process)`,
        value: seconds,
        unit: 's',
      });
    } finally {
      await db2.close();
    }
  } else {
    process.stderr.write(
      `feedback scale: the loop WITHOUT a cache (hydrate() of all ${FEEDBACK_EVENTS / 1e6}M events) was NOT run: ` +
        `reading them alone took ${floor.toFixed(1)} s (the bounded loop's hydrate() without a checkpoint, ` +
        `at generation), over the ${FULL_HYDRATE_LIMIT_S} s limit. Set BENCH_FEEDBACK_FULL_HYDRATE=1 to run it.\n`,
    );
    metrics.push({
      name: `hydrate() WITHOUT cache: NOT RUN (its read alone, all ${FEEDBACK_EVENTS / 1e6}M events by a bounded loop without checkpoint, took this at generation; limit ${FULL_HYDRATE_LIMIT_S} s)`,
      value: floor,
      unit: 's',
    });
  }
  return metrics;
}

interface ExplainPlan {
  'Execution Time': number;
  'Planning Time': number;
  Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number };
}

/**
 * Where readEventsOf's time goes on fresh batches of 256: the same batch read twice (the second
 * time PostgreSQL finds every page in its shared buffers), the query with the events as text (no
 * JSON parsed in Node) and JSON.parse of those texts, and the server's own account of a cold read
 * (EXPLAIN ANALYZE, BUFFERS).
 */
async function readDiagnostics(
  db: CandorDatabase,
  store: PostgresFeedbackStore,
): Promise<Metric[]> {
  const table = db.table('feedback_events');
  const cold: number[] = [];
  const warm: number[] = [];
  const asText: number[] = [];
  const parse: number[] = [];
  for (let b = 0; b < 100; b++) {
    const subjects = drawMany(BATCH).map(feedbackSubject);
    let t = performance.now();
    const rows = await store.readEventsOf(subjects);
    cold.push(performance.now() - t);
    if (rows.length !== BATCH * 3) throw new Error('feedback scale: readEventsOf missed events');
    t = performance.now();
    await store.readEventsOf(subjects);
    warm.push(performance.now() - t);
    // Warm again, the events as text: the query without the driver's JSON parsing.
    t = performance.now();
    const texts = await db.driver.query<{ seq: string; body: string }>(
      `select seq, event::text as body from ${table} where subject = any($1::text[]) order by seq`,
      [subjects],
    );
    asText.push(performance.now() - t);
    t = performance.now();
    for (const r of texts) JSON.parse(r.body);
    parse.push(performance.now() - t);
  }
  const executions: number[] = [];
  const pagesRead: number[] = [];
  const pagesHit: number[] = [];
  const sql = `explain (analyze, buffers, format json)
    select seq, event as body from ${table} where subject = any($1::text[]) order by seq`;
  for (let b = 0; b < 50; b++) {
    const [row] = await db.driver.query<{ 'QUERY PLAN': ExplainPlan[] | string }>(sql, [
      drawMany(BATCH).map(feedbackSubject),
    ]);
    const raw = row!['QUERY PLAN'];
    const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as ExplainPlan[];
    executions.push(plan[0]!['Execution Time'] + plan[0]!['Planning Time']);
    pagesRead.push(plan[0]!.Plan['Shared Read Blocks']);
    pagesHit.push(plan[0]!.Plan['Shared Hit Blocks']);
  }
  const [buffers] = await db.driver.query<{ shared_buffers: string }>('show shared_buffers');
  for (const list of [cold, warm, asText, parse, executions, pagesRead, pagesHit])
    list.sort((a, b) => a - b);
  return [
    {
      name: `store.readEventsOf(${BATCH}) of cold subjects, p50`,
      value: percentile(cold, 50),
      unit: 'ms',
    },
    {
      name: `the same batch read again (every page in PostgreSQL's buffers), p50`,
      value: percentile(warm, 50),
      unit: 'ms',
    },
    {
      name: 'the same query again, events as text (no JSON parsed in Node), p50',
      value: percentile(asText, 50),
      unit: 'ms',
    },
    {
      name: `JSON.parse of those ${BATCH * 3} event texts, p50`,
      value: percentile(parse, 50),
      unit: 'ms',
    },
    {
      name: 'server time of that query, cold batch (EXPLAIN ANALYZE: planning + execution), p50',
      value: percentile(executions, 50),
      unit: 'ms',
    },
    {
      name: `pages it reads from outside shared_buffers (${buffers?.shared_buffers ?? '?'}), cold batch, p50`,
      value: percentile(pagesRead, 50),
      unit: 'pages',
    },
    {
      name: 'pages it finds in shared_buffers, cold batch, p50',
      value: percentile(pagesHit, 50),
      unit: 'pages',
    },
  ];
}

/** Memory of 100k cached subjects, then 200k more (evicting), then cold prepares on that cache. */
async function cachedWork(url: string): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const { gc, how } = collector();
  const { db, store, timed, loop, reads } = await openBounded(url);
  const gcs: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, duration: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const gcWithin = async (from: number, to: number) => {
    await new Promise((resolve) => setImmediate(resolve));
    const within = gcs.filter((g) => g.start >= from && g.start < to);
    return {
      ms: within.reduce((sum, g) => sum + g.duration, 0),
      longest: Math.max(0, ...within.map((g) => g.duration)),
    };
  };
  try {
    // Code paths and the pool's connections warmed by another loop on the same store, closed
    // before the baseline heap is taken: the measured one holds only its hydrated guardrails.
    const warm = createFeedbackLoop({ store: timed, clock, cache: { maxSubjects: CACHE } });
    await warm.hydrate();
    await fill(warm, drawMany(2_000));
    warm.close();
    const before = heapAfterGc(gc);
    const first = drawMany(CACHE);
    await fill(loop, first);
    const full = heapAfterGc(gc);
    await fill(loop, drawMany(2 * CACHE));
    const after = heapAfterGc(gc);
    const evicted = first
      .slice(0, 1_000)
      .filter((i) => loop.viewStatus(feedbackSubject(i)) === 'not_loaded').length;
    if (evicted !== 1_000)
      throw new Error(`feedback scale: only ${evicted} of 1,000 early subjects were evicted`);
    metrics.push(
      {
        name: `heap of the loop's cache, ${CACHE / 1000}k subjects prepared and checked (gc via ${how})`,
        value: (full - before) / MB,
        unit: 'MB',
      },
      { name: 'bytes per cached subject', value: (full - before) / CACHE, unit: 'B' },
      {
        name: 'heap after 200k more prepared (evicting), over the heap at 100k',
        value: (after - before) / (full - before),
        unit: '×',
        target: { atMost: 1.1, note: 'bounded: the cache evicts' },
      },
      {
        name: 'heap before any subject is prepared (hydrated guardrails from the checkpoint, database, code)',
        value: before / MB,
        unit: 'MB',
      },
    );
    process.stderr.write(
      `feedback scale: heap before ${(before / MB).toFixed(1)} MB, 100k cached ${(full / MB).toFixed(1)} MB, ` +
        `+200k more ${(after / MB).toFixed(1)} MB\n`,
    );

    // One cold subject at a time: prepare (one indexed read of one subject) + check.
    const singles: number[] = [];
    // A bare round trip to the same database after each single, under the same load: how much of
    // the tail is the machine and the connection rather than prepare() and check().
    const roundTrips: number[] = [];
    let singlesFrom = 0;
    for (let k = 0; k < WARM_SINGLES + SINGLES; k++) {
      const i = draw();
      const query = queryFor(i);
      const t = performance.now();
      await loop.prepare(query.subject);
      const verdict = loop.check(query);
      const ms = performance.now() - t;
      if ((verdict.reason?.code ?? null) !== expectedCode(i))
        throw new Error(
          `feedback scale: check() answered ${verdict.reason?.code} for ${query.subject}`,
        );
      const r = performance.now();
      await db.driver.query('select 1');
      const roundTrip = performance.now() - r;
      if (k >= WARM_SINGLES) {
        singles.push(ms);
        roundTrips.push(roundTrip);
      } else singlesFrom = performance.now();
    }
    const singlesGc = await gcWithin(singlesFrom, performance.now());
    singles.sort((a, b) => a - b);
    roundTrips.sort((a, b) => a - b);
    metrics.push(
      {
        name: `cold prepare(1) + check, p50 (${SINGLES} random subjects, cache full)`,
        value: percentile(singles, 50),
        unit: 'ms',
      },
      {
        name: 'cold prepare(1) + check, p99',
        value: percentile(singles, 99),
        unit: 'ms',
        target: { atMost: 5 },
      },
      { name: 'cold prepare(1) + check, max', value: singles.at(-1)!, unit: 'ms' },
      {
        name: "baseline: a bare 'select 1' on the same pool after each single, p50",
        value: percentile(roundTrips, 50),
        unit: 'ms',
      },
      {
        name: "baseline: a bare 'select 1' on the same pool after each single, p99",
        value: percentile(roundTrips, 99),
        unit: 'ms',
      },
      {
        name: 'GC pauses while the singles ran: share of their time',
        value: (100 * singlesGc.ms) / singles.reduce((sum, ms) => sum + ms, 0),
        unit: '%',
      },
    );

    // Batches of 256 cold subjects: prepare(batch) + 256 checks.
    const batches: number[] = [];
    let measuredSubjects = 0;
    let measuredMs = 0;
    let readMs = 0;
    let checkMs = 0;
    let batchesFrom = 0;
    let batchesCpu = process.cpuUsage();
    for (let b = 0; b < WARM_BATCHES + BATCHES; b++) {
      if (b === WARM_BATCHES) {
        batchesFrom = performance.now();
        batchesCpu = process.cpuUsage();
      }
      const batch = drawMany(BATCH);
      const queries = batch.map(queryFor);
      const readBefore = reads.ms;
      const t = performance.now();
      await loop.prepare(queries.map((q) => q.subject));
      const prepared = performance.now();
      let suppressed = 0;
      for (const q of queries) if (loop.check(q).suppressed) suppressed++;
      const end = performance.now();
      if (suppressed !== batch.filter((i) => expectedCode(i) !== null).length)
        throw new Error('feedback scale: a batch checked differently from the dataset');
      if (b >= WARM_BATCHES) {
        batches.push(end - t);
        measuredSubjects += BATCH;
        measuredMs += end - t;
        readMs += reads.ms - readBefore;
        checkMs += end - prepared;
      }
    }
    const cpu = process.cpuUsage(batchesCpu);
    const batchesGc = await gcWithin(batchesFrom, performance.now());
    batches.sort((a, b) => a - b);
    metrics.push(
      {
        name: `cold batches of ${BATCH}: prepare(batch) + ${BATCH} checks (${BATCHES} batches, cache full)`,
        value: (measuredSubjects * 1000) / measuredMs,
        unit: 'subjects/s',
        target: { atLeast: 20_000 },
      },
      {
        name: 'the same batches, subjects per CPU-second of this process (less sensitive to a busy machine; PostgreSQL works on top)',
        value: measuredSubjects / ((cpu.user + cpu.system) / 1e6),
        unit: 'subjects/s',
      },
      { name: `batch of ${BATCH}, p50`, value: percentile(batches, 50), unit: 'ms' },
      { name: `batch of ${BATCH}, p99`, value: percentile(batches, 99), unit: 'ms' },
      {
        name: `of a batch, mean: the store's readEventsOf inside prepare() (query, rows, JSON)`,
        value: readMs / BATCHES,
        unit: 'ms',
      },
      {
        name: "of a batch, mean: prepare()'s own work (check the rows, apply the events, evict)",
        value: (measuredMs - checkMs - readMs) / BATCHES,
        unit: 'ms',
      },
      {
        name: `of a batch, mean: the ${BATCH} check() calls`,
        value: checkMs / BATCHES,
        unit: 'ms',
      },
      {
        name: 'GC pauses while the batches ran: mean per batch',
        value: batchesGc.ms / BATCHES,
        unit: 'ms',
      },
    );
    metrics.push(...(await readDiagnostics(db, store)));
  } finally {
    observer.disconnect();
    loop.close();
    await db.close();
  }
  return metrics;
}

async function feedbackScaleMetrics(): Promise<Metric[]> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write(
      '\n*** feedback scale: DATABASE_URL is not set: the 1M-subject feedback benchmark is SKIPPED. ***\n' +
        '*** Set DATABASE_URL=postgres://… (source .ci/postgres.sh to start one) to measure it. ***\n\n',
    );
    return [];
  }
  const loadAtStart = os.loadavg()[0]!;
  const metrics = [...(await generation(url)), ...(await startup(url)), ...(await cachedWork(url))];
  return [
    ...metrics,
    { name: 'machine load average (1 min) when this suite started', value: loadAtStart, unit: '' },
    { name: 'machine load average (1 min) when it ended', value: os.loadavg()[0]!, unit: '' },
  ];
}

// Hot check(): 100k prepared subjects against a Map of precomputed verdicts (the consent scale
// suite's style: 1,024 per call, cases in rounds of equal duration, order rotated).
const hot: {
  db?: CandorDatabase;
  /** [0]: the bounded loop over PostgreSQL; [1]: an in-memory loop without a cache. */
  loops: FeedbackLoop[];
  expected: Map<string, string | null>;
  queries: ReturnType<typeof queryFor>[];
} = { loops: [], expected: new Map(), queries: [] };
const cursors = [0, 0, 0, 0];
const PER_CALL = 1_024;

async function prepareHot(): Promise<void> {
  const url = process.env.DATABASE_URL!;
  await datasetFor(url);
  const { db, loop } = await openBounded(url);
  const indices = drawMany(CACHE);
  await fill(loop, indices);
  // The same subjects' events in a memory store, hydrated by a loop without a cache: what hot
  // check() costs on a whole in-memory view, in the same run.
  const memoryStore = createMemoryFeedbackStore();
  await memoryStore.appendEvents(indices.flatMap(feedbackEventsFor).sort((a, b) => a.at - b.at));
  const memory = createFeedbackLoop({ store: memoryStore, clock });
  await memory.hydrate();
  for (const i of indices) verify(memory, i);
  const expected = new Map<string, string | null>();
  for (const i of indices) expected.set(feedbackSubject(i), expectedCode(i));
  // Visited in a fixed pseudo-random order, not the order they were prepared in.
  const queries: ReturnType<typeof queryFor>[] = [];
  for (let k = 0, x = 12345; k < CACHE; k++) {
    x = (x * 1103515245 + 12345) >>> 0;
    queries.push(queryFor(indices[x % CACHE]!));
  }
  Object.assign(hot, { db, loops: [loop, memory], expected, queries });
}

function teardownHot(): void {
  const { db, loops, queries } = hot;
  // Had the feed gone stale during the measurement, check() would have measured `stale_view`.
  const status = loops[0]?.viewStatus(queries[0]!.subject);
  for (const loop of loops) loop.close();
  void db?.close();
  Object.assign(hot, { db: undefined, loops: [], expected: new Map(), queries: [] });
  if (status !== 'ready')
    throw new Error(`feedback scale: the view went ${status} during the hot check() measurement`);
}

// Each case has a loop of its own, as an app calls its one loop from its own code: one loop
// shared by both would show V8 two check() closures at one call site, and it inlines neither.
function checkBounded(): number {
  const loop = hot.loops[0]!;
  const queries = hot.queries;
  let cursor = cursors[0]!;
  let suppressed = 0;
  for (let i = 0; i < PER_CALL; i++) {
    const query = queries[cursor]!;
    cursor = cursor + 1 === CACHE ? 0 : cursor + 1;
    if (loop.check(query).suppressed) suppressed++;
  }
  cursors[0] = cursor;
  return suppressed;
}

function checkInMemory(): number {
  const loop = hot.loops[1]!;
  const queries = hot.queries;
  let cursor = cursors[1]!;
  let suppressed = 0;
  for (let i = 0; i < PER_CALL; i++) {
    const query = queries[cursor]!;
    cursor = cursor + 1 === CACHE ? 0 : cursor + 1;
    if (loop.check(query).suppressed) suppressed++;
  }
  cursors[1] = cursor;
  return suppressed;
}

const HOT_BOUNDED = 'check(), bounded loop over PostgreSQL';
const HOT_MEMORY = 'check(), in-memory loop without cache, same 100k subjects';
const HOT_MAP = 'Map.get baseline';
const HOT_BUDGET = 'budget(), bounded loop, same subjects and channels (the last step of check())';

const hotSuite: Suite = {
  kind: 'throughput',
  name: `feedback scale, hot check() over ${CACHE / 1000}k prepared subjects of ${FEEDBACK_SUBJECTS / 1e6}M, PostgreSQL, cache ${CACHE / 1000}k (1,024 per call)`,
  setup: prepareHot,
  teardown: teardownHot,
  rounds: 15,
  cases: [
    { name: HOT_BOUNDED, fn: checkBounded, opsPerCall: PER_CALL },
    { name: HOT_MEMORY, fn: checkInMemory, opsPerCall: PER_CALL },
    {
      name: HOT_BUDGET,
      fn: () => {
        const loop = hot.loops[0]!;
        const queries = hot.queries;
        let cursor = cursors[3]!;
        let within = 0;
        for (let i = 0; i < PER_CALL; i++) {
          const query = queries[cursor]!;
          cursor = cursor + 1 === CACHE ? 0 : cursor + 1;
          if (loop.budget(query.subject, query.channel, query.at).withinBudget) within++;
        }
        cursors[3] = cursor;
        return within;
      },
      opsPerCall: PER_CALL,
    },
    {
      name: HOT_MAP,
      fn: () => {
        const expected = hot.expected;
        const queries = hot.queries;
        let cursor = cursors[2]!;
        let suppressed = 0;
        for (let i = 0; i < PER_CALL; i++) {
          const query = queries[cursor]!;
          cursor = cursor + 1 === CACHE ? 0 : cursor + 1;
          if (expected.get(query.subject) != null) suppressed++;
        }
        cursors[2] = cursor;
        return suppressed;
      },
      opsPerCall: PER_CALL,
    },
  ],
  targets: [
    { case: HOT_BOUNDED, baseline: HOT_MAP, atLeast: 0.4 },
    // What the cache mode costs the hot path against a whole in-memory view (paired by round).
    { case: HOT_BOUNDED, baseline: HOT_MEMORY, atLeast: 0.9, paired: true },
  ],
};

/**
 * The feedback scale benchmark (issue #20, "the same for feedback check()"): 1M subjects, 3M
 * events in PostgreSQL, loops with a 100k-subject cache. Needs DATABASE_URL (skipped loudly
 * without); the hot check() suite is only listed when it is set.
 */
export const feedbackScaleSuites: Suite[] = [
  {
    kind: 'metrics',
    name: `feedback scale, check() over ${FEEDBACK_SUBJECTS / 1e6}M subjects in PostgreSQL, cache ${CACHE / 1000}k (start-up, cold prepare, memory)`,
    measure: feedbackScaleMetrics,
  },
  ...(process.env.DATABASE_URL ? [hotSuite] : []),
];
