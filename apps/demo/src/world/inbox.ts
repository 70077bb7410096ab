import type { Fact } from '@candor/core';
import { changeState, isWithin } from '@candor/core';
import type { Explanation, ExplanationLayer } from '@candor/explain';
import type { Proposal } from '@candor/rules';
import { contextualCopy, type MadeChange, ruleCopy } from '../rules';
import type { DemoService, ExplanationView, MessageChangeView, MessageView } from '../service';
import type { StoredMessage } from '../storage';
import { when } from '../views/format';
import type { WorldContext } from './context';

/**
 * Each customer's messages: what rules sent them (written with the demo's copy), what they chose
 * on messages that offered choices, and each message as the pages show it, with its explanation.
 */
export interface Inbox {
  /** One customer's message, or `undefined` (never another customer's). */
  messageOf(subject: string, id: string): StoredMessage | undefined;
  /** Every message sent, to every customer. */
  all(): StoredMessage[];
  /** Writes the message a proposal sends, and tells the feedback loop it was delivered. */
  deliver(proposal: Proposal, event: { facts: readonly Fact[] }): Promise<void>;
  explainOf(m: StoredMessage, layer: ExplanationLayer): Explanation;
  readonly service: Pick<DemoService, 'inbox' | 'explain' | 'choose'>;
}

/** Loads the messages and choices from the store. */
export async function openInbox(world: WorldContext): Promise<Inbox> {
  const { storage, clock, tick, feedback, explainer, consent, corrections, byId } = world;
  const { changeRecords } = world;
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
  const explainOf = (m: StoredMessage, layer: ExplanationLayer) =>
    explainer.explain(m.proposal, {
      consent,
      layer,
      changes: changeRecords.get(m.subject) ?? [],
    });

  const service: Inbox['service'] = {
    inbox: (subject) =>
      [...(inbox.get(subject) ?? [])].sort((a, b) => b.at - a.at).map(messageView),
    explain(subject, messageId, layer = 'standard'): ExplanationView | undefined {
      const m = messageOf(subject, messageId);
      if (!m) return undefined;
      return { message: messageView(m), explanation: explainOf(m, layer) };
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
  };
  return {
    messageOf,
    all: () => [...inbox.values()].flat(),
    deliver,
    explainOf,
    service,
  };
}
