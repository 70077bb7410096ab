import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { asCustomer, ORIGIN, world } from './world.test-helpers';

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const { api } = await world();
    const result = await new Validator().validate(
      structuredClone(api.openapi()) as unknown as Record<string, unknown>,
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(api.openapi().openapi).toBe('3.1.0');
  });

  it('documents exactly the routes the router serves, under the base path', async () => {
    const { api } = await world({ basePath: '/api/privacy' });
    const documented = Object.entries(api.openapi().paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = api.routes.map((r) => `${r.method} /api/privacy${r.path}`);
    expect(documented.sort()).toEqual(served.sort());
    expect(served).toHaveLength(14);
    for (const route of api.routes) {
      const path = `/api/privacy${route.path.replace('{decisionId}', 'd-ana-1').replace('{memoryId}', 'm-x')}`;
      const response = await api.fetch(
        asCustomer(path, {
          method: route.method,
          ...(route.method === 'POST' ? { json: {} } : {}),
        }),
      );
      const body = (await response.json()) as { error?: { message: string } };
      const unrouted =
        response.status === 405 ||
        (response.status === 404 && body.error?.message === 'There is nothing at this address');
      expect(unrouted, `${route.method} ${path}`).toBe(false);
    }
  });

  it('is served without a session at /openapi.json', async () => {
    const { api } = await world();
    const response = await api.fetch(new Request(`${ORIGIN}/openapi.json`));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(api.openapi());
  });

  it('describes bodies from the zod schemas that validate them, and the typed errors', async () => {
    const { api } = await world();
    const post = api.openapi().paths['/feedback']?.post as {
      requestBody: {
        content: {
          'application/json': {
            schema: { properties: { kind: { enum: string[] } }; required: string[] };
          };
        };
      };
      responses: Record<string, { content: { 'application/json': { schema: unknown } } }>;
    };
    const schema = post.requestBody.content['application/json'].schema;
    expect(schema.properties.kind.enum).toContain('lifted');
    expect(schema.properties.kind.enum).not.toContain('delivered');
    expect(schema.required).toEqual(
      expect.arrayContaining(['idempotencyKey', 'decisionId', 'kind']),
    );
    expect(Object.keys(post.responses)).toEqual(
      expect.arrayContaining([
        '200',
        '400',
        '401',
        '403',
        '404',
        '409',
        '413',
        '415',
        '429',
        '500',
      ]),
    );
    expect(post.responses['409']?.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
  });

  it('documents unmuting by scope and target, with its typed 400 and 404', async () => {
    const { api } = await world();
    const lift = api.openapi().paths['/feedback/suppressions/lift']?.post as {
      requestBody: {
        content: {
          'application/json': {
            schema: { properties: { scope: { enum: string[] } }; required: string[] };
          };
        };
      };
      responses: Record<string, unknown>;
    };
    const schema = lift.requestBody.content['application/json'].schema;
    expect(schema.required.sort()).toEqual(['idempotencyKey', 'scope', 'target']);
    expect(schema.properties.scope.enum.sort()).toEqual([
      'all',
      'channel',
      'item',
      'rule',
      'topic',
    ]);
    expect(Object.keys(lift.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
  });
});
