import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  type HttpDemo,
  OPERATOR_TOKEN,
  snapshot,
  startHttpDemo,
  type Visitor,
} from './http-harness';

// Issue #13 item 7: what a client gets wrong answers a 4xx with a plain page, logs one line
// (never a stack) and writes nothing. HTTP-level: the demo runs in-process, no browser.

let h: HttpDemo;
let v: Visitor;
const consoleError = vi.spyOn(console, 'error');

beforeAll(async () => {
  h = await startHttpDemo();
  v = await h.visitor();
}, 120_000);
afterAll(async () => {
  await h?.close();
  consoleError.mockRestore();
}, 30_000);

/** A stack frame as V8 prints it (`    at fn (file:line:col)`). */
const STACK = /\n\s+at\s|:\d+:\d+\)?$/m;

/** The log lines added while `run` ran. */
async function logged<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const from = h.logs.length;
  const result = await run();
  return { result, lines: h.logs.slice(from) };
}

/** The request was refused with `status`: one plain log line, no stack, no server error. */
function expectOneLine(lines: string[], status: number): void {
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${status} (GET|POST) `));
  expect(lines[0]).not.toMatch(STACK);
  expect(lines[0]).not.toMatch(/\p{Cc}/u);
  expect(h.errors).toEqual([]);
  expect(consoleError).not.toHaveBeenCalled();
}

/** A plain-language error page: no stack, no path, no id, nothing unescaped. */
async function expectPlainPage(response: Response, ...absent: string[]): Promise<string> {
  const html = await response.text();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(html).not.toMatch(STACK);
  expect(html).not.toMatch(/Error:|TypeError|node_modules|\.ts\b/);
  for (const text of absent) expect(html).not.toContain(text);
  return html;
}

const consent = { purpose: 'service.proactive_support', action: 'withdraw' };

describe('request bodies over the limit answer 413', () => {
  test('a 5 MB body (with Content-Length): 413, nothing written, one log line', async () => {
    const before = await snapshot(h.service);
    const { result, lines } = await logged(() =>
      v.post('/customers/cus_ana/consent', { ...consent, pad: 'a'.repeat(5 * 1024 * 1024) }),
    );
    expect(result.status).toBe(413);
    await expectPlainPage(result);
    expectOneLine(lines, 413);
    expect(await snapshot(h.service)).toBe(before);
  });

  test('a 5 MB body streamed in chunks (no Content-Length): 413', async () => {
    const chunk = new TextEncoder().encode('a'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 5 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const { result, lines } = await logged(() =>
      fetch(`${h.url}/customers/cus_ana/consent`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          origin: h.url,
          cookie: v.cookie,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(result.status).toBe(413);
    await result.text();
    expectOneLine(lines, 413);
  });

  test('a 17 KB body: 413; a 15 KB one is still read', async () => {
    const over = await v.post('/customers/cus_ana/consent', {
      purpose: 'nope',
      pad: 'a'.repeat(17 * 1024),
    });
    expect(over.status).toBe(413);
    await over.text();
    // Under the limit the form is read (and, malformed, refused the usual way).
    const under = await v.post('/customers/cus_ana/consent', {
      purpose: 'nope',
      pad: 'a'.repeat(15 * 1024),
    });
    expect(under.status).toBe(303);
    expect(under.headers.get('location')).toBe('/customers/cus_ana/preferences?done=invalid');
  });
});

describe('malformed requests answer 400', () => {
  test('a broken multipart boundary: 400, one log line, nothing written', async () => {
    const before = await snapshot(h.service);
    const body = `--other\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${v.csrf}\r\n--other--\r\n`;
    for (const type of ['multipart/form-data; boundary=expected', 'multipart/form-data']) {
      const { result, lines } = await logged(() =>
        v.post('/customers/cus_ana/consent', { raw: body, type }),
      );
      expect(result.status).toBe(400);
      await expectPlainPage(result, 'FormData');
      expectOneLine(lines, 400);
    }
    expect(await snapshot(h.service)).toBe(before);
  });

  test('a well-formed multipart form still works', async () => {
    const form = new FormData();
    form.set('_csrf', v.csrf);
    form.set('purpose', 'service.proactive_support');
    form.set('action', 'grant');
    const response = await fetch(`${h.url}/customers/cus_ana/consent`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: h.url, cookie: v.cookie },
      body: form,
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/customers/cus_ana/preferences?done=granted');
  });

  test('a CRLF or another control character in a customer id: 400, no header injected', async () => {
    const before = await snapshot(h.service);
    for (const path of [
      '/customers/cus_ana%0d%0aSet-Cookie:%20injected=1',
      '/customers/cus_ana%0d%0aX-Injected:%201/inbox',
      '/customers/cus%00ana/preferences',
      '/customers/cus_ana%09/receipt.json',
      '/customers/%3Cscript%3Ealert(1)%3C%2Fscript%3E/inbox',
    ]) {
      const { result, lines } = await logged(() => v.get(path));
      expect(result.status, path).toBe(400);
      expect(result.headers.get('set-cookie') ?? '').not.toContain('injected');
      expect(result.headers.get('x-injected')).toBeNull();
      await expectPlainPage(result, 'cus_ana', '<script>', 'alert(1)');
      expectOneLine(lines, 400);
    }
    const post = await v.post('/customers/cus_ana%0d%0a/consent', consent);
    expect(post.status).toBe(400);
    const message = await v.post('/customers/cus_ana/messages/m%0d%0a1/feedback', {
      signal: 'helpful',
    });
    expect(message.status).toBe(400);
    const rule = await fetch(`${h.url}/operator/rules/eco%0d%0ashipping/resume`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${OPERATOR_TOKEN}`,
        'x-csrf-token': v.csrf,
        cookie: v.cookie,
        origin: h.url,
      },
    });
    expect(rule.status).toBe(400);
    expect(await snapshot(h.service)).toBe(before);
  });

  test('a well-formed id nobody has is still 404', async () => {
    const { result, lines } = await logged(() => v.get('/customers/cus_nobody/inbox'));
    expect(result.status).toBe(404);
    await expectPlainPage(result, 'cus_nobody');
    expectOneLine(lines, 404);
  });

  test('an unknown purpose in the consent form is refused as invalid, not a 500', async () => {
    const before = await snapshot(h.service);
    const response = await v.post('/customers/cus_ana/consent', {
      purpose: 'marketing.nothing_like_this',
      action: 'withdraw',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/customers/cus_ana/preferences?done=invalid');
    expect(h.errors).toEqual([]);
    expect(await snapshot(h.service)).toBe(before);
  });
});

describe("controls and feedback on a message that is not the customer's answer 404", () => {
  let anas: string;
  let chloes: string;

  beforeAll(async () => {
    const sent = async (subject: string, type: string, ruleId: string) => {
      const outcomes = await h.service.sendEvent({ subject, type });
      expect(outcomes.map((o) => `${o.ruleId}:${o.fired}`)).toContain(`${ruleId}:true`);
      const message = h.service.inbox(subject).find((m) => m.ruleId === ruleId);
      if (!message) throw new Error(`no ${ruleId} message for ${subject}`);
      return message.id;
    };
    anas = await sent('cus_ana', 'checkout.started', 'eco-shipping');
    chloes = await sent('cus_chloe', 'flight.weather_risk', 'storm-rebooking');
  });

  /** The ids of the controls the detailed explanation of `subject`'s message offers. */
  const controlsOf = (subject: string, message: string) =>
    h.service.explain(subject, message, 'detailed')?.explanation.controls.map((c) => c.id) ?? [];

  test('every control and feedback on a message that does not exist: 404, nothing written', async () => {
    const controls = [...controlsOf('cus_ana', anas), ...controlsOf('cus_chloe', chloes)];
    expect(controls.length).toBeGreaterThan(0);
    const before = await snapshot(h.service);
    for (const control of controls) {
      const { result, lines } = await logged(() =>
        v.post('/customers/cus_ana/messages/msg_does_not_exist/controls', { control }),
      );
      expect(result.status).toBe(404);
      await expectPlainPage(result, 'msg_does_not_exist', control);
      expectOneLine(lines, 404);
    }
    for (const signal of ['helpful', 'not_interested', 'too_frequent', 'intrusive', 'wrong_data']) {
      const response = await v.post('/customers/cus_ana/messages/msg_does_not_exist/feedback', {
        signal,
      });
      expect(response.status).toBe(404);
    }
    expect(await snapshot(h.service)).toBe(before);
  });

  test('an Unmute of something the customer has not muted: 404, nothing written; a bad scope is refused as invalid', async () => {
    const before = await snapshot(h.service);
    for (const fields of [
      { scope: 'topic', target: 'offers.travel' },
      { scope: 'all', target: '*' },
    ]) {
      const { result, lines } = await logged(() => v.post('/customers/cus_ana/unmute', fields));
      expect(result.status).toBe(404);
      await expectPlainPage(result, 'offers.travel');
      expectOneLine(lines, 404);
    }
    const bad = await v.post('/customers/cus_ana/unmute', { scope: 'everything', target: 'x' });
    expect(bad.status).toBe(303);
    expect(bad.headers.get('location')).toBe('/customers/cus_ana/inbox?done=invalid');
    expect(await snapshot(h.service)).toBe(before);
  });

  test("another customer's message (withdraw, mute, feedback): 404, their choices untouched", async () => {
    const controls = controlsOf('cus_chloe', chloes);
    // Chloé's storm message offers to stop the purpose: a withdrawal in her ledger if applied.
    expect(
      h.service
        .explain('cus_chloe', chloes, 'detailed')
        ?.explanation.controls.some((c) => c.kind === 'stop_purpose'),
    ).toBe(true);
    const before = await snapshot(h.service);
    for (const control of controls) {
      const response = await v.post(`/customers/cus_ana/messages/${chloes}/controls`, { control });
      expect(response.status).toBe(404);
      await expectPlainPage(response, chloes);
    }
    for (const signal of ['not_interested', 'too_frequent', 'intrusive', 'wrong_data']) {
      const response = await v.post(`/customers/cus_ana/messages/${chloes}/feedback`, { signal });
      expect(response.status).toBe(404);
    }
    // And the other way round: Ana's message from Chloé's page.
    for (const control of controlsOf('cus_ana', anas)) {
      const response = await v.post(`/customers/cus_chloe/messages/${anas}/controls`, { control });
      expect(response.status).toBe(404);
    }
    expect(await snapshot(h.service)).toBe(before);
    expect(h.errors).toEqual([]);
  });

  test('a control the explanation does not offer: 404, nothing written', async () => {
    const before = await snapshot(h.service);
    const response = await v.post(`/customers/cus_ana/messages/${anas}/controls`, {
      control: 'no_such_control',
    });
    expect(response.status).toBe(404);
    await expectPlainPage(response, 'no_such_control', anas);
    expect(await snapshot(h.service)).toBe(before);
  });

  test("the customer's own message: controls and feedback still act", async () => {
    const before = await snapshot(h.service);
    const feedback = await v.post(`/customers/cus_ana/messages/${anas}/feedback`, {
      signal: 'helpful',
    });
    expect(feedback.status).toBe(303);
    expect(feedback.headers.get('location')).toBe('/customers/cus_ana/inbox?done=feedback');
    const afterFeedback = await snapshot(h.service);
    expect(afterFeedback).not.toBe(before);
    const control = controlsOf('cus_ana', anas)[0] ?? '';
    const response = await v.post(`/customers/cus_ana/messages/${anas}/controls`, { control });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      `/customers/cus_ana/messages/${anas}?done=control`,
    );
  });

  test('an event type the simulator does not know: refused as invalid, nothing written', async () => {
    const before = await snapshot(h.service);
    const outcomes = h.service.outcomes().length;
    const response = await fetch(`${h.url}/operator/events`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        authorization: `Bearer ${OPERATOR_TOKEN}`,
        cookie: v.cookie,
        origin: h.url,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: v.csrf, subject: 'cus_ana', type: 'no.such_event' }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/operator/simulator?done=invalid');
    expect(h.service.outcomes()).toHaveLength(outcomes);
    expect(await snapshot(h.service)).toBe(before);
  });
});

describe('security headers: X-Frame-Options DENY with frame-ancestors none, on every response', () => {
  const expectNoFraming = (response: Response, label: string) => {
    expect(response.headers.get('x-frame-options'), label).toBe('DENY');
    expect(response.headers.get('content-security-policy'), label).toContain(
      "frame-ancestors 'none'",
    );
    expect(response.headers.get('x-content-type-options'), label).toBe('nosniff');
  };

  test('pages, redirects and every error status', async () => {
    const cases: [string, Promise<Response>, number][] = [
      ['home', v.get('/'), 200],
      ['stylesheet', v.get('/static/app.css'), 200],
      ['redirect', v.get('/customers/cus_ana'), 302],
      ['form redirect', v.post('/customers/cus_ana/consent', { purpose: 'x', action: 'y' }), 303],
      ['malformed id', v.get('/customers/cus%0aana/inbox'), 400],
      ['no operator token', v.get('/operator'), 401],
      ['no CSRF token', fetch(`${h.url}/customers/cus_ana/consent`, { method: 'POST' }), 403],
      ['unknown page', v.get('/nowhere'), 404],
      ['too large', v.post('/customers/cus_ana/consent', { pad: 'a'.repeat(20_000) }), 413],
    ];
    for (const [label, pending, status] of cases) {
      const response = await pending;
      expect(response.status, label).toBe(status);
      expectNoFraming(response, label);
      await response.text();
    }
    h.errors.length = 0;
  });

  test('a server-side failure: 500, plain page, stack to the error log only', async () => {
    h.breakTransparencyOnce();
    const { result, lines } = await logged(() => v.get('/transparency'));
    expect(result.status).toBe(500);
    expectNoFraming(result, '500');
    await expectPlainPage(result, 'the transparency page broke');
    expect(h.errors).toHaveLength(1);
    expect(String((h.errors[0] as Error).stack)).toMatch(STACK);
    expect(lines.every((line) => !STACK.test(line))).toBe(true);
    h.errors.length = 0;
    expect((await v.get('/transparency')).status).toBe(200);
  });
});

describe('error pages', () => {
  test('never echo the request, and flash names are looked up, not echoed', async () => {
    const probe = '%3Cimg%20src=x%20onerror=alert(1)%3E';
    for (const path of [`/nowhere/${probe}`, `/customers/${probe}/inbox`]) {
      const response = await v.get(path);
      expect([400, 404]).toContain(response.status);
      await expectPlainPage(response, '<img', 'onerror', 'nowhere');
    }
    for (const done of ['__proto__', 'constructor', 'toString']) {
      const html = await (await v.get(`/customers/cus_ana/inbox?done=${done}`)).text();
      expect(html).not.toMatch(/class="card flash/);
    }
  });
});
