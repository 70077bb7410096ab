// One app instance's start-up to its first consent decision, in a fresh Node process, as a
// built app runs it (plain JavaScript, no TypeScript loader: the scale suite spawns it with
// `node`). Arguments: <cache|full> <schema> <subject> <expected allowed: 1|0> <clock ms>, and
// DATABASE_URL. Prints one JSON line: the time from process start (Node and the imports
// included), the steps alone, each step, and the heap afterwards.
import { performance } from 'node:perf_hooks';
import { createConsentManager, definePurposes } from '@candor/consent';
import { createCandorDatabase } from '@candor/postgres';
import { createPostgresLedgerStore } from '@candor/postgres/consent';

const importedAt = performance.now();
const [mode, schema, subject, allowed, now] = process.argv.slice(2);
const url = process.env.DATABASE_URL;
if (!url || (mode !== 'cache' && mode !== 'full') || !schema || !subject || !now)
  throw new Error(
    'usage: DATABASE_URL=… scale-startup.mjs <cache|full> <schema> <subject> <1|0> <clock ms>',
  );

// The consent suite's purposes (bench/src/suites/consent.ts), which the dataset's events name.
const purposes = definePurposes({
  'marketing.email': {
    title: 'Marketing emails',
    bases: ['consent'],
    categories: ['user.contact.email', 'user.behavior.purchase_history'],
    tags: ['direct_marketing'],
  },
  'service.proactive_support': {
    title: 'Proactive support',
    bases: ['legitimate_interest', 'consent'],
    categories: ['user.financial.card'],
  },
});

const t0 = performance.now();
const db = await createCandorDatabase({ url, schema });
const t1 = performance.now();
const manager = createConsentManager({
  purposes,
  store: createPostgresLedgerStore(db),
  clock: { now: () => Number(now) },
  ...(mode === 'cache' ? { cache: { maxSubjects: 100_000 } } : {}),
});
// Without a cache, load() reads every entry and verifies every chain (its default).
const entries = await manager.load();
const t2 = performance.now();
await manager.prepare(subject);
const t3 = performance.now();
const verdict = manager.decide({
  subject,
  purpose: 'marketing.email',
  dataCategories: ['user.contact.email'],
});
const t4 = performance.now();
if (verdict.status === 'unknown' || verdict.allowed !== (allowed === '1'))
  throw new Error(`scale start-up: wrong first decision for ${subject}: ${verdict.status}`);
process.stdout.write(
  `${JSON.stringify({
    sinceProcessStartMs: t4,
    importsMs: importedAt,
    stepsMs: t4 - t0,
    openMs: t1 - t0,
    loadMs: t2 - t1,
    prepareMs: t3 - t2,
    decideMs: t4 - t3,
    entries,
    heapUsed: process.memoryUsage().heapUsed,
  })}\n`,
);
manager.close();
await db.close();
