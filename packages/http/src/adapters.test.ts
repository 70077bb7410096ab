import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from './node';
import { world } from './world.test-helpers';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  if (!server.listening) {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  }
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The same conversation through either server: read, write, replay, refuse. */
async function conversation(base: string, prefix: string) {
  const headers = { cookie: 'sid=s-ana' };
  const listing = await fetch(`${base}${prefix}/memories`, { headers });
  expect(listing.status).toBe(200);
  expect(listing.headers.get('content-type')).toContain('application/json');
  expect(((await listing.json()) as { active: unknown[] }).active).toHaveLength(1);

  const post = (body: string, extra: Record<string, string> = {}) =>
    fetch(`${base}${prefix}/feedback`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', origin: base, ...extra },
      body,
    });
  const body = JSON.stringify({
    idempotencyKey: 'k-1',
    decisionId: 'd-ana-1',
    kind: 'not_interested',
    scope: 'topic',
  });
  const first = await post(body);
  expect(first.status).toBe(200);
  const replay = await post(body);
  expect(await replay.text()).toBe(await first.text());

  const forged = await post(body, { origin: 'https://evil.example' });
  expect(forged.status).toBe(403);
  const big = await post(JSON.stringify({ note: 'x'.repeat(40_000) }));
  expect(big.status).toBe(413);
  const anonymous = await fetch(`${base}${prefix}/memories`);
  expect(anonymous.status).toBe(401);
  const head = await fetch(`${base}${prefix}/memories`, { method: 'HEAD', headers });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe('');
}

describe('adapters, over real HTTP', () => {
  it("serves the API from Node's http server through toNodeListener", async () => {
    const { api, feedback } = await world();
    const base = await listen(createServer(toNodeListener(api.fetch)));
    await conversation(base, '');
    expect(feedback.suppressions('cus_ana')).toHaveLength(1);
  });

  it('serves the API mounted in a Hono app under a base path', async () => {
    const { api, feedback } = await world({ basePath: '/api/privacy' });
    const app = new Hono();
    app.get('/', (c) => c.text('shop'));
    app.all('/api/privacy/*', (c) => api.fetch(c.req.raw));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await once(server, 'listening');
    const base = await listen(server);
    await conversation(base, '/api/privacy');
    expect(feedback.suppressions('cus_ana')).toHaveLength(1);
    expect(await (await fetch(`${base}/`)).text()).toBe('shop');
  });

  it('hands the handler a Request that behaves as one: headers, body, clone, signal', async () => {
    const seen: unknown[] = [];
    const base = await listen(
      createServer(
        toNodeListener(async (request) => {
          const copy = request.clone();
          seen.push(
            request instanceof Request,
            request.method,
            new URL(request.url).pathname,
            request.headers.get('x-two'),
            request.signal instanceof AbortSignal,
            request.bodyUsed,
          );
          const body = request.method === 'POST' ? await request.json() : null;
          seen.push(body, request.bodyUsed, copy.method);
          return Response.json({ ok: true }, { headers: { 'set-cookie': 'a=1' } });
        }),
      ),
    );
    const response = await fetch(`${base}/x?y=1`, {
      method: 'POST',
      headers: [
        ['x-two', 'a'],
        ['x-two', 'b'],
        ['content-type', 'application/json'],
      ],
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(['a=1']);
    expect(await response.json()).toEqual({ ok: true });
    expect(seen).toEqual([
      true,
      'POST',
      '/x',
      'a, b',
      true,
      false,
      { hello: 'world' },
      true,
      'POST',
    ]);
  });

  it('answers 400 to a Host header that makes no URL, without calling the handler', async () => {
    let called = 0;
    const base = await listen(
      createServer(
        toNodeListener(async () => {
          called++;
          return new Response('ok');
        }),
      ),
    );
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    socket.end('GET /x HTTP/1.1\r\nHost: bad host\r\nConnection: close\r\n\r\n');
    let reply = '';
    for await (const chunk of socket) reply += String(chunk);
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(called).toBe(0);
  });

  it('answers a bare 500 when the handler itself throws, and reports it', async () => {
    const errors: unknown[] = [];
    const base = await listen(
      createServer(
        toNodeListener(
          async () => {
            throw new Error('secret detail');
          },
          { onError: (error) => errors.push(error) },
        ),
      ),
    );
    const response = await fetch(`${base}/x`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('secret');
    expect(errors).toHaveLength(1);
  });
});
