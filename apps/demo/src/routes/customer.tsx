import { parseGpcHeader } from '@candor/consent';
import type { Hono } from 'hono';
import { notFound } from '../errors';
import {
  ChoiceForm,
  ConsentForm,
  ControlForm,
  FeedbackForm,
  LayerParam,
  TechnicianForm,
  UnmuteForm,
} from '../forms';
import { type C, form, invalid, page } from '../pages';
import { pathId } from '../refusal';
import type { DemoEnvBindings } from '../security';
import type { CustomerView, DemoService } from '../service';
import { customerNav, InboxPage, PreferencesPage, WhyPage } from '../views/customer';
import { DataUsePage } from '../views/data-use';
import { TechnicianPage } from '../views/technician';

/** The customer side: inbox, preferences, receipts, "Why am I seeing this?" and its controls. */
export function customerRoutes(app: Hono<DemoEnvBindings>, service: DemoService): void {
  // A malformed id in the path is a 400 (pathId throws); a well-formed unknown one, a 404.
  const customerOf = (c: C): CustomerView | undefined => service.customer(pathId(c, 'id'));
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

  app.get('/customers/:id', (c) => c.redirect(`/customers/${pathId(c, 'id')}/inbox`, 302));

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

  app.get('/customers/:id/data-use', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const nav = customerNav(customer);
    return page(
      c,
      { title: 'When we used your data', nav, current: nav[4]?.href },
      <DataUsePage customer={customer} history={await service.dataUse(customer.id)} />,
    );
  });

  app.get('/customers/:id/export.json', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    c.header('content-disposition', `attachment; filename="my-data-${customer.id}.json"`);
    return c.json(await service.exportData(customer.id));
  });

  app.post('/customers/:id/consent', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const back = `/customers/${customer.id}/preferences`;
    const input = await form(c, ConsentForm);
    if (!input) return invalid(c, back);
    if (!(await service.setConsent(customer.id, input.purpose, input.action, input.category)))
      return invalid(c, back);
    const done = { grant: 'granted', withdraw: 'withdrawn', object: 'objected' } as const;
    return c.redirect(`${back}?done=${done[input.action]}`, 303);
  });

  app.get('/customers/:id/messages/:mid', (c) => {
    const customer = customerOf(c);
    const mid = pathId(c, 'mid');
    if (!customer) return notFound(c, 'Message');
    const layer = LayerParam.safeParse(c.req.query('layer') ?? 'standard');
    const view = service.explain(customer.id, mid, layer.success ? layer.data : 'standard');
    if (!view) return notFound(c, 'Message');
    return page(
      c,
      { title: 'Why am I seeing this?', nav: customerNav(customer) },
      <WhyPage customer={customer} view={view} csrf={c.get('csrf')} />,
    );
  });

  app.post('/customers/:id/messages/:mid/feedback', async (c) => {
    const customer = customerOf(c);
    const mid = pathId(c, 'mid');
    if (!customer) return notFound(c, 'Message');
    const back = `/customers/${customer.id}/inbox`;
    const input = await form(c, FeedbackForm);
    if (!input) return invalid(c, back);
    const result = await service.feedback(customer.id, mid, input.signal);
    if (!result.ok) return notFound(c, 'Message');
    return c.redirect(`${back}?done=feedback`, 303);
  });

  // The one-tap undo of a change a rule made for the customer (a storm rebooking).
  app.post('/customers/:id/messages/:mid/undo', async (c) => {
    const customer = customerOf(c);
    const mid = pathId(c, 'mid');
    if (!customer) return notFound(c, 'Message');
    const result = await service.undoChange(customer.id, mid);
    const back = `/customers/${customer.id}/inbox`;
    if (result.ok) return c.redirect(`${back}?done=undone`, 303);
    if ('refused' in result) return c.redirect(`${back}?done=${result.refused}`, 303);
    return notFound(c, result.missing === 'message' ? 'Message' : 'Change');
  });

  // A choice on a message that offers some (a late delivery: wait, refund the shipping, cancel).
  app.post('/customers/:id/messages/:mid/choice', async (c) => {
    const customer = customerOf(c);
    const mid = pathId(c, 'mid');
    if (!customer) return notFound(c, 'Message');
    const back = `/customers/${customer.id}/inbox`;
    const input = await form(c, ChoiceForm);
    if (!input || !(await service.choose(customer.id, mid, input.choice))) return invalid(c, back);
    return c.redirect(`${back}?done=chosen`, 303);
  });

  // Booking a technician from an appliance warning.
  app.get('/customers/:id/technician', (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    return page(
      c,
      { title: 'Book a technician', nav: customerNav(customer) },
      <TechnicianPage
        customer={customer}
        technician={service.technician(customer.id)}
        csrf={c.get('csrf')}
      />,
    );
  });

  app.post('/customers/:id/technician', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const back = `/customers/${customer.id}/technician`;
    const input = await form(c, TechnicianForm);
    if (!input || !(await service.bookTechnician(customer.id, Number(input.at))))
      return invalid(c, back);
    return c.redirect(`${back}?done=booked`, 303);
  });

  app.post('/customers/:id/unmute', async (c) => {
    const customer = customerOf(c);
    if (!customer) return notFound(c, 'Customer');
    const back = `/customers/${customer.id}/inbox`;
    const input = await form(c, UnmuteForm);
    if (!input) return invalid(c, back);
    if (!(await service.unmute(customer.id, input.scope, input.target))) return notFound(c, 'Mute');
    return c.redirect(`${back}?done=unmute#suppressions`, 303);
  });

  app.post('/customers/:id/messages/:mid/controls', async (c) => {
    const customer = customerOf(c);
    const mid = pathId(c, 'mid');
    if (!customer) return notFound(c, 'Message');
    const back = `/customers/${customer.id}/messages/${mid}`;
    const input = await form(c, ControlForm);
    if (!input) return invalid(c, back);
    const result = await service.applyControl(customer.id, mid, input.control);
    if ('refused' in result) return c.redirect(`${back}?done=${result.refused}`, 303);
    if (!result.ok) return notFound(c, result.missing === 'message' ? 'Message' : 'Choice');
    // "Correct …": the report is recorded; the data page is where the customer says what is right.
    if (result.applied === 'correction')
      return c.redirect(`/customers/${customer.id}/data?done=say_what_is_right`, 303);
    return c.redirect(`${back}?done=control`, 303);
  });
}
