// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), not the DOM property
import { describe, expect, test } from 'vitest';
import { type Harness, inChromium, sendEvent, snap, useHarness } from './harness';

// Issue #17, item 3: context that is not personal. Chloé refused personalization; she still hears
// that greener delivery runs in her region, a message that rests on nothing personal and says so.

let h: Harness;
useHarness((started) => {
  h = started;
});

describe.skipIf(!inChromium)('a contextual message, in Chromium', () => {
  test('Chloé refused personalization: the region’s message only, explained as not using her history', async () => {
    const operator = await h.operatorPage();
    const sent = await sendEvent(operator, 'cus_chloe', 'checkout.started');
    expect(sent.join('\n')).toMatch(/eco-shipping.*sent/);

    const page = await (await h.context()).newPage();
    await page.goto('/customers/cus_chloe/inbox');
    const message = page.locator('[data-rule="eco-shipping"]');
    expect(await message.count()).toBe(1);
    expect(await message.innerText()).toContain('Greener delivery in your region');
    expect(await message.innerText()).not.toContain('You told us');
    await Promise.all([
      page.waitForURL('**/messages/**'),
      message.getByText('Why am I seeing this?').click(),
    ]);
    const summary = await page.locator('#summary').innerText();
    expect(summary).toContain('based only on your region, not on your history');
    expect(await page.locator('#purpose').innerText()).toContain(
      'This message does not use your personal data',
    );
    const data = await page.locator('#data-used').innerText();
    expect(data).toContain('Low-emission delivery in your region');
    expect(data).not.toMatch(/purchase history|sustainab|care about/i);
    // Nothing personal was used, so there is nothing of hers to turn off; muting still works.
    const controls = await page.locator('#controls').innerText();
    expect(controls).not.toMatch(/Stop using|Turn off/);
    expect(controls).toContain('Mute');
    expect(`${summary}\n${data}\n${controls}`).not.toMatch(/\p{L}[._]\p{L}|[{}]/u);
    await snap(page, 'contextual-why');
  });

  test('the storm forecast is the weather, not "your booked trips", and is not offered to be turned off', async () => {
    const operator = await h.operatorPage();
    expect((await sendEvent(operator, 'cus_ana', 'flight.weather_risk')).join('\n')).toMatch(
      /storm-rebooking.*sent/,
    );
    const page = await (await h.context()).newPage();
    await page.goto('/customers/cus_ana/inbox');
    await Promise.all([
      page.waitForURL('**/messages/**'),
      page
        .locator('[data-rule="storm-rebooking"]')
        .first()
        .getByText('Why am I seeing this?')
        .click(),
    ]);
    expect(await page.locator('[data-control="turn_off_data:context.weather"]').count()).toBe(0);
    expect(await page.locator('#controls').innerText()).not.toContain(
      'Stop using the weather forecast',
    );
    expect(await page.locator('[data-control="turn_off_data:user.travel.itinerary"]').count()).toBe(
      1,
    );
  });
});
