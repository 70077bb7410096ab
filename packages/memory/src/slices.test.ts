import { type ConsentGate, createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowAll as allow } from '../../../test-utils/gates.ts';
import {
  createInMemoryStore,
  createMemoryBook,
  foldMemories,
  type MemoryContent,
  type MemoryInput,
  type MemoryStore,
  MUST_REMEMBER,
  purposeMemories,
  sliceKeysFor,
  sliceMemories,
} from './index';

const T0 = Date.parse('2026-05-03T10:00:00Z');
const accessor = { kind: 'feature', id: 'test' } as const;
const PURPOSES = [
  'service',
  'service.support',
  'service.proactive_support',
  'marketing',
  'marketing.email',
] as const;
const contents: ((i: number) => MemoryContent)[] = [
  (i) => ({ kind: 'stated_reason', reason: `reason ${i % 4}` }),
  (i) => ({ kind: 'preference', key: `seat_${i % 2}`, value: `row ${i % 3}` }),
  (i) => ({ kind: 'complaint', summary: `complaint ${i}`, status: 'open' }),
  (i) => ({ kind: 'support_case', summary: `case ${i}`, status: 'open' }),
  (i) => ({ kind: 'staff_note', note: `note ${i}`, staffId: 'agent_1' }),
];

/** Allows everything but support data. */
const noSupport: ConsentGate = {
  decide: (q) => ({
    ...allow.decide(q),
    allowed: !q.dataCategories.includes('user.support'),
  }),
};

/** A store that answers `readForPurpose` from its history, counting the calls. */
function slicedStore() {
  const inner = createInMemoryStore();
  const calls = { read: 0, readForPurpose: 0 };
  const store: MemoryStore = {
    ...inner,
    read(subject) {
      calls.read++;
      return inner.read(subject);
    },
    async readForPurpose(subject, purpose) {
      calls.readForPurpose++;
      return purposeMemories(foldMemories(await inner.read(subject)).active, purpose);
    },
  };
  return { inner, store, calls };
}

describe('memory slices', () => {
  it('keep a memory in the slice of each purpose it serves, and open problems in their own', () => {
    const clock = createVirtualClock(T0);
    const memory = (i: number, purposes: string[], kind: number) => ({
      id: `m${i}`,
      subject: 'cus_1',
      kind: contents[kind]!(i).kind,
      content: contents[kind]!(i),
      category: 'user.support',
      provenance: {
        source: 'test',
        kind: 'stated' as const,
        observedAt: clock.now(),
        party: 'first' as const,
      },
      purposes,
      createdAt: clock.now(),
      status: 'active' as const,
    });
    const active = [
      memory(0, ['marketing', 'service'], 0),
      memory(1, ['service.support'], 2),
      memory(2, ['marketing'], 4),
    ];
    const { count, slices } = sliceMemories(active);
    expect(count).toBe(3);
    expect(Object.fromEntries([...slices].map(([k, s]) => [k, s.positions]))).toEqual({
      marketing: [0, 2],
      service: [0],
      'service.support': [1],
      [MUST_REMEMBER]: [1],
    });
    expect(sliceKeysFor('service.support')).toEqual(['service', 'service.support', MUST_REMEMBER]);
    // For marketing: the open complaint is read (a recall judges it) but nothing twice.
    expect(purposeMemories(active, 'marketing.email').memories.map((m) => m.id)).toEqual([
      'm0',
      'm1',
      'm2',
    ]);
    expect(purposeMemories(active, 'service.proactive_support').memories.map((m) => m.id)).toEqual([
      'm0',
      'm1',
    ]);
  });

  it('a book recalling from a store’s slices answers exactly as one folding the history (property)', async () => {
    const step = fc.record({
      op: fc.constantFrom('remember', 'remember', 'inferred', 'correct', 'resolve', 'erase'),
      kind: fc.nat({ max: contents.length - 1 }),
      purposes: fc.uniqueArray(fc.constantFrom(...PURPOSES), { minLength: 1, maxLength: 2 }),
      days: fc.integer({ min: 0, max: 60 }),
      retention: fc.option(fc.integer({ min: 1, max: 90 }), { nil: undefined }),
      pick: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 14 }),
        fc.boolean(),
        fc.boolean(),
        async (steps, keep, denySupport) => {
          const clock = createVirtualClock(T0);
          const { inner, store, calls } = slicedStore();
          const consent = denySupport ? noSupport : allow;
          const sliced = createMemoryBook({
            consent,
            store,
            clock,
            ...(keep ? {} : { cacheSubjects: 0 }),
          });
          const plain = createMemoryBook({ consent, store: inner, clock, cacheSubjects: 0 });
          for (const [i, s] of steps.entries()) {
            clock.advance(s.days * duration.day);
            const active = (await plain.list('cus_1')).active;
            const target = active[s.pick % Math.max(1, active.length)];
            if (s.op === 'remember' || s.op === 'inferred' || target === undefined) {
              const content = contents[s.kind]!(i);
              await plain.remember({
                subject: 'cus_1',
                content,
                category: i % 2 === 0 ? 'user.support' : 'user.behavior.purchase_reason',
                provenance: {
                  source: 'test',
                  kind: s.op === 'inferred' ? 'inferred' : 'stated',
                  observedAt: clock.now(),
                  party: 'first',
                },
                purposes: s.purposes,
                ...(s.op === 'inferred' ? { confidence: 0.9 } : {}),
                ...(s.retention === undefined
                  ? {}
                  : { retainUntil: clock.now() + s.retention * duration.day }),
                // Reasons about a few orders, so that some contradict each other.
                about: { type: 'order', id: `o${i % 3}` },
              } satisfies MemoryInput);
            } else if (s.op === 'correct' && target.kind === 'stated_reason') {
              await plain.correct('cus_1', target.id, {
                kind: 'stated_reason',
                reason: `now ${i}`,
              });
            } else if (s.op === 'resolve') {
              await plain
                .resolve('cus_1', target.id, { resolution: 'sorted' })
                .catch((e) => expect(e).toMatchObject({ code: 'memory/not_allowed' }));
            } else if (s.op === 'erase') {
              await plain.erase('cus_1', target.id);
            }
            for (const purpose of [...PURPOSES, 'analytics.measurement']) {
              const ask = { purpose, accessor };
              calls.read = 0;
              calls.readForPurpose = 0;
              expect(await sliced.recall('cus_1', ask)).toEqual(await plain.recall('cus_1', ask));
              expect(await sliced.brief('cus_1', ask)).toEqual(await plain.brief('cus_1', ask));
              // The slices alone: never the history, at most one read per recall and brief.
              expect(calls.read).toBe(0);
              expect(calls.readForPurpose).toBeLessThanOrEqual(2);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
