/**
 * Condition operators as the catalogs name them. Reasons may use json-rules-engine's names
 * (`lessThan`, `doesNotContain`) or `@candor/rules`' short ones (`lt`, `notContains`,
 * `withinLast`); both render the same words. Every operator has a negation, used for reasons
 * with code `condition_not` (a condition under a `not` that failed) and for `exists: false`.
 *
 * @example
 * operatorKey('lt', false); // 'lessThan'
 * operatorKey('lt', true); // 'greaterThanInclusive'
 */
export const OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'startsWith',
  'notStartsWith',
  'between',
  'notBetween',
  'exists',
  'notExists',
  'matches',
  'notMatches',
  'within',
  'notWithin',
  'daysUntil',
  'notDaysUntil',
  'before',
  'notBefore',
  'after',
  'notAfter',
] as const;

/**
 * An operator key the catalogs phrase (`other` for an operator nobody phrased, and `value` for a
 * reason that only states a fact, such as a rule's trigger).
 *
 * @example
 * const op: OperatorKey = 'daysUntil';
 */
export type OperatorKey = (typeof OPERATORS)[number] | 'value' | 'other';

const ALIASES: Readonly<Record<string, OperatorKey>> = {
  eq: 'equal',
  neq: 'notEqual',
  lt: 'lessThan',
  lte: 'lessThanInclusive',
  gt: 'greaterThan',
  gte: 'greaterThanInclusive',
  notContains: 'doesNotContain',
  withinLast: 'within',
  notWithinLast: 'notWithin',
};

const NEGATION: Readonly<Record<string, OperatorKey>> = {
  equal: 'notEqual',
  notEqual: 'equal',
  lessThan: 'greaterThanInclusive',
  lessThanInclusive: 'greaterThan',
  greaterThan: 'lessThanInclusive',
  greaterThanInclusive: 'lessThan',
  in: 'notIn',
  notIn: 'in',
  contains: 'doesNotContain',
  doesNotContain: 'contains',
  startsWith: 'notStartsWith',
  notStartsWith: 'startsWith',
  between: 'notBetween',
  notBetween: 'between',
  exists: 'notExists',
  notExists: 'exists',
  matches: 'notMatches',
  notMatches: 'matches',
  within: 'notWithin',
  notWithin: 'within',
  daysUntil: 'notDaysUntil',
  notDaysUntil: 'daysUntil',
  before: 'notBefore',
  notBefore: 'before',
  after: 'notAfter',
  notAfter: 'after',
};

const KNOWN = /* @__PURE__ */ new Set<string>(OPERATORS);

/**
 * The catalog key for an operator as a reason names it, negated when the reason says the
 * condition did *not* hold (`condition_not`) or asks for absence (`exists` with `false`).
 *
 * @example
 * operatorKey('neq', false); // 'notEqual'
 */
export function operatorKey(op: unknown, negated: boolean, expected?: unknown): OperatorKey {
  if (typeof op !== 'string' || op === '') return 'value';
  let key: OperatorKey = Object.hasOwn(ALIASES, op)
    ? ALIASES[op]!
    : KNOWN.has(op)
      ? (op as OperatorKey)
      : 'other';
  if (key === 'exists' && expected === false) key = 'notExists';
  if (negated && key !== 'other') key = NEGATION[key] ?? key;
  return key;
}

/** Operators whose `expected` is a list of alternatives ("high or severe"). */
export const SET_OPERATORS: ReadonlySet<OperatorKey> = /* @__PURE__ */ new Set(['in', 'notIn']);
/** Operators whose `expected` is `[from, to]`. */
export const RANGE_OPERATORS: ReadonlySet<OperatorKey> = /* @__PURE__ */ new Set([
  'between',
  'notBetween',
  'daysUntil',
  'notDaysUntil',
]);
/** Operators whose `expected` is a duration (`90d`). */
export const WINDOW_OPERATORS: ReadonlySet<OperatorKey> = /* @__PURE__ */ new Set([
  'within',
  'notWithin',
]);
/** Operators whose `expected` is rule syntax (a pattern) or nothing: never shown. */
export const HIDDEN_EXPECTED: ReadonlySet<OperatorKey> = /* @__PURE__ */ new Set([
  'matches',
  'notMatches',
  'exists',
  'notExists',
  'value',
]);

/**
 * Upper-cases the first letter when the text starts with one (after opening quotes or brackets),
 * so a label written for the middle of a sentence can start one: "your card" → "Your card".
 *
 * @example
 * sentenceStart('das Ablaufdatum'); // 'Das Ablaufdatum'
 */
export function sentenceStart(text: string): string {
  const first = text.charCodeAt(0);
  // The common cases without a regular expression: a lower-case ASCII letter, or any other ASCII.
  if (first >= 97 && first <= 122) return String.fromCharCode(first - 32) + text.slice(1);
  if (first < 128 || Number.isNaN(first)) return text;
  const match = START.exec(text);
  if (match === null) return text;
  const at = match[1]!.length;
  return text.slice(0, at) + match[2]!.toUpperCase() + text.slice(at + match[2]!.length);
}

const START = /^([\p{Ps}\p{Pi}"'⟦]*)(\p{Ll})/u;
