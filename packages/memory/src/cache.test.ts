import { type ChangeFeed, createVirtualClock, duration, type FeedNotice } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowAll as allow } from '../../../test-utils/gates.ts';
import {
  createInMemoryStore,
  createMemoryBook,
  foldMemories,
  type MemoryInput,
  type MemoryStore,
} from './index';

const T0 = Date.parse('2026-05-03T10:00:00Z');
const accessor = { kind: 'feature', id: 'test' } as const;
const input = (i: number, over: Partial<MemoryInput> = {}): MemoryInput => ({
  subject: 'cus_1',
  content: { kind: 'stated_reason', reason: `reason ${i}` },
  category: 'user.behavior.purchase_reason',
  provenance: { source: 'checkout', kind: 'stated', observedAt: T0, party: 'first' },
  purposes: ['service.proactive_support'],
  about: { type: 'order', id: `o${i}` },
  ...over,
});

describe('a memory book’s cache', () => {
  it('sees what another book on the same store wrote', async () => {
    const store = createInMemoryStore();
    const a = createMemoryBook({ consent: allow, store });
    const b = createMemoryBook({ consent: allow, store });
    const first = await a.remember(input(1));
    const ask = async () =>
      (await b.recall('cus_1', { purpose: 'service.proactive_support', accessor })).facts.map(
        (f) => f.value,
      );
    expect(await ask()).toEqual(['reason 1']);
    await a.correct('cus_1', first.id, { kind: 'stated_reason', reason: 'changed' });
    expect(await ask()).toEqual(['changed']);
    await a.erase('cus_1', (await a.list('cus_1')).active[0]!.id);
    expect(await ask()).toEqual([]);
  });

  it('keeps nothing while its store’s feed is stale: an erasure it was not told of still wins', async () => {
    const inner = createInMemoryStore();
    // This instance's feed, cut: it hears nothing of what another instance writes.
    let fresh = true;
    const listeners = new Set<(notice: FeedNotice) => void>();
    const feed: ChangeFeed = {
      staleAfterMs: 5_000,
      get fresh() {
        return fresh;
      },
      ready: async () => {},
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const other = createMemoryBook({ consent: allow, store: inner });
    const book = createMemoryBook({ consent: allow, store: { ...inner, feed } });
    const ask = async () =>
      (await book.recall('cus_1', { purpose: 'service.proactive_support', accessor })).facts;
    // Stale by time, before any notice: what was held while fresh is not served.
    const first = await other.remember(input(1));
    expect(await ask()).toHaveLength(1);
    fresh = false;
    await other.erase('cus_1', first.id);
    expect(await ask()).toEqual([]);
    // Read while stale (after the notice): not kept.
    for (const listener of listeners) listener({ type: 'stale', detail: 'connection lost' });
    const second = await other.remember(input(2));
    expect(await ask()).toHaveLength(1);
    await other.erase('cus_1', second.id);
    expect(await ask()).toEqual([]);
  });

  it('reads the store once per recall and per brief, even keeping nothing', async () => {
    const inner = createInMemoryStore();
    let reads = 0;
    const store = {
      ...inner,
      read(subject: string) {
        reads++;
        return inner.read(subject);
      },
    };
    const book = createMemoryBook({ consent: allow, store, cacheSubjects: 0 });
    await book.remember(input(1));
    reads = 0;
    await book.recall('cus_1', { purpose: 'service.proactive_support', accessor });
    expect(reads).toBe(1);
    await book.brief('cus_1', { purpose: 'service.proactive_support', accessor });
    expect(reads).toBe(2);
  });

  it('recalls from the store’s snapshot of active memories when it has one, lists from the history', async () => {
    const inner = createInMemoryStore();
    const calls = { read: 0, readActive: 0 };
    const store: MemoryStore = {
      ...inner,
      read(subject) {
        calls.read++;
        return inner.read(subject);
      },
      async readActive(subject) {
        calls.readActive++;
        return foldMemories(await inner.read(subject)).active;
      },
    };
    const book = createMemoryBook({ consent: allow, store, cacheSubjects: 0 });
    const plain = createMemoryBook({ consent: allow, store: inner, cacheSubjects: 0 });
    const first = await book.remember(input(1));
    // Another reason for the same order: a contradiction, left out and listed to clarify.
    await book.remember(input(2, { about: { type: 'order', id: 'o1' } }));
    await book.remember(input(3));
    await book.correct('cus_1', first.id, { kind: 'stated_reason', reason: 'fixed' });
    calls.read = 0;
    calls.readActive = 0;
    const ask = { purpose: 'service.proactive_support', accessor } as const;
    const recalled = await book.recall('cus_1', ask);
    const brief = await book.brief('cus_1', ask);
    expect(calls).toEqual({ read: 0, readActive: 2 });
    expect(recalled).toEqual(await plain.recall('cus_1', ask));
    expect(recalled.facts.map((f) => f.value)).toEqual(['reason 3']);
    expect(recalled.contradictions).toBe(1);
    expect(brief).toEqual(await plain.brief('cus_1', ask));
    // The customer's own view needs what was corrected: it reads the history.
    const cached = createMemoryBook({ consent: allow, store });
    await cached.recall('cus_1', ask);
    const listing = await cached.list('cus_1');
    expect(listing.superseded.map((m) => m.id)).toEqual([first.id]);
    expect(listing).toEqual(await plain.list('cus_1'));
    expect(calls).toEqual({ read: 1, readActive: 3 });
  });

  it('never keeps a read that a write overtook, even with two reads of the customer in flight', async () => {
    const inner = createInMemoryStore();
    const gates: Array<() => void> = [];
    let slow = false;
    const store = {
      ...inner,
      async read(subject: string) {
        const entries = await inner.read(subject);
        if (slow) await new Promise<void>((resolve) => gates.push(resolve));
        return entries;
      },
    };
    const book = createMemoryBook({ consent: allow, store });
    const ask = () => book.recall('cus_1', { purpose: 'service.proactive_support', accessor });
    slow = true;
    const first = ask();
    const second = ask();
    await new Promise((r) => setTimeout(r, 0));
    slow = false;
    await book.remember(input(1)); // written while both reads are in flight
    for (const open of gates.splice(0)) open();
    await Promise.all([first, second]);
    expect((await ask()).facts.map((f) => f.value)).toEqual(['reason 1']);
  });

  it('answers exactly as a book that keeps nothing, whatever the writes and the time (property)', async () => {
    const step = fc.record({
      op: fc.constantFrom('remember', 'inferred', 'correct', 'resolve', 'erase'),
      days: fc.integer({ min: 0, max: 60 }),
      retention: fc.option(fc.integer({ min: 1, max: 90 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const clock = createVirtualClock(T0);
        const store = createInMemoryStore();
        const cached = createMemoryBook({ consent: allow, store, clock });
        const plain = createMemoryBook({ consent: allow, store, clock, cacheSubjects: 0 });
        for (const [i, s] of steps.entries()) {
          clock.advance(s.days * duration.day);
          const active = (await plain.list('cus_1')).active;
          const target = active[i % Math.max(1, active.length)];
          if (s.op === 'remember' || s.op === 'inferred' || target === undefined) {
            await cached.remember(
              input(i, {
                ...(s.retention === undefined
                  ? {}
                  : { retainUntil: clock.now() + s.retention * duration.day }),
                ...(s.op === 'inferred'
                  ? {
                      provenance: {
                        source: 'model',
                        kind: 'inferred',
                        observedAt: clock.now(),
                        party: 'first',
                      },
                      confidence: 0.9,
                    }
                  : {}),
                ...(i % 3 === 0
                  ? {
                      content: { kind: 'complaint', summary: `c${i}`, status: 'open' },
                      purposes: ['service.support'],
                    }
                  : {}),
              } as Partial<MemoryInput>),
            );
          } else if (s.op === 'correct' && target.kind === 'stated_reason') {
            await cached.correct('cus_1', target.id, {
              kind: 'stated_reason',
              reason: `fixed ${i}`,
            });
          } else if (
            s.op === 'resolve' &&
            target.content.kind === 'complaint' &&
            target.content.status === 'open'
          ) {
            await cached.resolve('cus_1', target.id, { resolution: 'done' });
          } else if (s.op === 'erase') {
            await cached.erase('cus_1', target.id);
          }
          for (const purpose of [
            'service.proactive_support',
            'service.support',
            'service',
          ] as const) {
            const x = await cached.recall('cus_1', { purpose, accessor });
            const y = await plain.recall('cus_1', { purpose, accessor });
            expect(x.facts).toEqual(y.facts);
            expect(new Map(x.withheld.map((w) => [w.why, w.count]))).toEqual(
              new Map(y.withheld.map((w) => [w.why, w.count])),
            );
          }
        }
      }),
      { numRuns: 80 },
    );
  });
});
