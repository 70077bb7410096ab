import { rulesError } from '../errors';
import { pathProblem } from '../safety';
import { parseDuration } from '../time';

export const EVENT_TYPE = /^(?:\*|[A-Za-z0-9][A-Za-z0-9_.:-]{0,199})$/;

/** Throws `rules/invalid_rule` naming the first key of `object` that `allowed` does not list. */
export function rejectUnknownKeys(
  object: Record<string, unknown>,
  allowed: readonly string[] | ReadonlySet<string>,
  ruleId: string,
  at: string,
): void {
  const list = Array.isArray(allowed) ? (allowed as readonly string[]) : null;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    if (list !== null ? !list.includes(key) : !(allowed as ReadonlySet<string>).has(key))
      throw rulesError(
        'rules/invalid_rule',
        `unknown key "${key}"`,
        ruleId,
        `${at}.${key}`,
        object[key],
      );
  }
}

export function failRule(
  id: string,
  at: string,
  where: string,
  why: string,
  value?: unknown,
): never {
  throw rulesError('rules/invalid_rule', why, id, `${at}.${where}`, value);
}

export function checkDuration(
  value: unknown,
  ruleId: string,
  at: string,
  allowNegative = false,
): number {
  const ms = parseDuration(value);
  if (ms === undefined || (allowNegative ? false : ms <= 0))
    throw rulesError(
      'rules/invalid_rule',
      `must be a ${allowNegative ? '' : 'positive '}duration such as "7d" or milliseconds`,
      ruleId,
      at,
      value,
    );
  return ms;
}

export function checkEventTypes(
  value: unknown,
  ruleId: string,
  at: string,
  wildcard: boolean,
): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 64)
    throw rulesError('rules/invalid_rule', 'must list 1 to 64 event types', ruleId, at, value);
  for (let k = 0; k < value.length; k++) {
    const t: unknown = value[k];
    if (typeof t !== 'string' || !EVENT_TYPE.test(t) || (!wildcard && t === '*'))
      throw rulesError(
        'rules/invalid_rule',
        'must be an event type such as "card.updated"',
        ruleId,
        `${at}[${k}]`,
        t,
      );
  }
  return value as string[];
}

export function checkPath(value: unknown, ruleId: string, at: string): string {
  const problem = pathProblem(value);
  if (problem !== null)
    throw rulesError(
      typeof value === 'string' && /(^|\.)(__proto__|constructor|prototype)(\.|$)/.test(value)
        ? 'rules/unsafe_path'
        : 'rules/invalid_rule',
      problem,
      ruleId,
      at,
      value,
    );
  return value as string;
}
