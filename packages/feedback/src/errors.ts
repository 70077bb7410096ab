import { CandorError, type CandorErrorDetails } from '@candor/core';

/**
 * The codes `@candor/feedback` throws:
 * - `feedback/invalid_event` — a feedback event or decision entry fails validation
 * - `feedback/invalid_scope` — a scope that does not exist, that the kind cannot carry, or `item`
 *   without an `itemKey`
 * - `feedback/invalid_duration` — a duration that is not a positive whole number of
 *   milliseconds, or any duration on a permanent kind (`stop_this`, `unsubscribed`, `complained`)
 * - `feedback/invalid_reward` — a reward, value or intrusiveness that is NaN, infinite or negative
 * - `feedback/idempotency_conflict` — an idempotency key reused for a different event
 * - `feedback/decision_mismatch` — feedback names a decision made for another subject or rule
 * - `feedback/future_event` — an event dated later than the clock allows
 * - `feedback/no_eligible_variant` — a variant choice with nothing eligible to choose from
 * - `feedback/invalid_option` — a factory option out of range
 * - `feedback/not_prepared` — with a subject cache, a question about a subject `prepare()` has
 *   not read (or has dropped again)
 * - `feedback/unsupported` — with a subject cache, a call that needs every subject's feedback in
 *   memory (`events()`, `corrections()` of everyone, `apply*()`)
 * - `feedback/unknown_fact` — a correction of a fact the company does not hold about the customer
 * - `feedback/unknown_correction` — a correction id that was never opened
 * - `feedback/invalid_transition` — deciding a correction the other way once it is decided
 * - `feedback/unknown_suppression` — lifting a suppression the customer does not have (by its
 *   scope and target, at that time)
 *
 * @example
 * if (isCandorError(error, 'feedback/invalid_scope')) showError(error.details.path);
 */
export type FeedbackErrorCode =
  | 'feedback/invalid_event'
  | 'feedback/invalid_scope'
  | 'feedback/invalid_duration'
  | 'feedback/invalid_reward'
  | 'feedback/idempotency_conflict'
  | 'feedback/decision_mismatch'
  | 'feedback/future_event'
  | 'feedback/no_eligible_variant'
  | 'feedback/invalid_option'
  | 'feedback/not_prepared'
  | 'feedback/unsupported'
  | 'feedback/unknown_fact'
  | 'feedback/unknown_correction'
  | 'feedback/invalid_transition'
  | 'feedback/unknown_suppression';

/** Builds a feedback {@link CandorError}. */
export function feedbackError(
  code: FeedbackErrorCode,
  message: string,
  details: CandorErrorDetails,
): CandorError<FeedbackErrorCode> {
  return new CandorError(code, message, details);
}

/** Throws `feedback/invalid_option` unless `value` is a finite number within [min, max]. */
export function checkNumberOption(
  value: number,
  path: string,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw feedbackError(
      'feedback/invalid_option',
      `${path}: ${show(value)} must be a finite number between ${min} and ${max}`,
      { path, value },
    );
  }
  return value;
}

/** @internal `String(value)`, safe for values that cannot be converted (null-prototype objects, symbols). */
export function show(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** @internal Throws `code` at `path` unless `value` is a non-null object (an entry guard). */
export function requireObject(
  value: unknown,
  path: string,
  code: FeedbackErrorCode = 'feedback/invalid_option',
): void {
  if (typeof value !== 'object' || value === null)
    throw feedbackError(code, `${path}: expected an object`, { path, value });
}

/** @internal Throws `code` at `path` unless `value` is a string. */
export function requireString(
  value: unknown,
  path: string,
  code: FeedbackErrorCode = 'feedback/invalid_event',
): void {
  if (typeof value !== 'string')
    throw feedbackError(code, `${path}: expected a string`, { path, value });
}

/** @internal Throws `code` at `path` unless `value` is a number (not NaN). */
export function requireNumber(
  value: unknown,
  path: string,
  code: FeedbackErrorCode = 'feedback/invalid_event',
): void {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw feedbackError(code, `${path}: expected a number`, { path, value });
}

/** @internal Throws `feedback/invalid_option` at `path` unless `value` is a function. */
export function requireFunction(value: unknown, path: string): void {
  if (typeof value !== 'function')
    throw feedbackError('feedback/invalid_option', `${path}: expected a function`, {
      path,
      value,
    });
}

/** @internal Throws `feedback/invalid_event` at `path` unless `value` is an array. */
export function requireArray(value: unknown, path: string): void {
  if (!Array.isArray(value))
    throw feedbackError('feedback/invalid_event', `${path}: expected an array`, { path, value });
}
