import type { Fact } from '@candor/core';
import { type CorrectionEvent, createCorrectionDesk } from '@candor/feedback';
import { describe, expect, it } from 'vitest';
import { createPostgresCorrectionStore } from './corrections';
import { driverCases, useTestDatabases } from './drivers.test-helpers';

const T0 = Date.UTC(2026, 11, 1, 9);
const card: Fact = {
  id: 'f1',
  path: 'card.expiresAt',
  category: 'user.financial.card',
  value: '2026-12-31',
  provenance: { source: 'billing', kind: 'observed', observedAt: T0, party: 'first' },
};
const opened = (correctionId: string, subject = 'cus_1'): CorrectionEvent => ({
  type: 'opened',
  correctionId,
  subject,
  path: 'card.expiresAt',
  category: 'user.financial.card',
  current: '2026-12-31',
  proposed: '2028-03-31',
  at: T0,
});

describe.each(driverCases)('correction store on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);

  it.skipIf(skip)('keeps each customer’s corrections, in order, through a desk', async () => {
    const store = createPostgresCorrectionStore(await database());
    let now = T0;
    const desk = createCorrectionDesk({
      store,
      facts: async () => [card],
      clock: { now: () => now },
    });
    await desk.open({
      id: 'c-1',
      subject: 'cus_1',
      path: 'card.expiresAt',
      proposed: '2028-03-31',
    });
    now += 1000;
    const rejected = await desk.reject({
      id: 'c-1',
      subject: 'cus_1',
      reason: 'Your bank still reports the old date.',
    });
    expect(rejected.status).toBe('rejected');
    await store.append([opened('c-9', 'cus_2')]);
    expect((await store.read('cus_1')).map((e) => e.type)).toEqual(['opened', 'rejected']);
    expect(await desk.corrections('cus_1')).toEqual([rejected]);
    expect(await store.read('cus_2')).toEqual([opened('c-9', 'cus_2')]);
  });

  it.skipIf(skip)('writes nothing of a call with a malformed event, and names it', async () => {
    const store = createPostgresCorrectionStore(await database());
    await expect(
      store.append([opened('c-1'), { ...opened('c-2'), proposed: undefined } as never]),
    ).rejects.toMatchObject({
      code: 'feedback/invalid_event',
      details: { path: 'events[1].proposed' },
    });
    await expect(store.append({} as never)).rejects.toMatchObject({
      code: 'feedback/invalid_event',
      details: { path: 'events' },
    });
    await expect(store.read('')).rejects.toMatchObject({ code: 'feedback/invalid_event' });
    expect(await store.read('cus_1')).toEqual([]);
  });

  it.skipIf(skip)('records one decision when desks on two instances decide at once', async () => {
    const first = await database();
    const second = await database({ schema: first.schema });
    const desks = [first, second].map((db) =>
      createCorrectionDesk({
        store: createPostgresCorrectionStore(db),
        facts: async () => [card],
        clock: { now: () => T0 },
      }),
    );
    const [a, b] = desks as [(typeof desks)[0], (typeof desks)[0]];
    await a.open({ id: 'c-1', subject: 'cus_1', path: 'card.expiresAt', proposed: '2028-03-31' });
    const results = await Promise.allSettled([
      a.accept({ id: 'c-1', subject: 'cus_1' }),
      b.reject({ id: 'c-1', subject: 'cus_1', reason: 'The bank disagrees.' }),
    ]);
    const events = await createPostgresCorrectionStore(first).read('cus_1');
    const decisions = events.filter((e) => e.type !== 'opened');
    expect(decisions).toHaveLength(1);
    // Whichever came first stands: a desk that lost the race says so, or refuses the transition.
    for (const result of results)
      if (result.status === 'fulfilled') expect(result.value.status).toBe(decisions[0]?.type);
      else expect(result.reason).toMatchObject({ code: 'feedback/invalid_transition' });
    expect((await b.corrections('cus_1'))[0]?.status).toBe(decisions[0]?.type);
  });
});
