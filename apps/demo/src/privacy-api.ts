import { createPrivacyApi } from '@candor/http';
import type { Hono } from 'hono';
import { browserScript } from './browser-bundle';
import { createCustomerSessions } from './customer-session';
import type { DemoEnvBindings } from './security';
import type { DemoService } from './service';

/** Where each customer's privacy-centre API lives, under their pages: `/customers/{id}` + this. */
export const API_PATH = '/api/privacy';

/** The privacy-centre API of one customer, as their pages' script calls it. */
export const apiBaseOf = (customer: string) => `/customers/${customer}${API_PATH}`;

/**
 * Mounts `@candor/http`'s privacy-centre API at `/customers/{id}/api/privacy/…` with the demo's
 * customer session as its `authenticate` hook, signs a browser in as the customer whose page it
 * opens, and serves the pages' script (`/static/privacy.js`). Mount it before the demo's CSRF
 * middleware: the API checks the origin of every write itself, takes JSON only (a cross-site form
 * cannot send it) and its session cookie is SameSite=Strict. What it answers with a 500 goes to
 * `onError`, as the pages' errors do.
 */
export function mountPrivacyApi(
  app: Hono<DemoEnvBindings>,
  service: DemoService,
  onError: (error: unknown) => void,
): void {
  const sessions = createCustomerSessions();
  // The signed-in customer of each request the API gets (the cookie was checked on the way in).
  const signedIn = new WeakMap<Request, string>();
  const api = createPrivacyApi({
    ...service.privacy,
    basePath: API_PATH,
    authenticate: (request) => signedIn.get(request),
    // What answered 500 is reported, as the pages' errors are.
    onError: (error) => onError(error),
  });
  const script = browserScript();
  script.catch(() => {}); // a failed build answers 500 on the script, not a crash at start-up

  app.get('/static/privacy.js', async (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'no-cache');
    return c.body(await script);
  });

  app.all(`/customers/:id${API_PATH}/*`, (c) => {
    const customer = c.req.param('id');
    const raw = c.req.raw;
    const url = new URL(raw.url);
    url.pathname = url.pathname.slice(`/customers/${customer}`.length);
    const request = new Request(url, {
      method: raw.method,
      headers: raw.headers,
      body: raw.body,
      signal: raw.signal,
      duplex: 'half',
    } as RequestInit);
    // The subject comes from the session; a session of another customer is no session here.
    const subject = sessions.subjectOf(c);
    if (subject !== undefined && subject === customer) signedIn.set(request, subject);
    return api.fetch(request);
  });

  app.use('/customers/:id/*', async (c, next) => {
    const customer = c.req.param('id');
    if (
      (c.req.method === 'GET' || c.req.method === 'HEAD') &&
      customer !== undefined &&
      service.customer(customer) !== undefined
    )
      sessions.signIn(c, customer);
    await next();
  });
}
