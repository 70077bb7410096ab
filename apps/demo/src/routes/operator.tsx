import { duration } from '@candor/core';
import type { Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import { ClockForm, EventForm, LoginForm } from '../forms';
import { type C, form, invalid, page } from '../pages';
import { pathId } from '../refusal';
import {
  type DemoEnvBindings,
  OPERATOR_COOKIE,
  requireOperator,
  safeEqual,
  setOperatorCookie,
} from '../security';
import type { DemoService } from '../service';
import {
  LedgerPage,
  MetricsPage,
  OperatorLogin,
  operatorNav,
  RulesPage,
  SimulatorPage,
} from '../views/operator';

export interface OperatorRouteOptions {
  readonly service: DemoService;
  readonly operatorToken: string;
}

/** The operator side, behind the token: sign-in, rules, metrics, ledger, event simulator. */
export function operatorRoutes(app: Hono<DemoEnvBindings>, options: OperatorRouteOptions): void {
  const { service } = options;
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
    if (!(await service.resumeRule(pathId(c, 'rid')))) return invalid(c, '/operator');
    return c.redirect('/operator?done=resumed', 303);
  });
  app.post('/operator/events', async (c) => {
    const input = await form(c, EventForm);
    const known = (type: string) => service.eventTemplates().some((t) => t.type === type);
    if (!input || !service.customer(input.subject) || !known(input.type))
      return invalid(c, '/operator/simulator');
    await service.sendEvent(input);
    return c.redirect('/operator/simulator?done=sent', 303);
  });
  app.post('/operator/clock', async (c) => {
    const input = await form(c, ClockForm);
    if (!input || Number(input.amount) < 1) return invalid(c, '/operator/simulator');
    await service.advanceClock(Number(input.amount) * duration[input.unit]);
    return c.redirect('/operator/simulator?done=advanced', 303);
  });
}
