import { createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { purposes } from '../test/fixtures';
import { createConsentManager } from './manager';
import { type ConsentLedgerStore, createMemoryLedgerStore } from './store';

const START = Date.parse('2026-05-01T09:00:00Z');
const email = { purpose: 'marketing.email', dataCategories: ['user.contact.email'] } as const;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A memory store that counts batched reads and can hold them until released. */
function countingStore() {
  const inner = createMemoryLedgerStore();
  const calls = { readMany: 0, read: 0 };
  let gate: Promise<void> | null = null;
  const store: ConsentLedgerStore & { hold(): () => void; fail: boolean } = {
    ...inner,
    fail: false,
    async read(subject, options) {
      calls.read++;
      return inner.read(subject, options);
    },
    async readMany(subjects) {
      calls.readMany++;
      if (store.fail) throw new Error('database down');
      const result = await inner.readMany!(subjects);
      if (gate) await gate;
      return result;
    },
    hold() {
      let release = () => {};
      gate = new Promise((resolve) => {
        release = () => {
          gate = null;
          resolve();
        };
      });
      return release;
    },
  };
  return { store, calls, inner };
}

async function seed(store: ConsentLedgerStore, clock = createVirtualClock(START)) {
  const writer = createConsentManager({ purposes, store, clock, jurisdiction: 'FR' });
  await writer.load();
  for (const subject of ['a', 'b', 'c']) {
    await writer.grant({ subject, purposes: 'marketing.email' });
  }
  await writer.withdraw({ subject: 'b', purposes: 'marketing.email' });
  return writer;
}

describe('a manager with a subject cache', () => {
  it('reads nothing at load, answers not_loaded until prepared, then from one batched read', async () => {
    const { store, calls } = countingStore();
    await seed(store);
    const manager = createConsentManager({
      purposes,
      store,
      jurisdiction: 'FR',
      cache: { maxSubjects: 10 },
    });
    expect(await manager.load()).toBe(0);
    expect(manager.decide({ subject: 'a', ...email }).reasons[0]?.code).toBe('not_loaded');
    await manager.prepare(['a', 'b', 'nobody']);
    expect(calls.readMany).toBe(1);
    expect(manager.decide({ subject: 'a', ...email }).allowed).toBe(true);
    expect(manager.decide({ subject: 'b', ...email }).status).toBe('withdrawn');
    expect(manager.decide({ subject: 'nobody', ...email }).status).toBe('not_asked');
    await manager.prepare('a');
    expect(calls.readMany).toBe(1); // held: no read
  });

  it('a retried grant answered from the ledger does not hide the withdrawal stored after it', async () => {
    const store = createMemoryLedgerStore();
    const writer = createConsentManager({ purposes, store, jurisdiction: 'FR' });
    await writer.load();
    await writer.grant({ subject: 'a', purposes: 'marketing.email', idempotencyKey: 'grant-42' });
    await writer.withdraw({ subject: 'a', purposes: 'marketing.email' });
    // The client's retry of the grant lands on another instance, which holds nobody yet.
    const cached = createConsentManager({
      purposes,
      store,
      jurisdiction: 'FR',
      cache: { maxSubjects: 10 },
    });
    await cached.load();
    const retry = await cached.grant({
      subject: 'a',
      purposes: 'marketing.email',
      idempotencyKey: 'grant-42',
    });
    expect(retry.duplicate).toBe(true);
    await cached.prepare('a');
    expect(cached.decide({ subject: 'a', ...email }).status).toBe('withdrawn');
    expect(cached.entries('a').map((e) => e.event.kind)).toEqual(['given', 'withdrawn']);
  });

  it('keeps at most maxSubjects, dropping the least recently prepared', async () => {
    const { store } = countingStore();
    await seed(store);
    const manager = createConsentManager({
      purposes,
      store,
      jurisdiction: 'FR',
      cache: { maxSubjects: 2 },
    });
    await manager.prepare(['a', 'b']);
    await manager.prepare('a'); // a is now the most recent
    await manager.prepare('c');
    expect(manager.viewStatus('b')).toBe('not_loaded');
    expect(manager.viewStatus('a')).toBe('ready');
    expect(manager.decide({ subject: 'c', ...email }).allowed).toBe(true);
    expect(manager.decide({ subject: 'b', ...email }).allowed).toBe(false);
  });

  it('keeps nothing from a read that fails, and refuses a malformed or oversized batch before reading', async () => {
    const { store, calls } = countingStore();
    await seed(store);
    const manager = createConsentManager({
      purposes,
      store,
      jurisdiction: 'FR',
      cache: { maxSubjects: 5 },
    });
    store.fail = true;
    await expect(manager.prepare(['a', 'b'])).rejects.toThrow('database down');
    expect(manager.viewStatus('a')).toBe('not_loaded');
    store.fail = false;
    const reads = calls.readMany;
    await expect(manager.prepare(['a', 42 as never])).rejects.toMatchObject({
      code: 'core/invalid_input',
      details: { path: 'subjects[1]' },
    });
    await expect(
      manager.prepare(Array.from({ length: 10_001 }, (_, i) => `s${i}`)),
    ).rejects.toMatchObject({ code: 'core/invalid_input', details: { path: 'subjects' } });
    expect(calls.readMany).toBe(reads);
    expect(manager.viewStatus('a')).toBe('not_loaded');
  });

  it('follows changes to the customers it holds, and a change made while it reads them', async () => {
    const { store, calls } = countingStore();
    const writer = await seed(store);
    const manager = createConsentManager({
      purposes,
      store,
      jurisdiction: 'FR',
      cache: { maxSubjects: 5 },
    });
    await manager.prepare('a');
    await writer.withdraw({ subject: 'a', purposes: 'marketing.email' });
    expect(manager.decide({ subject: 'a', ...email }).allowed).toBe(false);
    await tick();
    expect(manager.decide({ subject: 'a', ...email }).status).toBe('withdrawn');

    // A change to a customer it does not hold costs nothing: no read.
    const reads = calls.read + calls.readMany;
    await writer.withdraw({ subject: 'c', purposes: 'marketing.email' });
    await tick();
    expect(calls.read + calls.readMany).toBe(reads);

    // A change made while a prepare() reads: applied, never lost.
    const release = store.hold();
    const preparing = manager.prepare('c');
    await tick();
    await writer.grant({ subject: 'c', purposes: 'marketing.email' });
    release();
    await preparing;
    await tick();
    expect(manager.decide({ subject: 'c', ...email }).status).toBe('granted');
  });

  it('a cached view always agrees with a cold read of the ledger (property)', async () => {
    const op = fc.record({
      kind: fc.constantFrom('grant', 'withdraw', 'refuse'),
      subject: fc.constantFrom('s1', 's2', 's3', 's4'),
      purpose: fc.constantFrom('marketing', 'marketing.email'),
      prepare: fc.subarray(['s1', 's2', 's3', 's4']),
      settle: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const clock = createVirtualClock(START);
        const store = createMemoryLedgerStore();
        const writer = createConsentManager({ purposes, store, clock, jurisdiction: 'FR' });
        await writer.load();
        const cached = createConsentManager({
          purposes,
          store,
          clock,
          jurisdiction: 'FR',
          cache: { maxSubjects: 2 },
        });
        for (const o of ops) {
          clock.advance(duration.minute);
          await writer[o.kind]({ subject: o.subject, purposes: o.purpose });
          await cached.prepare(o.prepare);
          if (o.settle) await tick();
          const cold = createConsentManager({ purposes, store, clock, jurisdiction: 'FR' });
          await cold.load();
          for (const subject of ['s1', 's2', 's3', 's4']) {
            const verdict = cached.decide({ subject, ...email });
            if (cached.viewStatus(subject) === 'ready')
              expect(verdict).toEqual(cold.decide({ subject, ...email }));
            else expect(verdict.allowed).toBe(false);
          }
          cold.close();
        }
      }),
      { numRuns: 80 },
    );
  });
});
