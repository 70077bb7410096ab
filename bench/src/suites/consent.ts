import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  buildConsentSnapshot,
  type ConsentEvent,
  type ConsentLedgerStore,
  createConsentManager,
  createMemoryLedgerStore,
  definePurposes,
  verifyChain,
} from '@candor/consent';
import { type ConsentClient, createConsentClient } from '@candor/consent/client';
import { type BuildOptions, build } from 'esbuild';
import type { Metric, Suite } from '../harness.ts';

/** Subjects of the decide() workload (also used by the feed suites). */
export const SUBJECTS = 100_000;
const BATCH = 1_024;
export const T0 = Date.parse('2026-05-01T09:00:00Z');

export const purposes = definePurposes({
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

const grantEvent = (kind: ConsentEvent['kind'], at: number): ConsentEvent => ({
  kind,
  actor: { kind: 'subject' },
  purposes: ['marketing.email'],
  basis: 'consent',
  at,
  method: 'preference_center',
  surface: 'web.settings',
  uiVersion: '4.2.0',
  jurisdiction: 'FR',
  notice: { id: 'marketing', version: '2026-05', contentHash: 'ab'.repeat(32) },
});

/**
 * 100k subjects: every third refused, the rest granted (some later withdrawn). With
 * `categoryEvery`, every so many subjects also withdrew one data category (purchase history) of
 * the purpose: their decisions about the email address go through the per-category overlay.
 */
async function populated(categoryEvery?: number) {
  const store = createMemoryLedgerStore();
  const expected = new Map<string, boolean>();
  for (let i = 0; i < SUBJECTS; i++) {
    const subject = `cus_${i}`;
    const kind = i % 3 === 0 ? 'refused' : 'given';
    await store.append({
      subject,
      expectedSequence: 0,
      idempotencyKey: `${subject}:1`,
      recordedAt: T0,
      event: grantEvent(kind, T0),
    });
    let allowed = kind === 'given';
    if (i % 10 === 1) {
      await store.append({
        subject,
        expectedSequence: 1,
        idempotencyKey: `${subject}:2`,
        recordedAt: T0 + 1,
        event: grantEvent('withdrawn', T0 + 1),
      });
      allowed = false;
    }
    if (categoryEvery !== undefined && i % categoryEvery === 0) {
      const head = (await store.head(subject))?.sequence ?? 0;
      await store.append({
        subject,
        expectedSequence: head,
        idempotencyKey: `${subject}:category`,
        recordedAt: T0 + 2,
        event: {
          ...grantEvent('withdrawn', T0 + 2),
          dataCategories: ['user.behavior.purchase_history'],
        },
      });
    }
    expected.set(subject, allowed);
  }
  const manager = createConsentManager({ purposes, store, clock: { now: () => T0 + 60_000 } });
  await manager.load({ verify: false });
  return { manager, expected };
}

// Built by the suite's setup, dropped by its teardown (100k subjects would burden later suites).
let manager: Awaited<ReturnType<typeof populated>>['manager'] | undefined;
let expected = new Map<string, boolean>();
// A fixed pseudo-random visiting order, so neither case enjoys sequential locality.
let order: string[] = [];

/** The decide() workload's visiting order: 100k subject ids, fixed and pseudo-random. */
export function visitingOrder(): string[] {
  const out: string[] = [];
  for (let i = 0, x = 12345; i < SUBJECTS; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(`cus_${x % SUBJECTS}`);
  }
  return out;
}

/** Fills 100k subjects and checks decide() against the baseline, only when this suite runs. */
async function prepareDecide(categoryEvery?: number): Promise<void> {
  ({ manager, expected } = await populated(categoryEvery));
  order = visitingOrder();
  // Checked in ledger order, not in the visiting order: warming the view in exactly the order it
  // is then measured would lay its memory out sequentially for the measurement, which no app sees.
  for (const subject of expected.keys()) {
    const verdict = manager.decide({
      subject,
      purpose: 'marketing.email',
      dataCategories: ['user.contact.email'],
    });
    if (verdict.allowed !== expected.get(subject)) {
      throw new Error(`consent bench: decide() disagrees with the baseline for ${subject}`);
    }
  }
}
// A caller such as the rule engine passes the rule's (constant) category list.
const EMAIL_CATEGORIES = ['user.contact.email'] as const;
let cursorA = 0;
let cursorB = 0;

let appendStore: ConsentLedgerStore = createMemoryLedgerStore();
let heads = new Map<string, number>();
let appended = 0;
function appendOne(): unknown {
  if (appended === 50_000) {
    appendStore = createMemoryLedgerStore();
    heads = new Map();
    appended = 0;
  }
  const subject = `cus_${appended % 1_000}`;
  const head = heads.get(subject) ?? 0;
  heads.set(subject, head + 1);
  appended++;
  // The in-memory store seals synchronously inside append(); the promise is already settled.
  return appendStore.append({
    subject,
    expectedSequence: head,
    idempotencyKey: `k${appended}`,
    recordedAt: T0 + appended,
    event: grantEvent(appended % 4 === 0 ? 'withdrawn' : 'given', T0 + appended),
  });
}

const benchDir = dirname(fileURLToPath(import.meta.url));

/**
 * Bytes of `contents` bundled for the browser with esbuild, minified, then gzipped (level 9).
 *
 * @example
 * await gzippedBytes("export { decide } from '@candor/consent';");
 */
export async function gzippedBytes(
  contents: string,
  extra: Pick<BuildOptions, 'external' | 'conditions' | 'plugins'> = {},
): Promise<number> {
  const result = await build({
    stdin: { contents, resolveDir: benchDir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    ...extra,
  });
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}

const gzippedKb = async (contents: string, external: string[]) =>
  (await gzippedBytes(contents, { external })) / 1024;

/** The browser app the size metrics bundle: manager, decide, GPC, Consent Mode, needsPrompt. */
export const TYPICAL_APP = `
import { createConsentManager, definePurposes, readNavigatorGpc, toConsentMode } from '@candor/consent';
const purposes = definePurposes({
  'ads.targeted': { title: 'Ads', bases: ['consent'], categories: ['user.behavior'], tags: ['targeted_advertising'], consentMode: ['ad_storage'] },
});
const manager = createConsentManager({ purposes, jurisdiction: 'FR' });
export async function onAccept(subject) { await manager.grant({ subject, purposes: 'ads.targeted', method: 'banner' }); }
export async function onGpc(subject) { if (readNavigatorGpc()) await manager.observeGpc({ subject, gpc: true }); }
export const state = (subject) => toConsentMode(manager, purposes, subject);
export const may = (subject) => manager.decide({ subject, purpose: 'ads.targeted', dataCategories: ['user.behavior'] }).allowed;
export const prompt = (subject) => manager.needsPrompt(subject);
`;

/**
 * The browser app the client's size metric bundles: create a client that loads its snapshot and
 * posts choices, decide, has, withdraw, subscribe, GPC and Consent Mode.
 */
export const CLIENT_APP = `
import { createConsentClient } from '@candor/consent/client';
const client = createConsentClient({
  load: async () => (await fetch('/privacy/consent')).json(),
  send: async (choice) => (await fetch('/privacy/consent/choices', { method: 'POST', body: JSON.stringify(choice) })).json(),
  storage: localStorage,
});
export const may = () => client.decide({ purpose: 'ads.targeted', dataCategories: ['user.behavior'] }).allowed;
export const analytics = () => client.has('analytics.measurement');
export const optOut = () => client.withdraw('ads.targeted');
export const gpc = () => client.gpc;
client.subscribe(() => gtag('consent', 'update', client.consentMode()));
`;

async function sizes(): Promise<Metric[]> {
  const zod = ['zod', 'zod/*'];
  const everything = "export * from '@candor/consent';";
  const note = 'fides.js publishes 31.8 KB, Klaro 37 KB';
  return [
    {
      name: 'browser entry, typical app (manager, decide, GPC, Consent Mode), all bundled, min+gzip',
      value: await gzippedKb(TYPICAL_APP, []),
      unit: 'KB',
      target: { atMost: 8, note },
    },
    {
      name: 'browser client (/client), typical app (load, decide, has, withdraw, subscribe, GPC, Consent Mode), min+gzip',
      value: await gzippedKb(CLIENT_APP, []),
      unit: 'KB',
      target: { atMost: 5, note },
    },
    {
      name: 'browser entry, typical app, zod external (peer shared with the app)',
      value: await gzippedKb(TYPICAL_APP, zod),
      unit: 'KB',
    },
    {
      name: 'browser entry, every export, all bundled, min+gzip',
      value: await gzippedKb(everything, []),
      unit: 'KB',
    },
    {
      name: 'browser entry, every export, zod external',
      value: await gzippedKb(everything, zod),
      unit: 'KB',
    },
  ];
}

async function managerWrites(): Promise<Metric[]> {
  const writer = createConsentManager({ purposes, jurisdiction: 'FR' });
  const n = 20_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const subject = `cus_${i % 2_000}`;
    if (i % 3 === 2) await writer.withdraw({ subject, purposes: 'marketing.email' });
    else await writer.grant({ subject, purposes: 'marketing.email', method: 'banner' });
  }
  const seconds = (performance.now() - start) / 1000;
  return [
    {
      name: 'manager grant/withdraw, awaited one by one, in memory',
      value: n / seconds,
      unit: 'events/s',
    },
  ];
}

/** The decide() workload against a precomputed Map (some subjects with category choices). */
function decideSuite(name: string, categoryEvery: number | undefined, atLeast: number): Suite {
  return {
    kind: 'throughput',
    name,
    setup: () => prepareDecide(categoryEvery),
    teardown: () => {
      manager = undefined;
      expected = new Map();
      order = [];
    },
    cases: [
      {
        name: 'decide()',
        fn: () => {
          const gate = manager!;
          let allowed = 0;
          for (let i = 0; i < BATCH; i++) {
            const subject = order[cursorA]!;
            cursorA = cursorA + 1 === SUBJECTS ? 0 : cursorA + 1;
            if (
              gate.decide({
                subject,
                purpose: 'marketing.email',
                dataCategories: EMAIL_CATEGORIES,
              }).allowed
            ) {
              allowed++;
            }
          }
          return allowed;
        },
        opsPerCall: BATCH,
      },
      {
        name: 'Map.get baseline',
        fn: () => {
          let allowed = 0;
          for (let i = 0; i < BATCH; i++) {
            const subject = order[cursorB]!;
            cursorB = cursorB + 1 === SUBJECTS ? 0 : cursorB + 1;
            if (expected.get(subject)) allowed++;
          }
          return allowed;
        },
        opsPerCall: BATCH,
      },
    ],
    targets: [{ case: 'decide()', baseline: 'Map.get baseline', atLeast }],
  };
}

// The browser client's decide(): one customer, the questions a page asks (some with the constant
// category list of their call site), against a Map of the same answers precomputed.
const clientPurposes = definePurposes({
  'ads.targeted': {
    title: 'Ads',
    bases: ['consent'],
    categories: ['user.behavior', 'user.location'],
    tags: ['targeted_advertising'],
    consentMode: ['ad_storage'],
  },
  'analytics.measurement': {
    title: 'Measurement',
    bases: ['consent'],
    categories: ['user.behavior'],
  },
  'marketing.email': { title: 'Emails', bases: ['consent'], categories: ['user.contact.email'] },
  'service.support': {
    title: 'Support',
    bases: ['legitimate_interest'],
    categories: ['user.contact'],
  },
});
const CLIENT_QUESTIONS = [
  { purpose: 'ads.targeted' },
  { purpose: 'ads.targeted', dataCategories: ['user.behavior'] },
  { purpose: 'analytics.measurement' },
  { purpose: 'analytics.measurement', dataCategories: ['user.behavior'] },
  { purpose: 'marketing.email' },
  { purpose: 'marketing.email', dataCategories: ['user.contact.email'] },
  { purpose: 'service.support' },
  { purpose: 'service.support', dataCategories: ['user.contact'] },
] as const;
const CLIENT_KEYS = CLIENT_QUESTIONS.map(
  (q) => `${q.purpose}|${'dataCategories' in q ? q.dataCategories.join(',') : ''}`,
);
let client: ConsentClient | undefined;
let clientAnswers = new Map<string, boolean>();

async function prepareClient(): Promise<void> {
  const clock = { now: () => T0 };
  const server = createConsentManager({ purposes: clientPurposes, clock, jurisdiction: 'FR' });
  await server.grant({ subject: 'cus_1', purposes: ['ads.targeted', 'marketing.email'] });
  await server.withdraw({
    subject: 'cus_1',
    purposes: 'ads.targeted',
    dataCategories: ['user.location'],
  });
  const snapshot = JSON.parse(
    JSON.stringify(buildConsentSnapshot(server, 'cus_1', { ttl: 86_400_000 })),
  );
  client = createConsentClient({ snapshot, send: async () => ({}), clock, navigator: {} });
  clientAnswers = new Map();
  CLIENT_QUESTIONS.forEach((question, i) => {
    const allowed = server.decide({
      subject: 'cus_1',
      purpose: question.purpose,
      dataCategories: 'dataCategories' in question ? question.dataCategories : [],
    }).allowed;
    if (client!.decide(question).allowed !== allowed) {
      throw new Error(`consent bench: the client disagrees with the server on ${CLIENT_KEYS[i]}`);
    }
    clientAnswers.set(CLIENT_KEYS[i]!, allowed);
  });
}

const clientDecideSuite: Suite = {
  kind: 'throughput',
  name: 'consent: browser client decide() (1,024 per call)',
  setup: prepareClient,
  teardown: () => {
    client?.close();
    client = undefined;
  },
  cases: [
    {
      name: 'client decide()',
      fn: () => {
        const c = client!;
        let allowed = 0;
        for (let i = 0; i < BATCH; i++) if (c.decide(CLIENT_QUESTIONS[i & 7]!).allowed) allowed++;
        return allowed;
      },
      opsPerCall: BATCH,
    },
    {
      name: 'Map.get baseline',
      fn: () => {
        let allowed = 0;
        for (let i = 0; i < BATCH; i++) if (clientAnswers.get(CLIENT_KEYS[i & 7]!)) allowed++;
        return allowed;
      },
      opsPerCall: BATCH,
    },
  ],
  targets: [{ case: 'client decide()', baseline: 'Map.get baseline', atLeast: 0.5 }],
};

/** Consent: decide() against a precomputed Map, hashed ledger appends, browser entry size. */
export const consentSuites: Suite[] = [
  decideSuite('consent: decide() over 100k subjects (1,024 per call)', undefined, 0.5),
  // Issue 17's target for per-category consent: ≥ 0.4× the Map baseline.
  decideSuite(
    'consent: decide() over 100k subjects, every fifth with a category withdrawn (1,024 per call)',
    5,
    0.4,
  ),
  {
    kind: 'throughput',
    name: 'consent: ledger append, SHA-256 chained, in memory',
    cases: [
      { name: 'store.append', fn: appendOne },
      {
        // Calibration: how fast this machine serializes the same event, in the same run.
        name: 'JSON.stringify(event) (machine calibration)',
        fn: () => JSON.stringify(grantEvent('given', T0 + appended)),
      },
    ],
  },
  {
    kind: 'metrics',
    name: 'consent: append throughput target',
    measure: async () => {
      const n = 50_000;
      const cpu = process.cpuUsage();
      const start = performance.now();
      let last: unknown;
      for (let i = 0; i < n; i++) last = appendOne();
      const wall = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      // Every append was sealed and hashed: the last one is new and its subject's chain verifies.
      const { entry, duplicate } = await (last as ReturnType<ConsentLedgerStore['append']>);
      const chain = verifyChain(await appendStore.read(entry.subject));
      if (duplicate || !chain.valid || chain.headHash !== entry.hash) {
        throw new Error('consent bench: appends were not all sealed and hashed');
      }
      appendStore = createMemoryLedgerStore();
      heads = new Map();
      appended = 0;
      return [
        {
          name: 'hashed appends (wall clock)',
          value: n / wall,
          unit: 'events/s',
          target: { atLeast: 100_000 },
        },
        {
          name: 'hashed appends per CPU-second (less sensitive to a busy machine)',
          value: n / cpuSeconds,
          unit: 'events/s',
        },
      ];
    },
  },
  clientDecideSuite,
  { kind: 'metrics', name: 'consent: manager writes', measure: managerWrites },
  { kind: 'metrics', name: 'consent: browser entry size', measure: sizes },
];
