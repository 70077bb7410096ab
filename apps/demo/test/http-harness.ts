import { request } from 'node:http';
import type { DemoConfig } from '../src/config';
import { type RunningDemo, startDemo } from '../src/server';
import type { DemoService } from '../src/service';
import { createWorld } from '../src/world';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789';

/**
 * The demo started in-process on a free port over an in-memory PGlite, for HTTP-level tests
 * (no browser): its log lines and server-side errors are captured.
 */
export interface HttpDemo {
  readonly url: string;
  readonly service: DemoService;
  /** Every line the app logged (start log excluded). */
  readonly logs: string[];
  /** Every error the app reported as a server-side failure. */
  readonly errors: unknown[];
  /** Makes the public transparency page fail once (`service.dsa()` throws), to see a 500. */
  breakTransparencyOnce(): void;
  /** A visitor with a CSRF cookie and the token its forms carry. */
  visitor(): Promise<Visitor>;
  close(): Promise<void>;
}

export interface Visitor {
  readonly cookie: string;
  readonly csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** A same-origin form POST (url-encoded fields with the CSRF token, or a raw body). */
  post(
    path: string,
    body: Record<string, string> | { readonly raw: BodyInit; readonly type: string },
    headers?: Record<string, string>,
  ): Promise<Response>;
}

export async function startHttpDemo(overrides: Partial<DemoConfig> = {}): Promise<HttpDemo> {
  const config: DemoConfig = {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: null,
    dataDir: 'memory://',
    operatorToken: OPERATOR_TOKEN,
    operatorTokenGenerated: false,
    ...overrides,
  };
  const logs: string[] = [];
  const errors: unknown[] = [];
  let started = false;
  let breakDsa = false;
  const demo: RunningDemo = await startDemo({
    config,
    createService: async (c, log) => {
      const service = await createWorld(c, log);
      return {
        ...service,
        dsa() {
          if (breakDsa) {
            breakDsa = false;
            throw new Error('the transparency page broke (test)');
          }
          return service.dsa();
        },
      };
    },
    log: (line) => {
      if (started) logs.push(line);
    },
    onError: (error) => {
      errors.push(error);
    },
  });
  started = true;
  const url = demo.url;
  return {
    url,
    service: demo.service,
    logs,
    errors,
    breakTransparencyOnce() {
      breakDsa = true;
    },
    async visitor() {
      const home = await fetch(`${url}/`);
      await home.text();
      const cookie = (home.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const csrf = cookie.split('=')[1] ?? '';
      return {
        cookie,
        csrf,
        get: (path, headers = {}) =>
          fetch(`${url}${path}`, { redirect: 'manual', headers: { cookie, ...headers } }),
        post: (path, body, headers = {}) => {
          const raw = 'raw' in body && typeof body.type === 'string';
          return fetch(`${url}${path}`, {
            method: 'POST',
            redirect: 'manual',
            headers: {
              origin: url,
              cookie,
              'content-type': raw
                ? (body as { type: string }).type
                : 'application/x-www-form-urlencoded',
              ...headers,
            },
            body: raw
              ? (body as { raw: BodyInit }).raw
              : new URLSearchParams({ _csrf: csrf, ...(body as Record<string, string>) }),
          });
        },
      };
    },
    close: () => demo.close(),
  };
}

/** A same-origin form POST sent from another loopback address (`127.0.0.x`), with node:http. */
export function postFrom(
  localAddress: string,
  url: string,
  path: string,
  visitor: Visitor,
  fields: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const target = new URL(path, url);
  const body = new URLSearchParams({ _csrf: visitor.csrf, ...fields }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname === 'localhost' ? '127.0.0.1' : target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        localAddress,
        headers: {
          host: target.host, // as fetch sends it: the CSRF check compares it with Origin
          origin: url,
          cookie: visitor.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Everything the demo has written about the seeded customers: ledger history, preferences,
 * inbox (with each message's feedback), suppressions, corrections (feedback's and the data
 * page's) and rule health. Equal snapshots before and after a request mean it wrote nothing.
 */
export async function snapshot(service: DemoService): Promise<string> {
  const customers = await Promise.all(
    service.customers().map(async (c) => ({
      id: c.id,
      gpc: c.gpc,
      history: await service.history(c.id),
      preferences: service.preferences(c.id),
      inbox: service.inbox(c.id),
      suppressions: service.suppressions(c.id),
      data: await service.corrections.page(c.id),
    })),
  );
  return JSON.stringify({ customers, metrics: service.metrics(), rules: service.rules() });
}
