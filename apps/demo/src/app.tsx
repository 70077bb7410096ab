import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorPage, handleErrors, notFound, requestLog } from './errors';
import { page } from './pages';
import { mountPrivacyApi } from './privacy-api';
import { createSignInGuard, type SignInLimits } from './rate-limit';
import { refuse } from './refusal';
import { customerRoutes } from './routes/customer';
import { dataHeldRoutes } from './routes/data-held';
import { memoryRoutes } from './routes/memory';
import { operatorRoutes } from './routes/operator';
import { csrfProtection, type DemoEnvBindings, securityHeaders } from './security';
import type { DemoService } from './service';
import { CustomerPicker } from './views/customer';
import { DsaPage } from './views/operator';

const css = readFileSync(new URL('./assets/app.css', import.meta.url), 'utf8');

/** The largest request body the demo reads (its forms are a few hundred bytes). */
export const MAX_BODY_BYTES = 16 * 1024;

export interface AppOptions {
  readonly service: DemoService;
  readonly operatorToken: string;
  /**
   * One plain line per request answered with an error status (4xx: the client's mistake, 5xx:
   * ours), never a stack (default: console.log).
   */
  readonly log?: (line: string) => void;
  /** Receives server-side errors (5xx), stack included (default: console.error). */
  readonly onError?: (error: unknown) => void;
  /** Operator sign-in attempts allowed, counted in memory (default: `defaultSignInLimits`). */
  readonly signInLimits?: SignInLimits;
}

/** Builds the demo's Hono application over a {@link DemoService}. */
export function createApp(options: AppOptions): Hono<DemoEnvBindings> {
  const { service } = options;
  const app = new Hono<DemoEnvBindings>();

  const onError = options.onError ?? ((error: unknown) => console.error(error));
  app.onError(handleErrors(onError));

  app.use(requestLog(options.log ?? ((line) => console.log(line))));
  app.use(securityHeaders());
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => refuse(413, `request body over ${MAX_BODY_BYTES} bytes`),
    }),
  );
  // Before the form CSRF check: the API checks its writes' origin itself (see privacy-api.ts).
  mountPrivacyApi(app, service, onError);
  app.use(csrfProtection((c) => errorPage(c, 403)));

  app.get('/static/app.css', (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', 'no-cache');
    return c.body(css);
  });
  // Where explanations' "manage everything" points: pick the customer, then their preferences.
  app.get('/privacy', (c) => c.redirect('/', 302));
  app.get('/healthz', (c) => c.json({ ok: true, now: service.now() }));

  app.get('/', (c) =>
    page(
      c,
      {
        title: 'Customers',
        nav: [
          { href: '/transparency', label: 'How recommendations work' },
          { href: '/operator', label: 'Operator' },
        ],
      },
      <CustomerPicker customers={service.customers()} />,
    ),
  );
  app.get('/transparency', (c) =>
    page(
      c,
      { title: 'How recommendations work', nav: [{ href: '/', label: 'Customers' }] },
      <DsaPage dsa={service.dsa()} />,
    ),
  );

  customerRoutes(app, service);
  operatorRoutes(app, {
    service,
    operatorToken: options.operatorToken,
    signIn: createSignInGuard(options.signInLimits),
  });
  // After the operator routes: their token guard covers /operator/customers too.
  memoryRoutes(app, service);
  dataHeldRoutes(app, service);

  app.notFound((c) => notFound(c, 'Page'));
  return app;
}
