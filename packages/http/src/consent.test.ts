import { describe, expect, it } from 'vitest';
import { asCustomer, world } from './world.test-helpers';

type Snapshot = { seq: number; purposes: Record<string, { verdict: { allowed: boolean } }> };

const choice = (over: Record<string, unknown> = {}) => ({
  key: 'c-1',
  purpose: 'service.proactive_support',
  action: 'withdraw',
  chosenAt: Date.parse('2026-06-01T08:59:00Z'),
  ...over,
});

async function errorOf(response: Response) {
  const body = (await response.json()) as { error: { code: string; path?: string } };
  return { status: response.status, ...body.error };
}

describe('consent snapshot and choices', () => {
  it('serves each customer their own snapshot', async () => {
    const { api } = await world();
    const ana = (await (await api.fetch(asCustomer('/consent'))).json()) as Snapshot;
    expect(ana.purposes['service.proactive_support']?.verdict.allowed).toBe(true);
    const bo = (await (
      await api.fetch(asCustomer('/consent', { sid: 's-bo' }))
    ).json()) as Snapshot;
    expect(bo.purposes['service.proactive_support']?.verdict.allowed).toBe(false);
  });

  it('records a withdrawal that the very next decision and snapshot deny', async () => {
    const { api, consent } = await world();
    const posted = await api.fetch(
      asCustomer('/consent/choices', { method: 'POST', json: choice() }),
    );
    expect(posted.status).toBe(200);
    const result = (await posted.json()) as { duplicate: boolean; snapshot: Snapshot };
    expect(result.duplicate).toBe(false);
    expect(result.snapshot.purposes['service.proactive_support']?.verdict.allowed).toBe(false);
    expect(
      consent.decide({
        subject: 'cus_ana',
        purpose: 'service.proactive_support',
        dataCategories: [],
      }).allowed,
    ).toBe(false);
    const after = (await (await api.fetch(asCustomer('/consent'))).json()) as Snapshot;
    expect(after.purposes['service.proactive_support']?.verdict.allowed).toBe(false);
  });

  it('replays to the same record without writing, and refuses the key for another choice (409)', async () => {
    const { api, consent } = await world();
    const first = (await (
      await api.fetch(asCustomer('/consent/choices', { method: 'POST', json: choice() }))
    ).json()) as { recordId: string; sequence: number };
    const replay = await api.fetch(
      asCustomer('/consent/choices', { method: 'POST', json: choice() }),
    );
    expect(await replay.json()).toMatchObject({
      recordId: first.recordId,
      sequence: first.sequence,
      duplicate: true,
    });
    const changed = await api.fetch(
      asCustomer('/consent/choices', { method: 'POST', json: choice({ action: 'grant' }) }),
    );
    expect(await errorOf(changed)).toMatchObject({
      status: 409,
      code: 'http/idempotency_conflict',
    });
    expect(consent.entries('cus_ana')).toHaveLength(2);
  });

  it.each([
    [
      'an unknown purpose',
      choice({ purpose: 'ads.everything' }),
      400,
      'http/invalid_body',
      'purpose',
    ],
    [
      'a category the purpose does not declare',
      choice({ dataCategories: ['user.health'] }),
      400,
      'http/invalid_body',
      'dataCategories[0]',
    ],
    ['another customer', choice({ subject: 'cus_bo' }), 403, 'http/forbidden_subject', 'subject'],
    ['a missing key', { ...choice(), key: undefined }, 400, 'http/invalid_body', 'key'],
  ])('refuses %s and writes nothing', async (_name, body, status, code, path) => {
    const { api, consent } = await world();
    const response = await api.fetch(
      asCustomer('/consent/choices', { method: 'POST', json: body }),
    );
    expect(await errorOf(response)).toMatchObject({ status, code, path });
    expect(consent.entries('cus_ana')).toHaveLength(1);
    expect(consent.entries('cus_bo')).toHaveLength(0);
  });
});
