import type { ConsentGate, DecisionRecord } from '@candor/core';
import { createExplainer, en, readability, renderText } from '@candor/explain';
import { IntlMessageFormat } from 'intl-messageformat';
import {
  proseOf,
  stories,
  storyClock,
  storyConsent,
  storyFacts,
  storyMessages,
} from '../../../packages/explain/test/stories.ts';
import type { Metric, Suite } from '../harness.ts';

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
  facts: {
    'card.expiresAt': { label: { en: 'your card’s expiry date' }, format: 'date' },
    'orders.count': { label: { en: 'the number of your orders' }, format: 'number' },
  },
  messages: { en: { labels: { topics: { 'billing.card_expiry': 'your card expiring' } } } },
});

// The same ICU messages, with the same values, that the standard English layer formats.
const card = 'your card details';
const history = 'your purchase history';
const expiry = 'your card’s expiry date';
const orders = 'the number of your orders';
const purpose = 'proactive service messages';
const first = {
  subject: expiry,
  value: 'June 30, 2026',
  valueKind: 'date',
  operator: 'before',
  compare: 'value',
  expected: 'July 1, 2026',
  from: '',
  to: '',
  days: 0,
};
const second = {
  subject: orders,
  value: '12',
  valueKind: 'other',
  operator: 'greaterThan',
  compare: 'value',
  expected: '3',
  from: '',
  to: '',
  days: 0,
};
const statement = 'your card’s expiry date is June 30, 2026, before July 1, 2026';
const calls: Array<[string, Record<string, string | number>]> = [
  ['heading.title', {}],
  ['heading.reasons', {}],
  ['heading.data', {}],
  ['heading.purpose', {}],
  ['heading.controls', {}],
  ['heading.withheld', {}],
  ['condition', first],
  ['condition', second],
  [
    'clause.condition',
    {
      data: expiry,
      actual: 'June 30, 2026',
      expected: 'July 1, 2026',
      operator: 'before',
      value: 'June 30, 2026',
      count: 1,
      statement,
    },
  ],
  [
    'clause.condition',
    {
      data: orders,
      actual: '12',
      expected: '3',
      operator: 'greaterThan',
      value: '12',
      count: 1,
      statement: 'the number of your orders is 12, more than 3',
    },
  ],
  ['counterfactual.condition', { ...first, data: expiry, channel: 'email' }],
  [
    'summary',
    {
      channel: 'email',
      topic: 'your card expiring',
      dataList: `${card} and ${history}`,
      shownCount: 2,
      purpose,
      reason: statement,
      reasonAtStart: statement,
      reasons: 2,
    },
  ],
  [
    'data.line',
    { data: expiry, value: 'June 30, 2026', kind: 'stated', party: 'first', source: 'billing' },
  ],
  ['data.line', { data: orders, value: '12', kind: 'observed', party: 'first', source: 'shop' }],
  ['data.change', {}],
  ['purpose.line', { purpose, basis: 'consent', allowedNow: 'yes' }],
  ['control.turnOffData', { data: card, purpose, mechanism: 'withdraw' }],
  ['control.turnOffData', { data: history, purpose, mechanism: 'withdraw' }],
  ['control.correct', { data: expiry }],
  ['control.correct', { data: orders }],
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
if (
  !explained.includes(
    'You got this email about your card expiring partly because your card’s expiry date is June 30, 2026, before July 1, 2026.',
  )
)
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

/** The standard layer of each demo story, scored as customers read it (headings and buttons aside). */
function readabilityMetrics(): Metric[] {
  const storyExplainer = createExplainer({
    clock: storyClock,
    facts: storyFacts,
    messages: storyMessages,
    policy: { manageUrl: '/privacy' },
  });
  const metrics: Metric[] = [];
  for (const [id, record] of Object.entries(stories))
    for (const locale of ['en', 'de'] as const) {
      const e = storyExplainer.explain(record, {
        consent: storyConsent,
        layer: 'standard',
        locale,
      });
      const { score } = readability(proseOf(e), locale);
      metrics.push(
        locale === 'en'
          ? { name: `${id}, en`, value: score, unit: 'Flesch', target: { atLeast: 60 } }
          : { name: `${id}, de`, value: score, unit: 'WSTF', target: { atMost: 9 } },
      );
    }
  return metrics;
}

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
  {
    kind: 'metrics',
    name: 'explain: readability of the standard layer, demo stories',
    measure: readabilityMetrics,
  },
];
