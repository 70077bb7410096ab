import { createConsentManager, definePurposes } from '@candor/consent';
import { createVirtualClock, type DecisionRecord } from '@candor/core';
import { createExplainer } from '@candor/explain';
import { describe, expect, it } from 'vitest';
import { createPrivacyApi } from './api';
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

describe('objections (legitimate interest)', () => {
  /** A shop emailing offers on legitimate interest, and one such email to Ana. */
  async function legitimateInterest() {
    const purposes = definePurposes({
      'marketing.email': {
        title: 'Marketing emails',
        bases: ['legitimate_interest'],
        categories: ['user.contact.email', 'user.behavior.purchase_history'],
        tags: ['direct_marketing'],
      },
    });
    const clock = createVirtualClock('2026-06-01T09:00:00Z');
    const consent = createConsentManager({ purposes, clock, jurisdiction: 'FR' });
    await consent.load();
    const at = clock.now();
    const message: DecisionRecord = {
      id: 'd-1',
      subject: 'cus_ana',
      at,
      source: { kind: 'rule', id: 'winback', version: 1 },
      action: { type: 'notify', channel: 'email', topic: 'offers.winback' },
      purpose: 'marketing.email',
      dataCategories: ['user.behavior.purchase_history'],
      reasons: [{ id: 'r1', code: 'trigger', text: 'orders', evidence: ['f1'] }],
      evidence: [
        {
          id: 'f1',
          path: 'orders.count',
          category: 'user.behavior.purchase_history',
          value: 3,
          provenance: { source: 'shop', kind: 'observed', observedAt: at, party: 'first' },
        },
      ],
      consent: [],
    };
    const api = createPrivacyApi({
      consent,
      explainer: createExplainer({ clock }),
      decisions: (_subject, id) => (id === message.id ? message : undefined),
      authenticate: () => 'cus_ana',
      clock,
    });
    const allowed = () =>
      consent.decide({
        subject: 'cus_ana',
        purpose: 'marketing.email',
        dataCategories: ['user.behavior.purchase_history'],
      }).allowed;
    return { api, consent, allowed, at };
  }

  it('carries out an explanation’s "object" control: in force at once, replayable, 409 if changed', async () => {
    const { api, consent, allowed, at } = await legitimateInterest();
    const explanation = (await (
      await api.fetch(asCustomer('/decisions/d-1/explanation'))
    ).json()) as {
      controls: { kind: string; mechanism?: string; purpose?: string; dataCategory?: string }[];
    };
    const control = explanation.controls.find((c) => c.kind === 'turn_off_data');
    expect(control?.mechanism).toBe('object');
    expect(allowed()).toBe(true);
    const objection = {
      key: 'c-9',
      purpose: control?.purpose,
      action: control?.mechanism,
      dataCategories: [control?.dataCategory],
      chosenAt: at,
    };
    const post = (json: unknown) =>
      api.fetch(asCustomer('/consent/choices', { method: 'POST', json }));
    const posted = await post(objection);
    expect(posted.status).toBe(200);
    const result = (await posted.json()) as { recordId: string; duplicate: boolean };
    expect(result.duplicate).toBe(false);
    expect(allowed()).toBe(false);
    expect(consent.entries('cus_ana').map((e) => e.event.kind)).toEqual(['objected']);
    expect(await (await post(objection)).json()).toMatchObject({
      recordId: result.recordId,
      duplicate: true,
    });
    expect(await errorOf(await post({ ...objection, dataCategories: undefined }))).toMatchObject({
      status: 409,
      code: 'http/idempotency_conflict',
      path: 'key',
    });
    // The key of an objection is not free for another action either, nor the other way round.
    expect((await errorOf(await post({ ...objection, action: 'withdraw' }))).status).toBe(409);
    expect(consent.entries('cus_ana')).toHaveLength(1);
  });

  it.each([
    ['an unknown purpose', { purpose: 'ads.everything' }, 'purpose'],
    [
      'a category the purpose does not declare',
      { dataCategories: ['user.health'] },
      'dataCategories[0]',
    ],
    ['a confirmed objection', { confirmed: true }, 'confirmed'],
    ['a missing key', { key: undefined }, 'key'],
  ])('refuses an objection with %s (400) and writes nothing', async (_name, over, path) => {
    const { api, consent, allowed, at } = await legitimateInterest();
    const body = {
      key: 'c-1',
      purpose: 'marketing.email',
      action: 'object',
      chosenAt: at,
      ...over,
    };
    const response = await api.fetch(
      asCustomer('/consent/choices', { method: 'POST', json: body }),
    );
    expect(await errorOf(response)).toMatchObject({ status: 400, code: 'http/invalid_body', path });
    expect(consent.entries('cus_ana')).toEqual([]);
    expect(allowed()).toBe(true);
  });

  it('documents the action in the OpenAPI document', async () => {
    const { api } = await legitimateInterest();
    const post = api.openapi().paths['/consent/choices']?.post as {
      requestBody: { content: { 'application/json': { schema: unknown } } };
    };
    expect(post.requestBody.content['application/json'].schema).toMatchObject({
      properties: { action: { enum: ['grant', 'refuse', 'withdraw', 'object'] } },
    });
  });
});
