import { randomBytes } from 'node:crypto';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import {
  type ConsentManager,
  createConsentManager,
  createMemoryLedgerStore,
  definePurposes,
  openConsentManager,
} from '@candor/consent';
import { type ConsentVerdict, createVirtualClock } from '@candor/core';
import {
  createFeedbackLoop,
  createMemoryFeedbackStore,
  type FeedbackEvent,
  type FeedbackLoop,
} from '@candor/feedback';
import { type CandorDatabase, createCandorDatabase } from '@candor/postgres';
import { createPostgresLedgerStore } from '@candor/postgres/consent';
import { createPostgresFeedbackStore } from '@candor/postgres/feedback';
import {
  compileRules,
  createMemoryRuleStateStore,
  createRuleEngine,
  type Outcome,
  type RuleEngine,
  type RuleEvent,
} from '@candor/rules';
import { PGlite } from '@electric-sql/pglite';
import type { Metric, Suite, ThroughputSuite } from '../harness.ts';
import { generateFactSets, generateRules, rng } from '../rules-generator.ts';
import { purposes as consentPurposes, SUBJECTS, T0, visitingOrder } from './consent.ts';
import { end as feedbackEnd, makeEvents } from './feedback.ts';
import { FACT_SETS, SEED, toCandor, toEvents } from './rules.ts';

// ---------------------------------------------------------------------------------------------
// Propagation: 4 app instances on one schema, each with its own database handle (its own feed
// and LISTEN connection), a consent manager and a feedback loop on the postgres stores.
// ---------------------------------------------------------------------------------------------

const INSTANCES = 4;
/** Changes measured one at a time (each waits until the previous one has propagated). */
const CHANGES = 1_000;
/** Changes made first and not counted: connections, prepared statements and V8's JIT warmed. */
const WARMUP = 50;
/** Changes issued at once in the burst variant. */
const BURST = 200;
/** A change that has not reached every instance by then is a failure, not a slow sample. */
const GIVE_UP_MS = 30_000;

const purposes = definePurposes({
  'service.proactive_support': {
    title: 'Proactive support',
    bases: ['consent'],
    categories: ['user.financial.card'],
  },
});
type Purpose = 'service.proactive_support';
const PURPOSE: Purpose = 'service.proactive_support';
const CATEGORIES = ['user.financial.card'] as const;
const MUTED = {
  ruleId: 'card-expiry',
  topic: 'billing.card_expiry',
  channel: 'email',
} as const;

interface App {
  readonly consent: ConsentManager<Purpose>;
  readonly feedback: FeedbackLoop;
}

/** One app instance over `db`, loaded as an app does at start-up. */
async function openApp(db: CandorDatabase): Promise<App> {
  const consent = await openConsentManager({
    purposes,
    store: createPostgresLedgerStore(db),
    jurisdiction: 'FR',
  });
  const feedback = createFeedbackLoop({ store: createPostgresFeedbackStore(db) });
  await feedback.hydrate();
  return { consent, feedback };
}

/** One change: a withdrawal (consent) or a "not interested" mute (feedback), made on `writer`. */
interface Change {
  readonly kind: 'withdrawal' | 'mute';
  readonly writer: number;
  readonly subject: string;
  readonly key: string;
}

function planChanges(n: number, tag: string, random: () => number): Change[] {
  return Array.from({ length: n }, (_, i) => {
    const kind = random() < 0.5 ? 'withdrawal' : 'mute';
    return {
      kind,
      writer: Math.floor(random() * INSTANCES),
      subject: `${tag}_${kind === 'withdrawal' ? 'w' : 'm'}${i}`,
      key: `${tag}_k${i}`,
    };
  });
}

const DENIED = 1;
const PROPAGATED = 2;
const READ = 4;

/** A change's questions, built once: the polling loop allocates as little as it can. */
function questionsOf(change: Change) {
  return {
    consent: { subject: change.subject, purpose: PURPOSE, dataCategories: CATEGORIES },
    feedback: { subject: change.subject, ...MUTED, at: 0 },
  };
}

/** How one instance answers about `change`, now: DENIED | PROPAGATED | READ bits. */
function probe(app: App, change: Change, q: ReturnType<typeof questionsOf>): number {
  if (change.kind === 'withdrawal') {
    const verdict = app.consent.decide(q.consent);
    // Denied (even as `stale_view`, failing closed while it reads the subject) is propagated;
    // `withdrawn` is the view having read the withdrawal itself.
    if (verdict.allowed) return 0;
    return DENIED | PROPAGATED | (verdict.status === 'withdrawn' ? READ : 0);
  }
  q.feedback.at = Date.now();
  const verdict = app.feedback.check(q.feedback);
  // Held back as `stale_view` is a denial; propagated only once the mute's own reason answers.
  if (!verdict.suppressed) return 0;
  return verdict.reason.feedbackId === change.key ? DENIED | PROPAGATED | READ : DENIED;
}

/** Whether `app` allows what `change` is about to take away (granted, not muted). */
const allows = (app: App, change: Change) => probe(app, change, questionsOf(change)) === 0;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Polls (setImmediate, no timer) until `done()`; throws after `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > ms) throw new Error(`feed bench: ${what} not within ${ms} ms`);
    await tick();
  }
}

function write(apps: readonly App[], change: Change): Promise<unknown> {
  const app = apps[change.writer]!;
  if (change.kind === 'withdrawal')
    return app.consent.withdraw({
      subject: change.subject,
      purposes: PURPOSE,
      idempotencyKey: change.key,
    });
  const event: FeedbackEvent = {
    idempotencyKey: change.key,
    kind: 'not_interested',
    decisionId: `d_${change.key}`,
    subject: change.subject,
    ...MUTED,
    at: Date.now(),
    scope: 'topic',
  };
  return app.feedback.submit(event);
}

/** Grants consent for every withdrawal's subject (on random instances) until all four allow it. */
async function grantAll(apps: readonly App[], changes: readonly Change[], random: () => number) {
  const subjects = changes.filter((c) => c.kind === 'withdrawal');
  for (let i = 0; i < subjects.length; i += 16) {
    await Promise.all(
      subjects.slice(i, i + 16).map((c) =>
        apps[Math.floor(random() * INSTANCES)]!.consent.grant({
          subject: c.subject,
          purposes: PURPOSE,
        }),
      ),
    );
  }
  await until(
    () => changes.every((c) => apps.every((app) => allows(app, c))),
    GIVE_UP_MS,
    'the grants reaching every instance',
  );
}

/** Milliseconds from the write resolving until every other instance answered each way. */
interface Sample {
  readonly change: Change;
  readonly writeMs: number;
  readonly denied: number;
  readonly propagated: number;
  readonly read: number;
  /** performance.now() when the write resolved (to match against GC pauses). */
  readonly at: number;
}

/**
 * Watches every other instance of `change` until each has read it; returns, per measure, when
 * the last of them got there (ms after `t0`, the moment the writer's call resolved). It polls
 * on every turn of the event loop (setImmediate: I/O callbacks run in between, no timer).
 */
function watch(apps: readonly App[], change: Change, t0: number) {
  const others = apps.filter((_, i) => i !== change.writer);
  const q = questionsOf(change);
  const denied = others.map(() => Number.NaN);
  const propagated = others.map(() => Number.NaN);
  const read = others.map(() => Number.NaN);
  return new Promise<{ denied: number; propagated: number; read: number }>((resolve, reject) => {
    const poll = () => {
      let left = 0;
      for (let i = 0; i < others.length; i++) {
        if (!Number.isNaN(read[i]!)) continue;
        const bits = probe(others[i]!, change, q);
        const now = performance.now() - t0;
        if (bits & DENIED && Number.isNaN(denied[i]!)) denied[i] = now;
        if (bits & PROPAGATED && Number.isNaN(propagated[i]!)) propagated[i] = now;
        if (bits & READ) read[i] = now;
        else left++;
      }
      if (left === 0) {
        resolve({
          denied: Math.max(...denied),
          propagated: Math.max(...propagated),
          read: Math.max(...read),
        });
      } else if (performance.now() - t0 > GIVE_UP_MS) {
        reject(new Error(`feed bench: ${change.kind} of ${change.subject} not everywhere in time`));
      } else setImmediate(poll);
    };
    poll();
  });
}

async function oneByOne(apps: readonly App[], changes: readonly Change[]): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const change of changes) {
    await until(() => apps.every((app) => allows(app, change)), 5_000, 'the precondition');
    const w0 = performance.now();
    // The clock starts in the first reaction to the writer's promise, not after an await's hop.
    const t0 = await write(apps, change).then(() => performance.now());
    const times = await watch(apps, change, t0);
    samples.push({ change, writeMs: t0 - w0, ...times, at: t0 });
  }
  return samples;
}

/** All changes issued at once; each one's clock starts when its own write resolves. */
async function burst(apps: readonly App[], changes: readonly Change[]): Promise<number[]> {
  await until(
    () => changes.every((c) => apps.every((app) => allows(app, c))),
    5_000,
    'the precondition',
  );
  const started = changes.map(() => Number.NaN);
  const latency = changes.map(() => Number.NaN);
  const pending = changes.map((change) => {
    const others = apps.filter((_, i) => i !== change.writer);
    return { change, others, q: questionsOf(change), reached: others.map(() => false) };
  });
  const writes = changes.map((change, i) =>
    write(apps, change).then(() => {
      started[i] = performance.now();
    }),
  );
  let failed: unknown;
  void Promise.all(writes).catch((error: unknown) => {
    failed = error;
  });
  const begin = performance.now();
  for (;;) {
    if (failed !== undefined) throw failed;
    let left = 0;
    for (let i = 0; i < pending.length; i++) {
      if (!Number.isNaN(latency[i]!)) continue;
      left++;
      // Only once its write has resolved: that is when its clock starts.
      if (Number.isNaN(started[i]!)) continue;
      const p = pending[i]!;
      for (let k = 0; k < p.others.length; k++)
        if (!p.reached[k]) p.reached[k] = (probe(p.others[k]!, p.change, p.q) & PROPAGATED) !== 0;
      if (p.reached.every(Boolean)) {
        latency[i] = performance.now() - started[i]!;
        left--;
      }
    }
    if (left === 0) break;
    if (performance.now() - begin > GIVE_UP_MS) throw new Error('feed bench: burst not everywhere');
    await tick();
  }
  return latency;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const sortedOf = (values: readonly number[]) => [...values].sort((a, b) => a - b);

/**
 * Runs the propagation workload on four handles `open()` returns; `label` names the engine.
 *
 * Every withdrawal's subject is granted first, and each change waits until all four instances
 * allow what it takes away. Then, one change at a time: the writer's call resolves (the clock
 * starts), and every other instance is asked on every turn of the event loop until its answer
 * reflects the change. "Propagation" is when the last of the three did: for a withdrawal,
 * `decide()` no longer allows (it may first deny as `stale_view` while it reads the subject:
 * fail-closed is the guarantee); for a mute, `check()` suppresses with the mute's own reason.
 * "Read everywhere" waits for the change itself (status `withdrawn`, the mute's reason) on all
 * three. The feeds run with their defaults (staleness bound 5 s, heartbeat 1 s).
 */
async function propagation(
  label: string,
  open: () => Promise<{ dbs: CandorDatabase[]; cleanup: () => Promise<void> }>,
  p99AtMost: number,
): Promise<Metric[]> {
  const { dbs, cleanup } = await open();
  const gcs: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, duration: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const apps: App[] = [];
  try {
    for (const db of dbs) apps.push(await openApp(db));
    // Seeded: every run issues the same mix on the same instances.
    const random = rng(2026);
    const tag = `p${randomBytes(3).toString('hex')}`;
    const warm = planChanges(WARMUP, `${tag}w`, random);
    const measured = planChanges(CHANGES, `${tag}m`, random);
    const burstChanges = planChanges(BURST, `${tag}b`, random);
    await grantAll(apps, [...warm, ...measured, ...burstChanges], random);
    await oneByOne(apps, warm);
    gcs.length = 0;
    const samples = await oneByOne(apps, measured);
    // The pauses during the measured changes only (not the burst's).
    const measuredGcs = gcs.splice(0);
    const burstLatency = await burst(apps, burstChanges);

    const of = (pick: (s: Sample) => number, list = samples) => sortedOf(list.map(pick));
    const propagated = of((s) => s.propagated);
    const denied = of((s) => s.denied);
    const read = of((s) => s.read);
    const writes = of((s) => s.writeMs);
    const kindOf = (kind: Change['kind']) => samples.filter((s) => s.change.kind === kind);
    const withdrawals = of((s) => s.propagated, kindOf('withdrawal'));
    const mutes = of((s) => s.propagated, kindOf('mute'));
    const bursts = sortedOf(burstLatency);

    // What the slowest changes met: garbage collection pauses of this process (to stderr).
    const gcWithin = (s: Sample) =>
      measuredGcs
        .filter((g) => g.start < s.at + s.propagated && g.start + g.duration > s.at)
        .reduce((sum, g) => sum + g.duration, 0);
    const worst = samples.reduce((a, b) => (b.propagated > a.propagated ? b : a));
    const over = samples.filter((s) => s.propagated > p99AtMost);
    const gcTotal = measuredGcs.reduce((sum, g) => sum + g.duration, 0);
    process.stderr.write(
      `${label}: slowest change: ${worst.change.kind} of ${worst.change.subject} written on instance ${worst.change.writer}, ` +
        `${worst.propagated.toFixed(1)} ms (its write took ${worst.writeMs.toFixed(1)} ms, GC during it ${gcWithin(worst).toFixed(1)} ms); ` +
        `${over.length} changes over ${p99AtMost} ms, ${over.filter((s) => gcWithin(s) > 0).length} of them overlapping a GC pause; ` +
        `GC over the measured changes: ${measuredGcs.length} pauses, ${gcTotal.toFixed(0)} ms, ${measuredGcs.filter((g) => g.duration >= 5).length} of them ≥ 5 ms\n`,
    );

    const n = `${CHANGES} changes one at a time (${kindOf('withdrawal').length} withdrawals, ${kindOf('mute').length} mutes)`;
    return [
      {
        name: `${label}: propagation to the 3 other instances, p50, ${n}`,
        value: percentile(propagated, 50),
        unit: 'ms',
      },
      {
        name: `${label}: propagation p99`,
        value: percentile(propagated, 99),
        unit: 'ms',
        target: { atMost: p99AtMost },
      },
      { name: `${label}: propagation max`, value: propagated.at(-1)!, unit: 'ms' },
      {
        name: `${label}: withdrawals p50 (decide() denies)`,
        value: percentile(withdrawals, 50),
        unit: 'ms',
      },
      { name: `${label}: withdrawals p99`, value: percentile(withdrawals, 99), unit: 'ms' },
      {
        name: `${label}: mutes p50 (check() gives the mute's reason)`,
        value: percentile(mutes, 50),
        unit: 'ms',
      },
      { name: `${label}: mutes p99`, value: percentile(mutes, 99), unit: 'ms' },
      {
        name: `${label}: first denial everywhere (stale_view or the change), p99`,
        value: percentile(denied, 99),
        unit: 'ms',
      },
      {
        name: `${label}: change read everywhere (status withdrawn / mute's reason), p50`,
        value: percentile(read, 50),
        unit: 'ms',
      },
      { name: `${label}: change read everywhere, p99`, value: percentile(read, 99), unit: 'ms' },
      { name: `${label}: change read everywhere, max`, value: read.at(-1)!, unit: 'ms' },
      { name: `${label}: the writer's call, p50`, value: percentile(writes, 50), unit: 'ms' },
      { name: `${label}: the writer's call, p99`, value: percentile(writes, 99), unit: 'ms' },
      { name: `${label}: the writer's call, max`, value: writes.at(-1)!, unit: 'ms' },
      {
        name: `${label}: burst of ${BURST} changes at once, propagation p50`,
        value: percentile(bursts, 50),
        unit: 'ms',
      },
      { name: `${label}: burst propagation p99`, value: percentile(bursts, 99), unit: 'ms' },
      { name: `${label}: burst propagation max`, value: bursts.at(-1)!, unit: 'ms' },
    ];
  } finally {
    observer.disconnect();
    for (const app of apps) {
      app.consent.close();
      app.feedback.close();
    }
    await cleanup();
  }
}

async function propagationMetrics(): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const url = process.env.DATABASE_URL;
  if (url) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    metrics.push(
      ...(await propagation(
        'PostgreSQL',
        async () => {
          const dbs: CandorDatabase[] = [];
          // One after another: the first creates the schema, the others find it migrated.
          for (let i = 0; i < INSTANCES; i++)
            dbs.push(await createCandorDatabase({ url, schema, poolSize: 4 }));
          return {
            dbs,
            cleanup: async () => {
              await dbs[0]!.driver.query(`drop schema if exists "${schema}" cascade`);
              for (const db of dbs) await db.close();
            },
          };
        },
        100,
      )),
    );
  } else {
    process.stderr.write(
      '\n*** feed: DATABASE_URL is not set: propagation on PostgreSQL is SKIPPED (PGlite only). ***\n' +
        '*** Set DATABASE_URL=postgres://… (source .ci/postgres.sh to start one) to measure it. ***\n\n',
    );
  }
  metrics.push(
    ...(await propagation(
      'PGlite (4 handles on one instance)',
      async () => {
        const pglite = await PGlite.create();
        const schema = `bench_${randomBytes(4).toString('hex')}`;
        const dbs: CandorDatabase[] = [];
        for (let i = 0; i < INSTANCES; i++)
          dbs.push(await createCandorDatabase({ pglite, schema }));
        return {
          dbs,
          cleanup: async () => {
            for (const db of dbs) await db.close();
            await pglite.close();
          },
        };
      },
      10,
    )),
  );
  return metrics;
}

// ---------------------------------------------------------------------------------------------
// Following a feed costs the hot paths nothing measurable: the same view with and without a
// store whose feed it follows, same data, same queries, in one run (cases alternate, rotated).
// ---------------------------------------------------------------------------------------------

/** Rounds of about equal duration per case, the order rotating each round (see the harness). */
const ROUNDS = { roundMs: 100, rounds: 21 } as const;
/** Within 5%: the follower at least 0.95× the view that follows nothing. */
const WITHIN = 0.95;

type ConsentPurpose = 'marketing.email' | 'service.proactive_support';
const consentClock = { now: () => T0 + 60_000 };
const BATCH = 1_024;

/**
 * The consent suite's data through the managers' API (every third refused, every tenth (+1)
 * withdrawn), subject by subject into each manager, the order rotating by subject: none of them
 * always gets the younger heap.
 */
async function fillConsent(managers: readonly ConsentManager<ConsentPurpose>[]): Promise<void> {
  const details = {
    purposes: 'marketing.email',
    at: T0,
    method: 'preference_center',
    surface: 'web.settings',
    uiVersion: '4.2.0',
    jurisdiction: 'FR',
    notice: { id: 'marketing', version: '2026-05', contentHash: 'ab'.repeat(32) },
  } as const;
  for (let i = 0; i < SUBJECTS; i++) {
    const subject = `cus_${i}`;
    const input = { ...details, subject, idempotencyKey: `${subject}:1` };
    for (let k = 0; k < managers.length; k++) {
      const manager = managers[(i + k) % managers.length]!;
      if (i % 3 === 0) await manager.refuse(input);
      else await manager.grant(input);
      if (i % 10 === 1)
        await manager.withdraw({ ...input, at: T0 + 1, idempotencyKey: `${subject}:2` });
    }
  }
}

/**
 * Each comparison has three contenders: (a) the view that follows nothing, (b) the same view
 * following its store's feed, and (a') a second (a) built alike, whose ratio to (a) shows how
 * far two identical views measure apart in this run (the resolution of the (b)/(a) ratio).
 */
type Three<T> = [T, T, T];

const consentViews: { managers: ConsentManager<ConsentPurpose>[]; order: string[] } = {
  managers: [],
  order: [],
};
const consentCursors: Three<number> = [0, 0, 0];

async function prepareConsent(): Promise<void> {
  // (a) and (a') on their own stores: nothing to follow. (b) over a store passed in, loaded,
  // following its feed. All written through the same calls, so their views hold the same data.
  const own = () => createConsentManager({ purposes: consentPurposes, clock: consentClock });
  const following = createConsentManager({
    purposes: consentPurposes,
    clock: consentClock,
    store: createMemoryLedgerStore(),
  });
  await following.load();
  const managers = [own(), following, own()];
  await fillConsent(managers);
  // Checked in ledger order, not in the visiting order (see the consent suite).
  for (let i = 0; i < SUBJECTS; i++) {
    const query = {
      subject: `cus_${i}`,
      purpose: 'marketing.email',
      dataCategories: ['user.contact.email'],
    } as const;
    const expected = i % 3 !== 0 && i % 10 !== 1;
    for (const manager of managers)
      if (manager.decide(query).allowed !== expected)
        throw new Error(`feed bench: decide() disagrees with the workload for cus_${i}`);
  }
  consentViews.managers = managers;
  consentViews.order = visitingOrder();
}

const EMAIL_CATEGORIES = ['user.contact.email'] as const;

function decideBatch(which: 0 | 1 | 2): () => number {
  return () => {
    const gate = consentViews.managers[which]!;
    const order = consentViews.order;
    let cursor = consentCursors[which];
    let allowed = 0;
    for (let i = 0; i < BATCH; i++) {
      const subject = order[cursor]!;
      cursor = cursor + 1 === SUBJECTS ? 0 : cursor + 1;
      if (
        gate.decide({ subject, purpose: 'marketing.email', dataCategories: EMAIL_CATEGORIES })
          .allowed
      )
        allowed++;
    }
    consentCursors[which] = cursor;
    return allowed;
  };
}

/** Every rule's consent allowed, so evaluate() walks every gate (the same gate for all). */
const ALLOWED: ConsentVerdict = Object.freeze({
  allowed: true,
  purpose: 'service.proactive_support',
  status: 'granted',
  basis: 'consent',
  reasons: [],
  recordIds: [],
  noticeVersion: null,
  expiresAt: null,
});

const ruleViews: { engines: RuleEngine[]; events: RuleEvent[] } = { engines: [], events: [] };
const ruleCursors: Three<number> = [0, 0, 0];

const outcomeKey = (outcomes: readonly Outcome[]) =>
  outcomes.map((o) => `${o.ruleId}:${o.kind === 'proposal' ? 'sent' : o.reason}`).join(',');

async function prepareRules(): Promise<void> {
  // The rules suite's workload: 100 generated rules over 1,024 fact sets.
  const rules = toCandor(generateRules(100, SEED + 100));
  const events = toEvents(generateFactSets(FACT_SETS, SEED));
  // One compiled set for all, so all run the very same condition closures.
  const set = compileRules(rules);
  const clock = { now: () => 1_780_000_000_000 };
  const gate = { decide: () => ALLOWED };
  const own = () => createRuleEngine({ rules: set, consent: gate, clock });
  const following = createRuleEngine({
    rules: set,
    consent: gate,
    clock,
    state: createMemoryRuleStateStore(),
  });
  await following.hydrate();
  if (following.viewStatus() !== 'ready') throw new Error('feed bench: the engine did not hydrate');
  const engines = [own(), following, own()];
  let sent = 0;
  for (const event of events) {
    const outcomes = engines.map((engine) => outcomeKey(engine.evaluate(event)));
    if (outcomes.some((o) => o !== outcomes[0]))
      throw new Error(`feed bench: the engines disagree on ${event.id}`);
    sent += (outcomes[0]!.match(/:sent/g) ?? []).length;
  }
  if (sent === 0) throw new Error('feed bench: no rule fired (the workload would be vacuous)');
  ruleViews.engines = engines;
  ruleViews.events = events;
}

function evaluateOne(which: 0 | 1 | 2): () => number {
  return () => {
    const cursor = ruleCursors[which];
    ruleCursors[which] = cursor + 1 === ruleViews.events.length ? 0 : cursor + 1;
    return ruleViews.engines[which]!.evaluate(ruleViews.events[cursor]!).length;
  };
}

const feedbackViews: { loops: FeedbackLoop[]; queries: Parameters<FeedbackLoop['check']>[0][] } = {
  loops: [],
  queries: [],
};

async function prepareFeedback(): Promise<void> {
  // The ingest suite's 200k events, stored through submitMany by every loop.
  const events = makeEvents(200_000);
  const clock = createVirtualClock(feedbackEnd);
  const following = createFeedbackLoop({ clock, store: createMemoryFeedbackStore() });
  await following.hydrate();
  const loops = [createFeedbackLoop({ clock }), following, createFeedbackLoop({ clock })];
  for (let i = 0; i < events.length; i += 1_000) {
    const batch = events.slice(i, i + 1_000);
    for (let k = 0; k < loops.length; k++)
      await loops[(i / 1_000 + k) % loops.length]!.submitMany(batch);
  }
  // 1,024 questions about (subject, rule, topic, channel) that feedback was given on.
  const queries = Array.from({ length: BATCH }, (_, i) => {
    const e = events[(i * 193) % events.length]!;
    return {
      subject: e.subject,
      ruleId: e.ruleId,
      topic: e.topic,
      channel: e.channel,
      at: feedbackEnd,
    };
  });
  let suppressed = 0;
  for (const q of queries) {
    const verdicts = loops.map((loop) => loop.check(q));
    const [a] = verdicts;
    if (verdicts.some((v) => v.suppressed !== a!.suppressed || v.reason?.code !== a!.reason?.code))
      throw new Error(`feed bench: the loops disagree on ${q.subject}`);
    if (a!.suppressed) suppressed++;
  }
  if (suppressed === 0 || suppressed === queries.length)
    throw new Error('feed bench: every check answered alike (the workload would be vacuous)');
  feedbackViews.loops = loops;
  feedbackViews.queries = queries;
}

function checkBatch(which: 0 | 1 | 2): () => number {
  return () => {
    const loop = feedbackViews.loops[which]!;
    const queries = feedbackViews.queries;
    let suppressed = 0;
    for (let i = 0; i < queries.length; i++) if (loop.check(queries[i]!).suppressed) suppressed++;
    return suppressed;
  };
}

/**
 * The three contenders' names (a, b, a') and the targets: (b)/(a) within 5%, median of the
 * per-round ratios; (a')/(a) is reported (and would fail loudly were the run that noisy).
 */
function comparison(
  a: string,
  b: string,
  fn: (which: 0 | 1 | 2) => () => number,
  opsPerCall = 1,
): Pick<ThroughputSuite, 'cases' | 'targets' | 'roundMs' | 'rounds'> {
  const control = `${a} (a second one: A/A control)`;
  return {
    ...ROUNDS,
    cases: [
      { name: a, fn: fn(0), opsPerCall },
      { name: b, fn: fn(1), opsPerCall },
      { name: control, fn: fn(2), opsPerCall },
    ],
    targets: [
      { case: b, baseline: a, atLeast: WITHIN, paired: true },
      { case: control, baseline: a, atLeast: WITHIN, paired: true },
    ],
  };
}

/** Change-feed propagation across 4 instances, and what following a feed costs the hot paths. */
export const feedSuites: Suite[] = [
  {
    kind: 'metrics',
    name: 'feed: propagation, 4 instances (PostgreSQL, PGlite)',
    measure: propagationMetrics,
  },
  {
    kind: 'throughput',
    name: "feed: consent decide() following the store's feed or not, 100k subjects (1,024 per call)",
    setup: prepareConsent,
    teardown: () => {
      for (const manager of consentViews.managers) manager.close();
      consentViews.managers = [];
      consentViews.order = [];
    },
    ...comparison(
      'decide(), manager on its own store (follows nothing)',
      'decide(), manager over a passed memory store, loaded (follows its feed)',
      decideBatch,
      BATCH,
    ),
  },
  {
    kind: 'throughput',
    name: "feed: rules evaluate() following the state store's feed or no store, 100 rules × 1,024 events",
    setup: prepareRules,
    teardown: () => {
      for (const engine of ruleViews.engines) engine.close();
      ruleViews.engines = [];
      ruleViews.events = [];
    },
    ...comparison(
      'evaluate(), no state store',
      'evaluate(), memory state store, hydrated (follows its feed)',
      evaluateOne,
    ),
  },
  {
    kind: 'throughput',
    name: "feed: feedback check() following the store's feed or not, 200k events (1,024 per call)",
    setup: prepareFeedback,
    teardown: () => {
      for (const loop of feedbackViews.loops) loop.close();
      feedbackViews.loops = [];
      feedbackViews.queries = [];
    },
    ...comparison(
      'check(), loop on its own store',
      'check(), loop over a passed memory store, hydrated (follows its feed)',
      checkBatch,
      BATCH,
    ),
  },
];
