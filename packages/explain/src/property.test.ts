import type { DecisionRecord, Fact } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clock, fakeGate, NOW } from '../test/fixtures';
import { machineWords, visibleText } from '../test/machine-words';
import { createExplainer } from './explainer';
import type { FactRegistry } from './facts';
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

// Generated decisions shaped like @candor/rules proposals: dotted and camelCase paths, snake_case
// sources, kebab-case rule ids, every operator (short and long names, negated), comparisons with
// other facts, windows. Whatever they hold, customers read no machine words.
const word = fc.stringMatching(/^[a-z]{3,8}$/).map((w) => `w${w}`);
const opName = fc.constantFrom(
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'notIn',
  'contains',
  'notContains',
  'startsWith',
  'between',
  'exists',
  'matches',
  'withinLast',
  'daysUntil',
  'before',
  'after',
  'equal',
  'lessThanInclusive',
  'greaterThan',
  'doesNotContain',
  'someFutureOp',
);
const factValue = fc.oneof(
  word,
  fc.integer({ min: 0, max: 10_000 }),
  fc.boolean(),
  fc.integer({ min: -400, max: 400 }).map((d) => new Date(NOW + d * 86_400_000).toISOString()),
  fc.array(word, { minLength: 1, maxLength: 3 }),
);
const generated = fc
  .record({
    segments: fc.array(fc.tuple(word, word), { minLength: 2, maxLength: 4 }),
    values: fc.array(factValue, { minLength: 4, maxLength: 4 }),
    reasons: fc.array(
      fc.record({
        op: opName,
        negated: fc.boolean(),
        trigger: fc.boolean(),
        against: fc.oneof(
          factValue,
          fc.constant('ref' as const),
          fc.tuple(fc.nat(100), fc.nat(100)),
          fc.constantFrom('30d', '2h', '90m'),
        ),
        cites: fc.nat(3),
        window: fc.boolean(),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    described: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    format: fc.constantFrom('text', 'number', 'money', 'date', 'duration', 'country', 'boolean'),
    withdrawn: fc.boolean(),
    critical: fc.boolean(),
    layer: fc.constantFrom('short', 'standard', 'detailed' as const),
    locale: fc.constantFrom('en', 'de'),
  })
  .map((s) => {
    const paths = s.values.map((_, i) => {
      const [a, b] = s.segments[i % s.segments.length]!;
      return `${a}.${b}Value${i}`;
    });
    const evidence: Fact[] = s.values.map((value, i) => ({
      id: `f${i}`,
      path: s.reasons[i]?.window ? `count(${paths[i]}, 90d)` : paths[i]!,
      category: `user.${s.segments[0]![0]}_data.${s.segments[i % s.segments.length]![1]}Items`,
      value,
      provenance: {
        source: `src_${s.segments[0]![1]}`,
        kind: i === 3 ? 'derived' : 'observed',
        observedAt: NOW - i,
        party: i === 2 ? 'third' : 'first',
      },
    }));
    const record: DecisionRecord = {
      id: 'd1',
      subject: 'cus_1',
      at: NOW,
      source: { kind: 'rule', id: `rule-${s.segments[0]![0]}-alert`, version: 2 },
      action: {
        type: 'notify',
        channel: 'push_channel',
        topic: `topic.${s.segments[0]![1]}Alerts`,
        ...(s.critical ? { critical: true } : {}),
      },
      purpose: `service.${s.segments[0]![0]}_help`,
      dataCategories: evidence.map((f) => f.category),
      reasons: s.reasons.map((r, i) => {
        const primary = evidence[r.cites]!;
        const other = evidence[(r.cites + 1) % evidence.length]!;
        return {
          id: `r${i}`,
          code: r.trigger ? 'trigger' : r.negated ? 'condition_not' : 'condition',
          text: `${primary.path} ${r.op} ${JSON.stringify(r.against)}`,
          evidence: r.against === 'ref' ? [primary.id, other.id] : [primary.id],
          params: {
            fact: primary.path,
            op: r.op,
            expected: r.against === 'ref' ? { fact: other.path } : r.against,
            actual: primary.value,
          },
        };
      }),
      evidence,
      consent: [],
    };
    const facts = Object.fromEntries(
      evidence
        .filter((_, i) => s.described[i])
        .map((f) => [
          f.path,
          {
            label: { en: `the ${s.segments[0]![0]} level`, de: `die Stufe ${s.segments[0]![0]}` },
            format: s.format,
            ...(s.format === 'money' ? { currency: 'EUR' } : {}),
          },
        ]),
    );
    const ids = [
      record.source.id,
      record.purpose,
      record.action.topic,
      record.action.channel,
      ...evidence.flatMap((f) => [f.path, f.category, f.provenance.source]),
    ];
    return { ...s, record, facts, ids };
  });

describe('property: no machine words in any customer-facing rendering', () => {
  it('holds for generated rule proposals, in every layer, locale and text format', () => {
    fc.assert(
      fc.property(generated, (s) => {
        const explainer = createExplainer({ clock, facts: s.facts as FactRegistry });
        const gate = fakeGate({ withdrawn: s.withdrawn ? [s.record.evidence[1]!.category] : [] });
        const e = explainer.explain(s.record, { consent: gate, layer: s.layer, locale: s.locale });
        for (const format of ['text', 'markdown', 'html'] as const) {
          const text = visibleText(render(e, format), format);
          expect(machineWords(text, s.ids), text).toEqual([]);
        }
      }),
      { numRuns: 120 },
    );
  });
});
