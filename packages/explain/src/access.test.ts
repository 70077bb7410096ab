import { createMemoryAccessLog } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { cardExpiryProposal, clock, fakeGate } from '../test/fixtures';
import { createExplainer } from './explainer';

describe('an explainer with an access log', () => {
  it('records each explanation: the categories and fields it shows, never what it withholds', async () => {
    const accessLog = createMemoryAccessLog();
    const explainer = createExplainer({ clock, accessLog });
    const decision = cardExpiryProposal();
    const explanation = explainer.explain(decision, {
      consent: fakeGate({ withdrawn: ['user.behavior.purchase_history'] }),
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const [record] = await accessLog.query({ subject: decision.subject });
    expect(record).toMatchObject({
      accessor: { kind: 'feature', id: 'explanation' },
      purpose: decision.purpose,
      outcome: 'explained',
      decisionId: decision.id,
    });
    const shown = explanation.dataUsed.map((d) => d.category);
    expect(new Set(record?.dataCategories)).toEqual(new Set(shown));
    expect(record?.dataCategories).not.toContain('user.behavior.purchase_history');
    expect(record?.evidence).toEqual([...new Set(explanation.dataUsed.map((d) => d.path))]);
  });

  it('never holds an explanation up for a failing log, unless asked to be strict', async () => {
    const failing = {
      append: async () => {
        throw new Error('log down');
      },
      query: async () => [],
      purge: async () => 0,
    };
    const errors: unknown[] = [];
    const lenient = createExplainer({
      clock,
      accessLog: failing,
      onAccessLogError: (e) => errors.push(e),
    });
    expect(
      lenient.explain(cardExpiryProposal(), { consent: fakeGate() }).reasons.length,
    ).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(errors).toHaveLength(1);

    const strict = createExplainer({ clock, accessLog: failing, strictAccessLog: true });
    expect(() => strict.explain(cardExpiryProposal(), { consent: fakeGate() })).toThrow(
      expect.objectContaining({
        code: 'explain/invalid_input',
        details: expect.objectContaining({ path: 'strictAccessLog' }),
      }),
    );
    await expect(
      strict.explainWithAudit(cardExpiryProposal(), { consent: fakeGate() }),
    ).rejects.toThrow('log down');
  });
});
