import { duration } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { cardExpiryProposal, fakeGate, NOW } from '../test/fixtures';
import { createExplainer } from './explainer';
import { createMemoryAuditStore } from './store';

describe('memory audit store', () => {
  it('answers "what did you tell me, and why?" per subject, replayably', async () => {
    let now = NOW;
    const explainer = createExplainer({ clock: { now: () => now } });
    const store = createMemoryAuditStore();
    const record = cardExpiryProposal();
    const gate = fakeGate();
    const first = await explainer.explainWithAudit(record, { consent: gate });
    expect(await store.append(first.audit)).toBe(true);
    expect(await store.append(first.audit)).toBe(false); // idempotent
    now += duration.day;
    gate.withdraw('user.behavior');
    const second = await explainer.explainWithAudit(record, { consent: gate, locale: 'de' });
    await store.append(second.audit);
    await store.append(
      (await explainer.explainWithAudit({ ...record, subject: 'cus_other' }, { consent: gate }))
        .audit,
    );

    const told = await store.listBySubject('cus_42');
    expect(told.map((a) => [a.locale, a.at])).toEqual([
      ['en', NOW],
      ['de', NOW + duration.day],
    ]);
    expect(await store.listBySubject('cus_42', { since: NOW + 1 })).toHaveLength(1);
    expect(await store.listBySubject('cus_42', { limit: 1 })).toEqual([told[1]]);
    expect(await store.listByDecision('prop_1')).toHaveLength(3);
    for (const audit of told) expect((await explainer.replay(audit, record)).matches).toBe(true);
    expect(await store.deleteSubject('cus_42')).toBe(2);
    expect(await store.listBySubject('cus_42')).toEqual([]);
  });

  it('keeps what was appended even if the caller mutates it, and rejects non-audits', async () => {
    const store = createMemoryAuditStore();
    const { audit } = await createExplainer({ clock: { now: () => NOW } }).explainWithAudit(
      cardExpiryProposal(),
      {
        consent: fakeGate(),
      },
    );
    const copy = structuredClone(audit) as {
      -readonly [K in keyof typeof audit]: (typeof audit)[K];
    };
    await store.append(copy);
    copy.locale = 'xx';
    expect((await store.listBySubject('cus_42'))[0]?.locale).toBe('en');
    await expect(store.append({ ...audit, inputHash: 'nope' })).rejects.toMatchObject({
      code: 'explain/invalid_input',
    });
  });
});
