// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), not the DOM property
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { advance, type Harness, inChromium, sendEvent, snap, useHarness } from './harness';

// Issue #21's proactive stories, each played as an operator and a customer would.

let h: Harness;

useHarness((started) => {
  h = started;
});

/** No ids, field paths or rule syntax in what a person reads. */
const machineWords = /\p{L}[._]\p{L}|\p{Ll}\p{Lu}|[{}]|\bfact:/u;

/** The operator's latest outcome lines (timed rules run when the clock moves). */
async function outcomes(operator: Page): Promise<string> {
  await operator.goto('/operator/simulator');
  return (await operator.locator('#outcomes tbody').innerText()).replace(/[ \t]+/g, ' ');
}

describe.skipIf(!inChromium)('undoing a mute, in Chromium', () => {
  test('"Not interested", then Unmute: the row goes and the next message comes again', async () => {
    const operator = await h.operatorPage();
    const page = await (await h.context()).newPage();
    expect((await sendEvent(operator, 'cus_ana', 'checkout.started')).join('\n')).toMatch(
      /eco-shipping.*sent/,
    );
    await page.goto('/customers/cus_ana/inbox');
    await Promise.all([
      page.waitForURL('**/inbox?done=feedback'),
      page
        .locator('[data-rule="eco-shipping"]')
        .getByRole('button', { name: 'Not interested' })
        .click(),
    ]);
    const row = page.locator('#suppressions tr.suppression', { hasText: 'shipping options' });
    expect(await row.count()).toBe(1);
    expect((await sendEvent(operator, 'cus_ana', 'checkout.started')).join('\n')).toMatch(
      /eco-shipping.*held back.*not interested/,
    );
    await Promise.all([
      page.waitForURL('**/inbox?done=unmute#suppressions'),
      row.getByRole('button', { name: 'Unmute' }).click(),
    ]);
    expect(await page.locator('#suppressions').innerText()).not.toContain('shipping options');
    expect((await sendEvent(operator, 'cus_ana', 'checkout.started')).join('\n')).toMatch(
      /eco-shipping.*sent/,
    );
  });
});

describe.skipIf(!inChromium)(
  'an order confirmation that remembers how you return, in Chromium',
  () => {
    test('states the estimate and the returns option used before, says where that came from; refused personalization holds it back', async () => {
      const operator = await h.operatorPage();
      const customer = await (await h.context()).newPage();
      expect((await sendEvent(operator, 'cus_ana', 'order.placed')).join('\n')).toMatch(
        /order-confirmation.*sent/,
      );
      await customer.goto('/customers/cus_ana/inbox');
      const confirmation = customer.locator('[data-rule="order-confirmation"]');
      expect(await confirmation.count()).toBe(1);
      const text = await confirmation.innerText();
      expect(text).toMatch(/It should arrive by \d{4}-\d\d-\d\d\./);
      expect(text).toContain('you dropped it off at a parcel shop');
      await Promise.all([
        customer.waitForURL('**/messages/**'),
        confirmation.getByText('Why am I seeing this?').click(),
      ]);
      const data = await customer.locator('#data-used').innerText();
      expect(data).toContain('The way you sent back your last return');
      expect(data).toContain('a drop-off at a parcel shop');
      expect(data).toContain('your orders');
      for (const section of ['#summary', '#data-used', '#purpose']) {
        expect(await customer.locator(section).innerText()).not.toMatch(machineWords);
      }
      expect(await customer.locator('[data-kind="stop_purpose"] button').count()).toBe(1);
      await snap(customer, 'order-confirmation');

      // Chloé refused personalization: her order is confirmed by the shop, never with her history.
      expect((await sendEvent(operator, 'cus_chloe', 'order.placed')).join('\n')).toMatch(
        /order-confirmation.*held back.*consent/,
      );
    });
  },
);

describe.skipIf(!inChromium)('a delivery running late, in Chromium', () => {
  test('the customer hears first, with a new estimate and a choice; a scan in time sends nothing; a withdrawal drops its plan at once, and the log says so', async () => {
    const operator = await h.operatorPage();
    const customer = await (await h.context()).newPage();
    const late = () => customer.locator('[data-rule="delivery-delay"]');

    // Promised to leave the warehouse within a day; two days on, no carrier scan.
    await sendEvent(operator, 'cus_ana', 'order.placed');
    await advance(operator, 2, 'day');
    expect(await outcomes(operator)).toMatch(/delivery-delay.*sent/);
    await customer.goto('/customers/cus_ana/inbox');
    expect(await late().count()).toBe(1);
    const message = await late().innerText();
    expect(message).toContain('is running late');
    expect(message).toMatch(/should now arrive by \d{4}-\d\d-\d\d instead of/);
    expect(message).toContain(
      'You can wait, ask us to refund the shipping cost, or cancel the order.',
    );
    await snap(customer, 'delivery-delay');

    // The choices are buttons: one is recorded, and the message says what was chosen.
    expect(await late().locator('.choices button').allInnerTexts()).toEqual([
      'Wait for it',
      'Refund the shipping cost',
      'Cancel the order',
    ]);
    await Promise.all([
      customer.waitForURL('**/inbox?done=chosen'),
      late().getByRole('button', { name: 'Refund the shipping cost' }).click(),
    ]);
    expect(await late().locator('.chosen').innerText()).toMatch(
      /^You asked us to refund the shipping cost on \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/,
    );
    expect(await late().locator('.choices button').count()).toBe(0);

    // Why: the promise and our orders, in plain words; a control that works.
    await Promise.all([
      customer.waitForURL('**/messages/**'),
      late().getByText('Why am I seeing this?').click(),
    ]);
    const why = await customer.locator('main').innerText();
    expect(why).toContain('your orders');
    // What did not happen, and within how long of what: the absence the message answers.
    expect(await customer.locator('#summary').innerText()).toMatch(
      /because no carrier scan arrived within 24 hours of the time we promised to hand your order to the carrier \(.+\)\./,
    );
    for (const section of ['#summary', '#data-used', '#purpose']) {
      expect(await customer.locator(section).innerText()).not.toMatch(machineWords);
    }
    expect(await customer.locator('[data-kind="stop_purpose"] button').count()).toBe(1);

    // A scan within the day after the promise: nothing is sent.
    await sendEvent(operator, 'cus_ana', 'order.placed');
    await sendEvent(operator, 'cus_ana', 'carrier.scanned');
    await advance(operator, 2, 'day');
    await customer.goto('/customers/cus_ana/inbox');
    expect(await late().count()).toBe(1);

    // Withdrawn before the deadline: its plan goes at once (the log says so), nothing is sent.
    await sendEvent(operator, 'cus_ana', 'order.placed');
    await customer.goto('/customers/cus_ana/preferences');
    const purpose = customer.locator('[data-purpose="service.proactive_support"]');
    await Promise.all([
      customer.waitForURL('**/preferences?done=withdrawn'),
      purpose.getByRole('button', { name: 'Withdraw' }).click(),
    ]);
    await advance(operator, 2, 'day');
    const log = await outcomes(operator);
    expect(log).toMatch(/consent changed delivery-delay.*plan dropped at once/);
    // Newest first: when the deadline passed, nothing was evaluated for it.
    expect(log.slice(0, log.indexOf('consent changed'))).not.toContain('delivery-delay');
    await customer.goto('/customers/cus_ana/inbox');
    expect(await late().count()).toBe(1);
  });
});

describe.skipIf(!inChromium)('a storm rebooking that acts, then tells, in Chromium', () => {
  test('with automatic changes allowed the booking is changed first, told, undoable in one tap for four hours and not after; without the permission it stays an offer, saying why', async () => {
    const operator = await h.operatorPage();
    const customer = await (await h.context()).newPage();
    const storm = () => customer.locator('[data-rule="storm-rebooking"]').first();

    // The late-delivery story ends with Ana's proactive help withdrawn: she allows it again.
    await customer.goto('/customers/cus_ana/preferences');
    const help = customer.locator('[data-purpose="service.proactive_support"]');
    if ((await help.locator('.status').innerText()) !== 'granted')
      await Promise.all([
        customer.waitForURL('**/preferences?done=granted'),
        help.getByRole('button', { name: 'Allow' }).click(),
      ]);

    // Ana allowed automatic changes: the seat on the earlier flight is held and her booking moved.
    expect((await sendEvent(operator, 'cus_ana', 'flight.weather_risk')).join('\n')).toMatch(
      /storm-rebooking.*sent.*changed the booking first, undo possible until/,
    );
    await customer.goto('/customers/cus_ana/inbox');
    expect(await storm().locator('h3').innerText()).toBe('We moved you to flight LH 1165 at 14:05');
    const told = await storm().innerText();
    expect(told).toContain('moved you to it from flight LH 1167 at 16:40, free of charge');
    expect(told).toMatch(/You can undo this in one tap until \d{4}-\d\d-\d\d \d\d:\d\d UTC\./);
    expect(await storm().getAttribute('data-rule')).toBe('storm-rebooking');
    expect(await storm().locator('[data-change="undoable"] button').innerText()).toBe('Undo');
    await snap(customer, 'storm-rebooked');

    // Why: what was done, why, and until when it can be undone, in plain words; the undo works.
    await Promise.all([
      customer.waitForURL('**/messages/**'),
      storm().getByText('Why am I seeing this?').click(),
    ]);
    const change = await customer.locator('#change').innerText();
    expect(change).toMatch(
      /^We moved you to an earlier flight on .+ without waiting for your answer, because you allowed automatic changes to your bookings\. You can undo this until .+ UTC\.$/,
    );
    for (const section of ['#summary', '#data-used', '#purpose', '#controls']) {
      expect(await customer.locator(section).innerText()).not.toMatch(machineWords);
    }
    const undo = customer.locator('[data-kind="undo_change"] button');
    expect(await undo.innerText()).toMatch(/^Undo this change \(possible until .+ UTC\)$/);
    await Promise.all([customer.waitForURL('**?done=control'), undo.click()]);
    expect(await customer.locator('#change').innerText()).toMatch(
      /You undid this on .+, so it is back as it was\./,
    );
    expect(await customer.locator('[data-kind="undo_change"]').count()).toBe(0);
    await customer.goto('/customers/cus_ana/inbox');
    expect(await storm().locator('[data-change="undone"]').innerText()).toContain(
      'you are booked on flight LH 1167 at 16:40 again',
    );

    // A day later, another storm: moved again. The undo offered in the inbox is refused once the
    // four hours have passed, saying so; the change stands and the history records all of it.
    await advance(operator, 1, 'day');
    expect((await sendEvent(operator, 'cus_ana', 'flight.weather_risk')).join('\n')).toMatch(
      /storm-rebooking.*changed the booking first/,
    );
    await customer.goto('/customers/cus_ana/inbox');
    const late = storm().locator('[data-change="undoable"] button');
    expect(await late.count()).toBe(1);
    await advance(operator, 5, 'hour');
    await Promise.all([customer.waitForURL('**/inbox?done=too_late'), late.click()]);
    expect(await customer.locator('main').innerText()).toContain(
      'Too late to undo: the time to undo this change has ended, so the change stands.',
    );
    expect(await storm().locator('[data-change="expired"]').innerText()).toMatch(
      /The time to undo this ended at .+ UTC, so you stay booked on flight LH 1165 at 14:05\./,
    );
    await customer.goto('/customers/cus_ana/preferences');
    const history = await customer.locator('#history').innerText();
    expect(history).toContain(
      'We moved your booking from flight LH 1167 at 16:40 to flight LH 1165 at 14:05',
    );
    expect(history).toContain('You undid the change: your booking is back as it was');
    expect(history).toContain('The time to undo the change ended: it stands');
    expect(history).toContain('Automatic changes to your bookings');

    // Without the permission it stays an offer, and the simulator says why.
    const automatic = customer.locator('[data-purpose="service.automatic_changes"]');
    await Promise.all([
      customer.waitForURL('**/preferences?done=withdrawn'),
      automatic.getByRole('button', { name: 'Withdraw' }).click(),
    ]);
    await advance(operator, 1, 'day');
    expect((await sendEvent(operator, 'cus_ana', 'flight.weather_risk')).join('\n')).toMatch(
      /storm-rebooking.*sent.*as an offer, nothing changed: no permission/,
    );
    await customer.goto('/customers/cus_ana/inbox');
    expect(await storm().locator('h3').innerText()).toBe('Storm expected at FRA');
    expect(await storm().locator('[data-change]').count()).toBe(0);

    // Without proactive help at all, the story holds back, saying why.
    expect((await sendEvent(operator, 'cus_ben', 'flight.weather_risk')).join('\n')).toMatch(
      /storm-rebooking.*as an offer, nothing changed: no permission/,
    );
    await customer.goto('/customers/cus_ben/preferences');
    await Promise.all([
      customer.waitForURL('**/preferences?done=withdrawn'),
      customer
        .locator('[data-purpose="service.proactive_support"]')
        .getByRole('button', { name: 'Withdraw' })
        .click(),
    ]);
    await advance(operator, 1, 'day');
    expect((await sendEvent(operator, 'cus_ben', 'flight.weather_risk')).join('\n')).toMatch(
      /storm-rebooking.*held back.*consent/,
    );
  }, 180_000);
});

describe.skipIf(!inChromium)('an appliance warning from diagnostic data, in Chromium', () => {
  test('warns before the washing machine fails, names the signal, its source and the threshold, books a technician; refused diagnostics hold it back', async () => {
    const operator = await h.operatorPage();
    const customer = await (await h.context()).newPage();
    const warning = () => customer.locator('[data-rule="appliance-failure"]');

    expect((await sendEvent(operator, 'cus_ana', 'appliance.diagnostics')).join('\n')).toMatch(
      /appliance-failure.*sent/,
    );
    await customer.goto('/customers/cus_ana/inbox');
    expect(await warning().count()).toBe(1);
    expect(await warning().locator('h3').innerText()).toBe(
      'Your washing machine may break down soon',
    );
    expect(await warning().innerText()).toContain(
      'It measured a drum vibration of 7.8 mm/s, up from 5.9 mm/s a week before. From 7 mm/s the drum bearing usually fails within weeks.',
    );
    await snap(customer, 'appliance-warning');

    // Why: the signal, its source (the device, observed) and the threshold, in plain words.
    await Promise.all([
      customer.waitForURL('**/messages/**'),
      warning().getByText('Why am I seeing this?').click(),
    ]);
    expect(await customer.locator('#summary').innerText()).toContain(
      'the drum vibration your washing machine measured is 7.8 millimeters per second, at least 7 millimeters per second',
    );
    const data = await customer.locator('#data-used').innerText();
    expect(data).toContain('The drum vibration your washing machine measured');
    expect(data).toMatch(
      /7\.8 millimeters per second\s+your washing machine \(observed: recorded as it happened\)/,
    );
    expect(await customer.locator('#purpose').innerText()).toContain(
      'using your appliances’ diagnostic data for service',
    );
    for (const section of ['#summary', '#data-used', '#purpose', '#controls']) {
      expect(await customer.locator(section).innerText()).not.toMatch(machineWords);
    }

    // The booking link works: a technician visit is booked at one of the offered times.
    await customer.goto('/customers/cus_ana/inbox');
    await Promise.all([
      customer.waitForURL('**/technician'),
      warning().getByRole('link', { name: 'Book a technician' }).click(),
    ]);
    const first = customer.locator('#slots .slot').first();
    const time = await first.locator('span').innerText();
    await Promise.all([
      customer.waitForURL('**/technician?done=booked'),
      first.getByRole('button', { name: 'Book this time' }).click(),
    ]);
    expect(await customer.locator('#visit').innerText()).toBe(
      `A technician will come on ${time}. You can pick another time below.`,
    );

    // Chloé refused using diagnostics for service: nothing is read or sent, and the simulator
    // says why.
    expect((await sendEvent(operator, 'cus_chloe', 'appliance.diagnostics')).join('\n')).toMatch(
      /appliance-failure.*held back.*consent: refused/,
    );
  }, 120_000);
});
