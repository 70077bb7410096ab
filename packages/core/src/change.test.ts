import { describe, expect, it } from 'vitest';
import {
  type ChangeRecord,
  changeState,
  createMemoryChangeLog,
  isCandorError,
  safeParseChangeRecord,
} from './index';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const performed: ChangeRecord = {
  id: 'chg_1:performed',
  changeId: 'chg_1',
  kind: 'performed',
  subject: 'cus_1',
  decisionId: 'prop_1',
  type: 'booking.rebook',
  purpose: 'service.automatic_changes',
  at: T0,
  undoUntil: T0 + 1_000,
  details: { flight: 'LH 400' },
};

describe('ChangeRecord', () => {
  it('names the wrong field', () => {
    const bad = safeParseChangeRecord({ ...performed, type: 'Booking' });
    expect(!bad.success && bad.error.details.path).toBe('change.type');
    const early = safeParseChangeRecord({ ...performed, undoUntil: T0 - 1 });
    expect(!early.success && early.error.details.path).toBe('change.undoUntil');
    const extra = safeParseChangeRecord({ ...performed, __proto__: { x: 1 }, note: 'x' });
    expect(extra.success).toBe(false);
  });

  it('says where a change stands: undoable until the deadline (exclusive), then expired or undone', () => {
    expect(changeState([performed], 'chg_1', T0 + 999)?.status).toBe('undoable');
    expect(changeState([performed], 'chg_1', T0 + 1_000)?.status).toBe('expired');
    const undone = { ...performed, id: 'chg_1:closed', kind: 'undone' as const, at: T0 + 5 };
    expect(changeState([performed, undone], 'chg_1', T0 + 9_999)).toEqual({
      status: 'undone',
      performed,
      closed: undone,
    });
    expect(changeState([performed], 'chg_2', T0)).toBeNull();
  });
});

describe('createMemoryChangeLog', () => {
  it('keeps records per customer, ignores a retried write and refuses a different one', async () => {
    const log = createMemoryChangeLog();
    await log.append(performed);
    await log.append({ ...performed });
    expect(await log.list('cus_1')).toEqual([performed]);
    expect(await log.list('cus_2')).toEqual([]);
    const error = await log.append({ ...performed, at: T0 + 1 }).catch((e: unknown) => e);
    expect(isCandorError(error, 'core/invalid_input')).toBe(true);
    const bad = await log.append({ ...performed, id: '' }).catch((e: unknown) => e);
    expect(isCandorError(bad, 'core/invalid_input')).toBe(true);
    expect(await log.list('cus_1')).toHaveLength(1);
  });

  it('lets one holder at a time claim an undo, until its lease ends or it is dropped', async () => {
    const log = createMemoryChangeLog();
    const claim = (holder: string, until: number) => ({ changeId: 'chg_1', holder, until });
    expect(await log.claimUndo?.(claim('a', T0 + 60_000), T0)).toBe(true);
    expect(await log.claimUndo?.(claim('b', T0 + 60_000), T0 + 1)).toBe(false);
    expect(await log.claimUndo?.(claim('b', T0 + 120_000), T0 + 60_000)).toBe(true);
    // Its holder, still undoing, renews it: past the old end, it is still held.
    expect(await log.claimUndo?.(claim('b', T0 + 150_000), T0 + 90_000)).toBe(true);
    expect(await log.claimUndo?.(claim('a', T0 + 190_000), T0 + 130_000)).toBe(false);
    await log.releaseUndo?.(claim('a', T0 + 60_000));
    expect(await log.claimUndo?.(claim('a', T0 + 180_000), T0 + 60_001)).toBe(false);
    await log.releaseUndo?.(claim('b', T0 + 120_000));
    expect(await log.claimUndo?.(claim('a', T0 + 180_000), T0 + 60_001)).toBe(true);
  });
});
