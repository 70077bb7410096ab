import type { ConsentGate } from '@candor/core';

/**
 * A consent gate that allows every purpose and category, for tests and benchmarks that are about
 * something else (storage, recall, speed). Never a default anywhere else.
 *
 * @example
 * const book = createMemoryBook({ consent: allowAll, store });
 */
export const allowAll: ConsentGate = {
  decide: (q) => ({
    allowed: true,
    purpose: q.purpose,
    status: 'granted',
    basis: 'consent',
    reasons: [{ code: 'explicit_grant', detail: 'granted in test' }],
    recordIds: [],
    noticeVersion: null,
    expiresAt: null,
  }),
};
