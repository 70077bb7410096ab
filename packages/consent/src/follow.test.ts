import {
  type ChangeFeed,
  createLocalChangeFeed,
  createVirtualClock,
  duration,
  type FeedNotice,
} from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { purposes } from '../test/fixtures';
import { createConsentManager } from './manager';
import { type ConsentLedgerStore, createMemoryLedgerStore } from './store';

const START = Date.parse('2026-05-01T09:00:00Z');
const email = { purpose: 'marketing.email', dataCategories: ['user.contact.email'] } as const;
const fraud = {
  purpose: 'service.fraud_protection',
  dataCategories: ['user.financial.card'],
} as const;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Two managers on one store, as two app instances on one database would be. */
async function twoInstances(store: ConsentLedgerStore = createMemoryLedgerStore()) {
  const clock = createVirtualClock(START);
  const a = createConsentManager({ purposes, store, clock, jurisdiction: 'FR' });
  const b = createConsentManager({ purposes, store, clock, jurisdiction: 'FR' });
  await Promise.all([a.load(), b.load()]);
  return { a, b, clock, store };
}

/** A store whose feed the test drives: stale, fresh, or silent about a change. */
function storeWithFeed() {
  const inner = createMemoryLedgerStore();
  const local = createLocalChangeFeed();
  let fresh = true;
  const feed: ChangeFeed & { announce(n: FeedNotice): void; setFresh(v: boolean): void } = {
    staleAfterMs: 5_000,
    get fresh() {
      return fresh;
    },
    ready: () => Promise.resolve(),
    subscribe: (listener) => local.subscribe(listener),
    announce: (notice) => local.announce(notice),
    setFresh(value) {
      fresh = value;
    },
  };
  const store: ConsentLedgerStore = {
    append: (r) => inner.append(r),
    read: (s, o) => inner.read(s, o),
    head: (s) => inner.head(s),
    findByIdempotencyKey: (k) => inner.findByIdempotencyKey(k),
    entries: () => inner.entries(),
    feed,
  };
  return { store, feed };
}

describe('several managers on one store', () => {
  it("a withdrawal made on one applies to the other's very next decide()", async () => {
    const { a, b } = await twoInstances();
    await a.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    await tick();
    expect(b.decide({ subject: 'cus_1', ...email }).allowed).toBe(true);

    await a.withdraw({ subject: 'cus_1', purposes: 'marketing.email' });
    // No refresh(), no load(): b heard it from the store's feed.
    expect(b.decide({ subject: 'cus_1', ...email }).allowed).toBe(false);
    await tick();
    expect(b.decide({ subject: 'cus_1', ...email })).toMatchObject({
      allowed: false,
      status: 'withdrawn',
    });
  });

  it('a subject first written elsewhere is read, not answered from an empty view', async () => {
    const { a, b } = await twoInstances();
    await a.refuse({ subject: 'new', purposes: 'marketing.email' });
    await a.grant({ subject: 'new', purposes: 'service.proactive_support' });
    await tick();
    expect(b.decide({ subject: 'new', ...email }).reasons[0]?.code).toBe('refused');
    expect(b.entries('new')).toHaveLength(2);
  });

  it('tells its onChange listeners about changes made elsewhere', async () => {
    const { a, b } = await twoInstances();
    const heard: string[] = [];
    b.onChange((c) => heard.push(`${c.subject}:${c.entry.event.kind}`));
    await a.withdraw({ subject: 'cus_2', purposes: 'marketing' });
    await tick();
    expect(heard).toEqual(['cus_2:withdrawn']);
  });

  it('stops following after close(), and then fails closed', async () => {
    const { a, b } = await twoInstances();
    await a.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    await tick();
    b.close();
    expect(b.decide({ subject: 'cus_1', ...email })).toMatchObject({
      allowed: false,
      status: 'unknown',
      reasons: [expect.objectContaining({ code: 'stale_view' })],
    });
  });

  it('never allows what the ledger forbids, whichever instance wrote (property)', async () => {
    const op = fc.record({
      on: fc.constantFrom('a', 'b'),
      kind: fc.constantFrom('grant', 'withdraw', 'refuse'),
      subject: fc.constantFrom('s1', 's2'),
      purpose: fc.constantFrom('marketing', 'marketing.email'),
      settle: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { a, b, clock, store } = await twoInstances();
        const managers = { a, b };
        for (const o of ops) {
          clock.advance(duration.minute);
          await managers[o.on][o.kind]({ subject: o.subject, purposes: o.purpose });
          if (o.settle) await tick();
          // The truth: a manager that reads the whole ledger now.
          const truth = createConsentManager({ purposes, store, clock, jurisdiction: 'FR' });
          await truth.load();
          for (const subject of ['s1', 's2']) {
            const expected = truth.decide({ subject, ...email }).allowed;
            for (const m of [a, b]) {
              if (m.decide({ subject, ...email }).allowed) expect(expected).toBe(true);
            }
          }
          truth.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('a view that cannot prove it is current fails closed', () => {
  it('answers not_loaded before load() over a store that holds an opt-out', async () => {
    const store = createMemoryLedgerStore();
    const writer = createConsentManager({ purposes, store, jurisdiction: 'US-CA' });
    await writer.load();
    await writer.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    await writer.withdraw({ subject: 'cus_1', purposes: 'marketing.email' });

    const manager = createConsentManager({ purposes, store, jurisdiction: 'US-CA' });
    expect(manager.viewStatus('cus_1')).toBe('not_loaded');
    expect(manager.decide({ subject: 'cus_1', ...email })).toMatchObject({
      allowed: false,
      status: 'unknown',
      reasons: [expect.objectContaining({ code: 'not_loaded' })],
    });
    expect(manager.needsPrompt('cus_1')).toEqual([]);
    // A purpose no consent event can change still answers.
    expect(manager.decide({ subject: 'cus_1', ...fraud }).allowed).toBe(true);
    await manager.load();
    expect(manager.viewStatus('cus_1')).toBe('ready');
    expect(manager.decide({ subject: 'cus_1', ...email }).status).toBe('withdrawn');
  });

  it('answers for a subject it has written to even before load()', async () => {
    const manager = createConsentManager({ purposes, store: createMemoryLedgerStore() });
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    expect(manager.decide({ subject: 'cus_1', ...email }).allowed).toBe(true);
    expect(manager.decide({ subject: 'cus_2', ...email }).reasons[0]?.code).toBe('not_loaded');
  });

  it('answers stale_view while the feed is stale, and again once it is fresh', async () => {
    const { store, feed } = storeWithFeed();
    const manager = createConsentManager({ purposes, store, jurisdiction: 'FR' });
    await manager.load();
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    expect(manager.decide({ subject: 'cus_1', ...email }).allowed).toBe(true);

    feed.announce({ type: 'stale', detail: 'connection lost' });
    expect(manager.decide({ subject: 'cus_1', ...email })).toMatchObject({
      allowed: false,
      status: 'unknown',
      reasons: [expect.objectContaining({ code: 'stale_view' })],
    });
    expect(manager.gate.decide({ subject: 'cus_1', ...email }).allowed).toBe(false);
    expect(manager.decide({ subject: 'cus_1', ...fraud }).allowed).toBe(true);

    feed.announce({ type: 'fresh' });
    expect(manager.decide({ subject: 'cus_1', ...email }).allowed).toBe(true);
  });

  it('notices a stale feed by itself even if the feed never said so', async () => {
    const { store, feed } = storeWithFeed();
    const manager = createConsentManager({ purposes, store, jurisdiction: 'FR' });
    await manager.load();
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    feed.setFresh(false);
    const answers = Array.from({ length: 2_048 }, () =>
      manager.decide({ subject: 'cus_1', ...email }),
    );
    expect(answers.at(-1)?.reasons[0]?.code).toBe('stale_view');
    expect(manager.viewStatus('cus_1')).toBe('stale_view');
  });

  it('answers stale_view for a subject changed elsewhere until it has read the change', async () => {
    const { store, feed } = storeWithFeed();
    const manager = createConsentManager({ purposes, store, jurisdiction: 'FR' });
    await manager.load();
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    feed.announce({
      type: 'change',
      change: { stream: 'consent', subject: 'cus_1', sequence: 2, key: 'elsewhere' },
    });
    expect(manager.viewStatus('cus_1')).toBe('stale_view');
    expect(manager.decide({ subject: 'cus_1', ...email }).allowed).toBe(false);
    // The store has nothing newer: once read, the subject answers again.
    await tick();
    expect(manager.decide({ subject: 'cus_1', ...email }).allowed).toBe(true);
  });

  it.each([
    ['NaN', Number.NaN],
    ['a word', 'soon'],
    ['null', null],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['before 1970', -1],
  ])(
    'throws core/invalid_time for an `at` that is %s, directly and through the gate',
    async (_, at) => {
      const clock = createVirtualClock(START);
      const manager = createConsentManager({ purposes, clock, jurisdiction: 'FR' });
      await manager.grant({ subject: 'cus_1', purposes: 'marketing.email', expiresAt: START + 1 });
      clock.advance(duration.day);
      const query = { subject: 'cus_1', ...email, at: at as number };
      for (const decide of [manager.decide, manager.gate.decide]) {
        expect(() => decide(query)).toThrow(
          expect.objectContaining({
            code: 'core/invalid_time',
            details: expect.objectContaining({ path: 'at' }),
          }),
        );
      }
    },
  );
});
