import { httpError } from './errors';

/**
 * Remembers what each idempotent write answered, so a retry gets the same answer without writing
 * again: `once(key, fingerprint, write)` runs `write` for a new key, returns the first result for
 * a key seen with the same fingerprint (waiting for it while it is in flight), and rejects
 * `http/idempotency_conflict` for a key seen with another fingerprint. A write that fails is
 * forgotten, so it can be retried. The writes behind it (consent ledger, feedback loop) are
 * idempotent on their own keys too, so a key this cache has forgotten is still written once.
 *
 * @example
 * const result = await cache.once(`cus_1:${key}`, canonicalJson(body), () => save(body));
 */
export interface IdempotencyCache {
  once<T>(key: string, fingerprint: string, write: () => Promise<T>): Promise<T>;
}

/**
 * An in-memory {@link IdempotencyCache} holding the last `maxKeys` keys (default 10,000).
 *
 * @example
 * const cache = createMemoryIdempotencyCache({ maxKeys: 1000 });
 */
export function createMemoryIdempotencyCache(
  options: { readonly maxKeys?: number } = {},
): IdempotencyCache {
  const maxKeys = options.maxKeys ?? 10_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1)
    throw httpError('http/invalid_option', 'idempotency.maxKeys: must be a positive integer', {
      path: 'idempotency.maxKeys',
    });
  const seen = new Map<
    string,
    { readonly fingerprint: string; readonly result: Promise<unknown> }
  >();
  return {
    once<T>(key: string, fingerprint: string, write: () => Promise<T>): Promise<T> {
      const held = seen.get(key);
      if (held !== undefined) {
        if (held.fingerprint !== fingerprint)
          return Promise.reject(
            httpError(
              'http/idempotency_conflict',
              'This idempotency key was already used for a different request',
              { path: 'idempotencyKey' },
            ),
          );
        return held.result as Promise<T>;
      }
      const result = write();
      seen.set(key, { fingerprint, result });
      if (seen.size > maxKeys) seen.delete(seen.keys().next().value as string);
      result.catch(() => {
        if (seen.get(key)?.result === result) seen.delete(key);
      });
      return result;
    },
  };
}
