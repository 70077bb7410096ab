import type { DecisionRecord } from '@candor/core';
import { createExplainer } from '@candor/explain';
import { describe, expect, it } from 'vitest';
import { allowAll as gate } from '../../../test-utils/gates.ts';
import { createPostgresAuditStore } from './audits';
import { driverCases, useTestDatabases } from './drivers.test-helpers';

const T0 = Date.UTC(2026, 11, 1, 9);
const decision = (id: string, subject = 'cus_1'): DecisionRecord => ({
  id,
  subject,
  at: T0,
  source: { kind: 'rule', id: 'card-expiry', version: 1 },
  action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
  reasons: [{ id: 'r1', code: 'condition', text: 'card expires soon', evidence: ['f1'] }],
  evidence: [
    {
      id: 'f1',
      path: 'card.expiresAt',
      category: 'user.financial.card',
      value: '2026-12-20',
      provenance: { source: 'billing', kind: 'stated', observedAt: T0, party: 'first' },
    },
  ],
  consent: [],
});

describe.each(driverCases)('explanation audit store on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);

  it.skipIf(skip)('keeps what each customer was told, once, and erases it on request', async () => {
    const store = createPostgresAuditStore(await database());
    let now = T0;
    const explainer = createExplainer({ clock: { now: () => now } });
    const audits = [];
    for (const [i, id] of ['d1', 'd2', 'd3'].entries()) {
      now = T0 + i * 1000;
      audits.push((await explainer.explainWithAudit(decision(id), { consent: gate })).audit);
    }
    const other = (await explainer.explainWithAudit(decision('d9', 'cus_2'), { consent: gate }))
      .audit;
    for (const a of [...audits, other]) expect(await store.append(a)).toBe(true);
    expect(await store.append(audits[0]!)).toBe(false);
    expect(await store.listBySubject('cus_1')).toEqual(audits);
    expect(await store.listBySubject('cus_1', { since: T0 + 1000, limit: 1 })).toEqual([audits[2]]);
    expect(await store.listByDecision('d2')).toEqual([audits[1]]);
    // It replays to the same words.
    const replay = await explainer.replay((await store.listByDecision('d1'))[0]!, decision('d1'));
    expect(replay.matches).toBe(true);
    expect(await store.deleteSubject('cus_1')).toBe(3);
    expect(await store.listBySubject('cus_1')).toEqual([]);
    expect(await store.listBySubject('cus_2')).toEqual([other]);
    await expect(store.append({} as never)).rejects.toMatchObject({
      code: 'explain/invalid_input',
    });
  });
});
