import { createVirtualClock } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { purposes } from '../test/fixtures';
import { createConsentManager } from './manager';
import { createReceipt } from './receipt';
import {
  type ConsentLedgerStore,
  createMemoryLedgerStore,
  type LedgerEntry,
  verifyChain,
} from './store';

// A store restored from a backup taken before a customer's withdrawal holds a valid chain: only
// an entry known from elsewhere (the manager's own view, the customer's receipt) tells it lost one.

/** A store that, once `lose()` is called, no longer holds the newest entry of `cus_1`. */
function restorable(): ConsentLedgerStore & { lose(): void } {
  const inner = createMemoryLedgerStore();
  let lost: number | null = null;
  const keep = (e: LedgerEntry) => lost === null || e.subject !== 'cus_1' || e.sequence < lost;
  return {
    ...inner,
    append: (request) => inner.append(request),
    async read(subject, options) {
      return (await inner.read(subject, options)).filter(keep);
    },
    async *entries() {
      for await (const e of inner.entries()) if (keep(e)) yield e;
    },
    async lose() {
      lost = (await inner.head('cus_1'))?.sequence ?? null;
    },
  } as ConsentLedgerStore & { lose(): void };
}

describe('a ledger that lost its newest entries', () => {
  it('fails verification on a manager that held them, and against the receipt of the lost entry', async () => {
    const clock = createVirtualClock('2026-06-01T09:00:00Z');
    const store = restorable();
    const manager = createConsentManager({ purposes, clock, store });
    await manager.load();
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    await manager.grant({ subject: 'cus_2', purposes: 'marketing.email' });
    const { entry } = await manager.withdraw({ subject: 'cus_1', purposes: 'marketing.email' });
    expect((await manager.verify()).valid).toBe(true);
    await store.lose();

    // The chain left is valid on its own, and says the grant stands.
    expect(verifyChain(await store.read('cus_1')).valid).toBe(true);
    // The manager that recorded the withdrawal knows better.
    for (const result of [await manager.verify(), await manager.verify('cus_1')])
      expect(result).toMatchObject({
        valid: false,
        subject: 'cus_1',
        problem: 'missing_entries',
        entryId: entry.id,
        sequence: 2,
      });
    expect((await manager.exportHistory('cus_1')).chain).toMatchObject({
      valid: false,
      problem: 'missing_entries',
    });
    expect((await manager.verify('cus_2')).valid).toBe(true);
    await expect(manager.load()).rejects.toMatchObject({ code: 'consent/tampered_chain' });

    // A manager started on the restored store cannot tell; the customer's receipt can.
    const restarted = createConsentManager({ purposes, clock, store });
    await restarted.load();
    expect((await restarted.verify()).valid).toBe(true);
    const controller = {
      name: 'Acme',
      contact: 'DPO',
      email: 'dpo@acme.test',
      policyUrl: 'https://acme.test/privacy',
    };
    const receipt = createReceipt(entry, { purposes, notices: restarted.notices, controller });
    expect(
      verifyChain(await store.read('cus_1'), { anchors: [receipt.iso27560.proof] }),
    ).toMatchObject({
      valid: false,
      problem: 'missing_entries',
      entryId: entry.id,
    });
  });
});
