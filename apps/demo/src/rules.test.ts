import type { Fact } from '@candor/core';
import { lintMessage } from '@candor/explain';
import { createRuleEngine } from '@candor/rules';
import { describe, expect, it } from 'vitest';
import { contextualCopy, demoRules, ruleCopy } from './rules';

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
  ['returns.lastMethod', 'parcel_shop'],
  ['order.promisedHandoverAt', '2026-12-05T10:00:00.000Z'],
  ['order.estimatedDeliveryAt', '2026-12-07T10:00:00.000Z'],
  ['appliance.name', 'washing machine'],
  ['appliance.vibration', 7.8],
  ['appliance.vibrationWeekAgo', 5.9],
]);

describe('what the demo’s rules send', () => {
  it.each(Object.keys(contextualCopy))('contextual %s: passes the honesty lint', (key) => {
    const message = contextualCopy[key]?.(sample);
    expect(message?.title.length).toBeGreaterThan(0);
    expect(lintMessage({ locale: 'en', texts: { ...message } })).toEqual([]);
  });
  it('every contextual fallback has its copy', () => {
    for (const rule of demoRules)
      if (rule.contextual)
        expect(contextualCopy[rule.contextual.action.templateKey ?? '']).toBeDefined();
  });

  it.each(demoRules.map((r) => r.id))('%s: has copy, and it passes the honesty lint', (id) => {
    const copy = ruleCopy[id];
    expect(copy, `rule ${id} has no copy: the message would show its id`).toBeDefined();
    const change = {
      from: 'flight LH 1167 at 16:40',
      to: 'flight LH 1165 at 14:05',
      undoUntil: '2026-12-05 18:00 UTC',
    };
    for (const facts of [sample, new Map<string, unknown>()]) {
      for (const made of [undefined, change]) {
        const message = copy?.message(facts, made);
        expect(message?.title.length).toBeGreaterThan(0);
        const link = copy?.link ? { link: copy.link.text } : {};
        expect(lintMessage({ locale: 'en', texts: { ...message, ...link } })).toEqual([]);
      }
    }
  });
});

const fact = (id: string, path: string, category: string, value: string): Fact => ({
  id,
  path,
  category,
  value,
  provenance: { source: 'orders', kind: 'observed', observedAt: 0, party: 'first' },
});

describe('the order confirmation', () => {
  it('is sent once per order, however often the order is sent again', () => {
    const allow = {
      decide: () => ({
        allowed: true,
        basis: 'consent',
        status: 'granted',
        reasons: [],
        recordIds: [],
        noticeVersion: null,
        expiresAt: null,
      }),
    };
    const engine = createRuleEngine({
      rules: demoRules.filter((r) => r.id === 'order-confirmation'),
      consent: allow as never,
    });
    const placed = (id: string, order: string) => ({
      id,
      type: 'order.placed',
      subject: 'cus_ana',
      at: Date.parse('2026-12-04T10:00:00Z'),
      facts: [
        fact(`${id}:o`, 'order.id', 'user.orders', order),
        fact(`${id}:r`, 'returns.lastMethod', 'user.behavior.returns', 'parcel_shop'),
      ],
    });
    const kinds = (id: string, order: string) =>
      engine.evaluate(placed(id, order)).map((o) => (o.kind === 'proposal' ? 'sent' : o.reason));
    expect(kinds('e1', 'A-1')).toEqual(['sent']);
    expect(kinds('e2', 'A-1')).toEqual(['duplicate']);
    expect(kinds('e3', 'A-2')).toEqual(['sent']);
  });
});
