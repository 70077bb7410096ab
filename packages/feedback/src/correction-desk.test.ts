import { createVirtualClock, type Fact, isCandorError, type JsonValue } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCorrectionDesk } from './correction-desk';
import { createMemoryCorrectionStore } from './correction-store';

const observedAt = Date.parse('2026-05-01T00:00:00Z');
const held: Fact[] = [
  {
    id: 'f-country',
    path: 'account.homeCountry',
    category: 'user.location.approximate',
    value: 'PT',
    provenance: { source: 'account', kind: 'stated', observedAt, party: 'first' },
  },
];

function setup() {
  const clock = createVirtualClock('2026-05-03T09:00:00Z');
  const store = createMemoryCorrectionStore();
  const desk = createCorrectionDesk({
    clock,
    store,
    facts: (subject) => (subject === 'cus_1' ? held : []),
  });
  const open = () =>
    desk.open({ id: 'c-1', subject: 'cus_1', path: 'account.homeCountry', proposed: 'ES' });
  return { clock, store, desk, open };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isCandorError(error)) return error.code;
    throw error;
  }
  return 'resolved';
}

describe('a correction desk', () => {
  it('opens a correction naming the held fact, its category and both values', async () => {
    const { desk, open, clock } = setup();
    const opened = await open();
    expect(opened).toMatchObject({
      id: 'c-1',
      path: 'account.homeCountry',
      category: 'user.location.approximate',
      current: 'PT',
      proposed: 'ES',
      status: 'open',
      reason: null,
      openedAt: clock.now(),
      decidedAt: null,
    });
    expect(await desk.corrections('cus_1')).toEqual([opened]);
  });

  it('refuses a fact the customer does not have, and writes nothing', async () => {
    const { desk, store } = setup();
    const attempt = desk.open({ id: 'c-1', subject: 'cus_1', path: 'card.last4', proposed: '1' });
    await expect(attempt).rejects.toMatchObject({
      code: 'feedback/unknown_fact',
      details: { path: 'input.path', value: 'card.last4' },
    });
    const other = desk.open({
      id: 'c-2',
      subject: 'cus_2',
      path: 'account.homeCountry',
      proposed: 'ES',
    });
    expect(await codeOf(other)).toBe('feedback/unknown_fact');
    expect(await store.read('cus_1')).toEqual([]);
    expect(await store.read('cus_2')).toEqual([]);
  });

  it('refuses bad input with typed errors and writes nothing', async () => {
    const { desk, store } = setup();
    const base = { id: 'c-1', subject: 'cus_1', path: 'account.homeCountry' };
    expect(await codeOf(desk.open({ ...base, proposed: 'PT' }))).toBe('feedback/invalid_event');
    expect(await codeOf(desk.open({ ...base, proposed: Number.NaN }))).toBe(
      'feedback/invalid_event',
    );
    expect(await codeOf(desk.open({ ...base, id: '' as string, proposed: 'ES' }))).toBe(
      'feedback/invalid_event',
    );
    expect(await codeOf(desk.open(null as never))).toBe('feedback/invalid_event');
    expect(await store.read('cus_1')).toEqual([]);
  });

  it('refuses a value of another kind than the one held, or holding control characters', async () => {
    const { desk, store } = setup();
    const base = { id: 'c-1', subject: 'cus_1', path: 'account.homeCountry' };
    for (const [proposed, path, message] of [
      [{ '<b>': ['x'] }, 'input.proposed', 'must be text, as the value held'],
      [true, 'input.proposed', 'must be text'],
      ['Spain\u0007\u202e', 'input.proposed', 'must not hold control characters'],
    ] as const)
      await expect(desk.open({ ...base, proposed: proposed as JsonValue })).rejects.toMatchObject({
        code: 'feedback/invalid_event',
        message: expect.stringContaining(message),
        details: expect.objectContaining({ path }),
      });
    await expect(
      desk.open({ ...base, proposed: 'ES', note: 'see \u202egnp.exe' }),
    ).rejects.toMatchObject({
      details: expect.objectContaining({ path: 'input.note' }),
    });
    expect(await store.read('cus_1')).toEqual([]);
    // The app's own check comes after the desk's.
    const checked = createCorrectionDesk({
      facts: () => held,
      store,
      check: (fact, proposed) =>
        fact.path === 'account.homeCountry' && !/^[A-Z]{2}$/.test(String(proposed))
          ? 'must be a country'
          : null,
    });
    await expect(checked.open({ ...base, proposed: 'Atlantis' })).rejects.toMatchObject({
      message: 'input.proposed: must be a country',
      details: expect.objectContaining({ path: 'input.proposed' }),
    });
    expect(await store.read('cus_1')).toEqual([]);
    expect((await checked.open({ ...base, proposed: 'ES' })).proposed).toBe('ES');
    // Nothing, to say it should not be held; a note may run over lines.
    expect(
      (await desk.open({ ...base, id: 'c-2', proposed: null, note: 'I moved.\nNo longer there.' }))
        .proposed,
    ).toBeNull();
  });

  it('accepts once: accepting again changes nothing and records nothing', async () => {
    const { desk, store, open, clock } = setup();
    await open();
    clock.advance(60_000);
    const accepted = await desk.accept({ subject: 'cus_1', id: 'c-1', reason: 'Updated, thanks.' });
    expect(accepted).toMatchObject({
      status: 'accepted',
      reason: 'Updated, thanks.',
      decidedAt: clock.now(),
    });
    clock.advance(60_000);
    expect(await desk.accept({ subject: 'cus_1', id: 'c-1' })).toEqual(accepted);
    expect(await store.read('cus_1')).toHaveLength(2);
  });

  it('rejects with a reason, and refuses to turn a decision around', async () => {
    const { desk, open } = setup();
    await open();
    expect(await codeOf(desk.reject({ subject: 'cus_1', id: 'c-1', reason: '  ' }))).toBe(
      'feedback/invalid_event',
    );
    const rejected = await desk.reject({
      subject: 'cus_1',
      id: 'c-1',
      reason: 'Your passport says Portugal.',
    });
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'Your passport says Portugal.' });
    await expect(desk.accept({ subject: 'cus_1', id: 'c-1' })).rejects.toMatchObject({
      code: 'feedback/invalid_transition',
      details: { path: 'input.id', value: 'c-1' },
    });
    expect(await desk.corrections('cus_1')).toEqual([rejected]);
  });

  it('names an unknown correction', async () => {
    const { desk } = setup();
    await expect(desk.accept({ subject: 'cus_1', id: 'nope' })).rejects.toMatchObject({
      code: 'feedback/unknown_correction',
      details: { value: 'nope' },
    });
  });

  it('treats the same id as the same correction, and a different one as a conflict', async () => {
    const { desk, store, open } = setup();
    const first = await open();
    expect(await open()).toEqual(first);
    const other = desk.open({
      id: 'c-1',
      subject: 'cus_1',
      path: 'account.homeCountry',
      proposed: 'FR',
    });
    expect(await codeOf(other)).toBe('feedback/idempotency_conflict');
    expect(await store.read('cus_1')).toHaveLength(1);
  });

  it('lets only one of two simultaneous decisions count', async () => {
    const { desk, open } = setup();
    await open();
    const results = await Promise.allSettled([
      desk.accept({ subject: 'cus_1', id: 'c-1' }),
      desk.reject({ subject: 'cus_1', id: 'c-1', reason: 'No.' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((await desk.corrections('cus_1'))[0]?.status).toBe('accepted');
  });
});

describe('a correction desk, under any sequence of steps', () => {
  it('records at most one decision per correction, and the first one stands', async () => {
    const step = fc.record({
      op: fc.constantFrom('open', 'accept', 'reject'),
      id: fc.constantFrom('c-1', 'c-2'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
        const { desk, store, clock } = setup();
        const model = new Map<string, 'open' | 'accepted' | 'rejected'>();
        for (const { op, id } of steps) {
          clock.advance(1000);
          const base = { subject: 'cus_1', id };
          const run =
            op === 'open'
              ? desk.open({ ...base, path: 'account.homeCountry', proposed: 'ES' })
              : op === 'accept'
                ? desk.accept(base)
                : desk.reject({ ...base, reason: 'No.' });
          const code = await codeOf(run);
          const before = model.get(id);
          const wanted = op === 'open' ? 'open' : op === 'accept' ? 'accepted' : 'rejected';
          if (before === undefined) {
            expect(code).toBe(op === 'open' ? 'resolved' : 'feedback/unknown_correction');
            if (op === 'open') model.set(id, 'open');
          } else if (op === 'open' || before === wanted) expect(code).toBe('resolved');
          else if (before === 'open') {
            expect(code).toBe('resolved');
            model.set(id, wanted);
          } else expect(code).toBe('feedback/invalid_transition');
        }
        const events = await store.read('cus_1');
        for (const [id, status] of model) {
          const mine = events.filter((e) => e.correctionId === id);
          expect(mine.filter((e) => e.type === 'opened')).toHaveLength(1);
          expect(mine.filter((e) => e.type !== 'opened')).toHaveLength(status === 'open' ? 0 : 1);
        }
        const states = await desk.corrections('cus_1');
        expect(Object.fromEntries(states.map((c) => [c.id, c.status]))).toEqual(
          Object.fromEntries(model),
        );
      }),
      { numRuns: 60 },
    );
  });
});
