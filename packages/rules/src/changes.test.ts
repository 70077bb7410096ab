import {
  createMemoryChangeLog,
  createVirtualClock,
  duration,
  isCandorError,
  toInstant,
} from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { factsOf, fakeConsent } from '../test/helpers';
import {
  type ChangePort,
  createRuleEngine,
  fact,
  type Proposal,
  parseRule,
  type Rule,
  type RuleEvent,
} from './index';

const T0 = toInstant('2026-06-01T12:00:00Z');

const change = {
  type: 'booking.rebook',
  purpose: 'service.automatic_changes',
  undoWithin: '4h',
} as const;
const rebook: Rule = {
  id: 'storm-rebooking',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.travel.itinerary'],
  trigger: { type: 'event', events: ['flight.weather_risk'] },
  conditions: fact('trip.layoverMinutes').lt(120),
  action: { type: 'notify', channel: 'push', topic: 'travel.disruption' },
  change,
};

let seq = 0;
const storm = (subject = 'cus_1', at = T0): RuleEvent => ({
  id: `evt_${++seq}`,
  type: 'flight.weather_risk',
  subject,
  at,
  timeZone: 'Europe/Berlin',
  facts: factsOf({ trip: { layoverMinutes: 55 } }, { trip: 'user.travel.itinerary' }),
});

/** A booking system: the app's side of the change port. */
function bookings(initial: Record<string, string>) {
  const flights = new Map(Object.entries(initial));
  const before = new Map<string, string>();
  const calls = { perform: 0, undo: 0 };
  const port: ChangePort = {
    log: createMemoryChangeLog(),
    async perform({ subject, changeId }) {
      calls.perform++;
      const from = flights.get(subject);
      if (from === undefined) throw new Error('no booking');
      before.set(changeId, from);
      flights.set(subject, `${from}-earlier`);
      return { from, to: `${from}-earlier` };
    },
    async undo(record) {
      calls.undo++;
      flights.set(record.subject, before.get(record.changeId) as string);
    },
  };
  return { flights, port, calls };
}

const setup = (grants: readonly string[] = ['service']) => {
  const clock = createVirtualClock(T0);
  const app = bookings({ cus_1: 'LH400' });
  const instance = () =>
    createRuleEngine({
      rules: [rebook],
      consent: fakeConsent({ cus_1: grants }),
      clock,
      changes: app.port,
    });
  // `other`: a second instance, its own engine on the same log and booking system.
  return { clock, app, engine: instance(), other: instance() };
};

const errorCode = async (run: Promise<unknown>) => {
  try {
    await run;
    return 'no error';
  } catch (error) {
    return isCandorError(error) ? error.code : String(error);
  }
};

describe('a rule that acts, then tells', () => {
  it('makes the change with the permission, records it and states the undo deadline', async () => {
    const { engine, app } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    expect(p.kind).toBe('proposal');
    expect(app.flights.get('cus_1')).toBe('LH400-earlier');
    expect(p.change).toEqual({
      status: 'performed',
      record: {
        id: `${p.id}:change:performed`,
        changeId: `${p.id}:change`,
        kind: 'performed',
        subject: 'cus_1',
        decisionId: p.id,
        type: 'booking.rebook',
        purpose: 'service.automatic_changes',
        at: T0,
        undoUntil: T0 + 4 * duration.hour,
        details: { from: 'LH400', to: 'LH400-earlier' },
      },
    });
    expect(await engine.changes('cus_1')).toEqual([
      p.change?.status === 'performed' && p.change.record,
    ]);
  });

  it('without the permission never acts: the message is an offer, saying why', async () => {
    const { engine, app } = setup(['service.proactive_support']);
    const [p] = (await engine.process(storm())) as [Proposal];
    expect(p.kind).toBe('proposal');
    expect(p.change).toMatchObject({ status: 'offered', reason: 'no_permission' });
    expect(p.change?.status === 'offered' && p.change.consent?.purpose).toBe(
      'service.automatic_changes',
    );
    expect(app.calls.perform).toBe(0);
    expect(app.flights.get('cus_1')).toBe('LH400');
    expect(await engine.changes('cus_1')).toEqual([]);
  });

  it('a default that merely allows (opt-out, not asked) is no permission to act', async () => {
    const app = bookings({ cus_1: 'LH400' });
    const gate = fakeConsent({ cus_1: ['service'] });
    const engine = createRuleEngine({
      rules: [rebook],
      consent: {
        decide: (q) => {
          const v = gate.decide(q);
          return q.purpose === 'service.automatic_changes'
            ? {
                ...v,
                status: 'not_asked',
                reasons: [{ code: 'default_opt_out_allowed', detail: 'allowed until you opt out' }],
              }
            : v;
        },
      },
      changes: app.port,
    });
    const [p] = (await engine.process(storm())) as [Proposal];
    expect(p.change).toMatchObject({ status: 'offered', reason: 'no_permission' });
    expect(app.calls.perform).toBe(0);
  });

  it('evaluate() never acts, and an engine without a change port only offers', async () => {
    const { engine, app } = setup();
    const [p] = engine.evaluate(storm()) as [Proposal];
    expect(p.change).toMatchObject({ status: 'offered', reason: 'not_acted' });
    expect(app.calls.perform).toBe(0);
    const bare = createRuleEngine({
      rules: [rebook],
      consent: fakeConsent({ cus_1: ['service'] }),
    });
    const [q] = (await bare.process(storm())) as [Proposal];
    expect(q.change).toMatchObject({ status: 'offered', reason: 'no_port' });
  });

  it('a change the port cannot make is an offer, and nothing is recorded', async () => {
    const app = bookings({});
    const engine = createRuleEngine({
      rules: [rebook],
      consent: fakeConsent({ cus_1: ['service'] }),
      changes: app.port,
    });
    const [p] = (await engine.process(storm())) as [Proposal];
    expect(p.change).toMatchObject({
      status: 'offered',
      reason: 'failed',
      detail: 'the change was not made: no booking',
    });
    expect(await engine.changes('cus_1')).toEqual([]);
  });

  it('undo inside the window restores the booking and records the undo', async () => {
    const { engine, app, clock } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
    clock.advance(4 * duration.hour - 1);
    const undone = await engine.undoChange('cus_1', changeId);
    expect(undone).toMatchObject({ kind: 'undone', changeId, at: T0 + 4 * duration.hour - 1 });
    expect(app.flights.get('cus_1')).toBe('LH400');
    expect(await errorCode(engine.undoChange('cus_1', changeId))).toBe('rules/already_undone');
    expect(app.calls.undo).toBe(1);
    expect((await engine.changes('cus_1')).map((r) => r.kind)).toEqual(['performed', 'undone']);
  });

  it('undo at or after the deadline is refused with the deadline; the expiry is recorded', async () => {
    const { engine, app, clock } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
    clock.advance(4 * duration.hour);
    const refused = await engine.undoChange('cus_1', changeId).catch((e: unknown) => e);
    expect(isCandorError(refused, 'rules/undo_expired')).toBe(true);
    expect((refused as Error).message).toBe(
      'changeId: the time to undo this change ended at 2026-06-01T16:00:00.000Z',
    );
    expect((refused as { details: object }).details).toMatchObject({
      undoUntil: T0 + 4 * duration.hour,
    });
    expect(app.calls.undo).toBe(0);
    expect(app.flights.get('cus_1')).toBe('LH400-earlier');
    const records = await engine.changes('cus_1');
    expect(records.map((r) => [r.kind, r.at])).toEqual([
      ['performed', T0],
      ['expired', T0 + 4 * duration.hour],
    ]);
  });

  it('the history records an expiry once, at the deadline, when nobody tried to undo', async () => {
    const { engine, clock } = setup();
    await engine.process(storm());
    clock.advance(5 * duration.hour);
    const first = await engine.changes('cus_1');
    expect(first.map((r) => [r.kind, r.at])).toEqual([
      ['performed', T0],
      ['expired', T0 + 4 * duration.hour],
    ]);
    expect(await engine.changes('cus_1')).toEqual(first);
  });

  it('two instances on one shared log run the app’s undo once; a failed undo can be retried', async () => {
    const { engine, app, other } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
    const undo = app.port.undo;
    let fail = true;
    app.port.undo = async (record) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail) throw new Error('booking system down');
      return undo(record);
    };
    // Failed: nothing recorded, and the claim is dropped, so the customer can try again at once.
    expect(await errorCode(engine.undoChange('cus_1', changeId))).toBe(
      'Error: booking system down',
    );
    fail = false;
    const results = await Promise.allSettled([
      engine.undoChange('cus_1', changeId),
      other.undoChange('cus_1', changeId),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isCandorError(refused.reason) && refused.reason.code).toBe('rules/undo_in_progress');
    expect(app.calls.undo).toBe(1);
    expect(app.flights.get('cus_1')).toBe('LH400');
    expect((await other.changes('cus_1')).map((r) => r.kind)).toEqual(['performed', 'undone']);
  });

  it('an undo begun inside the window and running past it is recorded, not its expiry', async () => {
    const { engine, app, clock, other } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
    const undo = app.port.undo;
    let finish: () => void = () => {};
    app.port.undo = async (record) => {
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return undo(record);
    };
    clock.advance(4 * duration.hour - 1);
    const undoing = engine.undoChange('cus_1', changeId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    clock.advance(1);
    // Past the deadline while the undo runs: neither instance records the expiry meanwhile.
    expect((await other.changes('cus_1')).map((r) => r.kind)).toEqual(['performed']);
    expect((await engine.changes('cus_1')).map((r) => r.kind)).toEqual(['performed']);
    expect(await errorCode(other.undoChange('cus_1', changeId))).toBe('rules/undo_expired');
    finish();
    expect((await undoing).kind).toBe('undone');
    expect(app.flights.get('cus_1')).toBe('LH400');
    expect((await other.changes('cus_1')).map((r) => r.kind)).toEqual(['performed', 'undone']);
  });

  it('records an undo the app made though the log failed once: a retry would undo again', async () => {
    const { engine, app, other } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
    const log = app.port.log as NonNullable<typeof app.port.log>;
    const append = log.append.bind(log);
    let failures = 1;
    log.append = async (record) => {
      if (record.kind === 'undone' && failures-- > 0) throw new Error('connection reset');
      return append(record);
    };
    expect((await engine.undoChange('cus_1', changeId)).kind).toBe('undone');
    expect(app.calls.undo).toBe(1);
    expect((await other.changes('cus_1')).map((r) => r.kind)).toEqual(['performed', 'undone']);
  });

  it('an undo the app made while the log is down is recorded when it is back; no second undo meanwhile', async () => {
    const { engine, app, clock, other } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
    const log = app.port.log as NonNullable<typeof app.port.log>;
    const append = log.append.bind(log);
    let down = true;
    log.append = async (record) => {
      if (record.kind === 'undone' && down) throw new Error('connection refused');
      return append(record);
    };
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const first = engine.undoChange('cus_1', changeId).catch((error) => error);
      await vi.advanceTimersByTimeAsync(2_500);
      // Undone, and the app told it is not recorded yet (with the record, to keep if it can).
      const told = await first;
      expect(isCandorError(told) && told.code).toBe('rules/undo_unrecorded');
      expect(told.details.record).toMatchObject({ changeId, kind: 'undone' });
      expect(app.flights.get('cus_1')).toBe('LH400');
      // A minute and a half later the log is still down: a retry, here or elsewhere, undoes nothing.
      clock.advance(90 * duration.second);
      await vi.advanceTimersByTimeAsync(90_000);
      expect(await errorCode(other.undoChange('cus_1', changeId))).toBe('rules/undo_in_progress');
      expect(await errorCode(engine.undoChange('cus_1', changeId))).toBe('rules/undo_in_progress');
      expect(app.calls.undo).toBe(1);
      down = false;
      await vi.advanceTimersByTimeAsync(5_000);
      expect((await other.changes('cus_1')).map((r) => r.kind)).toEqual(['performed', 'undone']);
      expect(await errorCode(other.undoChange('cus_1', changeId))).toBe('rules/already_undone');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    expect(app.calls.undo).toBe(1);
  });

  it('retrying the record of an undo stops before its claim ends, so none outlives it', async () => {
    const { engine, app, clock } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
    const log = app.port.log as NonNullable<typeof app.port.log>;
    const append = log.append.bind(log);
    log.append = async (record) => {
      if (record.kind === 'undone') throw new Error('connection refused');
      return append(record);
    };
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const first = errorCode(engine.undoChange('cus_1', changeId));
      clock.advance(2_500);
      await vi.advanceTimersByTimeAsync(2_500);
      expect(await first).toBe('rules/undo_unrecorded');
      // Each second for twelve minutes: whenever another could take the claim, no retry is pending.
      const freeWithRetries: number[] = [];
      let freedAt = -1;
      for (let s = 3.5; s <= 12 * 60; s += 1) {
        clock.advance(duration.second);
        await vi.advanceTimersByTimeAsync(1_000);
        const probe = { changeId, holder: 'probe', until: clock.now() + 1 };
        if (await log.claimUndo?.(probe, clock.now())) {
          await log.releaseUndo?.(probe);
          if (freedAt < 0) freedAt = s;
          if (vi.getTimerCount() > 0) freeWithRetries.push(s);
        }
      }
      expect(freeWithRetries).toEqual([]);
      // Held for about ten minutes, then given up (a log down that long is documented).
      expect(freedAt).toBeGreaterThan(9 * 60);
      expect(freedAt).toBeLessThanOrEqual(10 * 60);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an undo running past its claim’s first minute keeps it: no other instance starts it again', async () => {
    const { engine, app, clock, other } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
    const undo = app.port.undo;
    let finish: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      finish = resolve;
    });
    app.port.undo = async (record) => {
      await slow;
      return undo(record);
    };
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const undoing = engine.undoChange('cus_1', changeId);
      await new Promise((resolve) => setTimeout(resolve, 5));
      // Three minutes of a slow booking system, the claim renewed as time goes by.
      for (let s = 0; s < 180; s += 20) {
        clock.advance(20 * duration.second);
        vi.advanceTimersByTime(20_000);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const second = errorCode(other.undoChange('cus_1', changeId));
      finish();
      expect(await second).toBe('rules/undo_in_progress');
      expect((await undoing).kind).toBe('undone');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    expect(app.calls.undo).toBe(1);
    expect((await other.changes('cus_1')).map((r) => r.kind)).toEqual(['performed', 'undone']);
  });

  it('an undo that hangs stops renewing its claim after ten minutes, so another may try', async () => {
    const { engine, app, clock } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
    let finish: () => void = () => {};
    const hung = new Promise<void>((resolve) => {
      finish = resolve;
    });
    app.port.undo = () => hung;
    const log = app.port.log as NonNullable<typeof app.port.log>;
    const other = (now: number) => ({ changeId, holder: 'other', until: now + 60_000 });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const undoing = engine.undoChange('cus_1', changeId);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const heldAt: boolean[] = [];
      for (let s = 20; s <= 12 * 60; s += 20) {
        clock.advance(20 * duration.second);
        vi.advanceTimersByTime(20_000);
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (s === 9 * 60 || s === 12 * 60)
          heldAt.push(!(await log.claimUndo?.(other(clock.now()), clock.now())));
      }
      // Still held at nine minutes; let go by twelve (renewed for ten, then its lease ran out).
      expect(heldAt).toEqual([true, false]);
      finish();
      await undoing;
    } finally {
      vi.useRealTimers();
    }
  });

  it('an expiry another instance recorded while this one claimed the undo is respected', async () => {
    const { engine, app } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const performed = p.change?.status === 'performed' ? p.change.record : undefined;
    const log = app.port.log as NonNullable<typeof app.port.log>;
    const claim = log.claimUndo?.bind(log);
    // Between this instance's read and its claim, one whose clock is past the deadline closes it.
    log.claimUndo = async (c, now) => {
      const { details: _, ...rest } = performed!;
      await log.append({
        ...rest,
        id: `${rest.changeId}:closed`,
        kind: 'expired',
        at: rest.undoUntil,
      });
      return claim!(c, now);
    };
    expect(await errorCode(engine.undoChange('cus_1', performed!.changeId))).toBe(
      'rules/undo_expired',
    );
    expect(app.calls.undo).toBe(0);
    expect((await engine.changes('cus_1')).map((r) => r.kind)).toEqual(['performed', 'expired']);
  });

  it("refuses to undo another customer's change or one never made", async () => {
    const { engine } = setup();
    const [p] = (await engine.process(storm())) as [Proposal];
    const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
    expect(await errorCode(engine.undoChange('cus_2', changeId))).toBe('rules/unknown_change');
    expect(await errorCode(engine.undoChange('cus_1', 'nope'))).toBe('rules/unknown_change');
    expect(await errorCode(engine.undoChange('cus_1', 42 as never))).toBe('rules/invalid_rule');
  });

  it('validates a rule’s change, naming the path', () => {
    const bad = (input: unknown) => {
      try {
        parseRule({ ...rebook, change: input });
        return 'accepted';
      } catch (error) {
        return isCandorError(error) ? error.details.path : String(error);
      }
    };
    expect(bad({ ...change, undoWithin: '0s' })).toBe('rule.change.undoWithin');
    expect(bad({ ...change, purpose: 'Auto' })).toBe('rule.change.purpose');
    expect(bad({ ...change, type: '' })).toBe('rule.change.type');
    expect(bad({ ...change, extra: 1 })).toBe('rule.change.extra');
    expect(bad('rebook')).toBe('rule.change');
    expect(bad(change)).toBe('accepted');
  });
});

describe('properties', () => {
  it('acts only with both permissions; otherwise offers (or stays silent without the base purpose)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(['service.proactive_support', 'service.automatic_changes', 'marketing']),
        async (grants) => {
          const { engine, app } = setup(grants);
          const outcomes = await engine.process(storm());
          const base = grants.includes('service.proactive_support');
          const acting = base && grants.includes('service.automatic_changes');
          expect(app.calls.perform).toBe(acting ? 1 : 0);
          expect(app.flights.get('cus_1')).toBe(acting ? 'LH400-earlier' : 'LH400');
          const [o] = outcomes;
          if (!base) expect(o?.kind).toBe('suppression');
          else expect((o as Proposal).change?.status).toBe(acting ? 'performed' : 'offered');
        },
      ),
      { examples: [[['service.automatic_changes']], [['service.proactive_support']]] },
    );
  });

  it('undo inside the window restores exactly; at or after it is refused and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 48 * 60 }),
        fc.integer({ min: 0, max: 48 * 60 * 60_000 }),
        async (flight, windowMinutes, wait) => {
          const clock = createVirtualClock(T0);
          const app = bookings({ cus_1: flight });
          const engine = createRuleEngine({
            rules: [{ ...rebook, change: { ...change, undoWithin: `${windowMinutes}m` } }],
            consent: fakeConsent({ cus_1: ['service'] }),
            clock,
            changes: app.port,
          });
          const [p] = (await engine.process(storm())) as [Proposal];
          const changeId = p.change?.status === 'performed' ? p.change.record.changeId : '';
          clock.advance(wait);
          const inside = wait < windowMinutes * 60_000;
          const code = await errorCode(engine.undoChange('cus_1', changeId));
          expect(code).toBe(inside ? 'no error' : 'rules/undo_expired');
          expect(app.flights.get('cus_1')).toBe(inside ? flight : `${flight}-earlier`);
          expect((await engine.changes('cus_1')).map((r) => r.kind)).toEqual([
            'performed',
            inside ? 'undone' : 'expired',
          ]);
        },
      ),
      {
        examples: [
          ['LH400', 1, 60_000],
          ['LH400', 1, 59_999],
        ],
      },
    );
  });
});
