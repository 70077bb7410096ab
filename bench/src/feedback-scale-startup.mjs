// One app instance's start-up to its first feedback check(), in a fresh Node process, as a built
// app runs it (plain JavaScript, no TypeScript loader: the feedback scale suite spawns it with
// `node`). Arguments: <schema> <subject> <rule id> <topic> <channel> <expected reason code or
// "-"> <clock ms>, and DATABASE_URL. A bounded loop (cache of 100k subjects) hydrates from the
// store's latest guardrail checkpoint, prepares the one subject and checks it. Prints one JSON
// line: the time from process start (Node and the imports included), the steps alone, each
// step, and the heap afterwards.
import { performance } from 'node:perf_hooks';
import { createFeedbackLoop } from '@candor/feedback';
import { createCandorDatabase } from '@candor/postgres';
import { createPostgresFeedbackStore } from '@candor/postgres/feedback';

const importedAt = performance.now();
const [schema, subject, ruleId, topic, channel, expected, now] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
if (!url || !schema || !subject || !ruleId || !topic || !channel || !expected || !now)
  throw new Error(
    'usage: DATABASE_URL=… feedback-scale-startup.mjs <schema> <subject> <rule> <topic> <channel> <code|-> <clock ms>',
  );

const t0 = performance.now();
const db = await createCandorDatabase({ url, schema });
const t1 = performance.now();
const loop = createFeedbackLoop({
  store: createPostgresFeedbackStore(db),
  clock: { now: () => Number(now) },
  cache: { maxSubjects: 100_000 },
});
// From the latest checkpoint, then only the events stored after it.
const read = await loop.hydrate();
const t2 = performance.now();
await loop.prepare(subject);
const t3 = performance.now();
const verdict = loop.check({ subject, ruleId, topic, channel, at: Number(now) });
const t4 = performance.now();
const cpu = process.cpuUsage();
const code = verdict.reason?.code ?? '-';
if (code !== expected)
  throw new Error(`feedback scale start-up: ${subject} checked ${code}, expected ${expected}`);
process.stdout.write(
  `${JSON.stringify({
    sinceProcessStartMs: t4,
    importsMs: importedAt,
    stepsMs: t4 - t0,
    openMs: t1 - t0,
    hydrateMs: t2 - t1,
    prepareMs: t3 - t2,
    checkMs: t4 - t3,
    // CPU time of the process until then (all threads: main, GC helpers, libuv): on a busy
    // machine the wall clock also counts the time spent waiting for a core.
    cpuMs: (cpu.user + cpu.system) / 1000,
    eventsReadByHydrate: read.events,
    heapUsed: process.memoryUsage().heapUsed,
  })}\n`,
);
loop.close();
await db.close();
