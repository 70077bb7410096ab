import { lintMessage } from '@candor/explain';
import { describe, expect, it } from 'vitest';
import { demoRules, ruleCopy } from './rules';

/** Facts as the demo's world gives them (every path a rule's copy reads), and none at all. */
const sample = new Map<string, unknown>([
  ['txn.amount', 1299],
  ['txn.merchant', 'Electro Shop'],
  ['txn.country', 'Ukraine'],
  ['trip.connection.airport', 'Frankfurt'],
  ['trip.connection.layoverMinutes', 55],
  ['trip.route', 'Lisbon → Frankfurt → Oslo'],
  ['weather.region', 'Alps'],
  ['card.last4', '4242'],
  ['card.expiresAt', '2026-12-16T00:00:00.000Z'],
  ['subscription.plan', 'Premium'],
  ['subscription.renewsAt', '2026-12-29T00:00:00.000Z'],
  ['order.id', 'A-1042'],
  ['order.promisedHandoverAt', '2026-12-05T10:00:00.000Z'],
  ['order.estimatedDeliveryAt', '2026-12-07T10:00:00.000Z'],
]);

describe('what the demo’s rules send', () => {
  it.each(demoRules.map((r) => r.id))('%s: has copy, and it passes the honesty lint', (id) => {
    const copy = ruleCopy[id];
    expect(copy, `rule ${id} has no copy: the message would show its id`).toBeDefined();
    for (const facts of [sample, new Map<string, unknown>()]) {
      const message = copy?.message(facts);
      expect(message?.title.length).toBeGreaterThan(0);
      expect(lintMessage({ locale: 'en', texts: { ...message } })).toEqual([]);
    }
  });
});
