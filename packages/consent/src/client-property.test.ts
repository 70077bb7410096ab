import { createVirtualClock, isWithin } from '@candor/core';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { START, testServer } from '../test/client-server';
import { purposes, type TestPurpose } from '../test/fixtures';
import { createConsentClient } from './client-core';
import type { ConsentChoiceAction, ConsentSnapshot } from './contract';

/** What the client's own methods choose (an objection is posted by the app, not the client). */
type ClientAction = Exclude<ConsentChoiceAction, 'object'>;

import { decideFromSnapshot } from './snapshot-decide';

// Properties of the thin client against a real server, with the network going up and down and
// snapshots arriving late and out of order: a customer's withdrawal or refusal is never undone by
// a snapshot (only by their own later grant), and once everything is confirmed and the snapshot
// reflects it, the client answers exactly as the snapshot does.

// Purposes a withdrawal can deny (not one resting on a legal obligation).
const choosable = purposes.ids.filter((id) => id !== 'service.fraud_protection');

type Step =
  | { t: 'choose'; action: ClientAction; purpose: TestPurpose }
  | { t: 'net'; up: boolean }
  | { t: 'flush' }
  | { t: 'snapshot'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant('choose' as const),
      action: fc.constantFrom<ClientAction>('grant', 'refuse', 'withdraw'),
      purpose: fc.constantFrom(...choosable),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ t: fc.constant('net' as const), up: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('flush' as const) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('snapshot' as const), pick: fc.nat() }), weight: 3 },
);

const tick = async () => {
  for (let i = 0; i < 50; i++) await Promise.resolve();
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the thin client (property)', () => {
  it('never lets a snapshot undo a withdrawal, and answers as a snapshot that reflects everything', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 14 }),
        fc.boolean(),
        async (steps, bare) => {
          const server = testServer();
          server.net.bare = bare; // answers without a snapshot: only later snapshots show the choice
          const history: ConsentSnapshot[] = [server.snapshot()];
          const client = createConsentClient<TestPurpose>({
            snapshot: history[0],
            send: server.send,
            clock: createVirtualClock(START),
            window: new EventTarget() as never,
            navigator: {},
          });
          const made: { action: ClientAction; purpose: TestPurpose }[] = [];
          for (const s of steps) {
            if (s.t === 'choose') {
              made.push(s);
              void client[s.action](s.purpose).catch(() => {});
            } else if (s.t === 'net') server.net.up = s.up;
            else if (s.t === 'flush') await client.flush();
            else client.setSnapshot(history[s.pick % history.length]);
            await tick();
            history.push(server.snapshot());

            for (const purpose of choosable) {
              // The customer's last word about this purpose: a restriction of it or of a parent,
              // or a grant of it.
              const last = made
                .filter(
                  (c) =>
                    c.purpose === purpose || (c.action !== 'grant' && isWithin(purpose, c.purpose)),
                )
                .at(-1);
              const categories = purposes.get(purpose)!.categories;
              if (last !== undefined && last.action !== 'grant') {
                expect(client.has(purpose), purpose).toBe(false);
                expect(client.has(purpose, categories), purpose).toBe(false);
              }
            }
            const head = server.entries().at(-1)?.sequence ?? 0;
            const snapshot = client.snapshot;
            if (client.pending.length === 0 && snapshot?.seq === head) {
              for (const purpose of purposes.ids) {
                for (const dataCategories of [[], purposes.get(purpose)!.categories]) {
                  expect(client.decide({ purpose, dataCategories })).toEqual(
                    decideFromSnapshot(snapshot, purpose, dataCategories),
                  );
                }
              }
            }
          }
          client.close();
        },
      ),
      {
        numRuns: 200,
        examples: [
          // A confirmed withdrawal, then the snapshot from before it arriving again.
          [
            [
              { t: 'choose', action: 'withdraw', purpose: 'service.proactive_support' },
              { t: 'snapshot', pick: 0 },
            ],
            true,
          ],
        ],
      },
    );
  });
});
