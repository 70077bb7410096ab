// One worker instance in a process of its own, for partitions-processes.test.ts: it opens the
// database at argv[2] (schema argv[3]), runs a rule engine (the cooldown rule) behind a
// partitioned queue of argv[4] partitions, and records every run in `<schema>.runs` (event ids
// are `<subject>:<seq>`). The first run of `cus_hang`'s event 1 hangs. It
// prints one line once it is working, and stops cleanly on an `exit` line on stdin.
import { createInterface } from 'node:readline';
import { createRuleEngine, partitionOf, type RuleEvent } from '@candor/rules';
import { allowAll } from '../../../test-utils/gates.ts';
import { createCandorDatabase } from './database';
import { cooldownRule } from './partitions.test-helpers';
import { createPostgresRuleStateStore, startPartitionedQueue } from './rules';

const [url = '', schema = 'public', partitions = '16'] = process.argv.slice(2);

const db = await createCandorDatabase({ url, schema, poolSize: 6 });
const engine = createRuleEngine({
  rules: [cooldownRule],
  consent: allowAll,
  state: createPostgresRuleStateStore(db),
});
await engine.hydrate();
const runs = `"${schema}".runs`;
const queue = await startPartitionedQueue<RuleEvent>(db, {
  partitions: Number(partitions),
  pollingIntervalSeconds: 0.1,
  maintenanceIntervalSeconds: 1,
  run: async (event) => {
    const [row] = await db.driver.query<{ n: string }>(
      `insert into ${runs} (subject, seq, partition, pid, started_at)
       values ($1, $2, $3, $4, clock_timestamp()) returning n`,
      [
        event.subject,
        Number(event.id.split(':')[1]), // ids are `<subject>:<seq>`
        partitionOf(event.subject, Number(partitions)),
        process.pid,
      ],
    );
    // The first run of `cus_hang`'s event 1 never ends (the test kills its process).
    if (event.id === 'cus_hang:1') {
      const [tries] = await db.driver.query<{ n: string }>(
        `select count(*) as n from ${runs} where subject = 'cus_hang' and seq = 1`,
      );
      if (Number(tries?.n) === 1) await new Promise(() => undefined);
    }
    // A random processing time, so that a second worker, were it allowed, would overtake.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
    const [outcome] = await engine.process(event);
    await db.driver.query(
      `update ${runs} set finished_at = clock_timestamp(), outcome = $2, proposal = $3
       where n = $1`,
      [
        row?.n,
        outcome?.kind === 'proposal' ? 'proposal' : (outcome?.reason ?? 'none'),
        outcome?.kind === 'proposal' ? outcome.id : null,
      ],
    );
  },
});

process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'exit') break;
}
await queue.stop();
engine.close();
await db.close();
process.exit(0);
