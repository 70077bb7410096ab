import { duration, isCandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { cardExpiryProposal, clock, fakeGate, NOW } from '../test/fixtures';
import { loadCatalogs } from './catalog';
import { createExplainer } from './explainer';
import { renderText } from './render';
import type { ExplanationControl } from './types';

const topics = { en: { labels: { topics: { 'billing.card_expiry': 'your card expiring' } } } };
const explainer = createExplainer({ clock, messages: topics });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isCandorError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('explain: a rule proposal', () => {
  const explanation = explainer.explain(cardExpiryProposal(), { consent: fakeGate() });

  it('says what our systems used, for which purpose, without implying a person', () => {
    expect(explanation.summary).toBe(
      'You got this email about your card expiring partly because a value from your card details is June 30, 2026, before July 1, 2026.',
    );
    expect(explanation.purpose).toMatchObject({
      id: 'service.proactive_support',
      basis: 'consent',
      allowedNow: true,
      text: 'We use your data for proactive service messages. You agreed to this.',
    });
  });

  it('gives each reason a clause that cites the evidence it rests on', () => {
    expect(explanation.reasons.map((r) => r.clauses.map((c) => [c.text, c.evidence]))).toEqual([
      [[`A value from your card details is June 30, 2026, before July 1, 2026.`, ['f_exp']]],
      [['A value from your purchase history is 5, more than 2.', ['f_orders']]],
    ]);
    const shown = new Set(explanation.dataUsed.map((d) => d.factId));
    for (const reason of explanation.reasons)
      for (const clause of reason.clauses)
        for (const id of clause.evidence) expect(shown).toContain(id);
  });

  it('lists the data used with category, source, provenance kind and when it was observed', () => {
    expect(
      explanation.dataUsed.map((d) => [d.factId, d.category, d.source, d.kind, d.observedAt]),
    ).toEqual([
      ['f_exp', 'user.financial.card', 'billing', 'stated', NOW - 30 * duration.day],
      ['f_orders', 'user.behavior.purchase_history', 'shop', 'observed', NOW - duration.day],
    ]);
    expect(explanation.dataUsed[1]?.text).toBe('Your purchase history: 5 (from your activity).');
  });

  it('offers a typed control for every promise in the issue, wired per reason', () => {
    const kinds = explanation.controls.map((c) => c.kind);
    expect(kinds).toEqual([
      'turn_off_data',
      'turn_off_data',
      'correct_data',
      'correct_data',
      'stop_purpose',
      'mute_topic',
      'fewer_like_this',
      'manage_all',
    ]);
    expect(explanation.controls[0]).toMatchObject({
      kind: 'turn_off_data',
      subject: 'cus_42',
      purpose: 'service.proactive_support',
      dataCategory: 'user.financial.card',
      mechanism: 'withdraw',
      factIds: ['f_exp'],
      label: 'Stop using your card details for proactive service messages',
    });
    expect(explanation.reasons[0]?.controls).toEqual([
      'turn_off_data:user.financial.card',
      'correct_data:f_exp',
      'stop_purpose:service.proactive_support',
      'mute_topic:billing.card_expiry',
      'fewer_like_this:card-expiry',
    ]);
    const ids = new Set(explanation.controls.map((c) => c.id));
    for (const reason of explanation.reasons)
      for (const id of reason.controls) expect(ids).toContain(id);
  });

  it('ends with one counterfactual line', () => {
    expect(explanation.counterfactual).toBe(
      'You would not have got this email if a value from your card details had been on or after July 1, 2026.',
    );
  });

  it('has a working control: turning a data source off removes it from the next explanation', () => {
    const gate = fakeGate();
    const before = explainer.explain(cardExpiryProposal(), { consent: gate });
    const control = before.controls.find(
      (c): c is Extract<ExplanationControl, { kind: 'turn_off_data' }> =>
        c.kind === 'turn_off_data' && c.dataCategory === 'user.behavior.purchase_history',
    );
    expect(control).toBeDefined();
    gate.withdraw(control!.dataCategory);
    const after = explainer.explain(cardExpiryProposal(), { consent: gate });
    expect(renderText(after)).not.toContain('purchase history');
    expect(after.withheld).toEqual([
      { kind: 'fact', factId: 'f_orders', reason: 'consent_not_allowed' },
      { kind: 'reason', reasonId: 'c2', reason: 'evidence_withheld' },
    ]);
    expect(after.withheldText).toEqual([
      'One piece of information is not shown because your privacy choices do not allow its use for this purpose now.',
      'One reason rests only on information that is not shown.',
    ]);
    // Several pieces: "their use", not "its use".
    expect(loadCatalogs().get('en')?.format('withheld.consent', { count: 2 })).toBe(
      '2 pieces of information are not shown because your privacy choices do not allow their use for this purpose now.',
    );
  });
});

describe('explain: a customer who granted only some categories of the purpose', () => {
  // Granted the card on its own, not the purpose as a whole, and not the purchase history.
  const gate = fakeGate({ allowed: false, granted: ['user.financial.card'] });
  const explanation = explainer.explain(cardExpiryProposal(), { consent: gate });
  const turnOff = (e: typeof explanation) =>
    e.controls.flatMap((c) => (c.kind === 'turn_off_data' ? [c.dataCategory] : []));

  it('offers "Stop using" for exactly the granted categories the decision used', () => {
    expect(turnOff(explanation)).toEqual(['user.financial.card']);
    expect(explanation.controls[0]).toMatchObject({
      id: 'turn_off_data:user.financial.card',
      mechanism: 'withdraw',
      label: 'Stop using your card details for proactive service messages',
    });
    expect(explanation.reasons[0]?.controls).toContain('turn_off_data:user.financial.card');
  });

  it('says the purpose is active for the data it may use, and lets the customer turn it off', () => {
    expect(explanation.purpose).toMatchObject({ allowedNow: true, basis: 'consent' });
    expect(explanation.controls.map((c) => c.kind)).toContain('stop_purpose');
  });

  it('offers nothing once that category is withdrawn too', () => {
    gate.withdraw('user.financial.card');
    const after = explainer.explain(cardExpiryProposal(), { consent: gate });
    expect(turnOff(after)).toEqual([]);
    expect(after.purpose.allowedNow).toBe(false);
    expect(after.controls.map((c) => c.kind)).not.toContain('stop_purpose');
  });
});

describe('explain: honesty guards', () => {
  it('refuses a reason that cites no evidence', () => {
    const record = cardExpiryProposal();
    const bad = { ...record, reasons: [{ ...record.reasons[0]!, evidence: [] }] };
    expect(codeOf(() => explainer.explain(bad, { consent: fakeGate() }))).toBe(
      'explain/clause_without_evidence',
    );
  });

  it('refuses evidence references that do not resolve, naming the path', () => {
    const record = cardExpiryProposal();
    const bad = { ...record, reasons: [{ ...record.reasons[0]!, evidence: ['f_missing'] }] };
    try {
      explainer.explain(bad, { consent: fakeGate() });
      expect.unreachable();
    } catch (error) {
      expect(isCandorError(error, 'explain/unresolved_evidence')).toBe(true);
      if (isCandorError(error)) {
        expect(error.details.path).toBe('decision.reasons[0].evidence[0]');
        expect(error.details.value).toBe('f_missing');
      }
    }
  });

  it('never names data whose purpose is no longer allowed, and offers no control that cannot work', () => {
    const e = explainer.explain(cardExpiryProposal(), { consent: fakeGate({ allowed: false }) });
    expect(e.dataUsed).toEqual([]);
    expect(e.reasons).toEqual([]);
    expect(e.summary).toContain('information that is not shown here');
    expect(e.purpose.text).toBe(
      'We used your data for proactive service messages, but this purpose is not active for you now.',
    );
    expect(e.controls.map((c) => c.kind)).toEqual(['mute_topic', 'fewer_like_this', 'manage_all']);
    expect(renderText(e)).not.toMatch(/card details|purchase history|June 30/);
  });

  it('a value holding a right-to-left override cannot turn the words after it around', () => {
    const base = cardExpiryProposal();
    const spoofed = {
      ...(base.evidence[0] as (typeof base.evidence)[number]),
      value: 'soon\u202e (you did not tell us this)',
    };
    const record = cardExpiryProposal({ evidence: [spoofed, ...base.evidence.slice(1)] });
    const e = explainer.explain(record, { consent: fakeGate() });
    for (const text of [renderText(e), JSON.stringify(e)])
      expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(renderText(e)).toContain('soon (you did not tell us this)');
  });

  it('a withdrawn purpose stays withdrawn when only context (the weather) is shown', () => {
    // Context needs no consent, so the gate allows it on its own; that says nothing of the purpose.
    const base = cardExpiryProposal();
    const weather = {
      ...(base.evidence[0] as (typeof base.evidence)[number]),
      id: 'f_weather',
      path: 'weather.risk',
      category: 'context.weather',
      value: 'severe',
    };
    const record = cardExpiryProposal({
      dataCategories: ['user.financial.card', 'context.weather'],
      reasons: [{ id: 'r1', code: 'condition', text: 'x', evidence: ['f_weather', 'f_exp'] }],
      evidence: [weather, base.evidence[0] as (typeof base.evidence)[number]],
    });
    const gate = fakeGate({ allowed: false, granted: ['context'] });
    const e = explainer.explain(record, { consent: gate });
    expect(e.purpose.allowedNow).toBe(false);
    expect(e.purpose.text).toBe(
      'We used your data for proactive service messages, but this purpose is not active for you now.',
    );
  });

  it('names sensitive categories only when the policy allows', () => {
    const record = cardExpiryProposal({
      dataCategories: ['user.financial.card', 'user.health.condition'],
      reasons: [{ id: 'r1', code: 'model_feature', text: 'x', evidence: ['f_card', 'f_health'] }],
      evidence: [
        {
          id: 'f_card',
          path: 'card.brand',
          category: 'user.financial.card',
          value: 'Visa',
          provenance: { source: 'billing', kind: 'stated', observedAt: NOW, party: 'first' },
        },
        {
          id: 'f_health',
          path: 'health.condition',
          category: 'user.health.condition',
          value: 'Diabetes',
          provenance: { source: 'partner-app', kind: 'inferred', observedAt: NOW, party: 'third' },
        },
      ],
    });
    const hidden = explainer.explain(record, { consent: fakeGate() });
    expect(renderText(hidden)).not.toMatch(/Diabetes|health|partner-app/i);
    expect(hidden.withheld).toEqual([
      { kind: 'fact', factId: 'f_health', reason: 'sensitive_category' },
    ]);
    expect(hidden.reasons[0]?.clauses[0]?.evidence).toEqual(['f_card']);

    const allowed = createExplainer({ clock, policy: { nameSensitive: ['user.health'] } }).explain(
      record,
      { consent: fakeGate() },
    );
    expect(allowed.withheld).toEqual([]);
    expect(renderText(allowed)).toContain(
      'Health information: Diabetes (estimated; source: partner app, a partner).',
    );
  });

  it('flags evidence older than its TTL, or refuses to explain when the policy says block', () => {
    const flag = createExplainer({
      clock,
      policy: { evidenceTtl: { 'user.financial': { maxAgeMs: 7 * duration.day, action: 'flag' } } },
    }).explain(cardExpiryProposal(), { consent: fakeGate() });
    expect(flag.dataUsed[0]).toMatchObject({ factId: 'f_exp', stale: true });
    expect(flag.dataUsed[0]?.text).toContain('This may be out of date.');
    expect(flag.dataUsed[1]?.stale).toBe(false);
    expect(flag.warnings).toContainEqual({
      code: 'stale_evidence',
      factId: 'f_exp',
      ageMs: 30 * duration.day,
      maxAgeMs: 7 * duration.day,
    });

    const block = createExplainer({
      clock,
      policy: { defaultEvidenceTtl: { maxAgeMs: 7 * duration.day, action: 'block' } },
    });
    expect(codeOf(() => block.explain(cardExpiryProposal(), { consent: fakeGate() }))).toBe(
      'explain/stale_evidence',
    );
  });

  it('offers "object" rather than "withdraw" under legitimate interest, and neither under contract', () => {
    const li = explainer.explain(cardExpiryProposal(), {
      consent: fakeGate({ basis: 'legitimate_interest' }),
    });
    expect(li.controls.find((c) => c.kind === 'stop_purpose')).toMatchObject({
      mechanism: 'object',
      label: 'Object to proactive service messages',
    });
    const contract = explainer.explain(cardExpiryProposal(), {
      consent: fakeGate({ basis: 'contract' }),
    });
    expect(
      contract.controls.some((c) => c.kind === 'turn_off_data' || c.kind === 'stop_purpose'),
    ).toBe(false);
    expect(contract.purpose.text).toContain('our contract with you');
  });

  it('rejects bad options with a typed error', () => {
    const record = cardExpiryProposal();
    expect(
      codeOf(() => explainer.explain(record, { consent: fakeGate(), layer: 'long' as never })),
    ).toBe('explain/invalid_input');
    expect(codeOf(() => explainer.explain(record, { consent: {} as never }))).toBe(
      'explain/invalid_input',
    );
    expect(
      codeOf(() =>
        explainer.explain(
          { ...record, evidence: [record.evidence[0]!, record.evidence[0]!] },
          { consent: fakeGate() },
        ),
      ),
    ).toBe('explain/invalid_input');
    for (const bad of [
      { ...record, action: { type: 'notify' } },
      { ...record, source: null },
      { ...record, evidence: [{ ...record.evidence[0]!, provenance: {} }] },
      { ...record, reasons: [] },
      null,
    ])
      expect(codeOf(() => explainer.explain(bad as never, { consent: fakeGate() }))).toBe(
        'explain/invalid_input',
      );
  });
});

describe('explain: layers and locales', () => {
  it('short is one sentence with values', () => {
    const e = explainer.explain(cardExpiryProposal(), { consent: fakeGate(), layer: 'short' });
    expect(e.summary).toBe(
      'You got this email partly because a value from your card details is June 30, 2026, before July 1, 2026.',
    );
    expect(renderText(e)).toBe(`${e.summary}\n\nManage all your privacy and message settings`);
  });

  it('detailed adds when data was recorded and which rule decided', () => {
    const e = explainer.explain(cardExpiryProposal(), { consent: fakeGate(), layer: 'detailed' });
    expect(e.dataUsed[0]?.text).toContain('Recorded on May 2, 2026.');
    expect(e.decision.text).toBe(
      'Decided on June 1, 2026 by an automated rule: “card expiry”, version 3. It follows version 1 of our privacy notice.',
    );
  });

  it('speaks German, and matches de-AT to de without a fallback', () => {
    const e = explainer.explain(cardExpiryProposal(), { consent: fakeGate(), locale: 'de-AT' });
    expect(e.locale).toBe('de');
    expect(e.requestedLocale).toBe('de-AT');
    expect(e.warnings.filter((w) => w.code === 'locale_fallback')).toEqual([]);
    expect(e.reasons[0]?.clauses[0]?.text).toBe(
      'Der geprüfte Wert (Ihre Kartendaten) ist der 30. Juni 2026, also vor dem 1. Juli 2026.',
    );
  });

  it('falls back to the default locale for an unknown one, and reports it', () => {
    for (const locale of ['fr-FR', 'not a locale!']) {
      const e = explainer.explain(cardExpiryProposal(), { consent: fakeGate(), locale });
      expect(e.locale).toBe('en');
      expect(e.warnings).toContainEqual({ code: 'locale_fallback', requested: locale, used: 'en' });
    }
  });

  it('has a pseudo-locale that marks every message, for spotting hard-coded text', () => {
    const e = explainer.explain(cardExpiryProposal(), { consent: fakeGate(), locale: 'en-XA' });
    const lines = renderText(e)
      .split('\n')
      .filter((line) => line !== '');
    for (const line of lines) expect(line).toMatch(/⟦.*⟧/);
    expect(e.summary).toMatch(/^⟦Yóú gót thíš/);
  });

  it('reports ids without a label and names them plainly', () => {
    const e = explainer.explain(
      cardExpiryProposal({
        action: { type: 'notify', channel: 'email', topic: 'travel.gate_change' },
      }),
      {
        consent: fakeGate(),
      },
    );
    expect(e.summary).toContain('about “gate change”');
    expect(e.warnings).toContainEqual({
      code: 'missing_label',
      kind: 'topics',
      id: 'travel.gate_change',
    });
  });
});

describe('explain: quotation marks around a topic', () => {
  const de = { de: { labels: { topics: { 'billing.card_expiry': 'Kartenablauf' } } } };
  const labelled = createExplainer({ clock, messages: { ...topics, ...de } });
  const unlabelled = createExplainer({ clock });
  /** The summary and every control label that names the topic (a critical message's too). */
  const topicTexts = (e: ReturnType<typeof explainer.explain>) => [
    e.summary,
    ...e.controls.map((c) => c.label).filter((label) => /Thema|about/.test(label)),
  ];
  const explainBoth = (from: typeof explainer, locale: string) =>
    [cardExpiryProposal(), cardExpiryProposal({ action: { ...critical, critical: true } })].map(
      (record) => from.explain(record, { consent: fakeGate(), locale }),
    );
  const critical = { type: 'notify', channel: 'email', topic: 'billing.card_expiry' };

  it('are one pair in German, for a labelled topic and an unlabelled one alike', () => {
    const texts = [
      ...explainBoth(labelled, 'de').flatMap(topicTexts),
      ...explainBoth(unlabelled, 'de').flatMap(topicTexts),
    ];
    expect(texts.filter((t) => t.includes('Thema')).length).toBeGreaterThanOrEqual(6);
    for (const text of texts) {
      expect(text).not.toMatch(/„„|““/);
      if (text.includes('Thema')) expect(text).toMatch(/Thema „(Kartenablauf|card expiry)“/);
    }
    const [plain] = explainBoth(unlabelled, 'de');
    expect(plain?.controls.find((c) => c.kind === 'mute_topic')?.label).toBe(
      'Nachrichten zum Thema „card expiry“ stummschalten',
    );
  });

  it('are around an unlabelled topic only in English, as a label reads as words', () => {
    const [named] = explainBoth(labelled, 'en');
    const [plain, plainCritical] = explainBoth(unlabelled, 'en');
    expect(named?.controls.find((c) => c.kind === 'mute_topic')?.label).toBe(
      'Mute messages about your card expiring',
    );
    expect(plain?.controls.find((c) => c.kind === 'mute_topic')?.label).toBe(
      'Mute messages about “card expiry”',
    );
    expect(plainCritical?.controls.find((c) => c.kind === 'choose_channel')?.label).toBe(
      'Choose how you get messages about “card expiry”',
    );
  });
});

describe('explain: operators named the way @candor/rules names them', () => {
  it('renders `lt` and `fact` as the same words as `lessThan` and `path`', () => {
    const base = cardExpiryProposal();
    const record = {
      ...base,
      reasons: [
        {
          id: 'c2',
          code: 'condition',
          text: 'orders.last90d lt 9',
          evidence: ['f_orders'],
          params: { fact: 'orders.last90d', op: 'lt', expected: 9, actual: 5 },
        },
      ],
    };
    const [reason] = explainer.explain(record, { consent: fakeGate() }).reasons;
    expect(reason?.clauses[0]?.text).toContain('is 5, less than 9');
    expect(reason?.clauses[0]?.text).not.toContain('matches');
  });
});

describe('explain: what the customer gets for the purpose', () => {
  const withBenefit = createExplainer({
    clock,
    messages: {
      en: {
        labels: {
          topics: { 'billing.card_expiry': 'your card expiring' },
          benefits: { 'service.proactive_support': 'a reminder before your plan lapses' },
        },
      },
      de: {
        labels: { benefits: { 'service.proactive_support': 'eine Erinnerung vor dem Ablauf' } },
      },
    },
  });

  it('says "you share X; in return you get Y" with the data shown', () => {
    const e = withBenefit.explain(cardExpiryProposal(), { consent: fakeGate() });
    expect(e.purpose.benefit).toBe('a reminder before your plan lapses');
    expect(e.purpose.text).toBe(
      'We use your data for proactive service messages. You agreed to this. You share your card details and your purchase history; in return you get a reminder before your plan lapses.',
    );
    const de = withBenefit.explain(cardExpiryProposal(), { consent: fakeGate(), locale: 'de' });
    expect(de.purpose.text).toContain('dafür erhalten Sie eine Erinnerung vor dem Ablauf.');
  });

  it('says nothing of it without a label, or once the purpose is off', () => {
    expect(explainer.explain(cardExpiryProposal(), { consent: fakeGate() }).purpose.benefit).toBe(
      null,
    );
    const off = withBenefit.explain(cardExpiryProposal(), {
      consent: fakeGate({ allowed: false }),
    });
    expect(off.purpose.benefit).toBe(null);
    expect(off.purpose.text).not.toContain('in return');
  });
});
