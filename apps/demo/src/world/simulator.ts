import { randomUUID } from 'node:crypto';
import type { Outcome } from '@candor/rules';
import { buildFacts, customers, eventTemplates } from '../catalog';
import type { DemoService, EventInput, OutcomeView } from '../service';
import { when } from '../views/format';
import type { WorldContext } from './context';
import type { Inbox } from './inbox';

/**
 * The simulator: sends a customer's event through the rule engine, moves the virtual clock (timed
 * rules come due), delivers what fires, and keeps the last 100 outcomes for its log.
 */
export function simulator(
  world: WorldContext,
  inbox: Inbox,
): Pick<DemoService, 'eventTemplates' | 'sendEvent' | 'advanceClock' | 'outcomes'> {
  const { clock, tick, engine, corrections, byId, readChanges, consent } = world;
  const { deliver } = inbox;
  // Recent engine outcomes, newest first, for the simulator's log.
  const recent: OutcomeView[] = [];
  // A consent choice (from any page or the privacy API) drops at once the plans it ends, with the
  // facts they kept: listed in the log, and done before the simulator's next event or tick.
  let rechecked: Promise<void> = Promise.resolve();
  consent.onChange((change) => {
    if (change.duplicate) return;
    const note = (ruleId: string, reason: string) => {
      recent.unshift({
        at: clock.now(),
        subject: change.subject,
        event: 'consent changed',
        ruleId,
        fired: false,
        reason,
      });
      recent.splice(100);
    };
    // (A plan that could not be dropped is held back when due: the engine asks consent again.)
    rechecked = rechecked
      .then(() => engine.recheckPlans(change.subject))
      .then(
        (dropped) => {
          for (const e of dropped)
            note(e.ruleId, 'plan dropped at once: consent no longer allows it');
        },
        (error) => note('—', `plans not rechecked: ${(error as Error)?.message ?? error}`),
      );
  });
  return {
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
      await rechecked;
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
      await rechecked;
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
  };
}

/** An engine outcome in a line of the simulator's log: what was sent, or why not. */
function outcomeText(o: Outcome): string {
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
}
