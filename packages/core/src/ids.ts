import { z } from 'zod';
import { CandorError } from './errors';
import type { SafeParseResult } from './validate';

const DOTTED_ID = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;
const MAX_ID_LENGTH = 128;

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

const dottedId = (what: string) =>
  z
    .string()
    .max(MAX_ID_LENGTH, `${what} must be at most ${MAX_ID_LENGTH} characters`)
    .regex(DOTTED_ID, `${what} must be lower-case dot-separated segments like "a.b_c"`);

/**
 * A purpose: why data is processed, as a dot hierarchy (`marketing.email`). Withdrawing a parent
 * covers its children; consent to a parent never implies a child unless the registry says so.
 *
 * @example
 * PurposeId.parse('service.fraud_protection');
 */
export const PurposeId = dottedId('purpose id');
/** A purpose id string such as `marketing.email`. */
export type PurposeId = string;

/**
 * A kind of personal data, as a dot hierarchy (`user.behavior.purchase_history`).
 *
 * @example
 * DataCategoryId.parse('user.financial.card');
 */
export const DataCategoryId = dottedId('data category id');
/** A data category id string such as `user.location.approximate`. */
export type DataCategoryId = string;

/**
 * What a message is about, as a dot hierarchy (`billing.card_expiry`); muting a topic mutes its
 * children.
 *
 * @example
 * TopicId.parse('travel.disruption');
 */
export const TopicId = dottedId('topic id');
/** A topic id string such as `travel.disruption`. */
export type TopicId = string;

/**
 * The customer, as a pseudonymous, non-empty string of at most 256 characters.
 *
 * @example
 * SubjectId.parse('cus_8f3a');
 */
export const SubjectId = z
  .string()
  .min(1, 'subject id must not be empty')
  .max(256, 'subject id must be at most 256 characters');
/** A pseudonymous customer id. */
export type SubjectId = string;

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
