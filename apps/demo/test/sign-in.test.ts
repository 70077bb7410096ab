import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type HttpDemo,
  OPERATOR_TOKEN,
  postFrom,
  startHttpDemo,
  type Visitor,
} from './http-harness';

// Sign-in is rate limited per client address and for the operator account, with small limits
// here: 3 attempts per address, 5 for the account, per minute.

let h: HttpDemo;
let v: Visitor;

beforeAll(async () => {
  h = await startHttpDemo({
    signInLimits: {
      perAddress: { max: 3, windowMs: 60_000 },
      perAccount: { max: 5, windowMs: 60_000 },
    },
  });
  v = await h.visitor();
}, 120_000);
afterAll(async () => {
  await h?.close();
}, 30_000);

const signIn = (token: string, from = '127.0.0.1') =>
  postFrom(from, h.url, '/operator/login', v, { token });

const retryAfter = (headers: Record<string, string | string[] | undefined>) =>
  Number(headers['retry-after']);

test('per address: past the limit, 429 with Retry-After, even for the right token', async () => {
  expect((await signIn('wrong-token-1')).status).toBe(403);
  expect((await signIn('wrong-token-2')).status).toBe(403);
  expect((await signIn('wrong-token-3')).status).toBe(403);
  const from = h.logs.length;
  const limited = await signIn(OPERATOR_TOKEN);
  expect(limited.status).toBe(429);
  expect(retryAfter(limited.headers)).toBeGreaterThanOrEqual(1);
  expect(retryAfter(limited.headers)).toBeLessThanOrEqual(60);
  expect(limited.headers['x-frame-options']).toBe('DENY');
  expect(limited.headers['set-cookie'] ?? []).not.toEqual(
    expect.arrayContaining([expect.stringContaining('candor_operator=')]),
  );
  const lines = h.logs.slice(from);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^429 POST \/operator\/login: too many sign-in attempts/);
  expect(lines[0]).not.toContain(OPERATOR_TOKEN);
  expect(h.errors).toEqual([]);

  // The operator token in a header is a sign-in too: refused while this address is limited.
  const bearer = await fetch(`${h.url}/operator`, {
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
  });
  expect(bearer.status).toBe(429);
  expect(Number(bearer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const page = await bearer.text();
  expect(page).toContain('Too many sign-in attempts');
  expect(page).not.toContain(OPERATOR_TOKEN);
});

test('per account: attempts from other addresses add up to the account limit', async () => {
  // Address .1 spent 3 of the account's 5 (its refused 4th attempt is not counted).
  expect((await signIn(OPERATOR_TOKEN, '127.0.0.2')).status).toBe(303);
  expect((await signIn('wrong-token-4', '127.0.0.3')).status).toBe(403);
  const limited = await signIn(OPERATOR_TOKEN, '127.0.0.4');
  expect(limited.status).toBe(429);
  expect(retryAfter(limited.headers)).toBeGreaterThanOrEqual(1);
  expect(h.logs.at(-1)).toMatch(/^429 POST \/operator\/login: too many sign-in attempts/);
});

test('wrong operator tokens in a header count as sign-in attempts', async () => {
  const fresh = await startHttpDemo({
    signInLimits: {
      perAddress: { max: 2, windowMs: 60_000 },
      perAccount: { max: 100, windowMs: 60_000 },
    },
  });
  try {
    const get = (token: string) =>
      fetch(`${fresh.url}/operator/metrics`, { headers: { authorization: `Bearer ${token}` } });
    // The right token is not an attempt: any number of requests with it go through.
    for (let i = 0; i < 4; i++) expect((await get(OPERATOR_TOKEN)).status).toBe(200);
    expect((await get('wrong-token-a')).status).toBe(403);
    expect((await get('wrong-token-b')).status).toBe(403);
    expect((await get('wrong-token-c')).status).toBe(429);
    expect((await get(OPERATOR_TOKEN)).status).toBe(429);
    // Without a token there is nothing to guess: the sign-in page, as before.
    expect((await fetch(`${fresh.url}/operator`)).status).toBe(401);
    expect(fresh.errors).toEqual([]);
  } finally {
    await fresh.close();
  }
});
