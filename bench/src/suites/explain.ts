import type { ConsentGate, DecisionRecord } from '@candor/core';
import { createExplainer, en, renderText } from '@candor/explain';
import { IntlMessageFormat } from 'intl-messageformat';
import type { Suite } from '../harness.ts';

const t = Date.UTC(2026, 5, 1);
const day = 86_400_000;
const record: DecisionRecord = {
  id: 'd-bench',
  subject: 'cus_bench',
  at: t,
  source: { kind: 'rule', id: 'card-expiry', version: 3 },
  action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card', 'user.behavior.purchase_history'],
  reasons: [
    {
      id: 'r1',
      code: 'condition',
      text: 'card.expiresAt before 2026-07-01',
      evidence: ['f1'],
      params: {
        path: 'card.expiresAt',
        operator: 'before',
        expected: '2026-07-01',
        actual: '2026-06-30',
      },
    },
    {
      id: 'r2',
      code: 'condition',
      text: 'orders.count greater than 3',
      evidence: ['f2'],
      params: { path: 'orders.count', operator: 'greaterThan', expected: 3, actual: 12 },
    },
  ],
  evidence: [
    {
      id: 'f1',
      path: 'card.expiresAt',
      category: 'user.financial.card',
      value: '2026-06-30',
      provenance: { source: 'billing', kind: 'stated', observedAt: t - day, party: 'first' },
    },
    {
      id: 'f2',
      path: 'orders.count',
      category: 'user.behavior.purchase_history',
      value: 12,
      provenance: { source: 'shop', kind: 'observed', observedAt: t - 2 * day, party: 'first' },
    },
  ],
  consent: [],
};
const verdict = {
  allowed: true,
  purpose: 'service.proactive_support',
  status: 'granted',
  basis: 'consent',
  reasons: [],
  recordIds: [],
  noticeVersion: '1',
  expiresAt: null,
} as const;
const consent: ConsentGate = { decide: () => verdict };
const explainer = createExplainer({
  clock: { now: () => t },
  messages: { en: { labels: { topics: { 'billing.card_expiry': 'your card expiring' } } } },
});

// The same ICU messages, with the same values, that the standard English layer formats.
const card = 'your card details';
const history = 'your purchase history';
const purpose = 'proactive service messages';
const calls: Array<[string, Record<string, string | number>]> = [
  ['heading.title', {}],
  ['heading.reasons', {}],
  ['heading.data', {}],
  ['heading.purpose', {}],
  ['heading.controls', {}],
  ['heading.withheld', {}],
  [
    'summary',
    {
      channel: 'email',
      topic: 'your card expiring',
      dataList: `${card} and ${history}`,
      shownCount: 2,
      purpose,
    },
  ],
  [
    'clause.condition',
    {
      data: card,
      actual: 'June 30, 2026',
      expected: 'July 1, 2026',
      operator: 'before',
      value: 'June 30, 2026',
      count: 1,
    },
  ],
  [
    'clause.condition',
    { data: history, actual: '12', expected: '3', operator: 'greaterThan', value: '12', count: 1 },
  ],
  [
    'counterfactual.condition',
    { data: card, operator: 'before', expected: 'July 1, 2026', channel: 'email' },
  ],
  [
    'data.line',
    { data: card, value: 'June 30, 2026', kind: 'stated', party: 'first', source: 'billing' },
  ],
  ['data.line', { data: history, value: '12', kind: 'observed', party: 'first', source: 'shop' }],
  ['data.change', {}],
  ['purpose.line', { purpose, basis: 'consent', allowedNow: 'yes' }],
  ['control.turnOffData', { data: card, purpose, mechanism: 'withdraw' }],
  ['control.turnOffData', { data: history, purpose, mechanism: 'withdraw' }],
  ['control.correct', { data: card }],
  ['control.correct', { data: history }],
  ['control.stopPurpose', { purpose, mechanism: 'withdraw' }],
  ['control.muteTopic', { topic: 'your card expiring' }],
  ['control.fewer', {}],
  ['control.manage', {}],
];
const compiled = new Map(
  [...new Set(calls.map(([id]) => id))].map((id) => [
    id,
    new IntlMessageFormat(en.messages[id]!, 'en', undefined, { ignoreTag: true }),
  ]),
);
const baseline = () => calls.map(([id, values]) => compiled.get(id)!.format(values)).join('\n');

const explained = renderText(
  explainer.explain(record, { consent, layer: 'standard', locale: 'en' }),
);
if (!explained.includes('Our systems checked your purchase history (12): it is more than 3.'))
  throw new Error(`explain bench: unexpected output\n${explained}`);

const candor = () =>
  renderText(explainer.explain(record, { consent, layer: 'standard', locale: 'en' }));

// Both contenders are measured warm (JIT-compiled, caches filled): warm them together once.
let warmed = false;
const warm = () => {
  if (warmed) return;
  warmed = true;
  for (let i = 0; i < 5_000; i++) {
    candor();
    baseline();
  }
};

/** Explanation render (standard layer, English) against intl-messageformat formatting the same messages. */
export const explainSuites: Suite[] = [
  {
    kind: 'throughput',
    name: 'explain: standard layer, en, explain + renderText',
    cases: [
      {
        name: '@candor/explain',
        fn: () => {
          warm();
          return candor();
        },
      },
      {
        name: 'intl-messageformat (pre-compiled, same messages)',
        fn: () => {
          warm();
          return baseline();
        },
      },
    ],
    // ≤ 3× the cost of the baseline = ≥ 1/3 of its throughput.
    targets: [
      {
        case: '@candor/explain',
        baseline: 'intl-messageformat (pre-compiled, same messages)',
        atLeast: 1 / 3,
      },
    ],
  },
];
