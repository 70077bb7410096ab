import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type HttpDemo, startHttpDemo } from './http-harness';

let h: HttpDemo;
beforeAll(async () => {
  h = await startHttpDemo();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('a customer who allows only some kinds of data for a purpose', () => {
  test('"Why am I seeing this?" offers "Stop using" for each kind it used, and it acts', async () => {
    const { service } = h;
    const purpose = 'service.proactive_support';
    // Ana turns proactive help off, then allows just her card and subscription for it.
    await service.setConsent('cus_ana', purpose, 'withdraw');
    await service.setConsent('cus_ana', purpose, 'grant', 'user.financial.card');
    await service.setConsent('cus_ana', purpose, 'grant', 'user.financial.subscription');
    const sent = await service.sendEvent({ subject: 'cus_ana', type: 'card.expiring' });
    expect(sent.map((o) => `${o.ruleId}:${o.fired}`)).toEqual(['card-expiry-renewal:true']);
    const message = service.inbox('cus_ana').find((m) => m.ruleId === 'card-expiry-renewal');
    const explanation = service.explain('cus_ana', message!.id, 'standard')!.explanation;
    const used = [...new Set(explanation.dataUsed.map((d) => d.category))];
    expect(used).toContain('user.financial.card');
    const turnOff = explanation.controls.filter((c) => c.kind === 'turn_off_data');
    expect(turnOff.map((c) => c.id)).toEqual(used.map((c) => `turn_off_data:${c}`));
    expect(turnOff[0]?.label).toMatch(/^Stop using your card details for /);

    const result = await service.applyControl(
      'cus_ana',
      message!.id,
      'turn_off_data:user.financial.card',
    );
    expect(result.ok).toBe(true);
    await service.advanceClock(8 * 86_400_000);
    const next = await service.sendEvent({ subject: 'cus_ana', type: 'card.expiring' });
    expect(next[0]?.fired).toBe(false);
    expect(next[0]?.reason).toMatch(/^consent: withdrawn/);
  });
});

describe('the preference centre says what the customer shares and gets', () => {
  test('"You share …. You get: …" for purposes that declare a benefit, escaped plain words', async () => {
    const v = await h.visitor();
    const page = await (await v.get('/customers/cus_chloe/preferences')).text();
    const proactive = page.slice(page.indexOf('data-purpose="service.proactive_support"'));
    const line = /<p class="small value-exchange">([^<]*)<\/p>/.exec(proactive)?.[1] ?? '';
    expect(line).toMatch(
      /^You share your booked trips, .*the weather forecast\. You get: a warning before a trip, an order or a renewal goes wrong, with a way out offered first$/,
    );
    expect(line).not.toMatch(/\p{L}[._]\p{L}|[{}]/u);
  });
});

describe('"Why am I seeing this?" says what the customer gets in return', () => {
  test('the purpose line ends with "You share …; in return you get …"', async () => {
    const { service } = h;
    await service.advanceClock(8 * 86_400_000);
    const sent = await service.sendEvent({ subject: 'cus_chloe', type: 'card.expiring' });
    expect(sent.map((o) => `${o.ruleId}:${o.fired}`)).toEqual(['card-expiry-renewal:true']);
    const message = service.inbox('cus_chloe').find((m) => m.ruleId === 'card-expiry-renewal');
    const { purpose } = service.explain('cus_chloe', message!.id, 'standard')!.explanation;
    expect(purpose.text).toMatch(
      /You share your card details.*; in return you get a warning before a trip, an order or a renewal goes wrong, with a way out offered first\.$/,
    );
  });
});
