import type { ConsentEvent } from './events';

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === b ||
  (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

/**
 * @internal Whether a stored event records the same choice as `event`: its kind, purposes and
 * data categories (its time aside: a retry may come later). What an idempotency key must repeat.
 *
 * @example
 * if (duplicate && !sameChoice(entry.event, event)) throw conflict;
 */
export function sameChoice(
  stored: ConsentEvent,
  event: {
    readonly kind: ConsentEvent['kind'];
    readonly purposes: readonly string[];
    readonly dataCategories?: readonly string[] | undefined;
  },
): boolean {
  return (
    stored.kind === event.kind &&
    sameList(stored.purposes, event.purposes) &&
    sameList(stored.dataCategories, event.dataCategories)
  );
}
