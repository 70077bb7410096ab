import { CandorError } from '@candor/core';

/**
 * Every error code `@candor/consent` throws, as a {@link CandorError} `code`. Each error's
 * `details.path` and `details.value` name what is wrong and where.
 *
 * - `consent/stale_sequence` — an append's expected sequence is not the subject's head (another
 *   writer got there first); nothing was written.
 * - `consent/idempotency_conflict` — an idempotency key was reused for another subject.
 * - `consent/invalid_event` — a ledger event (or an import line) is malformed.
 * - `consent/invalid_purpose` — a purpose definition is malformed, or an unknown purpose was
 *   named where a registered one is required.
 * - `consent/invalid_notice` — a notice is malformed or names an unknown purpose.
 * - `consent/invalid_policy` — a policy pack is malformed.
 * - `consent/invalid_entry` — a stored ledger entry is malformed (e.g. on hydration).
 * - `consent/tampered_chain` — a hash chain failed verification where it must hold.
 * - `consent/missing_controller` — a receipt was asked for without a controller configured.
 * - `consent/invalid_tc_string` — a TCF TC string could not be decoded (`/tcf` only).
 * - `consent/invalid_tcf_options` — the vendor list or CMP fields were rejected (`/tcf` only).
 *
 * @example
 * import { isCandorError } from '@candor/core';
 * try { await store.append(request); } catch (e) {
 *   if (isCandorError<ConsentErrorCode>(e, 'consent/stale_sequence')) await retry();
 * }
 */
export type ConsentErrorCode =
  | 'consent/stale_sequence'
  | 'consent/idempotency_conflict'
  | 'consent/invalid_event'
  | 'consent/invalid_purpose'
  | 'consent/invalid_notice'
  | 'consent/invalid_policy'
  | 'consent/invalid_entry'
  | 'consent/tampered_chain'
  | 'consent/missing_controller'
  | 'consent/invalid_tc_string'
  | 'consent/invalid_tcf_options';

/**
 * Throws a {@link CandorError} with `code` whose message is `<path>: <problem>` and whose details
 * name the offending `path` and `value` (plus any `extra` details). Internal: one code path for
 * every validation error of the package.
 *
 * @example
 * if (typeof gpc !== 'boolean') fail('consent/invalid_event', 'input.gpc', gpc, 'must be a boolean');
 */
export function fail(
  code: ConsentErrorCode | 'core/invalid_input',
  path: string,
  value: unknown,
  problem: string,
  extra?: Record<string, unknown>,
): never {
  throw new CandorError(code, `${path}: ${problem}`, { path, value, ...extra });
}
