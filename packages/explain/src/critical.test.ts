import type { DecisionRecord } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { clock, fakeGate, NOW } from '../test/fixtures';
import { createExplainer } from './explainer';
import { render } from './render';

const NOTE_EN =
  'You cannot mute security alerts like this, because they protect your account; you can choose how they reach you.';
const NOTE_DE =
  'Sicherheitswarnungen wie diese können Sie nicht stummschalten, weil sie Ihr Konto schützen; Sie können aber wählen, auf welchem Weg sie Sie erreichen.';

const labels = (topic: string) => ({
  labels: { topics: { 'security.suspicious_payment': topic } },
});
const explainer = createExplainer({
  clock,
  messages: { en: labels('suspicious payments'), de: labels('verdächtige Zahlungen') },
  policy: {
    manageUrl: 'https://bank.example/privacy',
    channelUrl: 'https://bank.example/settings/alerts',
  },
});

function fraudAlert(critical: boolean | undefined): DecisionRecord {
  return {
    id: 'alert_1',
    subject: 'cus_7',
    at: NOW,
    source: { kind: 'rule', id: 'suspicious-payment', version: 2 },
    action: {
      type: 'notify',
      channel: 'sms',
      topic: 'security.suspicious_payment',
      ...(critical === undefined ? {} : { critical }),
    },
    purpose: 'service.fraud_protection',
    dataCategories: ['user.financial.transactions'],
    reasons: [
      {
        id: 'c1',
        code: 'condition',
        text: 'txn.amount greater than 1000',
        evidence: ['f_txn'],
        params: { path: 'txn.amount', operator: 'greaterThan', expected: 1000, actual: 2400 },
      },
    ],
    evidence: [
      {
        id: 'f_txn',
        path: 'txn.amount',
        category: 'user.financial.transactions',
        value: 2400,
        provenance: { source: 'cards', kind: 'observed', observedAt: NOW, party: 'first' },
      },
    ],
    consent: [],
  };
}

const gate = fakeGate({ basis: 'legitimate_interest' });

describe('a critical message (a fraud or security alert) cannot be silenced by feedback', () => {
  it('offers no mute and no "fewer like this", but a channel choice; consent controls stay', () => {
    const normal = explainer.explain(fraudAlert(false), { consent: gate });
    const critical = explainer.explain(fraudAlert(true), { consent: gate });
    expect(normal.controls.map((c) => c.kind)).toEqual([
      'turn_off_data',
      'correct_data',
      'stop_purpose',
      'mute_topic',
      'fewer_like_this',
      'manage_all',
    ]);
    expect(critical.controls.map((c) => c.kind)).toEqual([
      'turn_off_data',
      'correct_data',
      'stop_purpose',
      'choose_channel',
      'manage_all',
    ]);
    expect(critical.controls.find((c) => c.kind === 'choose_channel')).toEqual({
      kind: 'choose_channel',
      id: 'choose_channel:security.suspicious_payment',
      label: 'Choose how you get messages about suspicious payments',
      subject: 'cus_7',
      decisionId: 'alert_1',
      topic: 'security.suspicious_payment',
      channel: 'sms',
      url: 'https://bank.example/settings/alerts',
    });
    // Reasons point only at controls the explanation offers.
    const ids = new Set(critical.controls.map((c) => c.id));
    for (const reason of critical.reasons)
      for (const id of reason.controls) expect(ids).toContain(id);
    expect(critical.reasons[0]?.controls).toContain('choose_channel:security.suspicious_payment');
    // Without critical: the same as false.
    expect(explainer.explain(fraudAlert(undefined), { consent: gate }).controls).toEqual(
      normal.controls,
    );
    expect(normal.controlsNote).toBeNull();
  });

  it('says why in one plain sentence, in English and German, in every layer and format', () => {
    for (const [locale, note] of [
      ['en', NOTE_EN],
      ['de', NOTE_DE],
    ] as const)
      for (const layer of ['short', 'standard', 'detailed'] as const) {
        const e = explainer.explain(fraudAlert(true), { consent: gate, layer, locale });
        expect(e.controlsNote).toBe(note);
        for (const format of ['text', 'markdown', 'html', 'json'] as const) {
          const out = render(e, format);
          expect(out).toContain(note);
          expect(out).not.toMatch(
            /Mute messages|fewer messages|Zahlungen stummschalten|Weniger Nachrichten/,
          );
        }
        const normal = explainer.explain(fraudAlert(false), { consent: gate, layer, locale });
        for (const format of ['text', 'markdown', 'html'] as const)
          expect(render(normal, format)).not.toContain(note);
      }
  });

  it('renders the note with the controls and the channel choice as a link', () => {
    const e = explainer.explain(fraudAlert(true), { consent: gate });
    expect(render(e, 'text')).toContain(
      `Your choices\n${NOTE_EN}\n- Object to using your transactions for protecting you from fraud`,
    );
    expect(render(e, 'text')).toContain(
      '- Choose how you get messages about suspicious payments (https://bank.example/settings/alerts)',
    );
    const html = render(e, 'html');
    expect(html).toContain(
      `<h3>Your choices</h3>\n<div class="candor-controls-note"><p>${NOTE_EN}</p></div>`,
    );
    expect(html).toContain(
      '<a href="https://bank.example/settings/alerts" data-candor-control="choose_channel:security.suspicious_payment" data-kind="choose_channel">',
    );
    const md = render(e, 'markdown');
    expect(md).toContain(
      '- [Choose how you get messages about suspicious payments](https://bank.example/settings/alerts)',
    );
  });

  it('points the channel choice at the settings page, or leaves it to the app', () => {
    const manageOnly = createExplainer({ clock, policy: { manageUrl: '/privacy' } });
    const choose = (x: typeof explainer) =>
      x
        .explain(fraudAlert(true), { consent: gate })
        .controls.find((c) => c.kind === 'choose_channel');
    expect(choose(manageOnly)).toMatchObject({ url: '/privacy' });
    const none = choose(createExplainer({ clock }));
    expect(none).toMatchObject({ url: null });
    const html = render(
      createExplainer({ clock }).explain(fraudAlert(true), { consent: gate }),
      'html',
    );
    expect(html).toContain(
      '<button type="button" data-candor-control="choose_channel:security.suspicious_payment" data-kind="choose_channel">',
    );
  });

  it('consent still applies: when the purpose is not allowed, nothing but settings is offered', () => {
    const e = explainer.explain(fraudAlert(true), { consent: fakeGate({ allowed: false }) });
    expect(e.controls.map((c) => c.kind)).toEqual(['choose_channel', 'manage_all']);
  });

  it('rejects a critical flag that is not a boolean, naming the path', () => {
    const record = fraudAlert(true);
    const bad = {
      ...record,
      action: { ...record.action, critical: 'yes' },
    } as unknown as DecisionRecord;
    expect(() => explainer.explain(bad, { consent: gate })).toThrowError(
      expect.objectContaining({
        code: 'explain/invalid_input',
        details: expect.objectContaining({ path: 'decision.action.critical' }),
      }),
    );
    expect(() => createExplainer({ policy: { channelUrl: '//evil.example' } })).toThrowError(
      expect.objectContaining({
        code: 'explain/invalid_input',
        details: expect.objectContaining({ path: 'policy.channelUrl' }),
      }),
    );
  });
});
