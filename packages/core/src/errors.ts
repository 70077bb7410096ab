/**
 * Details every Candor error carries: where the problem is (`path`), the offending `value`, and
 * anything else that helps a caller fix it.
 */
export interface CandorErrorDetails {
  /** Where the problem is: an argument name, a JSON path (`rules[3].conditions.all[1]`), an index. */
  readonly path?: string;
  /** The offending value, as received. */
  readonly value?: unknown;
  readonly [key: string]: unknown;
}

/**
 * Base class of every error Candor throws, with a string-literal `code` each package narrows.
 *
 * @example
 * throw new CandorError('core/invalid_id', 'Purpose id "Marketing" must be lower-case', {
 *   path: 'purpose',
 *   value: 'Marketing',
 * });
 */
export class CandorError<Code extends string = string> extends Error {
  /** A stable, machine-readable code such as `core/invalid_id` or `consent/stale_sequence`. */
  readonly code: Code;
  /** Where the problem is and the offending value. */
  readonly details: CandorErrorDetails;

  constructor(
    code: Code,
    message: string,
    details: CandorErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CandorError';
    this.code = code;
    this.details = details;
  }
}

/**
 * True when `error` is a {@link CandorError}, optionally with the given code. Works across
 * bundles (checks the shape, not only `instanceof`).
 *
 * @example
 * try { parsePurposeId('Bad Id'); } catch (e) { if (isCandorError(e, 'core/invalid_id')) report(e.details); }
 */
export function isCandorError<Code extends string = string>(
  error: unknown,
  code?: Code,
): error is CandorError<Code> {
  if (error instanceof CandorError) return code === undefined || error.code === code;
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown; details?: unknown };
  return (
    candidate.name === 'CandorError' &&
    typeof candidate.code === 'string' &&
    typeof candidate.details === 'object' &&
    (code === undefined || candidate.code === code)
  );
}

/**
 * Renders any value for an error message without throwing (BigInts, cycles and objects without a
 * prototype break `JSON.stringify` or template literals).
 *
 * @example
 * showValue(Object.create(null)); // '{}'
 */
export function showValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The codes `@candor/core` throws. */
export type CoreErrorCode = 'core/invalid_id' | 'core/invalid_input' | 'core/invalid_time';
