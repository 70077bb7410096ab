import { type ConsentManager, openConsentManager } from '@candor/consent';
import { type ChangeRecord, createVirtualClock, isWithin, systemClock } from '@candor/core';
import { createExplainer } from '@candor/explain';
import { createFeedbackLoop, type FeedbackLoop } from '@candor/feedback';
import { createRuleEngine, type FactProvider, type RuleEngine } from '@candor/rules';
import { customers, explainerLabels } from './catalog';
import type { DemoConfig } from './config';
import { createDemoCorrections } from './corrections';
import { createDemoMemory } from './memory';
import { controller, type DemoPurpose, notices, purposes } from './purposes';
import { demoRules } from './rules';
import type { DemoService } from './service';
import { type DemoStorage, openStorage } from './storage';
import { openBookings } from './world/bookings';
import type { WorldContext } from './world/context';
import { openInbox } from './world/inbox';
import { operator } from './world/operator';
import { preferences } from './world/preferences';
import { reactions } from './world/reactions';
import { records } from './world/records';
import { seedOnFirstRun } from './world/seed';
import { simulator } from './world/simulator';

/**
 * Composes the real packages over the demo's stores: consent manager (ledger, policy packs, GPC),
 * rule engine (with consent and feedback as gates), explainer, feedback loop. Seeds on first run.
 */
export async function createWorld(
  config: DemoConfig,
  log: (line: string) => void,
): Promise<DemoService> {
  const storage: DemoStorage = await openStorage(config, log);
  try {
    return await compose(storage, log);
  } catch (error) {
    await storage.close();
    throw error;
  }
}

async function compose(storage: DemoStorage, log: (line: string) => void): Promise<DemoService> {
  // A virtual clock so the simulator can move time; it resumes where the last run left it.
  const saved = await storage.app.getClock();
  const clock = createVirtualClock(Math.max(saved ?? 0, systemClock.now()));
  const tick = async () => {
    await storage.app.setClock(clock.now());
  };

  const consent: ConsentManager<DemoPurpose> = await openConsentManager({
    purposes,
    notices,
    store: storage.ledger,
    clock,
    language: 'en',
  });
  const feedback: FeedbackLoop = createFeedbackLoop({
    store: storage.feedback,
    clock,
    critical: (q) => q.topic === 'security.suspicious_charge',
    guardrails: { minExposures: 3, thresholds: { intrusive: 0.1, complaint: 0.01 } },
  });
  const hydrated = await feedback.hydrate();

  const byId = new Map(customers.map((c) => [c.id, c]));
  // The data held about each customer: their profile, with the corrections they asked for and
  // the operator accepted overlaid as facts they stated (so decisions and explanations use them).
  const corrections = createDemoCorrections({ store: storage.corrections, clock, customers: byId });
  const profileFacts: FactProvider = {
    async fetch(request) {
      const held = await corrections.held(request.subject, clock.now());
      return held.filter(
        (f) =>
          request.paths.includes(f.path) &&
          request.dataCategories.some((c) => isWithin(f.category, c)),
      );
    },
  };
  // Every use of a customer's data (rule evaluations, explanations, recalls) is recorded for their
  // "When we used your data" page; a failing write is logged and never holds a message up.
  const accessLog = storage.accessLog;
  const onAccessLogError = (error: unknown) =>
    log(`  access log: could not record a use of data (${(error as Error)?.message ?? error})`);
  const explainer = createExplainer({
    clock,
    locale: 'en',
    accessLog,
    onAccessLogError,
    // "Manage everything" leads to the customer's preferences (the page links them directly).
    policy: { manageUrl: '/privacy' },
    ...explainerLabels,
  });

  // What customers told us and why, complaints and cases: a recalled reason is a rule fact, and
  // an open complaint holds offers back.
  const memory = createDemoMemory({ store: storage.memory, consent, clock, explainer, accessLog });

  // The booking system: which flight each customer is on, and technician visits.
  const bookings = await openBookings(storage.app, clock, byId, tick);
  const engine: RuleEngine = createRuleEngine({
    rules: demoRules,
    consent,
    suppressions: memory.suppressions(feedback),
    state: storage.ruleState,
    facts: {
      async fetch(request) {
        const [profile, remembered] = await Promise.all([
          profileFacts.fetch(request),
          memory.facts.fetch(request),
        ]);
        return [...profile, ...remembered];
      },
    },
    clock,
    accessLog,
    onAccessLogError,
    changes: bookings.changePort,
  });
  await engine.hydrate();
  // Each customer's change records (performed, undone, expired), read again after every change.
  const changeRecords = new Map<string, readonly ChangeRecord[]>();
  const readChanges = async (subject: string) => {
    changeRecords.set(subject, await engine.changes(subject));
  };
  for (const c of customers) await readChanges(c.id);

  await seedOnFirstRun(storage, consent, memory, hydrated.events, log);

  const world: WorldContext = {
    storage,
    clock,
    tick,
    consent,
    feedback,
    explainer,
    engine,
    memory,
    corrections,
    byId,
    changeRecords,
    readChanges,
  };
  const inbox = await openInbox(world);

  const service: DemoService = {
    now: () => clock.now(),
    ...preferences(world),
    ...records(world),
    ...inbox.service,
    ...reactions(world, inbox),
    ...bookings.service,
    ...operator(world, inbox),
    ...simulator(world, inbox),
    corrections: {
      page: (subject) => corrections.page(subject),
      open: (subject, ref, typed, note) => corrections.open(subject, ref, typed, note),
      queue: () => corrections.queue(customers.map((c) => c.id)),
      decide: (subject, id, action, reason) => corrections.decide(subject, id, action, reason),
    },
    memory: {
      page: (subject) => memory.page(subject),
      sayWhy: (subject, item, reason) => memory.sayWhy(subject, item, reason),
      correct: (subject, id, text) => memory.correct(subject, id, text),
      erase: (subject, id) => memory.erase(subject, id),
      brief: (subject) => memory.brief(subject),
      openComplaints: (subject) => memory.openComplaints(subject),
      recordComplaint: (subject, summary) => memory.recordComplaint(subject, summary),
      resolveComplaint: (subject, id, resolution) =>
        memory.resolveComplaint(subject, id, resolution),
    },
    privacy: {
      consent,
      controller,
      feedback,
      explainer,
      accessLog,
      clock,
      decisions: (subject, id) => inbox.messageOf(subject, id)?.proposal,
      corrections: corrections.desk,
      // The server's time, never the device's: the demo's clock is virtual (the simulator moves it).
      choices: { surface: 'web.preferences', maxAge: 0 },
    },
    async close() {
      await storage.close();
    },
  };
  log(
    `  composed: ${demoRules.length} rules, ${purposes.ids.length} purposes, storage ${storage.description}`,
  );
  return service;
}
