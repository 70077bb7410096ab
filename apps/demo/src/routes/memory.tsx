import type { Hono } from 'hono';
import { notFound } from '../errors';
import { CheckoutForm, ComplaintForm, MemoryForm, ResolveForm } from '../forms';
import { type C, form, invalid, page } from '../pages';
import { pathId } from '../refusal';
import type { DemoEnvBindings } from '../security';
import type { CustomerView, DemoService } from '../service';
import { customerNav } from '../views/customer';
import { CheckoutPage, CustomerBriefPage, MemoryPage } from '../views/memory';
import { operatorNav } from '../views/operator';

/**
 * What we remember: the checkout where a customer may say why, their "What we remember about
 * you" page with its controls, and (behind the operator token) each customer's staff brief.
 */
export function memoryRoutes(app: Hono<DemoEnvBindings>, service: DemoService): void {
  const customerOf = (c: C): CustomerView | undefined => service.customer(pathId(c, 'id'));

  app.get('/customers/:id/checkout', (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const nav = customerNav(customer);
    return page(
      c,
      { title: 'Checkout', nav, current: nav[3]?.href },
      <CheckoutPage customer={customer} csrf={c.get('csrf')} />,
    );
  });

  app.post('/customers/:id/checkout', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const back = `/customers/${customer.id}/checkout`;
    const input = await form(c, CheckoutForm);
    if (!input) return invalid(c, back);
    if (!input.reason) return c.redirect(`${back}?done=ordered`, 303);
    await service.memory.sayWhy(customer.id, input.item, input.reason);
    return c.redirect(`/customers/${customer.id}/memory?done=remembered`, 303);
  });

  app.get('/customers/:id/memory', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const nav = customerNav(customer);
    return page(
      c,
      { title: 'What we remember about you', nav, current: nav[2]?.href },
      <MemoryPage
        customer={customer}
        memory={await service.memory.page(customer.id)}
        csrf={c.get('csrf')}
      />,
    );
  });

  for (const action of ['correct', 'erase'] as const)
    app.post(`/customers/:id/memory/${action}`, async (c) => {
      const customer = customerOf(c);
      if (!customer) return notFound(c, 'Customer');
      const back = `/customers/${customer.id}/memory`;
      const input = await form(c, MemoryForm);
      if (!input || (action === 'correct' && input.text === undefined)) return invalid(c, back);
      const done =
        action === 'correct'
          ? await service.memory.correct(customer.id, input.memory, input.text ?? '')
          : await service.memory.erase(customer.id, input.memory);
      if (!done) return notFound(c, 'Memory');
      return c.redirect(`${back}?done=${action === 'correct' ? 'corrected' : 'erased'}`, 303);
    });

  // Operator side (the token guard registered by operatorRoutes covers /operator/*).
  app.get('/operator/customers', (c) =>
    page(
      c,
      { title: 'Customer briefs', nav: operatorNav, current: '/operator/customers' },
      <>
        <h1>Customer briefs</h1>
        <ul id="customers">
          {service.customers().map((customer) => (
            <li>
              <a href={`/operator/customers/${customer.id}`}>{customer.name}</a>
            </li>
          ))}
        </ul>
      </>,
    ),
  );

  app.get('/operator/customers/:id', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    return page(
      c,
      { title: customer.name, nav: operatorNav, current: '/operator/customers' },
      <CustomerBriefPage
        customer={customer}
        brief={await service.memory.brief(customer.id)}
        open={await service.memory.openComplaints(customer.id)}
        csrf={c.get('csrf')}
      />,
    );
  });

  app.post('/operator/customers/:id/complaints', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const back = `/operator/customers/${customer.id}`;
    const input = await form(c, ComplaintForm);
    if (!input) return invalid(c, back);
    await service.memory.recordComplaint(customer.id, input.summary);
    return c.redirect(`${back}?done=complaint`, 303);
  });

  app.post('/operator/customers/:id/complaints/resolve', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const back = `/operator/customers/${customer.id}`;
    const input = await form(c, ResolveForm);
    if (!input) return invalid(c, back);
    if (!(await service.memory.resolveComplaint(customer.id, input.memory, input.resolution)))
      return notFound(c, 'Complaint');
    return c.redirect(`${back}?done=resolved`, 303);
  });
}
