import { describe, expect, it } from 'vitest';
import { cardExpiryProposal, clock, fakeGate } from '../test/fixtures';
import { canonicalJson, sha256Hex } from './audit';
import { createExplainer } from './explainer';

describe('audit', () => {
  it('hashes with SHA-256 over canonical JSON', async () => {
    expect(await sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });

  it('records input hash, template id and version, locale and output hash', async () => {
    const explainer = createExplainer({ clock });
    const gate = fakeGate({ withdrawn: ['user.behavior'] });
    const { explanation, audit } = await explainer.explainWithAudit(cardExpiryProposal(), {
      consent: gate,
      locale: 'de',
      layer: 'detailed',
    });
    expect(audit).toMatchObject({
      version: 1,
      explanationId: 'prop_1/detailed/de',
      decisionId: 'prop_1',
      subject: 'cus_42',
      at: clock.now(),
      layer: 'detailed',
      locale: 'de',
      requestedLocale: 'de',
      template: explanation.template,
      algorithm: 'SHA-256',
    });
    expect(audit.inputHash).toMatch(/^[0-9a-f]{64}$/);
    expect(audit.outputHash).toBe(await sha256Hex(canonicalJson(explanation)));
    expect(audit.consent.map((c) => [c.dataCategories, c.verdict.allowed])).toEqual([
      [['user.financial.card'], true],
      [['user.behavior.purchase_history'], false],
      [[], true],
    ]);
  });

  it('replays to the same explanation even after consent has changed', async () => {
    const explainer = createExplainer({ clock });
    const gate = fakeGate();
    const record = cardExpiryProposal();
    const { explanation, audit } = await explainer.explainWithAudit(record, { consent: gate });
    gate.withdraw('user.financial');
    const replay = await explainer.replay(JSON.parse(JSON.stringify(audit)), record);
    expect(replay).toMatchObject({
      matches: true,
      inputMatches: true,
      templateMatches: true,
      outputMatches: true,
    });
    expect(replay.explanation).toEqual(explanation);
  });

  it('detects a changed decision record and changed templates', async () => {
    const record = cardExpiryProposal();
    const { audit } = await createExplainer({ clock }).explainWithAudit(record, {
      consent: fakeGate(),
    });
    const tampered = await createExplainer({ clock }).replay(audit, {
      ...record,
      purpose: 'marketing.email',
    });
    expect(tampered.inputMatches).toBe(false);
    expect(tampered.matches).toBe(false);
    const reworded = createExplainer({
      clock,
      messages: { en: { messages: { 'control.fewer': 'Fewer reminders like this' } } },
    });
    const replay = await reworded.replay(audit, record);
    expect(replay).toMatchObject({
      inputMatches: true,
      templateMatches: false,
      outputMatches: false,
      matches: false,
    });
  });

  it('rejects something that is not an audit', async () => {
    await expect(createExplainer().replay({} as never, cardExpiryProposal())).rejects.toMatchObject(
      {
        code: 'explain/invalid_input',
      },
    );
  });
});
