import { type ConsentGate, createVirtualClock, type SuppressionSource } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { allowAll } from '../../../test-utils/gates.ts';
import { createMemoryBook, holdWhileComplaintOpen, type MemoryInput } from './index';

const T0 = Date.parse('2026-11-02T09:00:00Z');
const complaint: MemoryInput = {
  subject: 'cus_ana',
  content: { kind: 'complaint', summary: 'Her card was blocked in error', status: 'open' },
  category: 'user.support.complaints',
  provenance: { source: 'support', kind: 'stated', observedAt: T0, party: 'first' },
  purposes: ['service.support'],
};
const accessor = { kind: 'feature', id: 'offers-hold' } as const;
const query = (subject: string, topic: string, critical = false) =>
  ({ subject, ruleId: 'r', topic, channel: 'email', at: T0, critical }) as const;

function setup(inner?: SuppressionSource) {
  const book = createMemoryBook({ consent: allowAll, clock: createVirtualClock(T0) });
  const hold = holdWhileComplaintOpen(book, {
    topics: ['offers'],
    purpose: 'service.support',
    accessor,
    ...(inner ? { inner } : {}),
  });
  return { book, hold };
}

describe('holding offers back while a complaint is open', () => {
  it('holds offers with the reason while it is open, and lets them through once resolved', async () => {
    const { book, hold } = setup();
    const m = await book.remember(complaint);
    await hold.prepare(['cus_ana', 'cus_ben']);
    expect(hold.check(query('cus_ana', 'offers.partner'))).toMatchObject({
      suppressed: true,
      reason: { code: 'open_complaint', detail: expect.stringContaining('complaint is open') },
    });
    expect(hold.check(query('cus_ben', 'offers.partner')).suppressed).toBe(false);
    // Service messages and critical alerts are not offers: they still reach her.
    expect(hold.check(query('cus_ana', 'billing.card_expiry')).suppressed).toBe(false);
    expect(hold.check(query('cus_ana', 'offers.partner', true)).suppressed).toBe(false);
    await book.resolve('cus_ana', m.id, { resolution: 'unblocked, with an apology' });
    await hold.prepare(['cus_ana']);
    expect(hold.check(query('cus_ana', 'offers.partner')).suppressed).toBe(false);
  });

  it('says nothing is suppressed only for a checked customer without an open complaint, whom the inner source holds nothing back from', async () => {
    const { book, hold } = setup();
    const m = await book.remember(complaint);
    expect(hold.nothingSuppressed('cus_ben', T0)).toBe(false); // not checked yet
    await hold.prepare(['cus_ana', 'cus_ben']);
    expect(hold.nothingSuppressed('cus_ana', T0)).toBe(false);
    expect(hold.nothingSuppressed('cus_ben', T0)).toBe(true);
    await book.resolve('cus_ana', m.id, { resolution: 'unblocked' });
    await hold.prepare(['cus_ana']);
    expect(hold.nothingSuppressed('cus_ana', T0)).toBe(true);
    const quiet = { check: () => ({ suppressed: false, reason: null }) as const };
    const asking = setup(quiet).hold;
    await asking.prepare(['cus_ben']);
    // An inner source that cannot say so is asked rule by rule.
    expect(asking.nothingSuppressed('cus_ben', T0)).toBe(false);
    let innerSays = false;
    const answering = setup({ ...quiet, nothingSuppressed: () => innerSays }).hold;
    await answering.prepare(['cus_ben']);
    expect(answering.nothingSuppressed('cus_ben', T0)).toBe(false);
    innerSays = true;
    expect(answering.nothingSuppressed('cus_ben', T0)).toBe(true);
  });

  it('holds offers back for a customer it has not checked (fails closed), and evicts the oldest', async () => {
    const book = createMemoryBook({ consent: allowAll, clock: createVirtualClock(T0) });
    const hold = holdWhileComplaintOpen(book, {
      topics: ['offers'],
      purpose: 'service.support',
      accessor,
      maxSubjects: 1,
    });
    expect(hold.check(query('cus_ana', 'offers.partner')).reason?.code).toBe('not_loaded');
    await hold.prepare(['cus_ana']);
    expect(hold.check(query('cus_ana', 'offers.partner')).suppressed).toBe(false);
    await hold.prepare(['cus_ben']);
    expect(hold.check(query('cus_ana', 'offers.partner')).reason?.code).toBe('not_loaded');
  });

  it('puts the inner source first, prepares it too, and rejects bad options naming them', async () => {
    const prepared: string[] = [];
    const muted: SuppressionSource = {
      prepare: async (subjects) => {
        prepared.push(...subjects);
      },
      check: (q) =>
        q.topic === 'offers.partner'
          ? {
              suppressed: true,
              reason: {
                code: 'not_interested',
                scope: 'topic',
                target: 'offers.partner',
                since: 0,
                until: null,
                detail: 'You chose "not interested"',
              },
            }
          : { suppressed: false, reason: null },
    };
    const { book, hold } = setup(muted);
    await book.remember(complaint);
    await hold.prepare(['cus_ana']);
    expect(prepared).toEqual(['cus_ana']);
    expect(hold.check(query('cus_ana', 'offers.partner')).reason?.code).toBe('not_interested');
    expect(hold.check(query('cus_ana', 'offers.travel')).reason?.code).toBe('open_complaint');
    expect(() =>
      holdWhileComplaintOpen(book, { topics: [], purpose: 'service.support', accessor }),
    ).toThrow(
      expect.objectContaining({
        code: 'memory/invalid_input',
        details: expect.objectContaining({ path: 'options.topics' }),
      }),
    );
  });

  it('refuses malformed subjects and queries naming them, never passing an unchecked customer', async () => {
    const { hold } = setup();
    const refused = (path: string) =>
      expect.objectContaining({
        code: 'memory/invalid_input',
        details: expect.objectContaining({ path }),
      });
    for (const subjects of [undefined, null, 'cus_ana', {}, [42]])
      await expect(hold.prepare(subjects as never)).rejects.toThrow(refused('subjects'));
    for (const [bad, path] of [
      [undefined, 'query'],
      [null, 'query'],
      [{ topic: 'offers', at: T0 }, 'query.subject'],
      // No topic: it could be an offer, so it is not let through.
      [{ subject: 'cus_ana', at: T0 }, 'query.topic'],
      [{ subject: 'cus_ana', topic: 'offers', at: 'soon' }, 'query.at'],
    ] as const)
      expect(() => hold.check(bad as never)).toThrow(refused(path));
  });

  it('holds offers back when consent keeps the complaints from the recall', async () => {
    const refusing: ConsentGate = {
      decide: (q) => ({ ...allowAll.decide(q), allowed: false, status: 'not_asked' }),
    };
    const book = createMemoryBook({ consent: refusing, clock: createVirtualClock(T0) });
    await book.remember(complaint);
    const hold = holdWhileComplaintOpen(book, {
      topics: ['offers'],
      purpose: 'service.support',
      accessor,
    });
    await hold.prepare(['cus_ana']);
    expect(hold.check(query('cus_ana', 'offers.partner')).reason?.code).toBe('not_loaded');
  });
});
