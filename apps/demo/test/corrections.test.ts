// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), not the DOM property
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { type Harness, inChromium, sendEvent, snap, useHarness } from './harness';

let h: Harness;

useHarness((started) => {
  h = started;
});

/** No ids, field paths or rule syntax in what a person reads. */
const machineWords = /\bcorr_|\bcus_|\p{L}[._]\p{L}|\p{Ll}\p{Lu}|[{}]|\bfact:/u;

async function submit(page: Page, url: string, click: () => Promise<void>) {
  await Promise.all([page.waitForURL(url), click()]);
}

/** The held fact whose heading is `label`. */
const factCard = (page: Page, label: string) =>
  page.locator('#held-facts li', { has: page.getByRole('heading', { name: label }) });

describe.skipIf(!inChromium)('the data we hold, and corrections, in Chromium', () => {
  test('an accepted correction is what the next decision uses, and its explanation cites it as something the customer told us', async () => {
    const operator = await h.operatorPage();
    // Ben's eco-shipping setting is off: no eco-shipping hint at checkout.
    expect((await sendEvent(operator, 'cus_ben', 'checkout.started')).join('\n')).not.toMatch(
      /eco-shipping.*sent/,
    );

    const customer = await (await h.context()).newPage();
    await customer.goto('/customers/cus_ben/data');
    expect(await customer.locator('main').innerText()).not.toMatch(machineWords);
    const setting = factCard(customer, 'Your setting for eco-friendly shipping');
    expect(await setting.locator('.value').innerText()).toBe('off');
    await setting.getByText('This is wrong').click();
    await setting.locator('select[name=value]').selectOption('on');
    await setting.locator('input[name=note]').fill('I switched it on last week');
    await submit(customer, '**/data?done=correction_opened', () =>
      setting.getByRole('button', { name: 'Ask us to correct it' }).click(),
    );
    const mine = customer.locator('#corrections li');
    expect(await mine.innerText()).toMatch(
      /Your setting for eco-friendly shipping — from “off” to “on” \(“I switched it on last week”\)\. We are looking into it/,
    );
    // Still open: nothing changes yet.
    expect((await sendEvent(operator, 'cus_ben', 'checkout.started')).join('\n')).not.toMatch(
      /eco-shipping.*sent/,
    );

    // The operator accepts it.
    await operator.goto('/operator/corrections');
    const row = operator.locator('#open-corrections form', { hasText: 'Ben Carter' });
    await row.locator('input[name=reason]').fill('Thanks, we updated your setting.');
    await submit(operator, '**/operator/corrections?done=correction_accepted', () =>
      row.getByRole('button', { name: 'Accept' }).click(),
    );
    expect(await operator.locator('#decided-corrections').innerText()).toContain(
      'Ben Carter: Your setting for eco-friendly shipping',
    );

    // The customer sees the outcome, and the value held is the corrected one.
    await customer.goto('/customers/cus_ben/data');
    expect(await customer.locator('#corrections li').innerText()).toMatch(
      /Corrected: Thanks, we updated your setting\.[\s\S]*decided /,
    );
    expect(
      await factCard(customer, 'Your setting for eco-friendly shipping')
        .locator('.value')
        .innerText(),
    ).toBe('on (corrected at your request)');

    // The next decision uses it, and "Why am I seeing this?" cites it.
    expect((await sendEvent(operator, 'cus_ben', 'checkout.started')).join('\n')).toMatch(
      /eco-shipping.*sent/,
    );
    await customer.goto('/customers/cus_ben/inbox');
    const message = customer.locator('[data-rule="eco-shipping"]');
    await submit(customer, '**/messages/**', () =>
      message.getByText('Why am I seeing this?').click(),
    );
    const cited = await customer
      .locator('#data-used tr.fact[data-path="preferences.sustainability"]')
      .innerText();
    expect(cited).toMatch(/on/);
    expect(cited).toContain('a correction you asked us to make');
    expect(cited).toContain('(you told us)');
    expect(await customer.locator('#data-used').innerText()).not.toMatch(machineWords);
    await snap(customer, 'why-corrected');

    // "Correct …" on the explanation leads to this page, to say what is right.
    await submit(customer, '**/data?done=say_what_is_right', () =>
      customer
        .getByRole('button', { name: /^Correct your setting for eco-friendly shipping/ })
        .click(),
    );
    expect(await customer.locator('h1').innerText()).toBe('The data we hold about you');
  });

  test('a rejected correction shows the reason, and changes nothing', async () => {
    const customer = await (await h.context()).newPage();
    await customer.goto('/customers/cus_chloe/data');
    const country = factCard(customer, 'Your home country');
    expect(await country.locator('.value').innerText()).toBe('France');
    await country.getByText('This is wrong').click();
    await country.locator('input[name=value]').fill('France');
    await submit(customer, '**/data?done=same_value', () =>
      country.getByRole('button', { name: 'Ask us to correct it' }).click(),
    );
    expect(await customer.locator('#corrections').innerText()).toContain(
      'You have not asked us to correct anything.',
    );
    await country.getByText('This is wrong').click();
    await country.locator('input[name=value]').fill('Atlantis');
    await submit(customer, '**/data?done=invalid', () =>
      country.getByRole('button', { name: 'Ask us to correct it' }).click(),
    );
    await country.getByText('This is wrong').click();
    await country.locator('input[name=value]').fill('Belgium');
    await submit(customer, '**/data?done=correction_opened', () =>
      country.getByRole('button', { name: 'Ask us to correct it' }).click(),
    );

    const operator = await h.operatorPage();
    await operator.goto('/operator/corrections');
    const row = operator.locator('#open-corrections form', { hasText: 'Chloé Martin' });
    // A rejection needs a reason.
    await submit(operator, '**/operator/corrections?done=invalid', () =>
      row.getByRole('button', { name: 'Reject' }).click(),
    );
    await row.locator('input[name=reason]').fill('Your billing address is in France.');
    await submit(operator, '**/operator/corrections?done=correction_rejected', () =>
      row.getByRole('button', { name: 'Reject' }).click(),
    );
    expect(await operator.locator('#open-corrections').innerText()).not.toContain('Chloé Martin');

    await customer.goto('/customers/cus_chloe/data');
    expect(await customer.locator('#corrections li').innerText()).toMatch(
      /Your home country — from “France” to “Belgium”\. Not changed: Your billing address is in France\./,
    );
    expect(await factCard(customer, 'Your home country').locator('.value').innerText()).toBe(
      'France',
    );
    expect(await customer.locator('main').innerText()).not.toMatch(machineWords);
    await snap(customer, 'data-held');

    // Kept in the database: a restart shows the same outcome.
    await h.restart();
    const later = await (await h.context()).newPage();
    await later.goto('/customers/cus_chloe/data');
    expect(await later.locator('#corrections li').innerText()).toContain(
      'Not changed: Your billing address is in France.',
    );
  });
});
