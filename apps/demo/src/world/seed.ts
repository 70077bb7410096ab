import type { ConsentManager } from '@candor/consent';
import { customers, type SeedCustomer } from '../catalog';
import type { DemoMemory } from '../memory';
import type { DemoPurpose } from '../purposes';
import type { DemoStorage } from '../storage';

/**
 * Seeds on the very first run (an empty ledger): each customer's choices (and GPC signal) go
 * through the ledger, and one customer gets remembered reasons. Otherwise says what was loaded.
 */
export async function seedOnFirstRun(
  storage: DemoStorage,
  consent: ConsentManager<DemoPurpose>,
  memory: DemoMemory,
  feedbackEvents: number,
  log: (line: string) => void,
): Promise<void> {
  let entries = 0;
  for await (const _ of storage.ledger.entries()) entries++;
  if (entries === 0) {
    log('  seeding: 3 customers, their consent choices and GPC signals');
    for (const c of customers) await seedCustomer(consent, c);
    await memory.seed('cus_ana');
  } else {
    log(`  loaded: ${entries} ledger entries, ${feedbackEvents} feedback events`);
  }
}

async function seedCustomer(consent: ConsentManager<DemoPurpose>, c: SeedCustomer): Promise<void> {
  const base = {
    subject: c.id,
    jurisdiction: c.region,
    method: 'banner' as const,
    surface: 'web.signup',
  };
  if (c.gpc)
    await consent.observeGpc({ subject: c.id, gpc: true, jurisdiction: c.region, method: 'gpc' });
  for (const choice of c.choices) {
    if (choice.choice === 'given')
      await consent.grant({
        ...base,
        purposes: choice.purpose as DemoPurpose,
        idempotencyKey: `seed:${c.id}:${choice.purpose}`,
      });
    else
      await consent.refuse({
        ...base,
        purposes: choice.purpose as DemoPurpose,
        idempotencyKey: `seed:${c.id}:${choice.purpose}`,
      });
  }
}
