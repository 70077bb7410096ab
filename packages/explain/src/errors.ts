import { CandorError, type CandorErrorDetails } from '@candor/core';

/**
 * The codes `@candor/explain` throws.
 *
 * - `explain/invalid_input` — an argument is malformed (layer, gate, record shape, policy).
 * - `explain/clause_without_evidence` — a reason cites no evidence, so no clause may rest on it.
 * - `explain/unresolved_evidence` — a reason cites a fact id that is not in the record's evidence.
 * - `explain/stale_evidence` — evidence is older than a TTL whose policy action is `block`.
 * - `explain/missing_message` — a catalog lacks a message the explainer needs (caught at load).
 * - `explain/malformed_message` — a message is not valid ICU MessageFormat (caught at load).
 * - `explain/unknown_placeholder` — a message uses a placeholder the explainer never supplies, or
 *   uses it with the wrong type (caught at load).
 * - `explain/unknown_message` — a catalog defines a message id the explainer does not know.
 * - `explain/catalog_lint` — a message or label fails the catalog lint (faux familiarity,
 *   unverifiable claims).
 * - `explain/crypto_unavailable` — no longer thrown: audit hashes come from `@candor/core`'s
 *   `sha256Hex`, which needs no Web Crypto. Kept so code that matches on it still compiles.
 *
 * @example
 * if (isCandorError(error, 'explain/unknown_placeholder')) console.error(error.details.path);
 */
export type ExplainErrorCode =
  | 'explain/invalid_input'
  | 'explain/clause_without_evidence'
  | 'explain/unresolved_evidence'
  | 'explain/stale_evidence'
  | 'explain/missing_message'
  | 'explain/malformed_message'
  | 'explain/unknown_placeholder'
  | 'explain/unknown_message'
  | 'explain/catalog_lint'
  | 'explain/crypto_unavailable';

/**
 * Builds a typed explain error.
 *
 * @example
 * throw explainError('explain/invalid_input', 'layer: unknown', { path: 'layer', value: 'long' });
 */
export function explainError(
  code: ExplainErrorCode,
  message: string,
  details: CandorErrorDetails,
  cause?: unknown,
): CandorError<ExplainErrorCode> {
  return new CandorError(code, message, details, cause === undefined ? undefined : { cause });
}

/**
 * Throws `explain/invalid_input` naming the argument (`path`) and the offending `value`.
 *
 * @example
 * if (typeof text !== 'string') invalidInput('text', text, 'must be a string');
 */
export function invalidInput(path: string, value: unknown, why: string): never {
  throw explainError('explain/invalid_input', `${path}: ${why}`, { path, value });
}

/**
 * True for a non-null, non-array object: what every options or record argument must be.
 *
 * @example
 * if (!isPlainRecord(options)) invalidInput('options', options, 'must be an object');
 */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
