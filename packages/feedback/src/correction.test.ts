import type { Fact } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CorrectionEvent, foldCorrection, foldCorrections } from './correction';
import { correctionSource, overlayCorrections } from './correction-overlay';

const at = Date.parse('2026-05-03T09:00:00Z');
const opened: CorrectionEvent = {
  type: 'opened',
  correctionId: 'c-1',
  subject: 'cus_1',
  path: 'account.homeCountry',
  category: 'user.location.approximate',
  current: 'PT',
  proposed: 'ES',
  at,
};

/** Decisions on c-1 at arbitrary times (ties included), and events of other corrections. */
const decision = fc.oneof(
  fc.record({
    type: fc.constant('accepted' as const),
    correctionId: fc.constant('c-1'),
    subject: fc.constant('cus_1'),
    at: fc.integer({ min: at, max: at + 5 }),
  }),
  fc.record({
    type: fc.constant('rejected' as const),
    correctionId: fc.constantFrom('c-1', 'c-2'),
    subject: fc.constant('cus_1'),
    reason: fc.constantFrom('No.', 'Not so.'),
    at: fc.integer({ min: at, max: at + 5 }),
  }),
);

describe('a correction is a pure fold of its events', () => {
  it('gives the same state whatever order the events arrive in', () => {
    fc.assert(
      fc.property(
        fc.array(decision, { maxLength: 6 }).chain((ds) =>
          fc.tuple(
            fc.constant([opened, ...ds]),
            fc.shuffledSubarray([opened, ...ds], {
              minLength: ds.length + 1,
            }),
          ),
        ),
        ([events, shuffled]) => {
          expect(foldCorrection('c-1', shuffled)).toEqual(foldCorrection('c-1', events));
          expect(foldCorrections(shuffled)).toEqual(foldCorrections(events));
        },
      ),
      {
        examples: [
          [
            [
              [
                opened,
                { type: 'accepted', correctionId: 'c-1', subject: 'cus_1', at },
                { type: 'rejected', correctionId: 'c-1', subject: 'cus_1', reason: 'No.', at },
              ],
              [
                { type: 'rejected', correctionId: 'c-1', subject: 'cus_1', reason: 'No.', at },
                opened,
                { type: 'accepted', correctionId: 'c-1', subject: 'cus_1', at },
              ],
            ],
          ],
        ],
      },
    );
  });

  it('is open until decided, and the earliest decision stands', () => {
    expect(foldCorrection('c-1', [opened])?.status).toBe('open');
    expect(foldCorrection('c-1', [])).toBeNull();
    const state = foldCorrection('c-1', [
      { type: 'accepted', correctionId: 'c-1', subject: 'cus_1', at: at + 9 },
      { type: 'rejected', correctionId: 'c-1', subject: 'cus_1', reason: 'No.', at: at + 2 },
      opened,
    ]);
    expect(state).toMatchObject({ status: 'rejected', reason: 'No.', decidedAt: at + 2 });
  });
});

const fact = (path: string, value: Fact['value']): Fact => ({
  id: `f-${path}`,
  path,
  category: 'user.location.approximate',
  value,
  provenance: { source: 'account', kind: 'observed', observedAt: at - 1000, party: 'third' },
});

describe('overlayCorrections', () => {
  it('turns an accepted correction into a stated fact from the customer', () => {
    const [state] = foldCorrections([
      opened,
      { type: 'accepted', correctionId: 'c-1', subject: 'cus_1', at: at + 60_000 },
    ]);
    const [corrected] = overlayCorrections([fact('account.homeCountry', 'PT')], [state as never]);
    expect(corrected).toEqual({
      id: 'f-account.homeCountry',
      path: 'account.homeCountry',
      category: 'user.location.approximate',
      value: 'ES',
      provenance: {
        source: correctionSource,
        kind: 'stated',
        observedAt: at + 60_000,
        party: 'first',
      },
    });
  });

  it('never changes a fact without an accepted correction', () => {
    const path: fc.Arbitrary<string> = fc.constantFrom(
      'account.homeCountry',
      'card.last4',
      'returns.lastMethod',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(path, fc.string()), { maxLength: 5 }),
        fc.array(
          fc.record({
            path,
            status: fc.constantFrom('open', 'accepted', 'rejected') as fc.Arbitrary<
              'open' | 'accepted' | 'rejected'
            >,
            decidedAt: fc.integer({ min: at, max: at + 100 }),
            proposed: fc.string(),
          }),
          { maxLength: 5 },
        ),
        (facts, raw) => {
          const held = facts.map(([p, v]) => fact(p, v));
          const corrections = raw.map((c, i) => ({
            id: `c-${i}`,
            subject: 'cus_1',
            category: 'user.location.approximate',
            current: null,
            note: null,
            reason: null,
            openedAt: at,
            ...c,
            decidedAt: c.status === 'open' ? null : c.decidedAt,
          }));
          const out = overlayCorrections(held, corrections);
          expect(out).toHaveLength(held.length);
          const accepted = new Set(
            corrections.filter((c) => c.status === 'accepted').map((c) => c.path),
          );
          out.forEach((f, i) => {
            if (accepted.has(f.path)) expect(f.provenance.source).toBe(correctionSource);
            else expect(f).toBe(held[i]);
          });
        },
      ),
    );
  });
});
