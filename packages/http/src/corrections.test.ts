import { describe, expect, it } from 'vitest';
import { asCustomer, world } from './world.test-helpers';

const ask = (over: Record<string, unknown> = {}) => ({
  idempotencyKey: 'k-1',
  path: 'card.expiresAt',
  proposed: '2028-03-31',
  note: 'I got a new card in March.',
  ...over,
});

async function errorOf(response: Response) {
  const body = (await response.json()) as { error: { code: string; path?: string } };
  return { status: response.status, ...body.error };
}

describe('corrections of the data held about the customer', () => {
  it('opens one, lists it with its status, and shows the reason once it is decided', async () => {
    const { api, corrections, clock } = await world();
    const opened = await api.fetch(asCustomer('/corrections', { method: 'POST', json: ask() }));
    expect(opened.status).toBe(200);
    const { correction } = (await opened.json()) as {
      correction: { id: string; status: string; current: unknown; proposed: unknown };
    };
    expect(correction).toMatchObject({
      status: 'open',
      current: '2026-06-30',
      proposed: '2028-03-31',
    });
    clock.advance(60_000);
    await corrections.reject({
      subject: 'cus_ana',
      id: correction.id,
      reason: 'Your bank still reports the card ending in June.',
    });
    const listed = (await (await api.fetch(asCustomer('/corrections'))).json()) as {
      corrections: { status: string; reason: string }[];
    };
    expect(listed.corrections).toMatchObject([
      { status: 'rejected', reason: 'Your bank still reports the card ending in June.' },
    ]);
    // Another customer sees none of it.
    const bo = (await (await api.fetch(asCustomer('/corrections', { sid: 's-bo' }))).json()) as {
      corrections: unknown[];
    };
    expect(bo.corrections).toEqual([]);
  });

  it('answers a retry with the same correction, and refuses the key for another one (409)', async () => {
    const { api, corrections } = await world();
    const bare = await api.fetch(
      asCustomer('/corrections', {
        method: 'POST',
        json: ask({ idempotencyKey: 'k-0', note: undefined }),
      }),
    );
    expect(bare.status).toBe(200);
    const first = await (
      await api.fetch(asCustomer('/corrections', { method: 'POST', json: ask() }))
    ).json();
    const again = await (
      await api.fetch(asCustomer('/corrections', { method: 'POST', json: ask() }))
    ).json();
    expect(again).toEqual(first);
    const changed = await api.fetch(
      asCustomer('/corrections', { method: 'POST', json: ask({ proposed: '2029-01-31' }) }),
    );
    expect((await errorOf(changed)).status).toBe(409);
    expect(await corrections.corrections('cus_ana')).toHaveLength(2);
  });

  it('refuses a fact not held, a bad body or another customer, and opens nothing', async () => {
    const { api, corrections } = await world();
    const cases: [Record<string, unknown>, number, string | undefined][] = [
      [ask({ path: 'address.city' }), 404, 'path'],
      [ask({ proposed: undefined }), 400, 'proposed'],
      [ask({ proposed: '2026-06-30' }), 400, 'proposed'],
      [ask({ color: 'red' }), 400, 'color'],
      [ask({ proposed: JSON.parse('{"__proto__":"2027-01-31"}') }), 400, 'proposed.__proto__'],
      [ask({ proposed: { year: 2028 } }), 400, 'proposed'],
      [ask({ proposed: '2028-03-31\u202e' }), 400, 'proposed'],
      [ask({ note: 'x'.repeat(2001) }), 400, 'note'],
      [ask({ subject: 'cus_bo' }), 403, undefined],
    ];
    for (const [json, status, path] of cases) {
      const error = await errorOf(
        await api.fetch(asCustomer('/corrections', { method: 'POST', json })),
      );
      expect(error.status, JSON.stringify(json)).toBe(status);
      if (path !== undefined) expect(error.path).toBe(path);
    }
    expect(await corrections.corrections('cus_ana')).toEqual([]);
    expect(await corrections.corrections('cus_bo')).toEqual([]);
  });
});
