import { readFileSync } from 'node:fs';
import { parseGpcHeader } from '@candor/consent';
import { duration } from '@candor/core';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie } from 'hono/cookie';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type * as z from 'zod/mini';
import {
  ClockForm,
  ConsentForm,
  ControlForm,
  EventForm,
  FeedbackForm,
  LayerParam,
  LoginForm,
  MessageParam,
  SubjectParam,
} from './forms';
import {
  csrfProtection,
  type DemoEnvBindings,
  OPERATOR_COOKIE,
  requireOperator,
  safeEqual,
  securityHeaders,
  setOperatorCookie,
} from './security';
import type { CustomerView, DemoService } from './service';
import { CustomerPicker, customerNav, InboxPage, PreferencesPage, WhyPage } from './views/customer';
import { Layout, type LayoutProps } from './views/layout';
import {
  DsaPage,
  LedgerPage,
  MetricsPage,
  OperatorLogin,
  operatorNav,
  RulesPage,
  SimulatorPage,
} from './views/operator';

const css = readFileSync(new URL('./assets/app.css', import.meta.url), 'utf8');

type C = Context<DemoEnvBindings>;

/** Known flash messages: the query string picks one, it never carries text to echo. */
const flashes: Readonly<Record<string, { kind: 'ok' | 'error'; text: string }>> = {
  granted: { kind: 'ok', text: 'Allowed. This applies from the very next decision.' },
  withdrawn: { kind: 'ok', text: 'Withdrawn. Nothing will use it from the very next decision.' },
  objected: { kind: 'ok', text: 'Objection recorded. It applies from the very next decision.' },
  feedback: { kind: 'ok', text: 'Thanks, noted.' },
  control: { kind: 'ok', text: 'Done. This applies from the very next decision.' },
  sent: { kind: 'ok', text: 'Event sent. The results are below.' },
  advanced: { kind: 'ok', text: 'The virtual clock moved forward.' },
  resumed: { kind: 'ok', text: 'The rule is active again; its guardrail counts start afresh.' },
  invalid: { kind: 'error', text: 'That request was not valid and was not applied.' },
};

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

  const page = (
    c: C,
    props: Omit<LayoutProps, 'children' | 'flash'>,
    body: Child,
    status = 200,
  ) => {
    const flash = flashes[c.req.query('done') ?? ''] ?? null;
    return c.html(
      <>
        {raw('<!DOCTYPE html>')}
        <Layout {...props} flash={flash}>
          {body}
        </Layout>
      </>,
      status as 200,
    );
  };
  const notFound = (c: C, what: string) =>
    page(
      c,
      { title: 'Not found', nav: [{ href: '/', label: 'Customers' }] },
      <h1>{`${what} not found`}</h1>,
      404,
    );
  const invalid = (c: C, back: string) => c.redirect(`${back}?done=invalid`, 303);

  const form = async <T,>(c: C, schema: z.ZodMiniType<T>): Promise<T | undefined> => {
    const body = await c.req.parseBody();
    const result = schema.safeParse(body);
    return result.success ? result.data : undefined;
  };
  const customerOf = (c: C): CustomerView | undefined => {
    const id = SubjectParam.safeParse(c.req.param('id'));
    return id.success ? service.customer(id.data) : undefined;
  };
  // A browser that sends Global Privacy Control (`Sec-GPC: 1`) opts this customer out of sale
  // and sharing: recorded in the ledger the first time it is seen, then shown and honored.
  const customerWithGpc = async (c: C): Promise<CustomerView | undefined> => {
    const customer = customerOf(c);
    if (customer && !customer.gpc && parseGpcHeader(c.req.raw.headers)) {
      await service.honorGpc(customer.id);
      return service.customer(customer.id);
    }
    return customer;
  };

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

  // ---- customer side -------------------------------------------------------------------------
  app.get('/customers/:id', (c) => c.redirect(`/customers/${c.req.param('id')}/inbox`, 302));

  app.get('/customers/:id/inbox', async (c) => {
    const customer = await customerWithGpc(c);
    if (!customer) return notFound(c, 'Customer');
    const nav = customerNav(customer);
    return page(
      c,
      { title: 'Inbox', nav, current: nav[0]?.href },
      <InboxPage
        customer={customer}
        messages={service.inbox(customer.id)}
        suppressions={service.suppressions(customer.id)}
        csrf={c.get('csrf')}
      />,
    );
  });

  app.get('/customers/:id/preferences', async (c) => {
    const customer = await customerWithGpc(c);
    if (!customer) return notFound(c, 'Customer');
    const nav = customerNav(customer);
    return page(
      c,
      { title: 'Privacy preferences', nav, current: nav[1]?.href },
      <PreferencesPage
        customer={customer}
        purposes={service.preferences(customer.id)}
        history={await service.history(customer.id)}
        csrf={c.get('csrf')}
      />,
    );
  });

  app.get('/customers/:id/receipt.json', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    c.header('content-disposition', `attachment; filename="consent-receipt-${customer.id}.json"`);
    return c.json(await service.receipt(customer.id));
  });

  app.post('/customers/:id/consent', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const back = `/customers/${customer.id}/preferences`;
    const input = await form(c, ConsentForm);
    if (!input) return invalid(c, back);
    await service.setConsent(customer.id, input.purpose, input.action);
    const done = { grant: 'granted', withdraw: 'withdrawn', object: 'objected' } as const;
    return c.redirect(`${back}?done=${done[input.action]}`, 303);
  });

  app.get('/customers/:id/messages/:mid', (c) => {
    const customer = customerOf(c);
    const mid = MessageParam.safeParse(c.req.param('mid'));
    if (!customer || !mid.success) return notFound(c, 'Message');
    const layer = LayerParam.safeParse(c.req.query('layer') ?? 'standard');
    const view = service.explain(customer.id, mid.data, layer.success ? layer.data : 'standard');
    if (!view) return notFound(c, 'Message');
    return page(
      c,
      { title: 'Why am I seeing this?', nav: customerNav(customer) },
      <WhyPage customer={customer} view={view} csrf={c.get('csrf')} />,
    );
  });

  app.post('/customers/:id/messages/:mid/feedback', async (c) => {
    const customer = customerOf(c);
    const mid = MessageParam.safeParse(c.req.param('mid'));
    if (!customer || !mid.success) return notFound(c, 'Message');
    const back = `/customers/${customer.id}/inbox`;
    const input = await form(c, FeedbackForm);
    if (!input) return invalid(c, back);
    await service.feedback(customer.id, mid.data, input.signal);
    return c.redirect(`${back}?done=feedback`, 303);
  });

  app.post('/customers/:id/messages/:mid/controls', async (c) => {
    const customer = customerOf(c);
    const mid = MessageParam.safeParse(c.req.param('mid'));
    if (!customer || !mid.success) return notFound(c, 'Message');
    const back = `/customers/${customer.id}/messages/${mid.data}`;
    const input = await form(c, ControlForm);
    if (!input) return invalid(c, back);
    await service.applyControl(customer.id, mid.data, input.control);
    return c.redirect(`${back}?done=control`, 303);
  });

  app.get('/transparency', (c) =>
    page(
      c,
      { title: 'How recommendations work', nav: [{ href: '/', label: 'Customers' }] },
      <DsaPage dsa={service.dsa()} />,
    ),
  );

  // ---- operator side -------------------------------------------------------------------------
  const refuse = (c: C, status: 401 | 403) => {
    if (status === 403) deleteCookie(c, OPERATOR_COOKIE, { path: '/operator' });
    return page(
      c,
      { title: 'Operator sign-in', nav: [{ href: '/', label: 'Customers' }] },
      <OperatorLogin csrf={c.get('csrf')} status={status} />,
      status,
    );
  };

  app.post('/operator/login', async (c) => {
    const input = await form(c, LoginForm);
    if (!input || !safeEqual(input.token, options.operatorToken)) return refuse(c, 403);
    setOperatorCookie(c, options.operatorToken);
    return c.redirect('/operator', 303);
  });
  app.use('/operator', requireOperator(options.operatorToken, refuse));
  app.use('/operator/*', requireOperator(options.operatorToken, refuse));

  app.post('/operator/logout', (c) => {
    deleteCookie(c, OPERATOR_COOKIE, { path: '/operator' });
    return c.redirect('/', 303);
  });
  const op = (c: C, title: string, href: string, body: Child, status = 200) =>
    page(c, { title, nav: operatorNav, current: href }, body, status);

  app.get('/operator', (c) =>
    op(c, 'Rules', '/operator', <RulesPage rules={service.rules()} csrf={c.get('csrf')} />),
  );
  app.get('/operator/metrics', (c) =>
    op(c, 'Trust metrics', '/operator/metrics', <MetricsPage metrics={service.metrics()} />),
  );
  app.get('/operator/ledger', async (c) =>
    op(c, 'Ledger', '/operator/ledger', <LedgerPage status={await service.verifyLedger()} />),
  );
  app.get('/operator/simulator', (c) =>
    op(
      c,
      'Event simulator',
      '/operator/simulator',
      <SimulatorPage
        customers={service.customers()}
        templates={service.eventTemplates()}
        outcomes={service.outcomes()}
        now={service.now()}
        csrf={c.get('csrf')}
      />,
    ),
  );
  app.post('/operator/rules/:rid/resume', async (c) => {
    const rid = SubjectParam.safeParse(c.req.param('rid'));
    if (!rid.success || !(await service.resumeRule(rid.data))) return invalid(c, '/operator');
    return c.redirect('/operator?done=resumed', 303);
  });
  app.post('/operator/events', async (c) => {
    const input = await form(c, EventForm);
    if (!input || !service.customer(input.subject)) return invalid(c, '/operator/simulator');
    await service.sendEvent(input);
    return c.redirect('/operator/simulator?done=sent', 303);
  });
  app.post('/operator/clock', async (c) => {
    const input = await form(c, ClockForm);
    if (!input || Number(input.amount) < 1) return invalid(c, '/operator/simulator');
    await service.advanceClock(Number(input.amount) * duration[input.unit]);
    return c.redirect('/operator/simulator?done=advanced', 303);
  });

  app.notFound((c) => notFound(c, 'Page'));
  return app;
}
