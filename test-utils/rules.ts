import type { Rule } from '@candor/rules';

/**
 * An absence rule for tests of timed rules, in memory and in PostgreSQL: a reminder when no
 * `payment.received` follows an `invoice.issued` with the same `invoice.id` within three days.
 *
 * @example
 * const engine = createRuleEngine({ rules: [invoiceUnpaid], consent: allowAll });
 */
export const invoiceUnpaid: Rule = {
  id: 'invoice-unpaid',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.invoice'],
  trigger: {
    type: 'absence',
    after: 'invoice.issued',
    expect: 'payment.received',
    within: '3d',
    correlate: ['invoice.id'],
  },
  action: { type: 'notify', channel: 'email', topic: 'billing.invoice_unpaid' },
};

/**
 * A relative rule for the same tests: a reminder seven days before `card.expiresAt`.
 *
 * @example
 * const engine = createRuleEngine({ rules: [cardExpiryReminder], consent: allowAll });
 */
export const cardExpiryReminder: Rule = {
  id: 'card-expiry',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
  trigger: { type: 'relative', fact: 'card.expiresAt', offset: '-7d' },
  action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
};
