// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), not the DOM property
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { advance, type Harness, inChromium, sendEvent, snap, startHarness } from './harness';

// Issue #21's proactive stories, each played as an operator and a customer would.

let h: Harness;

beforeAll(async () => {
  if (inChromium) h = await startHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
}, 30_000);

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
  test('the customer hears first, with a new estimate and a choice; a scan in time sends nothing; after a withdrawal it holds back, saying why', async () => {
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

    // Why: the promise and our orders, in plain words; a control that works.
    await Promise.all([
      customer.waitForURL('**/messages/**'),
      late().getByText('Why am I seeing this?').click(),
    ]);
    const why = await customer.locator('main').innerText();
    expect(why).toContain('your orders');
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

    // Withdrawn before the deadline: the deadline passes and the message holds back, saying why.
    await sendEvent(operator, 'cus_ana', 'order.placed');
    await customer.goto('/customers/cus_ana/preferences');
    const purpose = customer.locator('[data-purpose="service.proactive_support"]');
    await Promise.all([
      customer.waitForURL('**/preferences?done=withdrawn'),
      purpose.getByRole('button', { name: 'Withdraw' }).click(),
    ]);
    await advance(operator, 2, 'day');
    expect(await outcomes(operator)).toMatch(/delivery-delay.*held back.*consent/);
    await customer.goto('/customers/cus_ana/inbox');
    expect(await late().count()).toBe(1);
  });
});
