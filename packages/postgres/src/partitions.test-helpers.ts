// What partitions.test.ts and its worker processes (partition-worker.test-helpers.ts) share: a
// rule whose outcome depends on the order a customer's events are processed in, and the events.
import { fact, type Rule, type RuleEvent } from '@candor/rules';

export const T0 = 1_780_000_000_000;
const MINUTE = 60_000;

/** Fires at most once per 25 minutes per customer: which events fire depends on their order. */
export const cooldownRule: Rule = {
  id: 'card-expiry',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
  trigger: { type: 'event', events: ['card.expiring'] },
  conditions: fact('card.daysLeft').lt(30),
  action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
  cooldown: '25m',
};

/** A customer's event number `seq`, ten minutes after the one before; its id is `<subject>:<seq>`. */
export function cardEvent(subject: string, seq: number): RuleEvent {
  const at = T0 + seq * 10 * MINUTE;
  return {
    id: `${subject}:${seq}`,
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
  };
}

/** In order, events 0, 3, 6, … fire (30 minutes apart); the others fall in the cooldown. */
export function expectedOutcome(seq: number): 'proposal' | 'cooldown' {
  return seq % 3 === 0 ? 'proposal' : 'cooldown';
}
