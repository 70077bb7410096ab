import { systemClock } from '@candor/core';
import { readJson, readQuery } from './body';
import { checkApiOptions } from './check-options';
import { corsHeaders, preflight } from './cors';
import { httpError, toHttpError } from './errors';
import { createMemoryIdempotencyCache } from './idempotency';
import { type OpenApiDocument, openApiDocument } from './openapi';
import type { PrivacyApiOptions } from './options';
import { checkOrigin } from './origin';
import { createTokenBucketLimiter, type RateLimiter } from './rate-limit';
import { errorResponse, json } from './respond';
import type { Route, RouteContext } from './route';
import { createRouter } from './router';
import { accessRoutes } from './routes/access';
import { consentRoutes } from './routes/consent';
import { consentRecordRoutes } from './routes/consent-records';
import { correctionRoutes } from './routes/corrections';
import { explanationRoutes } from './routes/explanations';
import { feedbackRoutes } from './routes/feedback';
import { memoryRoutes } from './routes/memories';

/**
 * The privacy-centre API: a Fetch handler (`Request` → `Promise<Response>`) that Hono, Next.js,
 * Deno, Bun, Cloudflare Workers or Node (through `@candor/http/node`) can serve, the routes it
 * serves, and its OpenAPI 3.1 document (also served at `GET {basePath}/openapi.json`).
 *
 * @example
 * app.all('/api/privacy/*', (c) => api.fetch(c.req.raw));
 */
export interface PrivacyApi {
  /** Answers one request; never throws (a failure is a typed JSON error response). */
  fetch(request: Request): Promise<Response>;
  /** The routes served, in order (method and path relative to `basePath`). */
  readonly routes: readonly Pick<Route, 'method' | 'path' | 'operationId' | 'summary'>[];
  /** The OpenAPI 3.1 document of exactly these routes. */
  openapi(): OpenApiDocument;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Creates the API for one signed-in customer per request: their consent (snapshot, choices,
 * receipts, export), feedback and mutes, explanations, access history and memories, each route
 * on when its port is given. Requests from `allowedOrigins` get CORS headers (with credentials)
 * and their preflights an answer. Every request is checked in this order: route (404, 405 with
 * `Allow`), origin for unsafe methods (403), the app's `authenticate` (401), the customer's rate
 * limit (429 with `Retry-After`), then the body (415, 413, 400, and 403 for a body naming another
 * customer). Errors answer `{ error: { code, message, path? } }` and never show internals: a 500
 * goes to `onError`. Throws `http/invalid_option` for bad options.
 *
 * @example
 * const api = createPrivacyApi({ consent: manager, authenticate: (request) => sessionOf(request)?.customerId ?? null });
 * const response = await api.fetch(new Request('https://shop.example/consent/export'));
 */
export function createPrivacyApi<P extends string>(options: PrivacyApiOptions<P>): PrivacyApi {
  checkApiOptions(options);
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const maxBodyBytes = options.maxBodyBytes ?? 16_384;
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const idempotency = options.idempotency ?? createMemoryIdempotencyCache();
  const limiter: RateLimiter | null =
    options.rateLimit === false
      ? null
      : options.rateLimit !== undefined && 'take' in options.rateLimit
        ? options.rateLimit
        : // Requests arrive in wall time: the default bucket refills by the system clock (its own
          // `clock` option), not by `clock`, which may be an app's virtual business time.
          createTokenBucketLimiter(options.rateLimit);
  const { consent, decisions, feedback, explainer, accessLog, memory, corrections } = options;

  const routes: Route[] = [
    ...consentRoutes({
      consent,
      choices: options.choices ?? {},
      snapshot: options.snapshotTtl === undefined ? {} : { ttl: options.snapshotTtl },
    }),
    ...consentRecordRoutes({ consent, controller: options.controller, accessLog }),
    ...(feedback ? feedbackRoutes({ feedback, decisions, idempotency, now }) : []),
    ...(explainer && decisions ? explanationRoutes({ explainer, decisions, consent }) : []),
    ...(explainer && accessLog ? accessRoutes({ explainer, accessLog, now }) : []),
    ...(memory ? memoryRoutes({ memory }) : []),
    ...(corrections ? correctionRoutes({ corrections, idempotency }) : []),
  ];
  let document: OpenApiDocument | undefined;
  const openapi = () => {
    document ??= openApiDocument(routes, { basePath });
    return document;
  };
  routes.push({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This API’s OpenAPI 3.1 document',
    public: true,
    responses: { 200: { description: 'The OpenAPI document' } },
    handle: async () => json(200, openapi()),
  });
  const route = createRouter(routes);

  const serve = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`))
      throw httpError('http/not_found', 'There is nothing at this address');
    const found = route(request.method, url.pathname.slice(basePath.length) || '/');
    if (found.route === null) return preflight(request, allowedOrigins, found.methods);
    if (UNSAFE.has(request.method)) checkOrigin(request, allowedOrigins);
    const subject = found.route.public ? '' : await signedIn(request);
    if (limiter !== null && subject !== '') {
      const wait = await limiter.take(subject);
      if (wait > 0)
        throw httpError('http/rate_limited', 'Too many requests; please wait a moment', {
          headers: { 'retry-after': String(Math.ceil(wait / 1000)) },
        });
    }
    const context: RouteContext = {
      request,
      url,
      subject,
      params: found.params,
      body: (schema) => readJson(request, schema, { maxBytes: maxBodyBytes, subject }),
      query: (schema) => readQuery(url, schema),
    };
    return found.route.handle(context);
  };
  const signedIn = async (request: Request) => {
    const subject = await options.authenticate(request);
    if (typeof subject !== 'string' || subject.length === 0)
      throw httpError('http/unauthenticated', 'Please sign in first');
    return subject;
  };

  return {
    async fetch(request) {
      let response: Response;
      try {
        response = await serve(request);
        if (request.method === 'HEAD') response = new Response(null, response);
      } catch (thrown) {
        const { error, internal } = toHttpError(thrown);
        if (internal) report(thrown, request);
        response = errorResponse(error);
      }
      const cors = corsHeaders(request, allowedOrigins);
      if (cors !== null)
        for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
      return response;
    },
    routes: routes.map(({ method, path, operationId, summary }) => ({
      method,
      path,
      operationId,
      summary,
    })),
    openapi,
  };

  function report(thrown: unknown, request: Request) {
    try {
      options.onError?.(thrown, request);
    } catch {
      // An observer that throws must not turn a 500 into a crash.
    }
  }
}
