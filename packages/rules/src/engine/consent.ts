import type { ConsentVerdict } from '@candor/core';

export function closedVerdict(purpose: string, detail: string): ConsentVerdict {
  return {
    allowed: false,
    purpose,
    status: 'unknown',
    basis: null,
    reasons: [{ code: 'gate_error', detail }],
    recordIds: [],
    noticeVersion: null,
    expiresAt: null,
  };
}
