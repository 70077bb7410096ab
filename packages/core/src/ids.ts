import { CandorError } from './errors';
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

/* @__NO_SIDE_EFFECTS__ */
function idParsers(kind: 'purpose' | 'data category' | 'topic') {
  const safeParse = (value: unknown): SafeParseResult<string, 'core/invalid_id'> =>
    isDottedId(value)
      ? { success: true, data: value }
      : {
          success: false,
          error: new CandorError(
            'core/invalid_id',
            `Invalid ${kind} id ${JSON.stringify(value)}: expected lower-case dot-separated segments like "a.b_c" (at most ${MAX_ID_LENGTH} characters)`,
            { path: `${kind} id`, value },
          ),
        };
  const parse = (value: unknown): string => {
    const result = safeParse(value);
    if (!result.success) throw result.error;
    return result.data;
  };
  return { parse, safeParse };
}

const purposeParsers = idParsers('purpose');
const categoryParsers = idParsers('data category');
const topicParsers = idParsers('topic');

/**
 * Returns `value` as a {@link PurposeId} or throws a `core/invalid_id` {@link CandorError}.
 *
 * @example
 * parsePurposeId('marketing.email'); // 'marketing.email'
 */
export const parsePurposeId = purposeParsers.parse;
/**
 * Like {@link parsePurposeId} but returns `{ success, data | error }`.
 *
 * @example
 * if (!safeParsePurposeId(input).success) showError();
 */
export const safeParsePurposeId = purposeParsers.safeParse;
/**
 * Returns `value` as a {@link DataCategoryId} or throws a `core/invalid_id` {@link CandorError}.
 *
 * @example
 * parseDataCategoryId('user.contact.email');
 */
export const parseDataCategoryId = categoryParsers.parse;
/**
 * Like {@link parseDataCategoryId} but returns `{ success, data | error }`.
 *
 * @example
 * safeParseDataCategoryId('user..x').success; // false
 */
export const safeParseDataCategoryId = categoryParsers.safeParse;
/**
 * Returns `value` as a {@link TopicId} or throws a `core/invalid_id` {@link CandorError}.
 *
 * @example
 * parseTopicId('billing.card_expiry');
 */
export const parseTopicId = topicParsers.parse;
/**
 * Like {@link parseTopicId} but returns `{ success, data | error }`.
 *
 * @example
 * safeParseTopicId('Billing').success; // false
 */
export const safeParseTopicId = topicParsers.safeParse;

/**
 * True when `child` is `parent` or lies below it in the dot hierarchy. Segment-aware:
 * `marketing.emails` is not within `marketing.email`.
 *
 * @example
 * isWithin('marketing.email.newsletter', 'marketing'); // true
 * isWithin('marketing', 'marketing.email');            // false
 */
export function isWithin(child: string, parent: string): boolean {
  return (
    child === parent ||
    (child.length > parent.length &&
      child.charCodeAt(parent.length) === 46 &&
      child.startsWith(parent))
  );
}

/**
 * The ids from the root down to `id` itself: `a.b.c` → `['a', 'a.b', 'a.b.c']`.
 *
 * @example
 * ancestorsOf('user.financial.card'); // ['user', 'user.financial', 'user.financial.card']
 */
export function ancestorsOf(id: string): string[] {
  const out: string[] = [];
  let index = id.indexOf('.');
  while (index !== -1) {
    out.push(id.slice(0, index));
    index = id.indexOf('.', index + 1);
  }
  out.push(id);
  return out;
}
