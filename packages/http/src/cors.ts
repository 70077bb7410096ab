import { httpError } from './errors';

/**
 * The CORS headers for a request from one of `allowed` (credentials allowed, so the session
 * cookie travels), or `null` for any other request: a site not listed gets no CORS headers, and
 * the browser keeps the answer from it.
 *
 * @example
 * const headers = corsHeaders(request, new Set(['https://www.shop.example']));
 */
export function corsHeaders(
  request: Request,
  allowed: ReadonlySet<string>,
): Record<string, string> | null {
  if (allowed.size === 0) return null;
  const origin = request.headers.get('origin');
  if (origin === null || !allowed.has(origin)) return null;
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    vary: 'Origin',
  };
}

/**
 * The answer to a CORS preflight (`OPTIONS`) for a path served with `methods`: 204 with the
 * methods and the `Content-Type` header allowed, for an allowed origin; `http/forbidden_origin`
 * for any other.
 *
 * @example
 * return preflight(request, allowedOrigins, ['GET', 'POST']);
 */
export function preflight(
  request: Request,
  allowed: ReadonlySet<string>,
  methods: readonly string[],
): Response {
  const cors = corsHeaders(request, allowed);
  if (cors === null)
    throw httpError('http/forbidden_origin', 'Requests from other sites are not accepted');
  return new Response(null, {
    status: 204,
    headers: {
      ...cors,
      'access-control-allow-methods': methods.join(', '),
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
    },
  });
}
