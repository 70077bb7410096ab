import * as z from 'zod/mini';
import { DOTTED_ID, MAX_ID_LENGTH } from './ids';
import { MAX_INSTANT } from './time';

const dottedId = (what: string) =>
  z
    .string()
    .check(
      z.maxLength(MAX_ID_LENGTH, `${what} must be at most ${MAX_ID_LENGTH} characters`),
      z.regex(DOTTED_ID, `${what} must be lower-case dot-separated segments like "a.b_c"`),
    );

/**
 * A purpose: why data is processed, as a dot hierarchy (`marketing.email`). Withdrawing a parent
 * covers its children; consent to a parent never implies a child unless the registry says so.
 *
 * @example
 * PurposeId.parse('service.fraud_protection');
 */
export const PurposeId = /* @__PURE__ */ (() => dottedId('purpose id'))();
/** A purpose id string such as `marketing.email`. */
export type PurposeId = string;

/**
 * A kind of personal data, as a dot hierarchy (`user.behavior.purchase_history`).
 *
 * @example
 * DataCategoryId.parse('user.financial.card');
 */
export const DataCategoryId = /* @__PURE__ */ (() => dottedId('data category id'))();
/** A data category id string such as `user.location.approximate`. */
export type DataCategoryId = string;

/**
 * What a message is about, as a dot hierarchy (`billing.card_expiry`); muting a topic mutes its
 * children.
 *
 * @example
 * TopicId.parse('travel.disruption');
 */
export const TopicId = /* @__PURE__ */ (() => dottedId('topic id'))();
/** A topic id string such as `travel.disruption`. */
export type TopicId = string;

/**
 * The customer, as a pseudonymous, non-empty string of at most 256 characters.
 *
 * @example
 * SubjectId.parse('cus_8f3a');
 */
export const SubjectId = /* @__PURE__ */ (() =>
  z
    .string()
    .check(
      z.minLength(1, 'subject id must not be empty'),
      z.maxLength(256, 'subject id must be at most 256 characters'),
    ))();
/** A pseudonymous customer id. */
export type SubjectId = string;

/**
 * A point in time as UTC epoch milliseconds (what `Date.now()` returns). Candor uses numbers on
 * every hot path and renders ISO 8601 only at the edges (receipts, exports, text).
 *
 * @example
 * Instant.parse(Date.parse('2026-06-30T10:00:00Z'));
 */
export const Instant = /* @__PURE__ */ (() =>
  z
    .int('time must be whole epoch milliseconds')
    .check(
      z.gte(0, 'time must not be before 1970'),
      z.lte(MAX_INSTANT, 'time must be one a date can hold'),
    ))();
/** UTC epoch milliseconds. */
export type Instant = number;
