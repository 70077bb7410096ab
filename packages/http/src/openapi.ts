import * as z from 'zod/mini';
import { statusOf } from './errors';
import type { Route } from './route';
import { ErrorBody } from './schemas';

/**
 * An OpenAPI 3.1 document, as {@link openApiDocument} builds it.
 *
 * @example
 * const paths = Object.keys(api.openapi().paths);
 */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

const errorRef = { $ref: '#/components/schemas/Error' };
const errorText: Readonly<Record<number, string>> = {
  400: 'Malformed JSON or a field that fails validation (`error.path` names it)',
  401: 'No signed-in customer',
  403: 'A request from another site, or a body naming another customer',
  404: 'No such message or record of this customer',
  409: 'The idempotency key was used for different content, or the change no longer applies',
  413: 'The body is too large',
  415: 'The body is not JSON',
  429: 'Too many requests from this customer (see `Retry-After`)',
  500: 'Something failed on the server (details are never sent)',
  503: 'The customer’s records are still loading (see `Retry-After`)',
};

/**
 * The OpenAPI 3.1 document of `routes`: paths under `basePath`, path and query parameters,
 * request bodies and response schemas generated from the same zod schemas that validate them
 * (`z.toJSONSchema`), and the typed error responses every route can give.
 *
 * @example
 * const document = openApiDocument(routes, { basePath: '/api/privacy' });
 */
export function openApiDocument(
  routes: readonly Route[],
  options: { readonly basePath: string },
): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `${options.basePath}${route.path}`;
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Candor privacy centre API',
      version: '1',
      description:
        'The signed-in customer’s consent, controls, explanations, access history and memories. ' +
        'The customer is the one the app’s session names; a body naming anyone else is refused.',
    },
    paths,
    components: { schemas: { Error: jsonSchema(ErrorBody) } },
  };
}

function operation(route: Route): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = [];
  for (const [, name] of route.path.matchAll(/\{([^}]+)\}/g))
    parameters.push({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string', maxLength: 200 },
    });
  if (route.query) {
    const schema = jsonSchema(route.query) as {
      properties?: Record<string, unknown>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(schema.properties ?? {}))
      parameters.push({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        schema: property,
      });
  }
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses))
    responses[status] = {
      description: response.description,
      content: { 'application/json': { schema: response.schema?.() ?? { type: 'object' } } },
    };
  for (const status of errorStatuses(route))
    responses[status] = {
      description: errorText[status],
      content: { 'application/json': { schema: errorRef } },
    };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: route.bodySchema?.() ?? jsonSchema(route.body) },
            },
          },
        }
      : {}),
    responses,
  };
}

function errorStatuses(route: Route): number[] {
  const statuses = new Set<number>([500]);
  if (!route.public) for (const status of [401, 429, 503]) statuses.add(status);
  if (route.body || route.query) statuses.add(statusOf['http/invalid_body']);
  if (route.method !== 'GET') statuses.add(403);
  if (route.body) for (const status of [409, 413, 415]) statuses.add(status);
  if (route.path.includes('{') || route.body) statuses.add(404);
  if (route.method === 'DELETE') statuses.add(409);
  return [...statuses].sort((a, b) => a - b);
}

function jsonSchema(schema: z.ZodMiniType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}
