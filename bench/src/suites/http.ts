import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildConsentSnapshot, createConsentManager, definePurposes } from '@candor/consent';
import { createPrivacyApi } from '@candor/http';
import { toNodeListener } from '@candor/http/node';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Metric, Suite } from '../harness.ts';

const IN_FLIGHT = 8;
const ROUND_MS = 1_000;
const ROUNDS = 8;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** A shop's purposes, and a customer with a few choices on record. */
async function consentOfOneCustomer() {
  const purposes = definePurposes({
    'service.fraud_protection': {
      title: 'Fraud protection',
      bases: ['legal_obligation'],
      necessary: true,
      categories: ['user.financial'],
    },
    'service.proactive_support': {
      title: 'Proactive support',
      bases: ['consent'],
      categories: ['user.financial.card', 'user.behavior.purchase_history', 'user.travel'],
    },
    'marketing.email': {
      title: 'Marketing emails',
      bases: ['consent'],
      categories: ['user.contact.email', 'user.behavior.purchase_history'],
      tags: ['direct_marketing'],
    },
    'personalization.recommendations': {
      title: 'Recommendations',
      bases: ['consent'],
      categories: ['user.behavior', 'user.location.approximate'],
    },
    'analytics.measurement': {
      title: 'Measurement',
      bases: ['consent', 'legitimate_interest'],
      categories: ['user.behavior'],
    },
    'ads.targeted': {
      title: 'Targeted advertising',
      bases: ['consent'],
      categories: ['user.behavior'],
      tags: ['targeted_advertising', 'sale_share'],
      consentMode: ['ad_storage', 'ad_personalization'],
    },
  });
  const consent = createConsentManager({ purposes, jurisdiction: 'FR' });
  await consent.load();
  await consent.grant({
    subject: 'cus_1',
    purposes: ['service.proactive_support', 'marketing.email'],
  });
  await consent.withdraw({
    subject: 'cus_1',
    purposes: 'marketing.email',
    dataCategories: ['user.behavior.purchase_history'],
  });
  await consent.refuse({ subject: 'cus_1', purposes: 'ads.targeted' });
  return consent;
}

async function listen(server: Server): Promise<number> {
  if (!server.listening) {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  }
  return (server.address() as AddressInfo).port;
}

/** Completed GET requests per second over `ms`, `IN_FLIGHT` at a time on keep-alive sockets. */
async function requestsPerSecond(port: number, agent: Agent, ms: number): Promise<number> {
  let done = 0;
  let failed = 0;
  const start = performance.now();
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/consent', agent, headers: { cookie: 'sid=s-1' } },
        (res) => {
          if (res.statusCode !== 200) failed++;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (performance.now() - start < ms) {
      await one();
      done++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  if (failed > 0) throw new Error(`${failed} requests failed`);
  return (done * 1000) / (performance.now() - start);
}

/**
 * The consent snapshot over real HTTP on localhost: `GET /consent` through `@candor/http`'s Node
 * adapter (session lookup, routing, building the snapshot from the manager, JSON) against a bare
 * Hono handler on `@hono/node-server` returning the same snapshot already built (target ≥ 0.5×).
 * One keep-alive client with 8 requests in flight, in the same process; rounds of one second,
 * order alternating. `@hono/node-server` replaces the global `Request` and `Response` with its
 * lighter ones when it starts, so here the API's responses are those too, as in an app that
 * mounts the API inside Hono; a Node server alone pays for undici's.
 */
export const httpSuites: Suite[] = [
  {
    kind: 'metrics',
    name: 'http: consent snapshot',
    async measure(): Promise<Metric[]> {
      const consent = await consentOfOneCustomer();
      const sessions = new Map([['s-1', 'cus_1']]);
      const api = createPrivacyApi({
        consent,
        rateLimit: false,
        authenticate: (req) => sessions.get(req.headers.get('cookie')?.slice(4) ?? '') ?? null,
      });
      const snapshot = buildConsentSnapshot(consent, 'cus_1');
      const hono = new Hono();
      hono.get('/consent', (c) => c.json(snapshot));
      const servers = [
        createServer(toNodeListener(api.fetch)),
        serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }) as Server,
      ];
      const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
      try {
        const [candor, bare] = (await Promise.all(servers.map(listen))) as [number, number];
        const samples = { candor: [] as number[], bare: [] as number[] };
        await requestsPerSecond(candor, agent, 300);
        await requestsPerSecond(bare, agent, 300);
        for (let round = 0; round < ROUNDS; round++) {
          const order =
            round % 2 === 0 ? (['candor', 'bare'] as const) : (['bare', 'candor'] as const);
          for (const name of order)
            samples[name].push(
              await requestsPerSecond(name === 'candor' ? candor : bare, agent, ROUND_MS),
            );
        }
        const paired = median(samples.candor.map((x, r) => x / (samples.bare[r] as number)));
        return [
          {
            name: 'GET /consent, @candor/http via toNodeListener',
            value: median(samples.candor),
            unit: 'req/s',
          },
          {
            name: 'bare Hono handler, same JSON prebuilt',
            value: median(samples.bare),
            unit: 'req/s',
          },
          {
            name: '@candor/http / bare Hono (median of per-round ratios)',
            value: paired,
            unit: '×',
            target: { atLeast: 0.5 },
          },
        ];
      } finally {
        agent.destroy();
        await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
      }
    },
  },
];
