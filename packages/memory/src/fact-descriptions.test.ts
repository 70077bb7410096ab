import { type ConsentGate, createVirtualClock, type DecisionRecord } from '@candor/core';
import { createExplainer } from '@candor/explain';
import { describe, expect, it } from 'vitest';
import { createMemoryBook, memoryFactDescriptions } from './index';

const T0 = Date.parse('2026-06-01T09:00:00Z');
const allowAll: ConsentGate = {
  decide: (q) => ({
    allowed: true,
    purpose: q.purpose,
    status: 'granted',
    basis: 'consent',
    reasons: [],
    recordIds: [],
    noticeVersion: null,
    expiresAt: null,
  }),
};

/** An explanation of a follow-up decided on what `recall` returned, in `locale`. */
async function explained(locale: string, descriptions: boolean) {
  const clock = createVirtualClock(T0);
  const book = createMemoryBook({ consent: allowAll, clock });
  const provenance = { source: 'support', kind: 'stated', observedAt: T0, party: 'first' } as const;
  await book.remember({
    subject: 'cus_1',
    content: { kind: 'complaint', summary: 'Parcel arrived broken', status: 'open' },
    category: 'user.support.complaints',
    provenance,
    purposes: ['service.support'],
    about: { type: 'order', id: 'ord_9', label: 'a lamp' },
  });
  await book.remember({
    subject: 'cus_1',
    content: { kind: 'stated_reason', reason: 'for my new flat', option: 'home' },
    category: 'user.behavior.purchase_reason',
    provenance: { ...provenance, source: 'checkout' },
    purposes: ['service.support'],
    about: { type: 'order', id: 'ord_9' },
  });
  const { facts } = await book.recall('cus_1', {
    purpose: 'service.support',
    accessor: { kind: 'rule', id: 'complaint-followup', version: 1 },
  });
  const record: DecisionRecord = {
    id: 'd1',
    subject: 'cus_1',
    at: T0,
    source: { kind: 'rule', id: 'complaint-followup', version: 1 },
    action: { type: 'notify', channel: 'email', topic: 'support.followup' },
    purpose: 'service.support',
    dataCategories: facts.map((f) => f.category),
    reasons: facts.map((f, i) => ({
      id: `r${i}`,
      code: 'condition',
      text: `${f.path} exists`,
      evidence: [f.id],
      params: { fact: f.path, op: 'exists', actual: f.value },
    })),
    evidence: facts,
    consent: [],
  };
  const explainer = createExplainer({
    clock,
    ...(descriptions ? { facts: memoryFactDescriptions } : {}),
  });
  return explainer.explain(record, { consent: allowAll, locale });
}

describe('memoryFactDescriptions', () => {
  it('name recalled memories in plain words and show what the customer said', async () => {
    const en = await explained('en', true);
    expect(en.dataUsed.map((d) => d.text)).toEqual([
      'Your complaint: Parcel arrived broken (you told us this).',
      'The reason you gave us: for my new flat (you told us this).',
    ]);
    const de = await explained('de', true);
    expect(de.dataUsed.map((d) => d.text.split(':')[0])).toEqual([
      'Ihre Beschwerde',
      'Ihre Angabe zum Anlass',
    ]);
    // Without them: the data category's words and every field of the value.
    const bare = await explained('en', false);
    expect(bare.dataUsed[0]?.text).toContain('Parcel arrived broken, open');
  });
});
