/**
 * How a placeholder may be used in a message: `text` (a plain `{x}` or a `select`) or `number`
 * (plain, `number` or `plural`).
 *
 * @example
 * const t: PlaceholderType = 'number';
 */
export type PlaceholderType = 'text' | 'number';

const clausePlaceholders = {
  data: 'text',
  actual: 'text',
  expected: 'text',
  operator: 'text',
  value: 'text',
  count: 'number',
  statement: 'text',
} as const;

/** What a condition's sentence is made of (see `condition`). */
const conditionPlaceholders = {
  subject: 'text',
  value: 'text',
  valueKind: 'text',
  operator: 'text',
  compare: 'text',
  expected: 'text',
  from: 'text',
  to: 'text',
  days: 'number',
} as const;

/** The opening sentence, shared by `short` and `summary`. */
const summaryPlaceholders = {
  channel: 'text',
  topic: 'text',
  dataList: 'text',
  shownCount: 'number',
  purpose: 'text',
  reason: 'text',
  reasonAtStart: 'text',
  reasons: 'number',
} as const;

/**
 * Every message the explainer formats and the placeholders it supplies to each. A catalog must
 * define all of them; a message may use only the placeholders listed here. Teams may add
 * `clause.<reason code>` messages for their own reason codes (placeholders: `data`, `actual`,
 * `expected`, `operator`, `value`, `count`, `statement`).
 *
 * `condition` is the heart of it: one clause (no capital, no full stop) saying what a fact is
 * and how it compares, per operator (`equal`, `lessThan`, `in`, `between`, `within`,
 * `daysUntil`, `before`, … and each one's negation); `subject` is the
 * fact's label, `compare` is `value` (a constant), `fact` (another fact: `expected` then names
 * it and its value) or `hidden` (another fact that may not be shown). `short` and `summary` put
 * the first reason's clause into one sentence; `counterfactual.condition` states its opposite.
 *
 * @example
 * Object.keys(messageSpec).includes('summary'); // true
 */
export const messageSpec = /* @__PURE__ */ (() =>
  // Built in a pure function: its object spreads would otherwise keep the whole table in every
  // bundle that imports anything from this package.
  ({
    'heading.title': {},
    'heading.reasons': {},
    'heading.data': {},
    'heading.purpose': {},
    'heading.controls': {},
    'heading.withheld': {},
    short: summaryPlaceholders,
    summary: summaryPlaceholders,
    'summary.contextual': { ...summaryPlaceholders, layer: 'text' },
    condition: conditionPlaceholders,
    'condition.absence': { event: 'text', within: 'text', subject: 'text', value: 'text' },
    'counterfactual.absence': { event: 'text', within: 'text', subject: 'text', channel: 'text' },
    'clause.condition': clausePlaceholders,
    'clause.generic': clausePlaceholders,
    'counterfactual.condition': { ...conditionPlaceholders, data: 'text', channel: 'text' },
    'counterfactual.generic': { dataList: 'text', shownCount: 'number', channel: 'text' },
    'data.line': { data: 'text', kind: 'text', party: 'text', source: 'text', value: 'text' },
    'data.observed': { observedAt: 'text', stale: 'text', source: 'text', party: 'text' },
    'data.stale': {},
    'data.change': {},
    'data.withValue': { data: 'text', value: 'text' },
    'purpose.line': { purpose: 'text', basis: 'text', allowedNow: 'text' },
    'purpose.contextual': { purpose: 'text' },
    'purpose.exchange': { dataList: 'text', benefit: 'text' },
    'decision.source': {
      kind: 'text',
      id: 'text',
      name: 'text',
      version: 'text',
      decidedAt: 'text',
    },
    'decision.notice': { notice: 'text' },
    'fact.fallback': { data: 'text' },
    'fact.window': { agg: 'text', data: 'text', within: 'text' },
    'value.otherFact': { data: 'text', value: 'text' },
    // The rest of a list cut short ("… or 2 others").
    'value.others': { count: 'number' },
    'control.turnOffData': { data: 'text', purpose: 'text', mechanism: 'text' },
    'control.stopPurpose': { purpose: 'text', mechanism: 'text' },
    'control.muteTopic': { topic: 'text' },
    'control.fewer': {},
    'control.correct': { data: 'text' },
    'control.manage': {},
    'control.chooseChannel': { topic: 'text' },
    'control.criticalNote': {},
    'control.undoChange': { until: 'text' },
    'change.fallback': { name: 'text' },
    'change.line': {
      change: 'text',
      permission: 'text',
      at: 'text',
      until: 'text',
      status: 'text',
      undoneAt: 'text',
    },
    'withheld.consent': { count: 'number' },
    'withheld.sensitive': { count: 'number' },
    'withheld.reasons': { count: 'number' },
    'value.boolean': { value: 'text' },
    // `kind`: what is named (`topics`, `purposes`, `categories`, `sources`, …), so a locale whose
    // sentences quote a kind themselves (German topics: „…“) leaves that kind's fallback bare.
    'label.fallback': { name: 'text', kind: 'text' },
    'dsa.title': {},
    'dsa.intro': { count: 'number', system: 'text' },
    'dsa.parameter': {
      rank: 'number',
      label: 'text',
      purpose: 'text',
      dataList: 'text',
      dataCount: 'number',
      share: 'number',
      importance: 'text',
    },
    'dsa.controls': {},
    'access.title': {},
    'access.intro': {},
    'access.empty': {},
    'access.line': {
      date: 'text',
      who: 'text',
      dataList: 'text',
      purpose: 'text',
      times: 'number',
      outcome: 'text',
      sent: 'number',
    },
    'brief.title': {},
    'brief.intro': {},
    'brief.empty': {},
    'brief.heading': { section: 'text' },
    'brief.open': {
      kind: 'text',
      summary: 'text',
      date: 'text',
      how: 'text',
      hasAbout: 'text',
      about: 'text',
    },
    'brief.resolved': {
      summary: 'text',
      date: 'text',
      how: 'text',
      hasAbout: 'text',
      about: 'text',
      sameDay: 'text',
      resolvedAt: 'text',
      hasResolution: 'text',
      resolution: 'text',
    },
    'brief.reason': { summary: 'text', date: 'text', how: 'text', hasAbout: 'text', about: 'text' },
    'brief.preference': {
      summary: 'text',
      date: 'text',
      how: 'text',
      hasAbout: 'text',
      about: 'text',
    },
    'brief.note': { summary: 'text', date: 'text', how: 'text', hasAbout: 'text', about: 'text' },
    'brief.source': { source: 'text' },
    'brief.clarify': { first: 'text', firstDate: 'text', second: 'text', secondDate: 'text' },
    'brief.withheld': { count: 'number' },
  }) as const satisfies Record<string, Readonly<Record<string, PlaceholderType>>>)();

/**
 * The id of a message the explainer formats.
 *
 * @example
 * const id: MessageId = 'summary';
 */
export type MessageId = keyof typeof messageSpec;

/**
 * Placeholders a `clause.<code>` message may use.
 *
 * @example
 * Object.keys(customClausePlaceholders); // ['data', 'actual', 'expected', 'operator', 'value', 'count', 'statement']
 */
export const customClausePlaceholders: Readonly<Record<string, PlaceholderType>> =
  clausePlaceholders;

/**
 * Message ids in a stable order.
 *
 * @example
 * messageIds.includes('summary'); // true
 */
export const messageIds = /* @__PURE__ */ Object.keys(messageSpec) as MessageId[];
