// One "app instance" as the cross-instance tests build it: a consent manager, a feedback loop and
// a rule engine on the postgres stores of one database, wired as an app would wire them (the
// engine asks the manager and the loop). Used in-process and by instance-process.test-helpers.ts.
import { type ConsentManager, definePurposes, openConsentManager } from '@candor/consent';
import { type Clock, systemClock } from '@candor/core';
import { createFeedbackLoop, type FeedbackLoop } from '@candor/feedback';
import { createRuleEngine, fact, type Outcome, type Rule, type RuleEngine } from '@candor/rules';
import { createPostgresLedgerStore } from './consent';
import type { CandorDatabase } from './database';
import { createPostgresFeedbackStore } from './feedback';
import { createPostgresRuleStateStore } from './rules';

export const purposes = definePurposes({
  'service.proactive_support': {
    title: 'Proactive support',
    bases: ['consent'],
    categories: ['user.financial.card'],
  },
});
export type Purpose = 'service.proactive_support';

const cardExpiry: Rule = {
  id: 'card-expiry',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
  trigger: { type: 'event', events: ['card.expiring'] },
  conditions: fact('card.daysLeft').lt(30),
  action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
};

export interface Instance {
  readonly consent: ConsentManager<Purpose>;
  readonly feedback: FeedbackLoop;
  readonly engine: RuleEngine;
  /** The card-expiry event for `subject`, stamped `at` (default now). */
  evaluate(subject: string, at?: number): Promise<Outcome[]>;
  close(): void;
}

/** Builds an instance over `db` and loads it (as an app does at start-up). */
export async function openInstance(
  db: CandorDatabase,
  clock: Clock = systemClock,
): Promise<Instance> {
  const consent = await openConsentManager({
    purposes,
    store: createPostgresLedgerStore(db),
    jurisdiction: 'FR',
    clock,
  });
  const feedback = createFeedbackLoop({ store: createPostgresFeedbackStore(db), clock });
  await feedback.hydrate();
  const engine = createRuleEngine({
    rules: [cardExpiry],
    consent: consent.gate,
    suppressions: feedback,
    state: createPostgresRuleStateStore(db),
    clock,
  });
  await engine.hydrate();
  let events = 0;
  return {
    consent,
    feedback,
    engine,
    evaluate: (subject, at = clock.now()) =>
      engine.process({
        id: `evt_${process.pid}_${events++}_${Math.random().toString(36).slice(2)}`,
        type: 'card.expiring',
        subject,
        at,
        facts: [
          {
            id: 'f_days_left',
            path: 'card.daysLeft',
            value: 10,
            category: 'user.financial.card',
            provenance: { source: 'billing', kind: 'observed', observedAt: at, party: 'first' },
          },
        ],
      }),
    close() {
      consent.close();
      feedback.close();
      engine.close();
    },
  };
}

/** The "not interested" a customer gives on the card-expiry topic. */
export function muteCardExpiry(feedback: FeedbackLoop, subject: string, at: number, key: string) {
  return feedback.submit({
    idempotencyKey: key,
    kind: 'not_interested',
    decisionId: `d_${key}`,
    subject,
    ruleId: 'card-expiry',
    topic: 'billing.card_expiry',
    channel: 'email',
    at,
    scope: 'topic',
  });
}
