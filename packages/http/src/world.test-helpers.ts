import { createConsentManager, definePurposes } from '@candor/consent';
import {
  createMemoryAccessLog,
  createVirtualClock,
  type DecisionRecord,
  duration,
} from '@candor/core';
import { createExplainer } from '@candor/explain';
import { createCorrectionDesk, createFeedbackLoop } from '@candor/feedback';
import { createMemoryBook } from '@candor/memory';
import { createPrivacyApi } from './api';
import type { PrivacyApiOptions } from './options';

export const ORIGIN = 'https://shop.example';

/** A shop with two customers, one message for Ana, a memory, and every port wired. */
export async function world(overrides: Partial<PrivacyApiOptions<Purpose>> = {}) {
  const purposes = definePurposes({
    'service.proactive_support': {
      title: 'Proactive support',
      bases: ['consent'],
      categories: ['user.financial.card', 'user.behavior.purchase_reason'],
    },
    'marketing.email': {
      title: 'Marketing emails',
      bases: ['consent'],
      categories: ['user.contact.email'],
      tags: ['direct_marketing'],
    },
  });
  const clock = createVirtualClock('2026-06-01T09:00:00Z');
  const consent = createConsentManager({ purposes, clock, jurisdiction: 'FR' });
  await consent.load();
  await consent.grant({ subject: 'cus_ana', purposes: 'service.proactive_support' });
  const accessLog = createMemoryAccessLog();
  const feedback = createFeedbackLoop({ clock });
  const explainer = createExplainer({ clock, accessLog });
  const memory = createMemoryBook({ consent: consent.gate, accessLog, clock });
  const remembered = await memory.remember({
    subject: 'cus_ana',
    content: { kind: 'stated_reason', reason: 'a trek in the Alps' },
    category: 'user.behavior.purchase_reason',
    provenance: { source: 'checkout', kind: 'stated', observedAt: clock.now(), party: 'first' },
    purposes: ['service.proactive_support'],
  });
  const message = decision('d-ana-1', 'cus_ana', clock.now());
  const others = decision('d-bo-1', 'cus_bo', clock.now());
  await feedback.logDecision({
    decisionId: message.id,
    subject: message.subject,
    ruleId: message.source.id,
    topic: message.action.topic,
    channel: message.action.channel,
    at: message.at,
  });
  const byId = new Map([message, others].map((d) => [d.id, d]));
  // The facts held about each customer: Ana's card, as her message cites it.
  const corrections = createCorrectionDesk({
    facts: (subject) => (subject === 'cus_ana' ? message.evidence : []),
    clock,
  });
  const sessions = new Map([
    ['s-ana', 'cus_ana'],
    ['s-bo', 'cus_bo'],
  ]);
  const errors: unknown[] = [];
  const api = createPrivacyApi({
    consent,
    feedback,
    explainer,
    accessLog,
    memory,
    corrections,
    controller: {
      name: 'Shop',
      contact: 'Privacy office',
      email: 'privacy@shop.example',
      policyUrl: 'https://shop.example/privacy',
    },
    // Deliberately returns anyone's decision: the API must still refuse another customer's.
    decisions: (_subject, id) => byId.get(id),
    authenticate: (request) =>
      sessions.get(/(?:^|;\s*)sid=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1] ?? '') ??
      null,
    clock,
    onError: (error) => errors.push(error),
    ...overrides,
  });
  return {
    api,
    consent,
    feedback,
    memory,
    corrections,
    accessLog,
    clock,
    message,
    remembered,
    errors,
  };
}

type Purpose = 'service.proactive_support' | 'marketing.email';

/** A request as Ana's (or `sid`'s) browser sends it from the shop's own pages. */
export function asCustomer(
  path: string,
  init: RequestInit & { readonly sid?: string; readonly json?: unknown } = {},
): Request {
  const { sid = 's-ana', json, ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set('cookie', `sid=${sid}`);
  if (rest.method !== undefined && rest.method !== 'GET') {
    if (!headers.has('origin')) headers.set('origin', ORIGIN);
    if (!headers.has('sec-fetch-site')) headers.set('sec-fetch-site', 'same-origin');
  }
  if (json !== undefined) headers.set('content-type', 'application/json');
  return new Request(`${ORIGIN}${path}`, {
    ...rest,
    headers,
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
}

function decision(id: string, subject: string, at: number): DecisionRecord {
  return {
    id,
    subject,
    at,
    source: { kind: 'rule', id: 'card-expiry', version: 1 },
    action: { type: 'notify', channel: 'email', topic: 'billing.card_expiry' },
    purpose: 'service.proactive_support',
    dataCategories: ['user.financial.card'],
    reasons: [
      {
        id: 'c1',
        code: 'condition',
        text: 'card.expiresAt before 2026-07-01',
        evidence: ['f1'],
        params: {
          path: 'card.expiresAt',
          operator: 'before',
          expected: '2026-07-01',
          actual: '2026-06-30',
        },
      },
    ],
    evidence: [
      {
        id: 'f1',
        path: 'card.expiresAt',
        category: 'user.financial.card',
        value: '2026-06-30',
        provenance: {
          source: 'billing',
          kind: 'stated',
          observedAt: at - 30 * duration.day,
          party: 'first',
        },
      },
    ],
    consent: [],
  };
}
