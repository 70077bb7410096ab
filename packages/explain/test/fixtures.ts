import {
  type ConsentGate,
  type ConsentVerdict,
  type DecisionRecord,
  duration,
  isWithin,
  type LegalBasis,
} from '@candor/core';

/** 2026-06-01T09:00:00Z, the explanation time in tests. */
export const NOW = Date.UTC(2026, 5, 1, 9);

/** A consent gate over a tiny in-memory state: a purpose basis and withdrawn categories. */
export function fakeGate(
  options: {
    basis?: LegalBasis | null;
    allowed?: boolean;
    withdrawn?: string[];
    /** Categories granted on their own (the purpose as a whole is not): as `@candor/consent` answers. */
    granted?: string[];
  } = {},
): ConsentGate & { withdraw(category: string): void; readonly withdrawn: Set<string> } {
  const withdrawn = new Set(options.withdrawn ?? []);
  const basis = options.basis === undefined ? 'consent' : options.basis;
  const purposeAllowed = options.allowed ?? true;
  return {
    withdrawn,
    withdraw: (category) => {
      withdrawn.add(category);
    },
    decide(query): ConsentVerdict {
      const blocked = query.dataCategories.some((c) => [...withdrawn].some((w) => isWithin(c, w)));
      const { granted } = options;
      const byCategory =
        granted !== undefined &&
        query.dataCategories.length > 0 &&
        query.dataCategories.every((c) => granted.some((g) => isWithin(c, g)));
      const allowed = (purposeAllowed || byCategory) && !blocked;
      return {
        allowed,
        purpose: query.purpose,
        status: allowed ? (basis === 'consent' ? 'granted' : 'not_required') : 'withdrawn',
        basis: purposeAllowed || byCategory ? basis : null,
        reasons: [],
        recordIds: [],
        noticeVersion: '1',
        expiresAt: null,
      };
    },
  };
}

/**
 * A record shaped like a rules Proposal: source kind `rule`, reasons with code `condition` and
 * params `{ path, operator, expected, actual }`, evidence with provenance.
 */
export function cardExpiryProposal(overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    id: 'prop_1',
    subject: 'cus_42',
    at: NOW - duration.hour,
    source: { kind: 'rule', id: 'card-expiry', version: 3 },
    action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
    purpose: 'service.proactive_support',
    dataCategories: ['user.financial.card', 'user.behavior.purchase_history'],
    reasons: [
      {
        id: 'c1',
        code: 'condition',
        text: 'card.expiresAt before 2026-07-01',
        evidence: ['f_exp'],
        params: {
          path: 'card.expiresAt',
          operator: 'before',
          expected: '2026-07-01',
          actual: '2026-06-30',
        },
      },
      {
        id: 'c2',
        code: 'condition',
        text: 'orders.last90d greater than 2',
        evidence: ['f_orders'],
        params: { path: 'orders.last90d', operator: 'greaterThan', expected: 2, actual: 5 },
      },
    ],
    evidence: [
      {
        id: 'f_exp',
        path: 'card.expiresAt',
        category: 'user.financial.card',
        value: '2026-06-30',
        provenance: {
          source: 'billing',
          kind: 'stated',
          observedAt: NOW - 30 * duration.day,
          party: 'first',
        },
      },
      {
        id: 'f_orders',
        path: 'orders.last90d',
        category: 'user.behavior.purchase_history',
        value: 5,
        provenance: {
          source: 'shop',
          kind: 'observed',
          observedAt: NOW - duration.day,
          party: 'first',
        },
      },
    ],
    consent: [],
    ...overrides,
  };
}

/** A clock frozen at {@link NOW}. */
export const clock = { now: () => NOW };
