import { CandorError, showValue } from './errors';
import type { SafeParseResult } from './validate';

/** Lower-case dot-separated segments, each starting with a letter. */
export const DOTTED_ID = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;
export const MAX_ID_LENGTH = 128;

/** Longest accepted purpose, data-category or topic id. */
export const maxIdLength = MAX_ID_LENGTH;

/**
 * True when `value` is a well-formed dot-hierarchy id: lower-case segments of `a-z0-9_`, each
 * starting with a letter, joined by dots, at most 128 characters.
 *
 * @example
 * isDottedId('user.financial.card'); // true
 * isDottedId('User..card');          // false
 */
export function isDottedId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH && DOTTED_ID.test(value);
}

function safeParseId(
  kind: 'purpose' | 'data category' | 'topic',
  value: unknown,
): SafeParseResult<string, 'core/invalid_id'> {
  if (isDottedId(value)) return { success: true, data: value };
  return {
    success: false,
    error: new CandorError(
      'core/invalid_id',
      `Invalid ${kind} id ${showValue(value)}: expected lower-case dot-separated segments like "a.b_c" (at most ${MAX_ID_LENGTH} characters)`,
      { path: `${kind} id`, value },
    ),
  };
}

function unwrap<T>(result: SafeParseResult<T, 'core/invalid_id'>): T {
  if (!result.success) throw result.error;
  return result.data;
}

/**
 * Returns `value` as a purpose id or throws a `core/invalid_id` {@link CandorError}.
 *
 * @example
 * parsePurposeId('marketing.email'); // 'marketing.email'
 */
export function parsePurposeId(value: unknown): string {
  return unwrap(safeParseId('purpose', value));
}
/**
 * Like {@link parsePurposeId} but returns `{ success, data | error }`.
 *
 * @example
 * if (!safeParsePurposeId(input).success) showError();
 */
export function safeParsePurposeId(value: unknown): SafeParseResult<string, 'core/invalid_id'> {
  return safeParseId('purpose', value);
}
/**
 * Returns `value` as a data category id or throws a `core/invalid_id` {@link CandorError}.
 *
 * @example
 * parseDataCategoryId('user.contact.email');
 */
export function parseDataCategoryId(value: unknown): string {
  return unwrap(safeParseId('data category', value));
}
/**
 * Like {@link parseDataCategoryId} but returns `{ success, data | error }`.
 *
 * @example
 * safeParseDataCategoryId('user..x').success; // false
 */
export function safeParseDataCategoryId(
  value: unknown,
): SafeParseResult<string, 'core/invalid_id'> {
  return safeParseId('data category', value);
}
/**
 * Returns `value` as a topic id or throws a `core/invalid_id` {@link CandorError}.
 *
 * @example
 * parseTopicId('billing.card_expiry');
 */
export function parseTopicId(value: unknown): string {
  return unwrap(safeParseId('topic', value));
}
/**
 * Like {@link parseTopicId} but returns `{ success, data | error }`.
 *
 * @example
 * safeParseTopicId('Billing').success; // false
 */
export function safeParseTopicId(value: unknown): SafeParseResult<string, 'core/invalid_id'> {
  return safeParseId('topic', value);
}

/**
 * True when `child` is `parent` or lies below it in the dot hierarchy. Segment-aware:
 * `marketing.emails` is not within `marketing.email`. False when either is not a string.
 *
 * @example
 * isWithin('marketing.email.newsletter', 'marketing'); // true
 * isWithin('marketing', 'marketing.email');            // false
 */
export function isWithin(child: string, parent: string): boolean {
  return (
    typeof child === 'string' &&
    (child === parent ||
      (typeof parent === 'string' &&
        child.length > parent.length &&
        child.charCodeAt(parent.length) === 46 &&
        child.startsWith(parent)))
  );
}

/**
 * The ids from the root down to `id` itself: `a.b.c` → `['a', 'a.b', 'a.b.c']`. Throws a
 * `core/invalid_id` {@link CandorError} when `id` is not a string.
 *
 * @example
 * ancestorsOf('user.financial.card'); // ['user', 'user.financial', 'user.financial.card']
 */
export function ancestorsOf(id: string): string[] {
  if (typeof id !== 'string')
    throw new CandorError('core/invalid_id', `id: ${showValue(id)} is not a string`, {
      path: 'id',
      value: id,
    });
  const out: string[] = [];
  let index = id.indexOf('.');
  while (index !== -1) {
    out.push(id.slice(0, index));
    index = id.indexOf('.', index + 1);
  }
  out.push(id);
  return out;
}
