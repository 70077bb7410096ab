import { randomUUID } from 'node:crypto';
import { type ConsentManager, createReceipt, openConsentManager } from '@candor/consent';
import {
  type ChangeRecord,
  type ConsentVerdict,
  changeState,
  createVirtualClock,
  duration,
  type Fact,
  isCandorError,
  isWithin,
  systemClock,
} from '@candor/core';
import { createExplainer, type Explanation, type ExplanationControl } from '@candor/explain';
import { computeTrustMetrics, createFeedbackLoop, type FeedbackLoop } from '@candor/feedback';
import {
  type ChangePort,
  createRuleEngine,
  type FactProvider,
  type Outcome,
  type Proposal,
  type RuleEngine,
} from '@candor/rules';
import {
  bookedTrip,
  buildFacts,
  customers,
  eventTemplates,
  explainerLabels,
  type SeedCustomer,
} from './catalog';
import type { DemoConfig } from './config';
import { createDemoCorrections } from './corrections';
import { createDemoMemory } from './memory';
import { controller, type DemoPurpose, notices, purposes } from './purposes';
import { contextualCopy, demoRules, type MadeChange, ruleCopy } from './rules';
import type {
  DemoService,
  DsaParameterView,
  EventInput,
  ExplanationView,
  FeedbackSignal,
  HistoryEntry,
  LedgerStatusView,
  MessageChangeView,
  MessageView,
  MetricsView,
  OutcomeView,
  PurposeView,
  RuleView,
  SuppressionView,
} from './service';
import { type DemoStorage, openStorage, type StoredMessage } from './storage';
import { labelOf, when } from './views/format';

/** A recent engine outcome, for the simulator's log. */
interface LoggedOutcome extends OutcomeView {}

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

  // The booking system: which flight each customer is on. A storm rebooking holds a seat on the
  // earlier flight and moves the booking there (only with the customer's permission for automatic
  // changes: the rule engine asks); an undo puts back exactly the flight it replaced.
  const bookings = new Map<string, string>();
  for (const c of customers)
    bookings.set(c.id, (await storage.app.getBooking(c.id)) ?? bookedTrip.flight);
  // Technician visits booked from an appliance warning.
  const visits = new Map<string, number>();
  for (const c of customers) {
    const at = await storage.app.getVisit(c.id);
    if (at !== null) visits.set(c.id, at);
  }
  // The next three mornings (09:00 UTC) on the virtual clock.
  const visitSlots = () => {
    const today = Math.floor(clock.now() / duration.day) * duration.day;
    return [1, 2, 3].map((d) => today + d * duration.day + 9 * duration.hour);
  };
  const book = async (subject: string, flight: string) => {
    await storage.app.setBooking(subject, flight);
    bookings.set(subject, flight);
  };
  const changePort: ChangePort = {
    log: storage.app.changes,
    async perform({ subject, type }) {
      const from = bookings.get(subject);
      if (type !== 'booking.rebook' || from === undefined) throw new Error('no booking to change');
      if (from === bookedTrip.earlier) throw new Error('already on the earlier flight');
      await book(subject, bookedTrip.earlier);
      return { from, to: bookedTrip.earlier };
    },
    async undo(record) {
      const from = record.details?.from;
      if (typeof from !== 'string') throw new Error('the change does not say what it replaced');
      await book(record.subject, from);
    },
  };
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
    changes: changePort,
  });
  await engine.hydrate();
  // Each customer's change records (performed, undone, expired), read again after every change.
  const changeRecords = new Map<string, readonly ChangeRecord[]>();
  const readChanges = async (subject: string) => {
    changeRecords.set(subject, await engine.changes(subject));
  };
  for (const c of customers) await readChanges(c.id);

  // Seed on the very first run: each customer's choices (and GPC signal) go through the ledger.
  let entries = 0;
  for await (const _ of storage.ledger.entries()) entries++;
  if (entries === 0) {
    log('  seeding: 3 customers, their consent choices and GPC signals');
    for (const c of customers) await seedCustomer(consent, c);
    await memory.seed('cus_ana');
  } else {
    log(`  loaded: ${entries} ledger entries, ${hydrated.events} feedback events`);
  }

  const inbox = new Map<string, StoredMessage[]>();
  for (const m of await storage.app.messages()) {
    const list = inbox.get(m.subject) ?? [];
    list.push(m);
    inbox.set(m.subject, list);
  }
  // What customers chose on messages that offered choices (a late delivery: wait, refund, cancel).
  const chosen = new Map<string, { choice: string; at: number }>();
  for (const m of await storage.app.messages()) {
    const made = await storage.app.getChoice(m.id);
    if (made !== null) chosen.set(m.id, made);
  }
  const messageOf = (subject: string, id: string) => inbox.get(subject)?.find((m) => m.id === id);
  const recent: LoggedOutcome[] = [];

  const deliver = async (proposal: Proposal, event: { facts: readonly Fact[] }) => {
    const customer = byId.get(proposal.subject);
    const facts = new Map<string, unknown>();
    for (const f of event.facts) facts.set(f.path, f.value);
    for (const f of proposal.evidence) facts.set(f.path, f.value);
    if (customer) {
      for (const f of await corrections.held(customer.id, proposal.at)) {
        if (proposal.dataCategories.some((c) => isWithin(f.category, c)) && !facts.has(f.path))
          facts.set(f.path, f.value);
      }
    }
    const record = proposal.change?.status === 'performed' ? proposal.change.record : null;
    const made: MadeChange | undefined = record
      ? {
          from: String(record.details?.from ?? ''),
          to: String(record.details?.to ?? ''),
          undoUntil: when(record.undoUntil),
        }
      : undefined;
    const contextual = contextualCopy[proposal.action.templateKey ?? ''];
    const copy = (contextual ?? ruleCopy[proposal.ruleId]?.message)?.(facts, made) ?? {
      title: proposal.ruleId,
      body: proposal.action.topic,
    };
    const message: StoredMessage = {
      id: proposal.id,
      subject: proposal.subject,
      at: proposal.at,
      title: copy.title,
      body: copy.body,
      proposal,
    };
    await storage.app.appendMessage(message);
    const list = inbox.get(proposal.subject) ?? [];
    list.push(message);
    inbox.set(proposal.subject, list);
    const entry = {
      decisionId: proposal.id,
      subject: proposal.subject,
      ruleId: proposal.ruleId,
      topic: proposal.action.topic,
      channel: proposal.action.channel,
      at: proposal.at,
    };
    await feedback.logDecision(entry);
    await feedback.submit({
      ...entry,
      idempotencyKey: `delivered:${proposal.id}`,
      kind: 'delivered',
      ...(proposal.urgency === 'critical' ? { critical: true } : {}),
    });
  };

  const outcomeText = (o: Outcome): string => {
    if (o.kind === 'proposal') {
      const sent = `sent (${o.action.channel}, ${o.action.topic})`;
      if (o.change?.status === 'performed')
        return `${sent}; changed the booking first, undo possible until ${when(o.change.record.undoUntil)}`;
      if (o.change?.status === 'offered')
        return `${sent} as an offer, nothing changed: ${o.change.reason.replaceAll('_', ' ')} (${o.change.consent?.reasons[0]?.detail ?? o.change.detail})`;
      return sent;
    }
    const consentDetail = o.consent?.reasons[0]?.detail;
    switch (o.reason) {
      case 'consent':
        return `consent: ${o.consent?.status.replaceAll('_', ' ') ?? 'not allowed'}${consentDetail ? ` (${consentDetail})` : ''}`;
      case 'suppressed':
        return o.suppression?.code === 'open_complaint'
          ? `open complaint: ${o.suppression.detail}`
          : `feedback: ${o.suppression?.detail ?? o.detail}`;
      default:
        return `${o.reason.replaceAll('_', ' ')}: ${o.detail}`;
    }
  };

  const customerPurposes = (subject: string): PurposeView[] =>
    purposes.ids.map((id) => {
      const p = purposes.get(id);
      const verdict: ConsentVerdict = consent.decide({ subject, purpose: id, dataCategories: [] });
      const controllable =
        verdict.basis === 'consent' ||
        verdict.basis === 'legitimate_interest' ||
        verdict.basis === null;
      return {
        id,
        title: p?.title ?? id,
        description: p?.description ?? '',
        noticeVersion: verdict.noticeVersion ?? consent.currentNotice(id)?.version ?? null,
        basis: verdict.basis,
        status: verdict.status,
        allowed: verdict.allowed,
        controllable,
        dataCategories: p?.categories ?? [],
        benefit: p?.benefit?.text ?? null,
        turnedOff: turnedOff(subject, id),
        reasons: verdict.reasons.map((r) => r.detail).filter((d) => d.length > 0),
      };
    });

  // The categories of a purpose the customer turned off on their own ("Stop using X for this"):
  // those a decision is denied for by a choice about that category.
  const turnedOff = (subject: string, purpose: DemoPurpose): string[] => {
    const chosen = new Set(
      consent
        .entries(subject)
        .filter((e) => e.event.purposes.includes(purpose))
        .flatMap((e) => e.event.dataCategories ?? []),
    );
    return [...chosen].filter((category) => {
      const verdict = consent.decide({ subject, purpose, dataCategories: [category] });
      return !verdict.allowed && verdict.reasons[0]?.dataCategory === category;
    });
  };

  // The GPC signal as the ledger last recorded it (seeded, or sent by the visitor's browser).
  const withGpc = (c: SeedCustomer): SeedCustomer => {
    const signals = consent.entries(c.id).filter((e) => e.event.kind === 'signal_observed');
    const last = signals.at(-1)?.event.signal?.gpc;
    return last === undefined || last === c.gpc ? c : { ...c, gpc: last };
  };

  // Where the change a message's rule made stands now (from the change records and the clock).
  const changeOf = (m: StoredMessage): MessageChangeView | null => {
    const made = m.proposal.change;
    if (made?.status !== 'performed') return null;
    const records = changeRecords.get(m.subject) ?? [made.record];
    const state = changeState(records, made.record.changeId, clock.now());
    if (state === null) return null;
    return {
      status: state.status,
      from: String(made.record.details?.from ?? ''),
      to: String(made.record.details?.to ?? ''),
      undoUntil: made.record.undoUntil,
      undoneAt: state.status === 'undone' ? (state.closed?.at ?? null) : null,
    };
  };

  const messageView = (m: StoredMessage): MessageView => ({
    id: m.id,
    at: m.at,
    ruleId: m.proposal.ruleId,
    topic: m.proposal.action.topic,
    channel: m.proposal.action.channel,
    title: m.title,
    body: m.body,
    feedback: feedback
      .events()
      .filter((e) => e.decisionId === m.id && e.kind !== 'delivered')
      .map((e) => e.kind),
    ...(() => {
      const choices = ruleCopy[m.proposal.ruleId]?.choices ?? {};
      const made = chosen.get(m.id);
      const text = made === undefined ? undefined : choices[made.choice]?.done;
      return {
        choices:
          made === undefined
            ? Object.entries(choices).map(([id, c]) => ({ id, label: c.label }))
            : [],
        chosen: made !== undefined && text !== undefined ? { text, at: made.at } : null,
      };
    })(),
    link: (() => {
      const link = ruleCopy[m.proposal.ruleId]?.link;
      return link ? { text: link.text, href: `/customers/${m.subject}/${link.path}` } : null;
    })(),
    change: changeOf(m),
  });
  const explainOf = (m: StoredMessage, layer: 'short' | 'standard' | 'detailed') =>
    explainer.explain(m.proposal, {
      consent,
      layer,
      changes: changeRecords.get(m.subject) ?? [],
    });

  const controlsOf = (e: Explanation) => e.controls;
  const findControl = (subject: string, messageId: string, controlId: string) => {
    const m = messageOf(subject, messageId);
    if (!m) return undefined;
    const explanation = explainOf(m, 'detailed');
    return { message: m, control: controlsOf(explanation).find((c) => c.id === controlId) };
  };

  const submitSignal = async (
    m: StoredMessage,
    kind: FeedbackSignal,
    extra: { scope?: 'rule' | 'topic' | 'channel' | 'item'; note?: string; itemKey?: string } = {},
  ) => {
    const at = clock.now();
    return feedback.submit({
      idempotencyKey: `fb:${m.id}:${kind}:${at}:${randomUUID().slice(0, 8)}`,
      kind,
      decisionId: m.id,
      subject: m.subject,
      ruleId: m.proposal.ruleId,
      topic: m.proposal.action.topic,
      channel: m.proposal.action.channel,
      at,
      ...(extra.scope ? { scope: extra.scope } : {}),
      ...(extra.note ? { note: extra.note } : {}),
      ...(extra.itemKey ? { itemKey: extra.itemKey } : {}),
    });
  };

  // What the control did, or null when it cannot apply (and nothing was written).
  const applyControl = async (
    control: ExplanationControl,
    m: StoredMessage,
  ): Promise<string | null> => {
    const details = { method: 'preference_center' as const, surface: 'web.why_this' };
    switch (control.kind) {
      case 'stop_purpose':
      case 'turn_off_data': {
        if (!purposes.has(control.purpose)) return null;
        // "Stop using X for this": just that data category, the rest of the purpose stands.
        const only =
          control.kind === 'turn_off_data' ? { dataCategories: [control.dataCategory] } : {};
        await consent[control.mechanism]({
          subject: m.subject,
          purposes: control.purpose,
          ...only,
          ...details,
        });
        return control.mechanism;
      }
      case 'mute_topic':
        await submitSignal(m, 'not_interested', { scope: 'topic' });
        return 'muted';
      case 'fewer_like_this':
        await submitSignal(m, 'too_frequent', { scope: 'rule' });
        return 'fewer';
      case 'correct_data':
        await submitSignal(m, 'wrong_data', { note: `${control.path} looks wrong` });
        return 'correction';
      case 'undo_change':
        return (await undo(m)) ? 'undone' : null;
      case 'manage_all':
      case 'choose_channel':
        return 'manage';
    }
  };

  // Undoes the change a message's rule made; false when its undo window has ended (the engine
  // refuses, records the expiry, and nothing changes).
  const undo = async (m: StoredMessage): Promise<boolean> => {
    const made = m.proposal.change;
    if (made?.status !== 'performed') return false;
    try {
      await engine.undoChange(m.subject, made.record.changeId);
      return true;
    } catch (error) {
      if (
        isCandorError(error, 'rules/undo_expired') ||
        isCandorError(error, 'rules/already_undone')
      )
        return false;
      throw error;
    } finally {
      await readChanges(m.subject);
    }
  };

  const service: DemoService = {
    now: () => clock.now(),
    customers: () => customers.map(withGpc),
    customer: (id) => {
      const c = byId.get(id);
      return c ? withGpc(c) : undefined;
    },
    async honorGpc(subject) {
      const c = byId.get(subject);
      if (!c) return false;
      const change = await consent.observeGpc({
        subject,
        gpc: true,
        jurisdiction: c.region,
        method: 'gpc',
        surface: 'web.sec-gpc-header',
      });
      if (change) await tick();
      return change !== null;
    },

    preferences: (subject) => customerPurposes(subject),
    async setConsent(subject, purpose, action, category) {
      if (!purposes.has(purpose)) return false;
      if (category !== undefined && !purposes.get(purpose)?.categories.includes(category))
        return false;
      const details = {
        method: 'preference_center' as const,
        surface: 'web.preferences',
        ...(category === undefined ? {} : { dataCategories: [category] }),
      };
      if (action === 'grant') {
        const customer = byId.get(subject);
        // The customer pressed "Allow" next to the GPC notice: an explicit choice over the signal.
        const gpc = customer ? withGpc(customer).gpc : false;
        await consent.grant({
          subject,
          purposes: purpose,
          ...details,
          ...(gpc ? { confirmed: true } : {}),
        });
      } else if (action === 'object') {
        await consent.object({ subject, purposes: purpose, ...details });
      } else {
        await consent.withdraw({ subject, purposes: purpose, ...details });
      }
      await tick();
      return true;
    },
    async receipt(subject) {
      const history = await consent.exportHistory(subject);
      return {
        subject,
        exportedAt: history.exportedAt,
        chainValid: history.chain.valid,
        current: history.current,
        receipts: consent
          .entries(subject)
          .map((entry) => createReceipt(entry, { purposes, notices: consent.notices, controller })),
      };
    },
    async dataUse(subject) {
      const since = clock.now() - 90 * duration.day;
      // Grouped by the log itself (one SQL query on PostgreSQL/PGlite), not 10k rows in Node.
      return explainer.readAccessHistory(accessLog, { subject, from: since }, { locale: 'en' });
    },
    exportData: (subject) => consent.exportHistory(subject, { accessLog }),
    async history(subject): Promise<readonly HistoryEntry[]> {
      await readChanges(subject);
      const changes = (changeRecords.get(subject) ?? []).map(
        (r): HistoryEntry => ({
          at: r.at,
          purpose: r.purpose,
          action:
            r.kind === 'performed'
              ? `We moved your booking from ${r.details?.from ?? 'your flight'} to ${r.details?.to ?? 'another flight'}; you could undo it until ${when(r.undoUntil)}`
              : r.kind === 'undone'
                ? 'You undid the change: your booking is back as it was'
                : 'The time to undo the change ended: it stands',
          source: 'automated rule',
          noticeVersion: null,
          hash: null,
        }),
      );
      const ledger = [...consent.entries(subject)].reverse().map(
        (e): HistoryEntry => ({
          at: e.event.at,
          purpose: e.event.purposes.join(', ') || (e.event.signal ? 'Global Privacy Control' : '—'),
          action:
            e.event.kind === 'signal_observed'
              ? `signal observed: GPC ${e.event.signal?.gpc ? 'on' : 'off'}`
              : `${e.event.kind.replaceAll('_', ' ')}${
                  e.event.dataCategories
                    ? ` (only ${e.event.dataCategories.map((c) => labelOf('categories', c)).join(', ')})`
                    : ''
                }`,
          source: `${e.event.method}${e.event.surface ? ` · ${e.event.surface}` : ''}`,
          noticeVersion: e.event.notice?.version ?? null,
          hash: e.hash,
        }),
      );
      // Newest first, the consent ledger and the changes made for the customer together.
      return [...ledger, ...changes].sort((a, b) => b.at - a.at);
    },
    inbox: (subject) =>
      [...(inbox.get(subject) ?? [])].sort((a, b) => b.at - a.at).map(messageView),
    explain(subject, messageId, layer = 'standard'): ExplanationView | undefined {
      const m = messageOf(subject, messageId);
      if (!m) return undefined;
      return { message: messageView(m), explanation: explainOf(m, layer) };
    },
    // Only this customer's own messages, and only the controls their explanation offers.
    async applyControl(subject, messageId, controlId) {
      const found = findControl(subject, messageId, controlId);
      if (!found) return { ok: false, missing: 'message' };
      if (!found.control) return { ok: false, missing: 'control' };
      const applied = await applyControl(found.control, found.message);
      if (applied === null) return { ok: false, missing: 'control' };
      await tick();
      return { ok: true, applied };
    },
    async undoChange(subject, messageId) {
      const m = messageOf(subject, messageId);
      if (!m) return { ok: false, missing: 'message' };
      if (m.proposal.change?.status !== 'performed') return { ok: false, missing: 'control' };
      const done = await undo(m);
      await tick();
      return done ? { ok: true, applied: 'undone' } : { ok: false, tooLate: true };
    },
    async choose(subject, messageId, choice) {
      const m = messageOf(subject, messageId);
      const choices = m ? ruleCopy[m.proposal.ruleId]?.choices : undefined;
      if (!m || !choices || !Object.hasOwn(choices, choice) || chosen.has(m.id)) return false;
      const at = clock.now();
      await storage.app.setChoice(m.id, choice, at);
      chosen.set(m.id, { choice, at });
      await tick();
      return true;
    },
    booking: (subject) => bookings.get(subject) ?? bookedTrip.flight,
    technician: (subject) => ({
      appliance: 'washing machine',
      slots: visitSlots(),
      booked: visits.get(subject) ?? null,
    }),
    async bookTechnician(subject, at) {
      if (!byId.has(subject) || !visitSlots().includes(at)) return false;
      await storage.app.setVisit(subject, at);
      visits.set(subject, at);
      await tick();
      return true;
    },
    async feedback(subject, messageId, signal) {
      const m = messageOf(subject, messageId);
      if (!m) return { ok: false, missing: 'message' };
      await submitSignal(m, signal);
      await tick();
      return { ok: true, applied: signal };
    },
    suppressions: (subject): readonly SuppressionView[] => {
      // One row per scope and target: a topic muted by "not interested" and again by its
      // escalation is one thing the customer asked for, shown with the longer of the two.
      const rows = new Map<string, SuppressionView>();
      for (const r of feedback.suppressions(subject)) {
        const key = `${r.scope}\u0000${r.target}`;
        const held = rows.get(key);
        if (
          held !== undefined &&
          (held.until === null || (r.until !== null && r.until <= held.until))
        )
          continue;
        rows.set(key, {
          scope: r.scope,
          target: r.target,
          detail: r.detail,
          since: r.since,
          until: r.until,
        });
      }
      return [...rows.values()];
    },
    async unmute(subject, scope, target) {
      try {
        await feedback.lift({
          idempotencyKey: `fb:unmute:${subject}:${clock.now()}:${randomUUID().slice(0, 8)}`,
          subject,
          scope,
          target,
        });
      } catch (error) {
        if (isCandorError(error, 'feedback/unknown_suppression')) return false;
        throw error;
      }
      await tick();
      return true;
    },

    rules: (): readonly RuleView[] =>
      demoRules.map((r) => {
        const health = feedback.ruleHealth(r.id);
        const loopPause = feedback.pauses().find((p) => p.ruleId === r.id) ?? null;
        const enginePause =
          engine.pauses().find((p) => p.ruleId === r.id || p.ruleId === '*') ?? null;
        const delivered = [...inbox.values()]
          .flat()
          .filter((m) => m.proposal.ruleId === r.id).length;
        const trials = health.rates.helpful.trials;
        return {
          id: r.id,
          title: ruleCopy[r.id]?.title ?? r.id,
          trigger: r.trigger.type === 'event' ? r.trigger.events.join(', ') : r.trigger.type,
          purpose: r.purpose,
          dataCategories: r.dataCategories,
          topic: r.action.topic,
          channel: r.action.channel,
          health: {
            delivered,
            helpfulRate: trials > 0 ? health.rates.helpful.rate : null,
            intrusiveRate: trials > 0 ? health.rates.intrusive.rate : null,
            status:
              enginePause !== null
                ? 'paused'
                : loopPause === null
                  ? 'active'
                  : r.urgency === 'critical'
                    ? 'flagged'
                    : 'paused',
            pausedReason: loopPause?.detail ?? enginePause?.reason ?? null,
          },
        };
      }),
    async resumeRule(ruleId) {
      if (!demoRules.some((r) => r.id === ruleId)) return false;
      await feedback.resume(ruleId);
      if (engine.pauses().some((p) => p.ruleId === ruleId)) await engine.resume(ruleId);
      return true;
    },
    metrics(): MetricsView {
      const { buckets, controlEfficacy } = computeTrustMetrics(feedback.events(), {
        bucketMs: duration.day,
      });
      const byStart = new Map<
        number,
        { n: number; helpful: number; intrusive: number; ni: number }
      >();
      for (const b of buckets) {
        const agg = byStart.get(b.bucketStart) ?? { n: 0, helpful: 0, intrusive: 0, ni: 0 };
        agg.n += b.exposures;
        agg.helpful += b.helpfulRate * b.exposures;
        agg.intrusive += b.intrusiveRate * b.exposures;
        agg.ni += b.notInterestedRate * b.exposures;
        byStart.set(b.bucketStart, agg);
      }
      const points = [...byStart.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([at, a]) => ({
          at,
          values: {
            messages: a.n,
            helpful_rate: a.n ? a.helpful / a.n : 0,
            intrusive_rate: a.n ? a.intrusive / a.n : 0,
            not_interested_rate: a.n ? a.ni / a.n : 0,
          },
        }));
      return {
        points,
        efficacy: controlEfficacy,
        corrections: feedback.corrections().map((c) => ({
          at: c.at,
          subject: c.subject,
          ruleId: c.ruleId,
          note: c.note ?? '',
        })),
      };
    },
    async verifyLedger(): Promise<LedgerStatusView> {
      const v = await consent.verify();
      return v.valid
        ? { ok: true, subjects: v.subjects, entries: v.entries, problems: [] }
        : {
            ok: false,
            subjects: v.subjects,
            entries: 0,
            problems: [`${v.subject}: entry ${v.entryId}: ${v.problem}`],
          };
    },
    dsa(): DsaParameterView {
      return explainer.transparencyPage({
        name: 'Proactive messages',
        version: '2026-06',
        parameters: demoRules.map((r) => ({
          id: r.id,
          label: ruleCopy[r.id]?.title ?? r.id,
          purpose: r.purpose,
          dataCategories: r.dataCategories,
          weight:
            r.urgency === 'critical' ? 4 : r.urgency === 'high' ? 3 : r.urgency === 'low' ? 1 : 2,
          topic: r.action.topic,
        })),
      });
    },
    eventTemplates: () => eventTemplates,
    async sendEvent(input: EventInput): Promise<readonly OutcomeView[]> {
      const customer = byId.get(input.subject);
      const template = eventTemplates.find((t) => t.type === input.type);
      if (!customer || !template) return [];
      const at = clock.now();
      const id = `evt_${randomUUID()}`;
      const event = {
        id,
        type: template.type,
        subject: customer.id,
        at,
        timeZone: customer.timeZone,
        facts: await corrections.corrected(customer.id, buildFacts(template, customer, id, at)),
      };
      const outcomes = await engine.process(event);
      await readChanges(customer.id);
      const views: OutcomeView[] = [];
      for (const o of outcomes) {
        if (o.kind === 'proposal') await deliver(o, event);
        views.push({
          at,
          subject: customer.id,
          event: template.type,
          ruleId: o.ruleId,
          fired: o.kind === 'proposal',
          reason: outcomeText(o),
        });
      }
      if (outcomes.length === 0) {
        views.push({
          at,
          subject: customer.id,
          event: template.type,
          ruleId: '—',
          fired: false,
          reason: 'no rule listens to this event',
        });
      }
      recent.unshift(...views.reverse());
      recent.splice(100);
      await tick();
      return views;
    },
    async advanceClock(ms) {
      clock.advance(ms);
      const at = clock.now();
      const due = await engine.processDue(at);
      // Changes whose undo window the clock passed get their expiry recorded.
      for (const c of customers) await readChanges(c.id);
      // Timed rules (a deadline passed, a reminder came due) are listed like events' outcomes.
      const views: OutcomeView[] = [];
      for (const o of due) {
        if (o.kind === 'proposal') await deliver(o, { facts: [] });
        views.push({
          at,
          subject: o.subject,
          event: 'time passed',
          ruleId: o.ruleId,
          fired: o.kind === 'proposal',
          reason: outcomeText(o),
        });
      }
      recent.unshift(...views.reverse());
      recent.splice(100);
      await tick();
      return at;
    },
    outcomes: () => recent,
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
      decisions: (subject, id) => messageOf(subject, id)?.proposal,
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

async function seedCustomer(consent: ConsentManager<DemoPurpose>, c: SeedCustomer): Promise<void> {
  const base = {
    subject: c.id,
    jurisdiction: c.region,
    method: 'banner' as const,
    surface: 'web.signup',
  };
  if (c.gpc)
    await consent.observeGpc({ subject: c.id, gpc: true, jurisdiction: c.region, method: 'gpc' });
  for (const choice of c.choices) {
    if (choice.choice === 'given')
      await consent.grant({
        ...base,
        purposes: choice.purpose as DemoPurpose,
        idempotencyKey: `seed:${c.id}:${choice.purpose}`,
      });
    else
      await consent.refuse({
        ...base,
        purposes: choice.purpose as DemoPurpose,
        idempotencyKey: `seed:${c.id}:${choice.purpose}`,
      });
  }
}
