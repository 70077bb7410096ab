import { httpError } from './errors';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The CSRF check for unsafe methods (POST, PUT, PATCH, DELETE): an `Origin` header must be the
 * request's own origin or one of `allowed`; a `Sec-Fetch-Site` other than `same-origin` must come
 * with an allowed `Origin`. Browsers send at least one of the two on every unsafe request, so a
 * request with neither is not a cross-site browser request (a server-side client) and passes.
 * Throws `http/forbidden_origin`.
 *
 * @example
 * checkOrigin(request, new Set(['https://shop.example']));
 */
export function checkOrigin(request: Request, allowed: ReadonlySet<string>): void {
  if (SAFE.has(request.method)) return;
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  if (origin === null && site === null) return;
  const own = new URL(request.url).origin;
  const trusted = origin !== null && (origin === own || allowed.has(origin));
  if (origin !== null && !trusted) throw refused();
  if (site !== null && site !== 'same-origin' && !(origin !== null && allowed.has(origin)))
    throw refused();
}

function refused() {
  return httpError('http/forbidden_origin', 'Requests from other sites are not accepted');
}
