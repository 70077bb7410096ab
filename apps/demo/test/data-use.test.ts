import { expect, test } from 'vitest';
import type { DemoConfig } from '../src/config';
import { createWorld } from '../src/world';

const config: DemoConfig = {
  port: 0,
  host: '127.0.0.1',
  databaseUrl: null,
  dataDir: 'memory://',
  operatorToken: 'test-operator-token-0123456789',
  operatorTokenGenerated: false,
};

test('"When we used your data" counts days as the customer lives them, in their time zone', async () => {
  const service = await createWorld(config, () => {});
  try {
    // 03:30 UTC: still the evening before for Ben, in Los Angeles.
    const now = service.now();
    const d = new Date(now);
    const target = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1, 3, 30);
    await service.advanceClock(target - now);
    for (const template of service.eventTemplates())
      await service.sendEvent({ subject: 'cus_ben', type: template.type });
    const losAngeles = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' });
    const [today] = (await service.dataUse('cus_ben')).days;
    expect(today?.date).toBe(losAngeles.format(target));
  } finally {
    await service.close();
  }
});
