import type { DecisionRecord, Fact } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clock, fakeGate, NOW } from '../test/fixtures';
import { createExplainer } from './explainer';
import { render } from './render';

const explainers = [
  createExplainer({ clock }),
  createExplainer({ clock, policy: { nameSensitive: ['user.health.named'] } }),
];

// Tokens of [a-z0-9] only, so no renderer escapes them and a plain substring check is exact.
const token = fc.stringMatching(/^[a-z0-9]{8}$/);
const kind = fc.constantFrom('stated', 'observed', 'inferred', 'derived' as const);
const place = fc.constantFrom('plain', 'health', 'named', 'location');

const scenario = fc
  .record({
    facts: fc.array(
      fc.record({ tok: token, kind, place, party: fc.constantFrom('first', 'third' as const) }),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    withdrawn: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    purposeAllowed: fc.boolean(),
    reasons: fc.array(
      fc.record({
        cites: fc.array(fc.nat(4), { minLength: 1, maxLength: 3 }),
        condition: fc.boolean(),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    layer: fc.constantFrom('short', 'standard', 'detailed' as const),
    locale: fc.constantFrom('en', 'de', 'en-XA', 'fr'),
    explainer: fc.nat(1),
  })
  .map((s) => {
    const evidence: Fact[] = s.facts.map((f, i) => {
      const category =
        f.place === 'health'
          ? `user.health.h${i}${f.tok}`
          : f.place === 'named'
            ? `user.health.named.n${i}${f.tok}`
            : f.place === 'location'
              ? `user.location.precise.l${i}${f.tok}`
              : `user.c${i}${f.tok}`;
      return {
        id: `f${i}`,
        path: `p${i}${f.tok}`,
        category,
        value: `v${i}${f.tok}`,
        provenance: { source: `s${i}${f.tok}`, kind: f.kind, observedAt: NOW - i, party: f.party },
      };
    });
    const record: DecisionRecord = {
      id: 'd1',
      subject: 'cus_1',
      at: NOW,
      source: { kind: 'rule', id: 'rule-1', version: 1 },
      action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
      purpose: 'service.proactive_support',
      dataCategories: evidence.map((f) => f.category),
      reasons: s.reasons.map((r, i) => {
        const cites = [...new Set(r.cites.map((c) => `f${c % evidence.length}`))];
        const first = evidence.find((f) => f.id === cites[0])!;
        return r.condition
          ? {
              id: `r${i}`,
              code: 'condition',
              text: 't',
              evidence: cites,
              params: { path: first.path, operator: 'equal', expected: 1 },
            }
          : { id: `r${i}`, code: 'signal', text: 't', evidence: cites };
      }),
      evidence,
      consent: [],
    };
    const withdrawn = evidence.filter((_, i) => s.withdrawn[i]).map((f) => f.category);
    return { ...s, record, withdrawnCategories: withdrawn };
  });

describe('property: withheld data never appears in any rendered format', () => {
  it('holds for random decisions, consent states, layers and locales', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const explainer = explainers[s.explainer]!;
        const gate = fakeGate({ withdrawn: s.withdrawnCategories, allowed: s.purposeAllowed });
        const explanation = explainer.explain(s.record, {
          consent: gate,
          layer: s.layer,
          locale: s.locale,
        });
        const outputs = (['text', 'markdown', 'html', 'json'] as const).map((f) =>
          render(explanation, f),
        );
        const withheld = new Set(
          explanation.withheld.flatMap((w) => (w.kind === 'fact' ? [w.factId] : [])),
        );
        s.record.evidence.forEach((fact, i) => {
          const tok = s.facts[i]!.tok;
          const hidden = withheld.has(fact.id);
          // Exactly the facts consent does not allow now, or that are sensitive and not named, are withheld.
          const consentOk = s.purposeAllowed && !s.withdrawn[i];
          const named = s.explainer === 1 && fact.category.startsWith('user.health.named');
          const sensitive =
            (fact.category.startsWith('user.health') && !named) ||
            fact.category.startsWith('user.location.precise');
          expect(hidden).toBe(!consentOk || sensitive);
          for (const out of outputs) {
            if (hidden) expect(out).not.toContain(tok);
          }
          if (!hidden) expect(outputs[3]).toContain(`v${i}${tok}`); // the check can fail: shown data is there
        });
        const shown = new Set(explanation.dataUsed.map((d) => d.factId));
        for (const reason of explanation.reasons)
          for (const clause of reason.clauses) {
            expect(clause.evidence.length).toBeGreaterThan(0);
            for (const id of clause.evidence) expect(shown).toContain(id);
          }
        for (const control of explanation.controls)
          if (control.kind === 'turn_off_data' || control.kind === 'correct_data')
            expect(
              s.record.evidence.some((f) => f.category === control.dataCategory && shown.has(f.id)),
            ).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
