// A ledger writer run as a child process by kill.test.ts: appends forever, printing `ack <key>`
// after each acknowledged append, until it is killed.
import type { ConsentEvent } from '@candor/consent';
import { isCandorError } from '@candor/core';
import { createPostgresLedgerStore } from './consent';
import { createCandorDatabase } from './database';

const [kind = 'pglite', target = 'memory://', schema = 'public'] = process.argv.slice(2);
const db = await createCandorDatabase(
  kind === 'postgres' ? { url: target, schema, poolSize: 2 } : { dataDir: target, schema },
);
const store = createPostgresLedgerStore(db);
process.stdout.write('ready\n');
// 8 loops append at once (group-committed into shared batches), on 4 shared subjects.
let next = 0;
async function loop(): Promise<never> {
  for (;;) {
    const i = next++;
    const subject = `cus_${i % 4}`;
    const event: ConsentEvent = {
      kind: i % 3 === 0 ? 'withdrawn' : 'given',
      actor: { kind: 'subject' },
      purposes: ['marketing.email'],
      at: 1_780_000_000_000 + i,
      method: 'api',
    };
    for (;;) {
      const head = await store.head(subject);
      try {
        await store.append({
          subject,
          expectedSequence: head?.sequence ?? 0,
          idempotencyKey: `child-${i}`,
          recordedAt: 1_780_000_000_000 + i,
          event,
        });
        break;
      } catch (error) {
        if (!isCandorError(error, 'consent/stale_sequence')) throw error;
      }
    }
    process.stdout.write(`ack child-${i}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, loop));
