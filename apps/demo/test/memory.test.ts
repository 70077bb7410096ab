// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), not the DOM property
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { advance, type Harness, inChromium, sendEvent, snap, useHarness } from './harness';

let h: Harness;

useHarness((started) => {
  h = started;
});

/** No ids, field paths or rule syntax in what a person reads. */
const machineWords = /\bmem_|\p{L}[._]\p{L}|\p{Ll}\p{Lu}|[{}]|\bfact:/u;

async function submit(page: Page, url: string, click: () => Promise<void>) {
  await Promise.all([page.waitForURL(url), click()]);
}

describe.skipIf(!inChromium)('what the company remembers, in Chromium', () => {
  test('a reason given at checkout brings the storm warning, whose explanation cites it; correcting it works on the next decision', async () => {
    const customer = await (await h.context()).newPage();
    await customer.goto('/customers/cus_ana/checkout');
    await customer.fill('#reason', 'preparing for a trek in the Alps in June');
    await submit(customer, '**/memory?done=remembered', () =>
      customer.getByRole('button', { name: 'Place order' }).click(),
    );
    const reason = customer.locator('[data-kind="stated_reason"]');
    expect(await reason.innerText()).toMatch(
      /“preparing for a trek in the Alps in June” — about your hiking boots[\s\S]*Where it comes from: you told us at checkout, on /,
    );

    // Weeks later, a storm warning for the Alps: the rule reads the recalled reason as a fact.
    const operator = await h.operatorPage();
    await advance(operator, 3, 'week');
    expect((await sendEvent(operator, 'cus_ana', 'weather.alert')).join('\n')).toMatch(
      /trek-storm-warning.*sent/,
    );
    expect((await sendEvent(operator, 'cus_ben', 'weather.alert')).join('\n')).toMatch(
      /trek-storm-warning.*held back/,
    );
    await customer.goto('/customers/cus_ana/inbox');
    const message = customer.locator('[data-rule="trek-storm-warning"]');
    expect(await message.innerText()).toContain('check your gear');
    await submit(customer, '**/messages/**', () =>
      message.getByText('Why am I seeing this?').click(),
    );
    const row = customer.locator('#data-used tr.fact[data-path="purchase.statedReason"]');
    const cited = await row.innerText();
    expect(cited).toContain('The reason you gave at checkout');
    expect(cited).toContain('preparing for a trek in the Alps in June');
    expect(cited).toMatch(/our checkout page \(you told us/);
    expect(cited).toMatch(/\d{4}-\d{2}-\d{2}/);
    for (const section of ['#summary', '#data-used', '#purpose'])
      expect(await customer.locator(section).innerText()).not.toMatch(machineWords);
    await snap(customer, 'why-trek');

    // The customer corrects it: the next storm warning for the Alps no longer applies to them.
    await customer.goto('/customers/cus_ana/memory');
    await customer.locator('[data-kind="stated_reason"] input[name=text]').fill('a beach holiday');
    await submit(customer, '**/memory?done=corrected', () =>
      customer.getByRole('button', { name: 'Save correction' }).click(),
    );
    expect(await customer.locator('[data-kind="stated_reason"]').innerText()).toMatch(
      /“a beach holiday”[\s\S]*You corrected it\./,
    );
    await advance(operator, 2, 'day');
    expect((await sendEvent(operator, 'cus_ana', 'weather.alert')).join('\n')).toMatch(
      /trek-storm-warning.*held back/,
    );
  });

  test('the operator sees the brief from explain; an open complaint holds offers back with that reason, visible to the customer', async () => {
    const operator = await h.operatorPage();
    await operator.goto('/operator/customers');
    await submit(operator, '**/operator/customers/cus_ana', () =>
      operator.getByRole('link', { name: 'Ana Sousa' }).click(),
    );
    const brief = operator.locator('#brief');
    const text = await brief.innerText();
    expect(text).toContain('Before you talk to this customer');
    expect(text).toMatch(
      /Her card was blocked in error on \w{3} \d{1,2}; resolved the same day: unblocked, with an apology\. Source: our support team\./,
    );
    expect(text).not.toMatch(machineWords);
    await snap(operator, 'operator-brief');

    await operator.fill('#summary', 'The refund for her boots is late');
    await submit(operator, '**/operator/customers/cus_ana?done=complaint', () =>
      operator.getByRole('button', { name: 'Record' }).click(),
    );
    expect(await brief.innerText()).toMatch(
      /Open complaints[\s\S]*Complaint opened on \w{3} \d{1,2}, still open: “The refund for her boots is late”/,
    );
    expect((await sendEvent(operator, 'cus_ana', 'flight.booked')).join('\n')).toMatch(
      /partner-insurance.*held back.*a complaint is open, so offers wait until it is resolved/,
    );
    const customer = await (await h.context()).newPage();
    await customer.goto('/customers/cus_ana/memory');
    expect(await customer.locator('#holding-back').innerText()).toBe(
      'While your complaint is open, we do not send you offers. They resume once it is resolved.',
    );
    expect(await customer.locator('#memories').innerText()).not.toMatch(machineWords);
    await snap(customer, 'memory');

    // Resolved: offers flow again, and the brief lists it as resolved.
    await operator.goto('/operator/customers/cus_ana');
    await operator.fill('input[name=resolution]', 'refunded, with an apology');
    await submit(operator, '**/operator/customers/cus_ana?done=resolved', () =>
      operator.getByRole('button', { name: 'Resolve' }).click(),
    );
    expect(await operator.locator('#brief').innerText()).toContain(
      'The refund for her boots is late on',
    );
    expect((await sendEvent(operator, 'cus_ana', 'flight.booked')).join('\n')).toMatch(
      /partner-insurance.*sent/,
    );

    // The customer deletes what they told us: gone from the list, only a tombstone line left.
    await customer.goto('/customers/cus_ana/memory');
    const before = await customer.locator('#memories > li').count();
    await submit(customer, '**/memory?done=erased', () =>
      customer
        .locator('[data-kind="stated_reason"]')
        .getByRole('button', { name: 'Delete' })
        .click(),
    );
    expect(await customer.locator('#memories > li').count()).toBe(before - 1);
    expect(await customer.locator('[data-kind="stated_reason"]').count()).toBe(0);
    expect(await customer.locator('#erased').innerText()).toContain(
      'A reason you gave, deleted at your request on',
    );
    // A form without the CSRF token changes nothing.
    const forged = await fetch(`${h.demo.url}/customers/cus_ana/memory/erase`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: h.demo.url },
      body: 'memory=anything',
    });
    expect(forged.status).toBe(403);
  });
});

describe.skipIf(!inChromium)('when we used your data, in Chromium', () => {
  test('a check of Ana’s card that sent nothing is listed; after she withdraws, later checks read nothing', async () => {
    const operator = await h.operatorPage();
    const customer = await (await h.context()).newPage();
    await advance(operator, 8, 'day');
    expect((await sendEvent(operator, 'cus_ana', 'card.expiring')).join('\n')).toMatch(
      /card-expiry-renewal.*sent/,
    );
    // Within the rule's cooldown: the card is read again, and nothing is sent.
    expect((await sendEvent(operator, 'cus_ana', 'card.expiring')).join('\n')).toMatch(
      /card-expiry-renewal.*held back/,
    );
    await customer.goto('/customers/cus_ana/inbox');
    await submit(customer, '**/data-use', () =>
      customer.getByRole('link', { name: 'When we used your data' }).first().click(),
    );
    const history = () => customer.locator('#data-use').innerText();
    const cardChecks = (text: string) =>
      text.split('\n').filter((line) => /checked .*card/.test(line));
    const before = await history();
    expect(cardChecks(before).some((l) => /Nothing was sent\./.test(l))).toBe(true);
    expect(cardChecks(before).some((l) => /We sent you a message\./.test(l))).toBe(true);
    expect(before).not.toMatch(machineWords);
    await snap(customer, 'data-use');

    await customer.goto('/customers/cus_ana/preferences');
    const purpose = customer.locator('[data-purpose="service.proactive_support"]');
    await submit(customer, '**/preferences?done=withdrawn', () =>
      purpose.getByRole('button', { name: 'Withdraw' }).click(),
    );
    await advance(operator, 8, 'day');
    expect((await sendEvent(operator, 'cus_ana', 'card.expiring')).join('\n')).toMatch(
      /card-expiry-renewal.*held back.*consent/,
    );
    await customer.goto('/customers/cus_ana/data-use');
    const after = await history();
    // The refused evaluation read nothing, so the page names no new check of her card.
    expect(cardChecks(after)).toEqual(cardChecks(before));

    const exported = await (await fetch(`${h.demo.url}/customers/cus_ana/export.json`)).json();
    expect(exported.entries.length).toBeGreaterThan(0);
    expect(
      exported.access.filter(
        (r: { accessor: { id: string } }) => r.accessor.id === 'card-expiry-renewal',
      ),
    ).toHaveLength(2);
  });
});
