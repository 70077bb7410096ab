import type { Operator } from './types';

/** Every leaf operator a rule may use, in one list the compiler and the JSON schema share. */
export const operators = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
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
] as const satisfies readonly Operator[];
