import type { AccessRecord } from '@candor/core';
import fc from 'fast-check';

/**
 * Time zones whose local days are easy to get wrong: DST on both hemispheres (Lord Howe moves by
 * half an hour), half- and quarter-hour offsets (St John's, Kolkata, Kathmandu, Chatham).
 */
export const trickyZones = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'America/St_Johns',
  'Asia/Kathmandu',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
] as const;

const accessors = [
  { kind: 'rule', id: 'storm-warning', version: 2 },
  { kind: 'rule', id: 'card-expiry', version: 1 },
  { kind: 'model', id: 'recs', version: '2026-11' },
  { kind: 'staff', id: 'agent_7' },
  { kind: 'feature', id: 'explanation' },
  { kind: 'feature', id: 'memory.recall' },
  { kind: 'feature', id: 'recommendations' },
] as const;

/**
 * One customer's access records around DST changes (times clustered at the days around the
 * 2026 changes of the zones above, and a few anywhere in 2026, some equal), with ids increasing
 * in the order given, so every log orders ties alike. Categories include one without a label.
 *
 * @example
 * fc.assert(fc.asyncProperty(accessRecords('cus_1'), async (records) => { ... }));
 */
export function accessRecords(subject: string): fc.Arbitrary<AccessRecord[]> {
  const changes = [
    '2026-03-08',
    '2026-03-29',
    '2026-04-05',
    '2026-09-27',
    '2026-10-04',
    '2026-10-25',
    '2026-11-01',
  ];
  const near = fc
    .tuple(fc.constantFrom(...changes), fc.integer({ min: -36 * 3_600_000, max: 36 * 3_600_000 }))
    .map(([day, offset]) => Date.parse(`${day}T00:00:00Z`) + offset);
  const anywhere = fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2026-12-31') });
  const one = fc.record({
    at: fc.oneof({ arbitrary: near, weight: 4 }, { arbitrary: anywhere, weight: 1 }),
    accessor: fc.constantFrom(...accessors),
    purpose: fc.constantFrom(
      'service.proactive_support',
      'service',
      'marketing.email',
      'analytics',
    ),
    outcome: fc.constantFrom('sent', 'held_back', 'looked_up', 'explained' as const),
    dataCategories: fc.uniqueArray(
      fc.constantFrom(
        'user.travel.itinerary',
        'user.financial.card',
        'user.contact.email',
        'user.pets.name',
      ),
      { minLength: 1, maxLength: 3 },
    ),
  });
  return fc.array(one, { maxLength: 80 }).chain((xs) =>
    // Some records share a time, to check that ties are ordered alike everywhere.
    fc.array(fc.nat(), { minLength: xs.length, maxLength: xs.length }).map((picks) =>
      xs.map(
        (x, i): AccessRecord => ({
          id: `acc_${String(i).padStart(5, '0')}`,
          subject,
          at:
            i > 0 && (picks[i] as number) % 5 === 0
              ? (xs[(picks[i] as number) % i] as typeof x).at
              : x.at,
          accessor: x.accessor,
          purpose: x.purpose,
          dataCategories: x.dataCategories,
          evidence: ['some.field'],
          outcome: x.outcome,
        }),
      ),
    ),
  );
}
