import { Memory, type MemorySlice } from '@candor/memory';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packSlice, unpackSlice } from './memory-pack';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const some = <T>(values: readonly T[]) => fc.constantFrom(...values);
const instant = fc.integer({ min: T0, max: T0 + 400 * 86_400_000 });

const content = fc.oneof(
  fc.record(
    {
      kind: fc.constant('stated_reason' as const),
      reason: fc.string({ minLength: 1 }),
      option: fc.string({ minLength: 1 }),
    },
    { requiredKeys: ['kind', 'reason'] },
  ),
  fc.record({
    kind: fc.constant('preference' as const),
    key: some(['seat', 'meal']),
    value: fc.string({ minLength: 1 }),
  }),
  fc.record(
    {
      kind: fc.constant('support_case' as const),
      summary: fc.string({ minLength: 1 }),
      status: some(['open', 'resolved'] as const),
      resolution: fc.string({ minLength: 1 }),
      satisfaction: fc.integer({ min: 1, max: 5 }),
      resolvedAt: instant,
    },
    { requiredKeys: ['kind', 'summary', 'status'] },
  ),
  fc.record({
    kind: fc.constant('staff_note' as const),
    note: fc.string({ minLength: 1 }),
    staffId: some(['agent_1']),
  }),
);

/** Memories that share some fields and differ in others, every optional field present or not. */
const memory = fc
  .record(
    {
      id: fc.string({ minLength: 1, maxLength: 20 }),
      subject: some(['cus_1', 'cus_2']),
      content,
      category: some(['user.support', 'user.behavior.purchase_reason']),
      provenance: fc.record({
        source: some(['checkout', 'model', 'a "quoted" source']),
        kind: some(['stated', 'observed', 'inferred'] as const),
        observedAt: instant,
        party: some(['first', 'third'] as const),
      }),
      purposes: fc.uniqueArray(some(['marketing', 'service.support', 'service']), {
        minLength: 1,
        maxLength: 3,
      }),
      about: fc.record(
        {
          type: some(['order', 'booking']),
          id: fc.string({ minLength: 1 }),
          label: fc.string({ minLength: 1 }),
        },
        { requiredKeys: ['type', 'id'] },
      ),
      createdAt: instant,
      confirmedAt: instant,
      retainUntil: instant,
      confidence: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
      status: some(['active', 'superseded'] as const),
      supersedes: fc.string({ minLength: 1 }),
      supersededBy: fc.string({ minLength: 1 }),
    },
    {
      requiredKeys: [
        'id',
        'subject',
        'content',
        'category',
        'provenance',
        'purposes',
        'createdAt',
        'status',
      ],
    },
  )
  .map((m): Memory => ({ ...m, kind: m.content.kind }));

/** The slice as the store keeps it: packed, through JSON, unpacked. */
const roundTrip = (slice: MemorySlice) => unpackSlice(JSON.parse(JSON.stringify(packSlice(slice))));

describe('packed memory slices', () => {
  it('unpack to memories strictly equal to those packed, nothing added or lost (property)', () => {
    fc.assert(
      fc.property(fc.array(memory, { maxLength: 12 }), (generated) => {
        // As a store reads them: plain objects, from JSON.
        const memories: Memory[] = JSON.parse(JSON.stringify(generated));
        for (const m of memories) Memory.parse(m);
        const slice = { positions: memories.map((_, i) => i * 2), memories };
        expect(roundTrip(slice)).toStrictEqual(slice);
      }),
      { numRuns: 300 },
    );
  });

  it('share each combination of common fields once, and keep a memory with an unknown field whole', () => {
    const base: Memory = {
      id: 'm1',
      subject: 'cus_1',
      kind: 'stated_reason',
      content: { kind: 'stated_reason', reason: 'a trek' },
      category: 'user.behavior.purchase_reason',
      provenance: { source: 'checkout', kind: 'stated', observedAt: T0, party: 'first' },
      purposes: ['service.proactive_support'],
      createdAt: T0,
      status: 'active',
    };
    const later = {
      ...base,
      id: 'm2',
      createdAt: T0 + 1,
      provenance: { ...base.provenance, observedAt: T0 + 1 },
    };
    // A field a later version of the memory schema might add: kept, not dropped.
    const future = { ...base, id: 'm3', tags: ['x'] } as Memory;
    const slice = { positions: [0, 1, 4], memories: [base, later, future] };
    const packed = packSlice(slice);
    expect(packed.g).toHaveLength(1);
    expect(packed.m[2]).toEqual([-1, future]);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(slice).length * 0.75);
    expect(roundTrip(slice)).toStrictEqual(slice);
  });
});
