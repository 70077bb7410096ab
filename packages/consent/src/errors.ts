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
 * - `consent/invalid_category` — a write's `dataCategories` is malformed, empty, names a category
 *   one of its purposes does not declare, or is given to a write that is about whole purposes.
 * - `consent/invalid_notice` — a notice is malformed or names an unknown purpose.
 * - `consent/invalid_policy` — a policy pack is malformed.
 * - `consent/invalid_entry` — a stored ledger entry is malformed (e.g. on hydration).
 * - `consent/tampered_chain` — a hash chain failed verification where it must hold.
 * - `consent/missing_controller` — a receipt was asked for without a controller configured.
 * - `consent/invalid_snapshot` — a snapshot (or the answer to a choice) a browser client received
 *   is malformed (`/client`); the client keeps failing closed.
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
  | 'consent/invalid_category'
  | 'consent/invalid_notice'
  | 'consent/invalid_offer'
  | 'consent/invalid_policy'
  | 'consent/invalid_entry'
  | 'consent/tampered_chain'
  | 'consent/missing_controller'
  | 'consent/invalid_snapshot'
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
  code: ConsentErrorCode | 'core/invalid_input' | 'core/invalid_time',
  path: string,
  value: unknown,
  problem: string,
  extra?: Record<string, unknown>,
): never {
  throw new CandorError(code, `${path}: ${problem}`, { path, value, ...extra });
}

/**
 * Throws `code` naming `path` unless `value` looks like a purpose registry (an object with an
 * `ids` array and `get` / `has` functions). Internal: entry points taking a registry call it once.
 *
 * @example
 * requireRegistry(registry, 'registry');
 */
export function requireRegistry(
  value: unknown,
  path: string,
  code: ConsentErrorCode | 'core/invalid_input' = 'consent/invalid_purpose',
): void {
  const registry = value as { ids?: unknown; get?: unknown; has?: unknown } | null;
  if (
    typeof registry !== 'object' ||
    registry === null ||
    !Array.isArray(registry.ids) ||
    typeof registry.get !== 'function' ||
    typeof registry.has !== 'function'
  ) {
    fail(code, path, value, 'must be a purpose registry from definePurposes()');
  }
}

/**
 * Throws `core/invalid_input` naming `path` unless `value` is a consent gate (an object with a
 * `decide` function). Internal.
 *
 * @example
 * requireGate(gate, 'gate');
 */
export function requireGate(value: unknown, path: string): void {
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { decide?: unknown }).decide !== 'function'
  ) {
    fail('core/invalid_input', path, value, 'must be a consent gate (an object with decide())');
  }
}

/**
 * `String(value)` that never throws (objects without a prototype have no `toString`). Internal:
 * for messages built from caller values.
 *
 * @example
 * safeString(Object.create(null)); // '[object Object]'
 */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The codes of the argument checks. Internal. */
export type Code = ConsentErrorCode | 'core/invalid_input';

/**
 * Throws `code` (default `core/invalid_input`) naming `path` unless `value` is a non-null object.
 * Internal: the one-line argument check of the entry points.
 *
 * @example
 * needObject(options, 'options');
 */
export function needObject(
  value: unknown,
  path: string,
  code: Code = 'core/invalid_input',
): asserts value is object {
  if (typeof value !== 'object' || value === null) fail(code, path, value, 'must be an object');
}

/**
 * Throws `code` (default `core/invalid_input`) naming `path` unless `typeof value` is `type`.
 * Internal.
 *
 * @example
 * needType(subject, 'string', 'subject');
 */
export function needType(
  value: unknown,
  type: 'string' | 'number' | 'function',
  path: string,
  code: Code = 'core/invalid_input',
): void {
  if (typeof value !== type) fail(code, path, value, `must be a ${type}`);
}

/**
 * Throws `core/invalid_input` naming `subject` unless it is a non-empty string (as decide does).
 * Internal.
 *
 * @example
 * requireSubject(subject);
 */
export function requireSubject(subject: unknown): void {
  if (typeof subject !== 'string' || subject.length === 0) {
    fail('core/invalid_input', 'subject', subject, 'must be a non-empty string');
  }
}

/**
 * The fields a hand-written format may have, as a table: `Fields<PurposeDefinition>` must list
 * every field of the type and nothing else (a compile error otherwise), so the runtime's list of
 * known keys cannot drift from the type. Internal.
 *
 * @example
 * const actorFields: Fields<ConsentActor> = { kind: 1, id: 1 };
 */
export type Fields<T> = { readonly [K in keyof T]-?: 1 };

/**
 * The problem reported for an unknown field, the same for the runtime checks and for
 * `consentSchemaIssues`: `unknown field "<key>"`, and the known field it is a near miss of.
 * Internal.
 *
 * @example
 * unknownField('expiresin', ['title', 'expiresIn']); // 'unknown field "expiresin"; did you mean "expiresIn"?'
 */
export function unknownField(key: string, known: readonly string[]): string {
  let best = '';
  // Up to one edit for short keys, else a quarter of the key (at least two: a swap of letters).
  let bestDistance = (key.length > 5 ? Math.max(2, key.length >> 2) : 1) + 1;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = `; did you mean ${JSON.stringify(candidate)}?`;
      bestDistance = d;
    }
  }
  return `unknown field ${JSON.stringify(key)}${best}`;
}

/** Edit distance (insertions, deletions, substitutions; a swap of two letters counts 2). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
