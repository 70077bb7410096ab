import type { JsonValue } from '@candor/core';
import { requireObject, requireString } from './errors';
import type {
  Condition,
  Duration,
  FactCondition,
  FactRefValue,
  Rule,
  WindowCondition,
  WindowSpec,
} from './types';

function checkConditions(conditions: readonly Condition[]): void {
  for (let i = 0; i < conditions.length; i++) requireObject(conditions[i], `conditions[${i}]`);
}

/**
 * Returns `rule` unchanged, typed: the TypeScript way to write a rule. The result is plain JSON,
 * identical to what a rules file holds.
 *
 * @example
 * export const suspiciousCharge = defineRule({ id: 'suspicious-charge', version: 1, ... });
 */
export function defineRule<const R extends Rule>(rule: R): R {
  requireObject(rule, 'rule');
  return rule;
}

/**
 * All of the conditions hold.
 *
 * @example
 * all(fact('txn.amount').gt(500), fact('txn.country').neq({ fact: 'account.country' }));
 */
export function all(...conditions: Condition[]): Condition {
  checkConditions(conditions);
  return { all: conditions };
}

/**
 * At least one of the conditions holds.
 *
 * @example
 * any(fact('flight.stormRisk').gte(0.7), fact('flight.delayMinutes').gt(90));
 */
export function any(...conditions: Condition[]): Condition {
  checkConditions(conditions);
  return { any: conditions };
}

/**
 * The condition does not hold (missing data stays `insufficient_data`).
 *
 * @example
 * not(fact('card.hasBackup').eq(true));
 */
export function not(condition: Condition): Condition {
  requireObject(condition, 'condition');
  return { not: condition };
}

/**
 * The right-hand side `{ fact }`: compare with another fact instead of a constant.
 *
 * @example
 * fact('txn.country').neq(ref('account.country'));
 */
export function ref(path: string): FactRefValue {
  requireString(path, 'path');
  return { fact: path };
}

type Scalar = string | number | boolean | null;
type Operand = JsonValue | FactRefValue;

/**
 * Tests on one fact, each returning a plain JSON condition.
 *
 * @example
 * const expiry = fact('card.expiresAt');
 * expiry.daysUntil(0, 7); // { fact: 'card.expiresAt', op: 'daysUntil', value: [0, 7] }
 */
export interface FactTests {
  eq(value: Operand): FactCondition;
  neq(value: Operand): FactCondition;
  gt(value: number | string | FactRefValue): FactCondition;
  gte(value: number | string | FactRefValue): FactCondition;
  lt(value: number | string | FactRefValue): FactCondition;
  lte(value: number | string | FactRefValue): FactCondition;
  in(values: readonly Scalar[]): FactCondition;
  notIn(values: readonly Scalar[]): FactCondition;
  contains(value: Scalar | FactRefValue): FactCondition;
  notContains(value: Scalar | FactRefValue): FactCondition;
  startsWith(prefix: string | FactRefValue): FactCondition;
  between(min: number, max: number): FactCondition;
  exists(present?: boolean): FactCondition;
  matches(pattern: string, flags?: string): FactCondition;
  withinLast(duration: Duration): FactCondition;
  daysUntil(min: number, max: number): FactCondition;
  before(instant: number | string | FactRefValue): FactCondition;
  after(instant: number | string | FactRefValue): FactCondition;
}

/**
 * Starts a test on the fact at `path` (dot path into the event's facts).
 *
 * @example
 * fact('return.reason').eq('size');
 */
export function fact(path: string): FactTests {
  requireString(path, 'path');
  const c = (op: FactCondition['op'], value: Operand): FactCondition => ({ fact: path, op, value });
  return {
    eq: (v) => c('eq', v),
    neq: (v) => c('neq', v),
    gt: (v) => c('gt', v),
    gte: (v) => c('gte', v),
    lt: (v) => c('lt', v),
    lte: (v) => c('lte', v),
    in: (v) => c('in', [...v]),
    notIn: (v) => c('notIn', [...v]),
    contains: (v) => c('contains', v),
    notContains: (v) => c('notContains', v),
    startsWith: (v) => c('startsWith', v),
    between: (min, max) => c('between', [min, max]),
    exists: (present = true) => c('exists', present),
    matches: (pattern, flags) =>
      flags === undefined
        ? { fact: path, op: 'matches', value: pattern }
        : { fact: path, op: 'matches', value: pattern, flags },
    withinLast: (d) => c('withinLast', d),
    daysUntil: (min, max) => c('daysUntil', [min, max]),
    before: (v) => c('before', v),
    after: (v) => c('after', v),
  };
}

/**
 * Tests on an aggregate of the subject's past events.
 *
 * @example
 * count('order.returned', '30d', 'user.behavior.returns', { 'return.reason': 'size' }).gte(2);
 */
export interface WindowTests {
  eq(value: number): WindowCondition;
  neq(value: number): WindowCondition;
  gt(value: number): WindowCondition;
  gte(value: number): WindowCondition;
  lt(value: number): WindowCondition;
  lte(value: number): WindowCondition;
  between(min: number, max: number): WindowCondition;
}

function windowTests(window: WindowSpec, category: string): WindowTests {
  const c = (
    op: WindowCondition['op'],
    value: number | readonly [number, number],
  ): WindowCondition => ({
    window,
    category,
    op,
    value,
  });
  return {
    eq: (v) => c('eq', v),
    neq: (v) => c('neq', v),
    gt: (v) => c('gt', v),
    gte: (v) => c('gte', v),
    lt: (v) => c('lt', v),
    lte: (v) => c('lte', v),
    between: (min, max) => c('between', [min, max]),
  };
}

/**
 * Counts the subject's `event`s within `within` (optionally only those whose fields equal `where`).
 *
 * @example
 * count('order.returned', '30d', 'user.behavior.returns').gte(2);
 */
export function count(
  event: string,
  within: Duration,
  category: string,
  where?: Readonly<Record<string, Scalar>>,
): WindowTests {
  requireString(event, 'event');
  requireString(category, 'category');
  return windowTests(
    where === undefined ? { event, within, agg: 'count' } : { event, within, agg: 'count', where },
    category,
  );
}

/**
 * Sums a numeric `field` of the subject's `event`s within `within`.
 *
 * @example
 * sum('txn.created', 'txn.amount', '1h', 'user.financial.transactions').gt(2000);
 */
export function sum(
  event: string,
  field: string,
  within: Duration,
  category: string,
  where?: Readonly<Record<string, Scalar>>,
): WindowTests {
  requireString(event, 'event');
  requireString(field, 'field');
  requireString(category, 'category');
  return windowTests(
    where === undefined
      ? { event, within, agg: 'sum', field }
      : { event, within, agg: 'sum', field, where },
    category,
  );
}
