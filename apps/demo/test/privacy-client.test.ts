// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), not the DOM property
import { choiceLedgerKey } from '@candor/consent';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { type Harness, inChromium, snap, useHarness } from './harness';

// The customer pages with JavaScript on: the preference centre through `@candor/consent/client`
// and the privacy-centre API, the inbox's feedback through the API; and with it off, the forms.

let h: Harness;
useHarness((started) => {
  h = started;
});

/** A page with JavaScript on, at `path`, once its script has taken over the forms. */
async function enhanced(path: string): Promise<Page> {
  const context = await h.context({ javaScriptEnabled: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(path);
  await page.waitForSelector('#privacy-api[data-ready=true]', { state: 'attached' });
  expect(errors).toEqual([]);
  return page;
}

const card = (page: Page, purpose: string) =>
  page.locator(`section.purpose[data-purpose="${purpose}"]`);
const allowedOnServer = (customer: string, purpose: string) =>
  h.demo.service.preferences(customer).find((p) => p.id === purpose)?.allowed;
const ledger = (customer: string) => h.demo.service.privacy.consent.entries(customer);

describe.skipIf(!inChromium)('the privacy centre with JavaScript on', () => {
  test('a withdrawal shows at once, before the server has it; then the very next decision denies', async () => {
    const page = await enhanced('/customers/cus_ana/preferences');
    const proactive = card(page, 'service.proactive_support');
    // Hold the choice on its way, to see what the page does before the server answers.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/privacy/consent/choices', async (route) => {
      await held;
      await route.continue();
    });
    await proactive.getByRole('button', { name: 'Withdraw' }).click();
    await expect.poll(() => proactive.locator('.badge.status').innerText()).toBe('withdrawn');
    expect(await proactive.getByRole('button', { name: 'Allow' }).count()).toBe(1);
    expect(await proactive.locator('ul.reasons').isVisible()).toBe(false); // "Granted via …" no more
    expect(new URL(page.url()).search).toBe(''); // no form post, no reload
    expect(allowedOnServer('cus_ana', 'service.proactive_support')).toBe(true);

    release();
    await expect.poll(() => page.locator('#privacy-status').innerText()).toContain('saved');
    expect(allowedOnServer('cus_ana', 'service.proactive_support')).toBe(false);
    // The card-expiry reminder (proactive help) is held back by the withdrawal.
    const outcomes = await h.demo.service.sendEvent({ subject: 'cus_ana', type: 'card.expiring' });
    expect(outcomes.length).toBeGreaterThan(0);
    for (const o of outcomes) {
      expect(o.fired).toBe(false);
      expect(o.reason).toMatch(/^consent: withdrawn/);
    }
    await snap(page, 'privacy-client-withdrawn');

    // Allow again: shown once the server confirms, and the reminder goes out again.
    await page.unroute('**/api/privacy/consent/choices');
    await proactive.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => page.locator('#privacy-status').innerText()).toContain('Allowed');
    expect(await proactive.locator('.badge.status').innerText()).toBe('granted');
    expect(allowedOnServer('cus_ana', 'service.proactive_support')).toBe(true);
  });

  test('a choice made offline is kept, then delivered exactly once after reconnecting', async () => {
    const page = await enhanced('/customers/cus_chloe/preferences');
    const context = page.context();
    const proactive = card(page, 'service.proactive_support');
    const before = ledger('cus_chloe').length;

    await context.setOffline(true);
    await proactive.getByRole('button', { name: 'Withdraw' }).click();
    await expect.poll(() => proactive.locator('.badge.status').innerText()).toBe('withdrawn');
    expect(await page.locator('#privacy-status').innerText()).toContain('offline');
    const queued = async () =>
      JSON.parse(
        (await page.evaluate(() => localStorage.getItem('candor-consent:cus_chloe'))) ?? '{}',
      ) as { queue?: { key: string }[] };
    const [choice] = (await queued()).queue ?? [];
    expect(choice?.key).toBeTruthy();
    // The client retries while offline (after 1 s, 2 s, …): nothing reaches the server.
    await page.waitForTimeout(2_500);
    expect(ledger('cus_chloe').length).toBe(before);
    expect(allowedOnServer('cus_chloe', 'service.proactive_support')).toBe(true);

    await context.setOffline(false);
    await expect.poll(() => ledger('cus_chloe').length, { timeout: 15_000 }).toBe(before + 1);
    const entry = ledger('cus_chloe').at(-1);
    expect(entry?.idempotencyKey).toBe(choiceLedgerKey('cus_chloe', choice?.key ?? ''));
    expect(entry?.event.kind).toBe('withdrawn');
    expect(allowedOnServer('cus_chloe', 'service.proactive_support')).toBe(false);
    await expect.poll(async () => (await queued()).queue?.length).toBe(0);

    // A reload (a new client over the same storage) sends nothing again.
    await page.reload();
    await page.waitForSelector('#privacy-api[data-ready=true]', { state: 'attached' });
    await page.waitForTimeout(1_500);
    expect(ledger('cus_chloe').length).toBe(before + 1);
    const key = choiceLedgerKey('cus_chloe', choice?.key ?? '');
    expect(ledger('cus_chloe').filter((e) => e.idempotencyKey === key)).toHaveLength(1);
    expect(await proactive.locator('.badge.status').innerText()).toBe('withdrawn');
  });

  test('an answer lost on its way back: the retry carries the same key, and the ledger has one entry', async () => {
    const page = await enhanced('/customers/cus_ana/preferences');
    const partners = card(page, 'marketing.partners');
    const before = ledger('cus_ana').length;
    const keys: string[] = [];
    await page.route('**/api/privacy/consent/choices', async (route) => {
      keys.push((JSON.parse(route.request().postData() ?? '{}') as { key: string }).key);
      if (keys.length > 1) return route.continue();
      await route.fetch(); // the server records it …
      await route.abort('connectionreset'); // … and the browser never hears back
    });
    await partners.getByRole('button', { name: 'Withdraw' }).click();
    await expect.poll(() => keys.length, { timeout: 15_000 }).toBe(2);
    await expect.poll(() => page.locator('#privacy-status').innerText()).toContain('saved');
    expect(keys[1]).toBe(keys[0]);
    expect(ledger('cus_ana').length).toBe(before + 1);
    expect(ledger('cus_ana').at(-1)?.idempotencyKey).toBe(
      choiceLedgerKey('cus_ana', keys[0] ?? ''),
    );
    expect(allowedOnServer('cus_ana', 'marketing.partners')).toBe(false);
  });

  test('Allow next to the GPC notice is a confirmed grant over the signal', async () => {
    const page = await enhanced('/customers/cus_ben/preferences');
    const partners = card(page, 'marketing.partners');
    expect(allowedOnServer('cus_ben', 'marketing.partners')).toBe(false);
    await partners.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => page.locator('#privacy-status').innerText()).toContain('Allowed');
    expect(await partners.locator('.badge.status').innerText()).toBe('granted');
    expect(allowedOnServer('cus_ben', 'marketing.partners')).toBe(true);
    expect(ledger('cus_ben').at(-1)?.event.confirmed).toBe(true);
  });

  test('inbox feedback and Unmute go through the API and redraw the muted list', async () => {
    await h.demo.service.sendEvent({ subject: 'cus_ana', type: 'checkout.started' });
    const page = await enhanced('/customers/cus_ana/inbox');
    const message = page.locator('article.message').first();
    const muted = () => h.demo.service.suppressions('cus_ana').length;
    expect(muted()).toBe(0);
    await message.getByRole('button', { name: 'Not interested' }).click();
    await expect.poll(() => page.locator('#suppressions tr.suppression').count()).toBe(1);
    expect(await message.getByRole('button', { name: 'Not interested ✓' }).count()).toBe(1);
    expect(await page.locator('#suppressions tr.suppression').innerText()).toMatch(
      /^Messages about /,
    );
    expect(new URL(page.url()).search).toBe('');
    expect(muted()).toBe(1);

    const rule = await message.getAttribute('data-rule');
    const next = async () =>
      (await h.demo.service.sendEvent({ subject: 'cus_ana', type: 'checkout.started' })).find(
        (o) => o.ruleId === rule,
      );
    expect((await next())?.fired).toBe(false);
    // Unmute names the listed mute by its scope and target, through the API, with no reload.
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posted.push(new URL(r.url()).pathname);
    });
    await page.locator('#suppressions').getByRole('button', { name: 'Unmute' }).click();
    await expect.poll(() => page.locator('#suppressions').innerText()).toContain('Nothing muted.');
    expect(posted).toEqual([expect.stringMatching(/\/feedback\/suppressions\/lift$/)]);
    expect(new URL(page.url()).search).toBe('');
    expect(muted()).toBe(0);
    // The very next check lets the message through again.
    expect((await next())?.fired).toBe(true);
  });
});

describe.skipIf(!inChromium)('the same pages with JavaScript off', () => {
  test('Withdraw and Allow post the form and reload the page, as before', async () => {
    const page = await (await h.context({ javaScriptEnabled: false })).newPage();
    await page.goto('/customers/cus_ben/preferences');
    const support = card(page, 'service.proactive_support');
    await Promise.all([
      page.waitForURL('**/preferences?done=withdrawn'),
      support.getByRole('button', { name: 'Withdraw' }).click(),
    ]);
    expect(await card(page, 'service.proactive_support').locator('.badge.status').innerText()).toBe(
      'withdrawn',
    );
    expect(allowedOnServer('cus_ben', 'service.proactive_support')).toBe(false);
    expect(await page.locator('#privacy-api[data-ready]').count()).toBe(0);
    await Promise.all([
      page.waitForURL('**/preferences?done=granted'),
      card(page, 'service.proactive_support').getByRole('button', { name: 'Allow' }).click(),
    ]);
    expect(allowedOnServer('cus_ben', 'service.proactive_support')).toBe(true);
  });
});
