import { sensitiveCategories } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { cardExpiryProposal, clock, fakeGate, NOW } from '../test/fixtures';
import { createExplainer } from './explainer';
import { defaultSensitiveCategories } from './policy';
import { render } from './render';

const explainer = createExplainer({
  clock,
  messages: {
    en: {
      labels: {
        categories: {
          'user.financial.account_credentials': 'your sign-in details',
          'user.government_id': 'your passport number',
        },
      },
    },
  },
});

/** A decision whose evidence includes an account-credentials fact and a government-id fact. */
function withCredentials() {
  const base = cardExpiryProposal();
  return cardExpiryProposal({
    dataCategories: [
      'user.financial.card',
      'user.financial.account_credentials',
      'user.government_id.passport',
    ],
    reasons: [
      base.reasons[0]!,
      { id: 'r2', code: 'model_feature', text: 'x', evidence: ['f_exp', 'f_cred', 'f_gov'] },
      {
        id: 'r3',
        code: 'condition',
        text: 'login.password equal hunter2',
        evidence: ['f_cred'],
        params: { path: 'login.password', operator: 'equal', expected: 'hunter2' },
      },
    ],
    evidence: [
      base.evidence[0]!,
      {
        id: 'f_cred',
        path: 'login.password',
        category: 'user.financial.account_credentials',
        value: 'hunter2-SECRET',
        provenance: { source: 'bank-login', kind: 'stated', observedAt: NOW, party: 'first' },
      },
      {
        id: 'f_gov',
        path: 'kyc.passport',
        category: 'user.government_id.passport',
        value: 'X1234567',
        provenance: { source: 'kyc-vendor', kind: 'stated', observedAt: NOW, party: 'third' },
      },
    ],
  });
}

describe('sensitive categories come from @candor/core', () => {
  it('defaultSensitiveCategories is core’s list', () => {
    expect(defaultSensitiveCategories).toBe(sensitiveCategories);
    expect(defaultSensitiveCategories).toContain('user.financial.account_credentials');
    expect(defaultSensitiveCategories).toContain('user.government_id');
  });

  it.each(['short', 'standard', 'detailed'] as const)(
    'never shows or names account credentials or a government id (%s layer, every format)',
    (layer) => {
      for (const locale of ['en', 'de']) {
        const e = explainer.explain(withCredentials(), { consent: fakeGate(), layer, locale });
        expect(e.withheld).toEqual([
          { kind: 'fact', factId: 'f_cred', reason: 'sensitive_category' },
          { kind: 'fact', factId: 'f_gov', reason: 'sensitive_category' },
          { kind: 'reason', reasonId: 'r3', reason: 'evidence_withheld' },
        ]);
        for (const format of ['text', 'markdown', 'html', 'json'] as const) {
          const out = render(e, format);
          expect(out).not.toMatch(
            /hunter2|SECRET|X1234567|sign-in|passport|credential|government|login|kyc|bank-login/i,
          );
          // The card fact is still explained, so the check above is not vacuous.
          if (layer !== 'short') expect(out).toMatch(/card details|Kartendaten/);
        }
        if (layer !== 'short')
          expect(e.withheldText.join(' ')).toMatch(
            locale === 'en'
              ? /2 pieces of information are not shown because they belong to sensitive categories\./
              : /2 Angaben zeigen wir hier nicht, weil sie besonders geschützt sind\./,
          );
      }
    },
  );

  it('a policy may still name them explicitly', () => {
    const namer = createExplainer({ clock, policy: { nameSensitive: ['user.government_id'] } });
    const named = namer.explain(withCredentials(), { consent: fakeGate() });
    expect(named.withheld).toContainEqual({
      kind: 'fact',
      factId: 'f_cred',
      reason: 'sensitive_category',
    });
    expect(named.dataUsed.map((d) => d.factId)).toEqual(['f_exp', 'f_gov']);
    expect(named.withheldText).toContain(
      'One piece of information is not shown because it belongs to a sensitive category.',
    );
    expect(
      namer.explain(withCredentials(), { consent: fakeGate(), locale: 'de' }).withheldText,
    ).toContain('Eine Angabe zeigen wir hier nicht, weil sie besonders geschützt ist.');
  });
});
