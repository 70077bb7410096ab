import type { SubjectId } from '@candor/core';
import type * as z from 'zod/mini';

/**
 * What a route handler gets: the request, the signed-in customer, path parameters, and readers
 * for the body and query that validate them (typed 4xx on bad input).
 *
 * @example
 * const handle = async (context: RouteContext) => json(200, await list(context.subject));
 */
export interface RouteContext {
  readonly request: Request;
  readonly url: URL;
  readonly subject: SubjectId;
  readonly params: Readonly<Record<string, string>>;
  /** Reads and validates the JSON body (415, 413, 400, and 403 for another `subject`). */
  body<S extends z.ZodMiniType>(schema: S): Promise<z.infer<S>>;
  /** Validates the query string (400 `http/invalid_query`). */
  query<S extends z.ZodMiniType>(schema: S): z.infer<S>;
}

/**
 * A documented response of a route: its description and, for JSON, its JSON Schema.
 *
 * @example
 * const ok: RouteResponse = { description: 'The memories', schema: () => ({ type: 'object' }) };
 */
export interface RouteResponse {
  readonly description: string;
  /** Its JSON Schema, built when the OpenAPI document is. */
  readonly schema?: () => Record<string, unknown>;
}

/**
 * One route of the API: method, path (`{name}` for a parameter), its documentation (schemas for
 * body and query, responses) and its handler. The OpenAPI document is generated from the list.
 *
 * @example
 * const route: Route = { method: 'GET', path: '/memories', operationId: 'listMemories', summary: 'What is remembered', responses: { 200: { description: 'The listing' } }, handle };
 */
export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** Validates the body (and documents it, unless `bodySchema` says more). */
  readonly body?: z.ZodMiniType;
  /** The body's JSON Schema when `body` only pre-checks it and the package validates the rest. */
  readonly bodySchema?: () => Record<string, unknown>;
  readonly query?: z.ZodMiniType;
  readonly responses: Readonly<Record<number, RouteResponse>>;
  /** Served without authentication (the OpenAPI document). */
  readonly public?: boolean;
  handle(context: RouteContext): Promise<Response>;
}
