import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type HttpDemo, snapshot, startHttpDemo } from './http-harness';

// The privacy-centre API (`@candor/http`) as the demo mounts it: each customer's under their
// pages, behind the session their pages sign the browser in with.

let h: HttpDemo;
beforeAll(async () => {
  h = await startHttpDemo();
}, 120_000);
afterAll(async () => {
  await h?.close();
}, 30_000);

/** Opens a customer's preferences and returns the session cookie it set (name=value). */
async function signIn(customer: string): Promise<string> {
  const page = await fetch(`${h.url}/customers/${customer}/preferences`);
  await page.text();
  const cookie = page.headers.getSetCookie().find((c) => c.startsWith('candor_customer='));
  expect(cookie).toContain(`Path=/customers/${customer}`);
  expect(cookie).toContain('HttpOnly');
  expect(cookie).toContain('SameSite=Strict');
  return (cookie ?? '').split(';')[0] ?? '';
}

const api = (customer: string, path: string) => `${h.url}/customers/${customer}/api/privacy${path}`;
const choose = (customer: string, cookie: string, body: unknown, origin = h.url) =>
  fetch(api(customer, '/consent/choices'), {
    method: 'POST',
    headers: { cookie, origin, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('the privacy-centre API under each customer', () => {
  test('a snapshot needs the session of that customer: none, another one or a forged one is 401', async () => {
    const ana = await signIn('cus_ana');
    const ok = await fetch(api('cus_ana', '/consent'), { headers: { cookie: ana } });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as {
      purposes: Record<string, { verdict: { allowed: boolean } }>;
    };
    expect(body.purposes['service.proactive_support']?.verdict.allowed).toBe(true);
    expect(ok.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    expect((await fetch(api('cus_ana', '/consent'))).status).toBe(401);
    // Ana's session sent to Ben's API (a browser never does: the cookie's path is Ana's pages).
    expect((await fetch(api('cus_ben', '/consent'), { headers: { cookie: ana } })).status).toBe(
      401,
    );
    const [name, value = ''] = ana.split('=');
    const forged = `${name}=${value.replace(/^cus_ana/, 'cus_ben')}`;
    expect((await fetch(api('cus_ben', '/consent'), { headers: { cookie: forged } })).status).toBe(
      401,
    );
  });

  test('a withdrawal posted twice with one key is one ledger entry, and the next decision denies', async () => {
    const ana = await signIn('cus_ana');
    const before = (await h.service.history('cus_ana')).length;
    const choice = {
      key: 'k-withdraw-1',
      purpose: 'personalization.recommendations',
      action: 'withdraw',
      chosenAt: h.service.now(),
    };
    const first = await choose('cus_ana', ana, choice);
    expect(first.status).toBe(200);
    expect(((await first.json()) as { duplicate: boolean }).duplicate).toBe(false);
    const replay = await choose('cus_ana', ana, choice);
    expect(((await replay.json()) as { duplicate: boolean }).duplicate).toBe(true);
    expect((await h.service.history('cus_ana')).length).toBe(before + 1);
    const purpose = h.service
      .preferences('cus_ana')
      .find((p) => p.id === 'personalization.recommendations');
    expect(purpose?.allowed).toBe(false);
  });

  test('a choice from another site, for someone else, or about an unknown purpose writes nothing', async () => {
    const ben = await signIn('cus_ben');
    const before = await snapshot(h.service);
    const choice = {
      key: 'k-forged',
      purpose: 'service.proactive_support',
      action: 'withdraw',
      chosenAt: h.service.now(),
    };
    const forged = await choose('cus_ben', ben, choice, 'https://evil.example');
    expect(forged.status).toBe(403);
    const theirs = await choose('cus_ben', ben, { ...choice, subject: 'cus_ana' });
    expect(theirs.status).toBe(403);
    const unknown = await choose('cus_ben', ben, { ...choice, purpose: 'no.such_purpose' });
    expect(unknown.status).toBe(400);
    expect(await snapshot(h.service)).toBe(before);
  });

  test('a correction asked for through the API reaches the operator’s queue, once', async () => {
    const ana = await signIn('cus_ana');
    const ask = () =>
      fetch(api('cus_ana', '/corrections'), {
        method: 'POST',
        headers: { cookie: ana, origin: h.url, 'content-type': 'application/json' },
        body: JSON.stringify({
          idempotencyKey: 'api-correction-1',
          path: 'subscription.plan',
          proposed: 'Family',
        }),
      });
    const first = await ask();
    expect(first.status).toBe(200);
    expect(await ask().then((r) => r.status)).toBe(200);
    // What the page's form refuses, the API refuses, naming the field: no queue entry.
    for (const [path, proposed] of [
      ['account.homeCountry', 'Atlantis'],
      ['preferences.sustainability', { '<b>': ['x'] }],
    ] as const) {
      const refused = await fetch(api('cus_ana', '/corrections'), {
        method: 'POST',
        headers: { cookie: ana, origin: h.url, 'content-type': 'application/json' },
        body: JSON.stringify({ idempotencyKey: `api-refused-${path}`, path, proposed }),
      });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { path: string } }).error.path).toBe('proposed');
    }
    const queue = await h.service.corrections.queue();
    expect(queue.filter((c) => c.subject === 'cus_ana' && c.status === 'open')).toHaveLength(1);
    const listed = (await (
      await fetch(api('cus_ana', '/corrections'), { headers: { cookie: ana } })
    ).json()) as { corrections: { path: string; status: string }[] };
    expect(listed.corrections).toMatchObject([{ path: 'subscription.plan', status: 'open' }]);
    // Ben's list is his own.
    const ben = await signIn('cus_ben');
    const his = (await (
      await fetch(api('cus_ben', '/corrections'), { headers: { cookie: ben } })
    ).json()) as { corrections: unknown[] };
    expect(his.corrections).toEqual([]);
  });

  test('the pages load their one script from this origin, and the CSP allows nothing inline', async () => {
    const page = await fetch(`${h.url}/customers/cus_ana/inbox`);
    const html = await page.text();
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("connect-src 'self'");
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    expect(scripts).toEqual(['<script type="module" src="/static/privacy.js">']);
    const openapi = await fetch(api('cus_ana', '/openapi.json'));
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\.1/);
    const script = await fetch(`${h.url}/static/privacy.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect((await script.text()).length).toBeGreaterThan(500);
  });
});
