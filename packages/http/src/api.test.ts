import { createVirtualClock, duration } from '@candor/core';
import { createExplainer } from '@candor/explain';
import { describe, expect, it } from 'vitest';
import { createTokenBucketLimiter } from './rate-limit';
import { asCustomer, ORIGIN, world } from './world.test-helpers';

const feedbackBody = (over: Record<string, unknown> = {}) => ({
  idempotencyKey: 'k-1',
  decisionId: 'd-ana-1',
  kind: 'not_interested',
  scope: 'topic',
  ...over,
});

async function errorOf(response: Response) {
  const body = (await response.json()) as {
    error: { code: string; message: string; path?: string };
  };
  return { status: response.status, ...body.error };
}

describe('who may ask', () => {
  it('answers 401 without a session and never reads the subject from the URL or body', async () => {
    const { api } = await world();
    const response = await api.fetch(new Request(`${ORIGIN}/memories?subject=cus_ana`));
    expect(await errorOf(response)).toMatchObject({ status: 401, code: 'http/unauthenticated' });
  });

  it('answers 404 for an unknown address and 405 with Allow for a wrong method', async () => {
    const { api } = await world();
    expect(await errorOf(await api.fetch(asCustomer('/nope')))).toMatchObject({
      status: 404,
      code: 'http/not_found',
    });
    const wrong = await api.fetch(asCustomer('/memories', { method: 'PUT' }));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect((await errorOf(wrong)).code).toBe('http/method_not_allowed');
  });

  it('answers 404 for an id holding a NUL character, without asking a store (none holds one)', async () => {
    // As a PostgreSQL store would: it cannot even be asked for such an id.
    const asked: string[] = [];
    const { api } = await world({
      decisions: (_subject, id) => {
        asked.push(id);
        if (id.includes('\u0000'))
          throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
        return undefined;
      },
    });
    const response = await api.fetch(asCustomer('/decisions/d%00x/explanation'));
    expect(await errorOf(response)).toMatchObject({ status: 404, code: 'http/not_found' });
    expect(asked).toEqual([]);
  });

  it('refuses unsafe requests from other sites (Origin or Sec-Fetch-Site) and writes nothing', async () => {
    const { api, feedback } = await world();
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin: '' },
      { 'sec-fetch-site': 'same-site', origin: 'https://blog.shop.example' },
    ]) {
      const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
      const request = asCustomer('/feedback', { method: 'POST', json: feedbackBody() });
      const forged = new Request(request, { headers: new Headers(request.headers) });
      forged.headers.delete('origin');
      forged.headers.delete('sec-fetch-site');
      for (const [k, v] of Object.entries(clean)) forged.headers.set(k, v);
      expect(await errorOf(await api.fetch(forged))).toMatchObject({
        status: 403,
        code: 'http/forbidden_origin',
      });
    }
    expect(feedback.suppressions('cus_ana')).toEqual([]);
  });

  it('accepts an unsafe request from an allowed origin', async () => {
    const { api } = await world({ allowedOrigins: ['https://blog.shop.example'] });
    const response = await api.fetch(
      asCustomer('/feedback', {
        method: 'POST',
        json: feedbackBody(),
        headers: { origin: 'https://blog.shop.example', 'sec-fetch-site': 'same-site' },
      }),
    );
    expect(response.status).toBe(200);
  });

  it('answers CORS for allowed origins only (preflight and responses), with credentials', async () => {
    const { api } = await world({ allowedOrigins: ['https://blog.shop.example'] });
    const preflight = (origin: string) =>
      api.fetch(
        new Request(`${ORIGIN}/feedback`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        }),
      );
    const allowed = await preflight('https://blog.shop.example');
    expect(allowed.status).toBe(204);
    const header = (name: string) => allowed.headers.get(name);
    expect([
      header('access-control-allow-origin'),
      header('access-control-allow-credentials'),
      header('access-control-allow-methods'),
    ]).toEqual(['https://blog.shop.example', 'true', 'POST']);
    expect((await errorOf(await preflight('https://evil.example'))).code).toBe(
      'http/forbidden_origin',
    );
    const read = (origin: string) => api.fetch(asCustomer('/memories', { headers: { origin } }));
    expect(
      (await read('https://blog.shop.example')).headers.get('access-control-allow-origin'),
    ).toBe('https://blog.shop.example');
    expect(
      (await read('https://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });

  it('limits each customer on their own: 429 with Retry-After, others unaffected', async () => {
    const { api, clock } = await world({
      rateLimit: createTokenBucketLimiter({ capacity: 2, refillPerSecond: 0.5 }),
    });
    expect((await api.fetch(asCustomer('/memories'))).status).toBe(200);
    expect((await api.fetch(asCustomer('/memories'))).status).toBe(200);
    const limited = await api.fetch(asCustomer('/memories'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await errorOf(limited)).code).toBe('http/rate_limited');
    expect((await api.fetch(asCustomer('/memories', { sid: 's-bo' }))).status).toBe(200);
    void clock;
  });

  it('refills the default limit in wall time, even when the app runs on a virtual clock', async () => {
    // The world's clock is virtual and never moves here: a bucket on it would never refill.
    const { api } = await world({ rateLimit: { capacity: 1, refillPerSecond: 40 } });
    expect((await api.fetch(asCustomer('/memories'))).status).toBe(200);
    expect((await api.fetch(asCustomer('/memories'))).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await api.fetch(asCustomer('/memories'))).status).toBe(200);
  });
});

describe('bad bodies: a typed 4xx and nothing written', () => {
  const post = (body: BodyInit, headers: Record<string, string>) =>
    asCustomer('/feedback', { method: 'POST', body, headers });

  it.each([
    [
      'not JSON',
      post('kind=helpful', { 'content-type': 'text/plain' }),
      415,
      'http/unsupported_media_type',
      undefined,
    ],
    [
      'malformed JSON',
      post('{"kind":', { 'content-type': 'application/json' }),
      400,
      'http/invalid_json',
      undefined,
    ],
    [
      'an unknown kind',
      post(JSON.stringify(feedbackBody({ kind: 'delivered' })), {
        'content-type': 'application/json',
      }),
      400,
      'http/invalid_body',
      'kind',
    ],
    [
      'an unknown field',
      post(JSON.stringify(feedbackBody({ ruleId: 'x' })), { 'content-type': 'application/json' }),
      400,
      'http/invalid_body',
      'ruleId',
    ],
    [
      'a prototype key',
      post(
        '{"__proto__":{"admin":true},"idempotencyKey":"k","decisionId":"d-ana-1","kind":"helpful"}',
        {
          'content-type': 'application/json',
        },
      ),
      400,
      'http/invalid_body',
      '__proto__',
    ],
    [
      'a NUL character in a note (PostgreSQL cannot store it)',
      post(JSON.stringify(feedbackBody({ note: 'stop\u0000' })), {
        'content-type': 'application/json',
      }),
      400,
      'http/invalid_body',
      'note',
    ],
    [
      'a lone UTF-16 surrogate in a note (PostgreSQL cannot store it)',
      post(JSON.stringify(feedbackBody({ note: 'bad \ud800 thing' })), {
        'content-type': 'application/json',
      }),
      400,
      'http/invalid_body',
      'note',
    ],
    [
      'another customer named in the body',
      post(JSON.stringify(feedbackBody({ subject: 'cus_bo' })), {
        'content-type': 'application/json',
      }),
      403,
      'http/forbidden_subject',
      'subject',
    ],
    [
      'a mute for longer than ten years',
      post(JSON.stringify(feedbackBody({ durationMs: Number.MAX_SAFE_INTEGER })), {
        'content-type': 'application/json',
      }),
      400,
      'http/invalid_body',
      'durationMs',
    ],
    [
      "an item mute naming no item (the body's field, not the package's)",
      post(JSON.stringify(feedbackBody({ scope: 'item' })), { 'content-type': 'application/json' }),
      400,
      'http/invalid_body',
      'scope',
    ],
    [
      'a value nested too deeply',
      post(
        JSON.stringify(
          feedbackBody({ note: undefined, extra: JSON.parse('['.repeat(3000) + ']'.repeat(3000)) }),
        ),
        { 'content-type': 'application/json' },
      ),
      400,
      'http/invalid_body',
      `extra${'[0]'.repeat(31)}`,
    ],
    [
      'a body over the limit',
      post(JSON.stringify(feedbackBody({ note: 'x'.repeat(20_000) })), {
        'content-type': 'application/json',
      }),
      413,
      'http/payload_too_large',
      undefined,
    ],
  ] as const)('%s', async (_name, request, status, code, path) => {
    const { api, feedback } = await world();
    const error = await errorOf(await api.fetch(request));
    expect(error).toMatchObject({ status, code });
    expect(error.path).toBe(path);
    expect(feedback.events().filter((e) => e.kind !== 'delivered')).toEqual([]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('counts the bytes it reads when there is no Content-Length (413)', async () => {
    const { api } = await world({ maxBodyBytes: 1024 });
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(200)));
        controller.close();
      },
    });
    const request = new Request(`${ORIGIN}/feedback`, {
      method: 'POST',
      body: chunks,
      headers: { cookie: 'sid=s-ana', 'content-type': 'application/json', origin: ORIGIN },
      duplex: 'half',
    } as RequestInit);
    expect(request.headers.get('content-length')).toBeNull();
    expect((await errorOf(await api.fetch(request))).code).toBe('http/payload_too_large');
  });

  it('refuses a lone surrogate in any text or key (400 naming it), and takes a whole emoji', async () => {
    const { api, consent, corrections } = await world();
    const at = Date.parse('2026-06-01T08:59:00Z');
    const refused = [
      [
        '/consent/choices',
        `{"key":"k\\ud800","purpose":"marketing.email","action":"grant","chosenAt":${at}}`,
        'key',
        'key: holds a lone UTF-16 surrogate',
      ],
      [
        '/corrections',
        '{"idempotencyKey":"k-2","path":"card.expiresAt","proposed":"2028-03-31","note":"\\udfff"}',
        'note',
        'note: holds a lone UTF-16 surrogate',
      ],
      [
        '/corrections',
        '{"idempotencyKey":"k-3","path":"card.expiresAt","proposed":{"x\\udc00":1}}',
        'proposed.x\udc00',
        'is not a field name we accept',
      ],
    ] as const;
    for (const [path, body, field, message] of refused) {
      const request = asCustomer(path, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      const error = await errorOf(await api.fetch(request));
      expect(error).toMatchObject({ status: 400, code: 'http/invalid_body', path: field });
      expect(error.message).toContain(message);
    }
    expect(consent.entries('cus_ana')).toHaveLength(1);
    expect(await corrections.corrections('cus_ana')).toEqual([]);
    const emoji = await api.fetch(
      asCustomer('/feedback', { method: 'POST', json: feedbackBody({ note: 'thanks 👍' }) }),
    );
    expect(emoji.status).toBe(200);
  });

  it('accepts a body that names the signed-in customer', async () => {
    const { api } = await world();
    const response = await api.fetch(
      asCustomer('/feedback', { method: 'POST', json: feedbackBody({ subject: 'cus_ana' }) }),
    );
    expect(response.status).toBe(200);
  });
});

describe('feedback and mutes', () => {
  it('mutes a topic, lists it, and lifts it again', async () => {
    const { api, feedback } = await world();
    const muted = await api.fetch(
      asCustomer('/feedback', { method: 'POST', json: feedbackBody() }),
    );
    expect(muted.status).toBe(200);
    const reply = (await muted.json()) as {
      status: string;
      suppressions: { scope: string; target: string }[];
    };
    expect(reply.status).toBe('accepted');
    expect(reply.suppressions).toMatchObject([{ scope: 'topic', target: 'billing.card_expiry' }]);
    const listed = await api.fetch(asCustomer('/feedback/suppressions'));
    expect(((await listed.json()) as { suppressions: unknown[] }).suppressions).toHaveLength(1);
    // Bo sees none of Ana's mutes.
    const bo = await api.fetch(asCustomer('/feedback/suppressions', { sid: 's-bo' }));
    expect(await bo.json()).toEqual({ suppressions: [] });

    const lifted = await api.fetch(
      asCustomer('/feedback', {
        method: 'POST',
        json: feedbackBody({ idempotencyKey: 'k-2', kind: 'lifted' }),
      }),
    );
    expect(lifted.status).toBe(200);
    expect(feedback.suppressions('cus_ana')).toEqual([]);
  });

  it('unmutes a listed mute by its scope and target alone: the next check allows', async () => {
    const { api, feedback, clock, message } = await world();
    await api.fetch(asCustomer('/feedback', { method: 'POST', json: feedbackBody() }));
    const query = {
      subject: 'cus_ana',
      ruleId: message.source.id,
      topic: message.action.topic,
      channel: message.action.channel,
      at: clock.now(),
    };
    expect(feedback.check(query).suppressed).toBe(true);
    const listed = (await (await api.fetch(asCustomer('/feedback/suppressions'))).json()) as {
      suppressions: { scope: string; target: string }[];
    };
    const [row] = listed.suppressions;
    const lift = { idempotencyKey: 'u-1', scope: row?.scope, target: row?.target };
    const lifted = await api.fetch(
      asCustomer('/feedback/suppressions/lift', { method: 'POST', json: lift }),
    );
    expect(lifted.status).toBe(200);
    expect(await lifted.json()).toEqual({ status: 'accepted', suppressions: [] });
    expect(feedback.check({ ...query, at: clock.now() }).suppressed).toBe(false);
    // A replay gets the same answer; the lift is recorded once, on the muted message.
    const replay = await api.fetch(
      asCustomer('/feedback/suppressions/lift', { method: 'POST', json: lift }),
    );
    expect(await replay.json()).toEqual({ status: 'accepted', suppressions: [] });
    const lifts = feedback.events().filter((e) => e.kind === 'lifted');
    expect(lifts.map((e) => [e.subject, e.decisionId, e.scope])).toEqual([
      ['cus_ana', 'd-ana-1', 'topic'],
    ]);
  });

  it('refuses to lift a mute that is unknown, malformed or someone else’s, writing nothing', async () => {
    const { api, feedback } = await world();
    await api.fetch(asCustomer('/feedback', { method: 'POST', json: feedbackBody() }));
    const lift = (json: unknown, sid?: string) =>
      api.fetch(
        asCustomer('/feedback/suppressions/lift', {
          method: 'POST',
          json,
          ...(sid ? { sid } : {}),
        }),
      );
    const mute = { idempotencyKey: 'u-1', scope: 'topic', target: 'billing.card_expiry' };
    expect(await errorOf(await lift({ ...mute, target: 'billing.other' }))).toMatchObject({
      status: 404,
      code: 'http/not_found',
      path: 'target',
    });
    expect(await errorOf(await lift({ ...mute, scope: 'channel' }))).toMatchObject({
      status: 404,
      path: 'target',
    });
    // Bo cannot lift Ana's mute (his session, her mute's scope and target).
    expect(await errorOf(await lift(mute, 's-bo'))).toMatchObject({ status: 404 });
    expect(await errorOf(await lift({ ...mute, scope: 'everything' }))).toMatchObject({
      status: 400,
      code: 'http/invalid_body',
      path: 'scope',
    });
    expect(await errorOf(await lift({ ...mute, target: '' }))).toMatchObject({
      status: 400,
      path: 'target',
    });
    expect(await errorOf(await lift({ scope: 'topic', target: 'x' }))).toMatchObject({
      status: 400,
      path: 'idempotencyKey',
    });
    expect(await errorOf(await lift({ ...mute, decisionId: 'd-ana-1' }))).toMatchObject({
      status: 400,
    });
    expect(await errorOf(await lift({ ...mute, subject: 'cus_bo' }))).toMatchObject({
      status: 403,
      code: 'http/forbidden_subject',
    });
    expect(feedback.events().filter((e) => e.kind === 'lifted')).toEqual([]);
    expect(feedback.suppressions('cus_ana')).toHaveLength(1);
  });

  it('replays the same request to the same answer, writes once, and refuses a changed one (409)', async () => {
    const { api, feedback, clock } = await world();
    const first = await api.fetch(
      asCustomer('/feedback', { method: 'POST', json: feedbackBody() }),
    );
    const firstBody = await first.text();
    clock.advance(1000);
    const again = await api.fetch(
      asCustomer('/feedback', { method: 'POST', json: feedbackBody() }),
    );
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(firstBody);
    const changed = await api.fetch(
      asCustomer('/feedback', {
        method: 'POST',
        json: feedbackBody({ kind: 'too_frequent', scope: 'rule' }),
      }),
    );
    expect(await errorOf(changed)).toMatchObject({
      status: 409,
      code: 'http/idempotency_conflict',
    });
    expect(
      feedback.events().filter((e) => e.subject === 'cus_ana' && e.kind !== 'delivered'),
    ).toHaveLength(1);
  });

  it("keeps one customer's key from colliding with another's", async () => {
    const { api } = await world();
    const ana = await api.fetch(asCustomer('/feedback', { method: 'POST', json: feedbackBody() }));
    expect(ana.status).toBe(200);
    // Bo's own message does not exist in the loop; what matters is his key is not Ana's.
    const bo = await api.fetch(
      asCustomer('/feedback', {
        method: 'POST',
        sid: 's-bo',
        json: feedbackBody({ kind: 'helpful', scope: undefined }),
      }),
    );
    expect(await errorOf(bo)).toMatchObject({ status: 404, code: 'http/not_found' });
  });

  it("refuses feedback on another customer's message (404) and writes nothing", async () => {
    const { api, feedback } = await world();
    const response = await api.fetch(
      asCustomer('/feedback', { method: 'POST', json: feedbackBody({ decisionId: 'd-bo-1' }) }),
    );
    expect(await errorOf(response)).toMatchObject({ status: 404, path: 'decisionId' });
    expect(feedback.events().filter((e) => e.kind !== 'delivered')).toEqual([]);
  });
});

describe('explanations, access history, memories, consent records', () => {
  it("explains the customer's own message with its controls, and nobody else's", async () => {
    const { api } = await world();
    const response = await api.fetch(
      asCustomer('/decisions/d-ana-1/explanation?layer=detailed&locale=en'),
    );
    expect(response.status).toBe(200);
    const explanation = (await response.json()) as { layer: string; controls: { kind: string }[] };
    expect(explanation.layer).toBe('detailed');
    expect(explanation.controls.map((c) => c.kind)).toContain('mute_topic');
    const other = await api.fetch(asCustomer('/decisions/d-bo-1/explanation'));
    expect((await errorOf(other)).status).toBe(404);
    const bad = await api.fetch(asCustomer('/decisions/d-ana-1/explanation?layer=everything'));
    expect(await errorOf(bad)).toMatchObject({
      status: 400,
      code: 'http/invalid_query',
      path: 'layer',
    });
  });

  it('shows the access history in words (the explanation just read is on it)', async () => {
    const { api } = await world();
    await api.fetch(asCustomer('/decisions/d-ana-1/explanation'));
    const response = await api.fetch(asCustomer('/access?days=30&locale=en'));
    expect(response.status).toBe(200);
    const page = (await response.json()) as { days: { lines: { text: string }[] }[] };
    expect(page.days.flatMap((d) => d.lines).length).toBeGreaterThan(0);
    const bad = await api.fetch(asCustomer('/access?days=9999'));
    expect(await errorOf(bad)).toMatchObject({ status: 400, path: 'days' });
    for (const zone of ['Mars/Olympus', '', 'Etc/GMT+14'])
      expect(
        await errorOf(await api.fetch(asCustomer(`/access?timeZone=${encodeURIComponent(zone)}`))),
      ).toMatchObject({ status: 400, code: 'http/invalid_query', path: 'timeZone' });
  });

  it('lists what is remembered and erases it at the customer’s request, only their own', async () => {
    const { api, remembered, memory } = await world();
    const listing = (await (await api.fetch(asCustomer('/memories'))).json()) as {
      active: { id: string }[];
    };
    expect(listing.active.map((m) => m.id)).toEqual([remembered.id]);
    const byBo = await api.fetch(
      asCustomer(`/memories/${remembered.id}`, { method: 'DELETE', sid: 's-bo' }),
    );
    expect((await errorOf(byBo)).status).toBe(404);
    expect((await memory.list('cus_ana')).active).toHaveLength(1);
    const erased = await api.fetch(asCustomer(`/memories/${remembered.id}`, { method: 'DELETE' }));
    expect(erased.status).toBe(200);
    expect((await memory.list('cus_ana')).active).toEqual([]);
    expect(
      (
        await errorOf(
          await api.fetch(asCustomer(`/memories/${remembered.id}`, { method: 'DELETE' })),
        )
      ).status,
    ).toBe(404);
  });

  it('exports the consent history with access records and issues receipts', async () => {
    const { api } = await world();
    const exported = await api.fetch(asCustomer('/consent/export'));
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    expect(exported.headers.get('cache-control')).toBe('no-store');
    const history = (await exported.json()) as {
      subject: string;
      entries: unknown[];
      access: unknown[];
    };
    expect(history.subject).toBe('cus_ana');
    expect(history.entries).toHaveLength(1);
    expect(Array.isArray(history.access)).toBe(true);
    const receipts = (await (await api.fetch(asCustomer('/consent/receipts'))).json()) as {
      receipts: unknown[];
    };
    expect(receipts.receipts).toHaveLength(1);
    const bo = (await (
      await api.fetch(asCustomer('/consent/receipts', { sid: 's-bo' }))
    ).json()) as { receipts: unknown[] };
    expect(bo.receipts).toEqual([]);
  });
});

describe('failures', () => {
  it('answers 500 without internals and hands the real error to onError', async () => {
    const { api, errors } = await world({
      decisions: () => {
        throw new Error('connection to db-7.internal refused (password=hunter2)');
      },
    });
    const response = await api.fetch(asCustomer('/decisions/d-ana-1/explanation'));
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(text).not.toMatch(/db-7|hunter2|at |Error/);
    expect(JSON.parse(text).error.code).toBe('http/internal');
    expect(errors).toHaveLength(1);
  });

  it('answers 410, not a 500, when the explanation is blocked because its data is too old', async () => {
    // Ana's card fact is 30 days old; this explainer's policy refuses to explain past 7 days.
    const clock = createVirtualClock('2026-06-01T09:00:00Z');
    const policy = { defaultEvidenceTtl: { maxAgeMs: 7 * duration.day, action: 'block' as const } };
    const { api, errors } = await world({ explainer: createExplainer({ clock, policy }) });
    const response = await api.fetch(asCustomer('/decisions/d-ana-1/explanation'));
    const error = await errorOf(response);
    expect(error).toMatchObject({ status: 410, code: 'http/gone' });
    expect(error.path).toBeUndefined();
    expect(error.message).toBe(
      'We can no longer explain this message, because the information behind it is too old',
    );
    expect(errors).toEqual([]);
  });

  it('serves only the routes whose ports are wired', async () => {
    const { consent } = await world();
    const { createPrivacyApi } = await import('./api');
    const bare = createPrivacyApi({ consent, authenticate: () => 'cus_ana' });
    expect(bare.routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /consent',
      'POST /consent/choices',
      'GET /consent/export',
      'GET /openapi.json',
    ]);
  });

  it('throws a typed error for bad options', async () => {
    const { consent } = await world();
    const { createPrivacyApi } = await import('./api');
    expect(() =>
      createPrivacyApi({ consent, authenticate: () => null, allowedOrigins: ['shop.example'] }),
    ).toThrow(
      expect.objectContaining({
        code: 'http/invalid_option',
        details: { path: 'allowedOrigins[0]' },
      }),
    );
  });
});
