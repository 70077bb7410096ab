import type { Instant } from '@candor/core';

/*
 * The instants around one check's `at` between which nothing it read changes: a memoized verdict
 * holds for every `at` in `[from, until)`. Each part of the view narrows the span by the instants
 * at which a condition of the form `at ≥ b` it tests flips (a suppression starting or ending, a
 * delivery entering or leaving the window, …).
 */

/** Instants `from ≤ at < until` over which a computed verdict stays the same. */
export interface Span {
  from: Instant;
  until: Instant;
}

/**
 * The span of everything, to be narrowed.
 *
 * @example
 * const span = wholeSpan();
 * cut(span, 10, 15); // span.until === 15
 */
export function wholeSpan(): Span {
  return { from: Number.NEGATIVE_INFINITY, until: Number.POSITIVE_INFINITY };
}

/**
 * Narrows `span`, computed at `at`, by an instant `b` where a test `at ≥ b` flips.
 *
 * @example
 * const span = wholeSpan();
 * cut(span, 10, 5); // span.from === 5
 */
export function cut(span: Span, at: Instant, b: Instant): void {
  if (b <= at) {
    if (b > span.from) span.from = b;
  } else if (b < span.until) span.until = b;
}
