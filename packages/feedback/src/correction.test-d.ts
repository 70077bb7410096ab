import type { Fact } from '@candor/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { Correction, CorrectionEvent, CorrectionStatus } from './index';
import { createCorrectionDesk, foldCorrection, overlayCorrections } from './index';

/*
 * A rejection needs a reason, a correction names a fact by path, and what the desk returns is
 * the customer-facing state: a mistake in any of these is a compile error.
 */

const desk = createCorrectionDesk({ facts: () => [] });

describe('correction types', () => {
  it('needs a reason to reject, not to accept', () => {
    // @ts-expect-error: a rejection says why
    void desk.reject({ subject: 'cus_1', id: 'c-1' });
    void desk.accept({ subject: 'cus_1', id: 'c-1' });
    // @ts-expect-error: a correction names the fact it corrects
    void desk.open({ id: 'c-1', subject: 'cus_1', proposed: 'ES' });
  });

  it('returns states with status, reason and times', () => {
    expectTypeOf(desk.corrections('cus_1')).resolves.toEqualTypeOf<readonly Correction[]>();
    expectTypeOf<Correction['status']>().toEqualTypeOf<CorrectionStatus>();
    expectTypeOf<Correction['decidedAt']>().toEqualTypeOf<number | null>();
    expectTypeOf(foldCorrection('c-1', [] as CorrectionEvent[])).toEqualTypeOf<Correction | null>();
    expectTypeOf(overlayCorrections([] as Fact[], [])).toEqualTypeOf<Fact[]>();
  });

  it('knows the three kinds of event', () => {
    expectTypeOf<CorrectionEvent['type']>().toEqualTypeOf<'opened' | 'accepted' | 'rejected'>();
  });
});
