import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { notFound, page } from './pages';
import { customerRoutes } from './routes/customer';
import { operatorRoutes } from './routes/operator';
import { csrfProtection, type DemoEnvBindings, securityHeaders } from './security';
import type { DemoService } from './service';
import { CustomerPicker } from './views/customer';
import { DsaPage } from './views/operator';

const css = readFileSync(new URL('./assets/app.css', import.meta.url), 'utf8');

export interface AppOptions {
  readonly service: DemoService;
  readonly operatorToken: string;
  /** Receives server-side errors (default: console.error). */
  readonly onError?: (error: unknown) => void;
}

/** Builds the demo's Hono application over a {@link DemoService}. */
export function createApp(options: AppOptions): Hono<DemoEnvBindings> {
  const { service } = options;
  const app = new Hono<DemoEnvBindings>();

  app.onError((error, c) => {
    (options.onError ?? console.error)(error);
    return c.text('Something went wrong on our side; nothing half-done was kept.', 500);
  });

  app.use(securityHeaders());
  app.use(bodyLimit({ maxSize: 16 * 1024 }));
  app.use(csrfProtection());

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
  operatorRoutes(app, { service, operatorToken: options.operatorToken });

  app.notFound((c) => notFound(c, 'Page'));
  return app;
}
