import { CandorError } from '@candor/core';

/**
 * The codes `@candor/memory` throws, each naming `details.path`:
 * - `memory/invalid_input` — a memory, a query or an option fails validation (an unknown kind,
 *   category, purpose or field; a retention in the past; a malformed subject);
 * - `memory/not_found` — a correction, resolution or erasure names a memory that does not exist
 *   or belongs to another subject (nothing is written);
 * - `memory/not_allowed` — the change does not apply to this memory (resolving a preference, or
 *   a memory that was superseded).
 *
 * @example
 * if (isCandorError(error, 'memory/not_found')) respond(404);
 */
export type MemoryErrorCode = 'memory/invalid_input' | 'memory/not_found' | 'memory/not_allowed';

/** Throws a memory {@link CandorError} whose message is `<path>: <problem>`. */
export function fail(code: MemoryErrorCode, path: string, value: unknown, problem: string): never {
  throw new CandorError(code, `${path}: ${problem}`, { path, value });
}
