import { unstorableText } from '@candor/core';
import { httpError } from './errors';
import type { Route } from './route';

/**
 * Finds the route for a method and path (relative to the base path): the route and its path
 * parameters; throws `http/not_found` for an unknown path and `http/method_not_allowed` (with
 * `Allow`) for a known path asked with another method. `OPTIONS` (a CORS preflight) matches no
 * route: it gets the path's methods, or `http/not_found`.
 *
 * @example
 * const { route, params } = createRouter(routes)('GET', '/decisions/d-1/explanation');
 */
export function createRouter(routes: readonly Route[]) {
  const compiled = routes.map((route) => ({
    route,
    parts: route.path.split('/').slice(1),
  }));
  return (
    method: string,
    path: string,
  ):
    | { readonly route: Route; readonly params: Record<string, string> }
    | { readonly route: null; readonly methods: readonly string[] } => {
    const parts = path.split('/').slice(1);
    const allow: string[] = [];
    for (const { route, parts: pattern } of compiled) {
      const params = matchParts(pattern, parts);
      if (params === null) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET'))
        return { route, params };
      allow.push(route.method);
    }
    if (allow.length === 0) throw httpError('http/not_found', 'There is nothing at this address');
    if (method === 'OPTIONS') return { route: null, methods: [...new Set(allow)] };
    throw httpError('http/method_not_allowed', `This address accepts ${allow.join(', ')} only`, {
      headers: { allow: [...new Set(allow)].join(', ') },
    });
  };
}

function matchParts(
  pattern: readonly string[],
  parts: readonly string[],
): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = Object.create(null);
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] as string;
    const got = parts[i] as string;
    if (want.startsWith('{')) {
      let value: string;
      try {
        value = decodeURIComponent(got);
      } catch {
        return null;
      }
      // No id holds a NUL character: no store could keep one.
      if (value.length === 0 || value.length > 200 || unstorableText(value) !== undefined)
        return null;
      params[want.slice(1, -1)] = value;
    } else if (want !== got) return null;
  }
  return params;
}
