import { duration } from '@candor/core';
import type { Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import { errorPage } from '../errors';
import { ClockForm, EventForm, LoginForm } from '../forms';
import { type C, form, invalid, page } from '../pages';
import type { SignInGuard, SignInVerdict } from '../rate-limit';
import { forLog, pathId } from '../refusal';
import {
  clientAddress,
  type DemoEnvBindings,
  OPERATOR_ACCOUNT,
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
  /** Sign-in attempts: the form's, and wrong tokens in a header or cookie. */
  readonly signIn: SignInGuard;
}

/** 429 with `Retry-After` once a sign-in limit is spent; the log line names which. */
function tooManyAttempts(c: C, verdict: Exclude<SignInVerdict, { allowed: true }>) {
  const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  const minutes = Math.ceil(seconds / 60);
  c.header('Retry-After', String(seconds));
  c.set(
    'problem',
    verdict.limit === 'address'
      ? `too many sign-in attempts from ${forLog(clientAddress(c))} (per-address limit)`
      : 'too many sign-in attempts on the operator account (per-account limit)',
  );
  return errorPage(c, 429, {
    text: `Too many sign-in attempts. Please wait ${minutes === 1 ? 'a minute' : `${minutes} minutes`} and try again.`,
  });
}

/** The operator side, behind the token: sign-in, rules, metrics, ledger, event simulator. */
export function operatorRoutes(app: Hono<DemoEnvBindings>, options: OperatorRouteOptions): void {
  const { service, signIn } = options;
  const refuse = (c: C, status: 401 | 403) => {
    c.set('problem', status === 401 ? 'no operator token' : 'wrong operator token');
    if (status === 403) deleteCookie(c, OPERATOR_COOKIE, { path: '/operator' });
    return page(
      c,
      { title: 'Operator sign-in', nav: [{ href: '/', label: 'Customers' }] },
      <OperatorLogin csrf={c.get('csrf')} status={status} />,
      status,
    );
  };

  // Every sign-in attempt counts, right or wrong, against the client address and the account.
  app.post('/operator/login', async (c) => {
    const verdict = signIn.attempt(clientAddress(c), OPERATOR_ACCOUNT);
    if (!verdict.allowed) return tooManyAttempts(c, verdict);
    const input = await form(c, LoginForm);
    if (!input || !safeEqual(input.token, options.operatorToken)) return refuse(c, 403);
    setOperatorCookie(c, options.operatorToken);
    return c.redirect('/operator', 303);
  });
  const guard = requireOperator({
    token: options.operatorToken,
    guard: signIn,
    onRefuse: refuse,
    onLimited: tooManyAttempts,
  });
  app.use('/operator', guard);
  app.use('/operator/*', guard);

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
