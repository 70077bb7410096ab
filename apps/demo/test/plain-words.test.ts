import { afterAll, beforeAll, expect, test } from 'vitest';
import { type HttpDemo, startHttpDemo } from './http-harness';

// What a customer reads names no ids, paths or rule syntax: after every kind of message and a
// few mutes, on the inbox (with its list of mutes) and in every message's most detailed
// explanation.

let h: HttpDemo;
beforeAll(async () => {
  h = await startHttpDemo();
}, 120_000);
afterAll(async () => {
  await h?.close();
}, 30_000);

/** A page's text as the customer reads it: no markup, no scripts. */
const visibleText = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, '\n')
    .replace(/&quot;/g, '"');

test('the inbox, its mutes and every detailed explanation are in plain words', async () => {
  const s = h.service;
  for (const template of s.eventTemplates())
    await s.sendEvent({ subject: 'cus_ana', type: template.type });
  for (const message of s.inbox('cus_ana').slice(0, 3))
    await s.feedback('cus_ana', message.id, 'not_interested');
  const visitor = await h.visitor();
  const inbox = await fetch(`${h.url}/customers/cus_ana/inbox`, {
    headers: { cookie: visitor.cookie },
  });
  const session = inbox.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const cookie = `${visitor.cookie}; ${session}`;
  const inboxText = visibleText(await inbox.text());
  expect(inboxText).toContain('because you chose "not interested"');
  const pages = [
    inboxText,
    ...(await Promise.all(
      s.inbox('cus_ana').map(async (message) => {
        const url = `${h.url}/customers/cus_ana/messages/${message.id}?layer=detailed`;
        const page = await fetch(url, { headers: { cookie } });
        expect(page.status).toBe(200);
        return visibleText(await page.text());
      }),
    )),
  ];
  expect(pages.length).toBeGreaterThan(3);
  for (const text of pages) expect(text).not.toMatch(/\p{Ll}[._]\p{Ll}|[{}]/u);
});
