import { randomBytes } from 'node:crypto';
import { createCandorDatabase } from '@candor/postgres';
import { afterAll, describe, expect, test } from 'vitest';
import type { DemoConfig } from '../src/config';
import { type RunningDemo, startDemo } from '../src/server';
import { createWorld } from '../src/world';

const url = process.env.DATABASE_URL;
const schema = `demo_test_${randomBytes(4).toString('hex')}`;

// On PostgreSQL when DATABASE_URL is set (CI starts a throwaway cluster), in a schema of its own.
describe.skipIf(!url)('the demo on PostgreSQL (DATABASE_URL)', () => {
  const config: DemoConfig = {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: url ?? null,
    schema,
    dataDir: 'memory://',
    operatorToken: 'test-operator-token-0123456789',
    operatorTokenGenerated: false,
  };
  const start = () => startDemo({ config, createService: createWorld, log: () => {} });
  let demo: RunningDemo | undefined;

  afterAll(async () => {
    await demo?.close();
    const db = await createCandorDatabase({ url, migrate: false });
    await db.driver.exec(`drop schema if exists "${schema}" cascade`);
    await db.close();
  });

  test('withdrawing consent stops the next message, and everything survives a restart', async () => {
    demo = await start();
    const first = await demo.service.sendEvent({ subject: 'cus_ana', type: 'card.expiring' });
    expect(first.map((o) => o.fired)).toEqual([true]);
    await demo.service.setConsent('cus_ana', 'service.proactive_support', 'withdraw');
    await demo.service.advanceClock(8 * 86_400_000);
    const second = await demo.service.sendEvent({ subject: 'cus_ana', type: 'card.expiring' });
    expect(second[0]?.fired).toBe(false);
    expect(second[0]?.reason).toMatch(/^consent: withdrawn/);
    const inbox = await fetch(`${demo.url}/customers/cus_ana/inbox`);
    expect((await inbox.text()).split('data-rule="card-expiry-renewal"').length - 1).toBe(1);

    await demo.close();
    demo = await start();
    expect(demo.service.inbox('cus_ana').map((m) => m.ruleId)).toEqual(['card-expiry-renewal']);
    const verdicts = demo.service.preferences('cus_ana');
    expect(verdicts.find((p) => p.id === 'service.proactive_support')?.status).toBe('withdrawn');
    const ledger = await demo.service.verifyLedger();
    expect(ledger.ok).toBe(true);
    expect(ledger.entries).toBeGreaterThan(5);
  }, 60_000);
});
