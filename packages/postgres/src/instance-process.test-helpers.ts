// One app instance in a process of its own, for processes.test.ts: it opens the database at
// argv[2] (schema argv[3]), builds an instance (consent, feedback, rules) and answers one JSON
// command per stdin line with one JSON line on stdout.
import { createInterface } from 'node:readline';
import { createCandorDatabase } from './database';
import { muteCardExpiry, openInstance } from './instance.test-helpers';

const [url = '', schema = 'public', staleAfterMs = '1000'] = process.argv.slice(2);
const db = await createCandorDatabase({
  url,
  schema,
  poolSize: 3,
  feed: { staleAfterMs: Number(staleAfterMs), heartbeatMs: 100, reconnectDelayMs: 2_000 },
});
const app = await openInstance(db);
const query = {
  purpose: 'service.proactive_support',
  dataCategories: ['user.financial.card'],
} as const;

type Command =
  | { op: 'grant' | 'withdraw'; subject: string }
  | { op: 'mute'; subject: string; key: string }
  | { op: 'pause' | 'resume' }
  | { op: 'decide' | 'check' | 'evaluate'; subject: string }
  | { op: 'status'; subject: string }
  | { op: 'exit' };

async function run(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'grant':
    case 'withdraw':
      await app.consent[command.op]({
        subject: command.subject,
        purposes: 'service.proactive_support',
      });
      return { done: true };
    case 'mute':
      await muteCardExpiry(app.feedback, command.subject, Date.now(), command.key);
      return { done: true };
    case 'pause':
      await app.engine.pause('card-expiry', { reason: 'paused elsewhere' });
      return { done: true };
    case 'resume':
      await app.engine.resume('card-expiry');
      return { done: true };
    case 'decide': {
      const verdict = app.consent.decide({ subject: command.subject, ...query });
      return { allowed: verdict.allowed, code: verdict.reasons[0]?.code ?? null };
    }
    case 'check': {
      const verdict = app.feedback.check({
        subject: command.subject,
        ruleId: 'card-expiry',
        topic: 'billing.card_expiry',
        channel: 'email',
        at: Date.now(),
      });
      return { suppressed: verdict.suppressed, code: verdict.reason?.code ?? null };
    }
    case 'evaluate':
      return {
        outcomes: (await app.evaluate(command.subject)).map((o) =>
          o.kind === 'proposal' ? 'sent' : o.reason,
        ),
      };
    case 'status':
      return {
        fresh: db.feed.fresh,
        connected: db.feed.connected,
        consent: app.consent.viewStatus(command.subject),
      };
    case 'exit':
      app.close();
      await db.close();
      process.exit(0);
  }
}

process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  let reply: unknown;
  try {
    reply = await run(JSON.parse(line) as Command);
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
