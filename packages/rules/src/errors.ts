import { CandorError } from '@candor/core';

/**
 * The codes `@candor/rules` throws. Every one carries `details.path` (a JSON path such as
 * `rules[3].conditions.all[1].op`) and, for rule problems, `details.ruleId`.
 *
 * @example
 * if (isCandorError(e, 'rules/unsafe_regex')) console.log(e.details.ruleId, e.details.path);
 */
export type RulesErrorCode =
  | 'rules/invalid_rule'
  | 'rules/unknown_operator'
  | 'rules/unsafe_regex'
  | 'rules/unsafe_path'
  | 'rules/too_large'
  | 'rules/too_deep'
  | 'rules/cycle'
  | 'rules/duplicate_rule'
  | 'rules/invalid_event'
  | 'rules/invalid_state'
  | 'rules/unknown_rule'
  | 'rules/unsupported'
  | 'rules/unknown_change'
  | 'rules/undo_expired'
  | 'rules/already_undone'
  | 'rules/undo_in_progress'
  | 'rules/undo_unrecorded';

/** @internal Builds a rules error naming the rule and the JSON path. */
export function rulesError(
  code: RulesErrorCode,
  message: string,
  ruleId: string | undefined,
  path: string,
  value?: unknown,
): CandorError<RulesErrorCode> {
  const who = ruleId === undefined ? '' : `rule "${ruleId}": `;
  return new CandorError(code, `${who}${path}: ${message}`, {
    path,
    value,
    ...(ruleId === undefined ? {} : { ruleId }),
  });
}

/** @internal Throws `code` at `path` unless `value` is a non-null object (an entry guard). */
export function requireObject(
  value: unknown,
  path: string,
  code: RulesErrorCode = 'rules/invalid_rule',
): void {
  if (typeof value !== 'object' || value === null)
    throw rulesError(code, `${path} must be an object`, undefined, path, value);
}

/** @internal Throws `rules/invalid_rule` at `path` unless `value` is an array. */
export function requireArray(value: unknown, path: string): void {
  if (!Array.isArray(value))
    throw rulesError('rules/invalid_rule', `${path} must be an array`, undefined, path, value);
}

/** @internal Throws `rules/invalid_rule` at `path` unless `value` is a string. */
export function requireString(value: unknown, path: string): void {
  if (typeof value !== 'string')
    throw rulesError('rules/invalid_rule', `${path} must be a string`, undefined, path, value);
}

/** @internal Throws `rules/invalid_rule` at `path` unless `value` is a number (not NaN). */
export function requireNumber(value: unknown, path: string): void {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw rulesError('rules/invalid_rule', `${path} must be a number`, undefined, path, value);
}
