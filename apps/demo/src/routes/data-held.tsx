import type { Hono } from 'hono';
import { notFound } from '../errors';
import { CorrectionForm, DecideCorrectionForm } from '../forms';
import { type C, form, invalid, page } from '../pages';
import { pathId } from '../refusal';
import type { DemoEnvBindings } from '../security';
import type { CustomerView, DemoService } from '../service';
import { customerNav } from '../views/customer';
import { CorrectionsQueuePage, DataHeldPage } from '../views/data-held';
import { operatorNav } from '../views/operator';

/**
 * "The data we hold about you" with its "This is wrong" forms, and (behind the operator token)
 * the queue where corrections are accepted or rejected with a reason.
 */
export function dataHeldRoutes(app: Hono<DemoEnvBindings>, service: DemoService): void {
  const customerOf = (c: C): CustomerView | undefined => service.customer(pathId(c, 'id'));

  app.get('/customers/:id/data', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const nav = customerNav(customer);
    return page(
      c,
      { title: 'The data we hold about you', nav, current: nav[5]?.href },
      <DataHeldPage
        customer={customer}
        data={await service.corrections.page(customer.id)}
        csrf={c.get('csrf')}
      />,
    );
  });

  app.post('/customers/:id/data/correct', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const back = `/customers/${customer.id}/data`;
    const input = await form(c, CorrectionForm);
    if (!input) return invalid(c, back);
    const outcome = await service.corrections.open(
      customer.id,
      input.fact,
      input.value,
      input.note || undefined,
    );
    if (outcome === 'unknown_fact') return notFound(c, 'Fact');
    if (outcome === 'invalid') return invalid(c, back);
    return c.redirect(
      `${back}?done=${outcome === 'opened' ? 'correction_opened' : 'same_value'}`,
      303,
    );
  });

  // Operator side (the token guard registered by operatorRoutes covers /operator/*).
  app.get('/operator/corrections', async (c) =>
    page(
      c,
      { title: 'Corrections', nav: operatorNav, current: '/operator/corrections' },
      <CorrectionsQueuePage
        corrections={await service.corrections.queue()}
        names={new Map(service.customers().map((x) => [x.id, x.name]))}
        csrf={c.get('csrf')}
      />,
    ),
  );

  app.post('/operator/corrections/decide', async (c) => {
    const back = '/operator/corrections';
    const input = await form(c, DecideCorrectionForm);
    if (!input || (input.action === 'reject' && !input.reason)) return invalid(c, back);
    const done = await service.corrections.decide(
      input.subject,
      input.correction,
      input.action,
      input.reason || undefined,
    );
    if (!done) return invalid(c, back);
    return c.redirect(`${back}?done=correction_${input.action}ed`, 303);
  });
}
