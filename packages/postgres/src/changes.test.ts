import { type ChangeRecord, duration, isCandorError } from '@candor/core';
import { type ChangePort, createRuleEngine, type Proposal, type Rule } from '@candor/rules';
import { describe, expect, it } from 'vitest';
import { allowAll } from '../../../test-utils/gates.ts';
import { createPostgresChangeLog } from './changes';
import { driverCases, useTestDatabases } from './drivers.test-helpers';

const T0 = Date.UTC(2026, 5, 1, 12);
const performed = (changeId: string, subject = 'cus_1'): ChangeRecord => ({
  id: `${changeId}:performed`,
  changeId,
  kind: 'performed',
  subject,
  decisionId: `prop_${changeId}`,
  type: 'booking.rebook',
  purpose: 'service.automatic_changes',
  at: T0,
  undoUntil: T0 + 4 * duration.hour,
  details: { from: 'LH400', to: 'LH398' },
});
const closed = (changeId: string, kind: 'undone' | 'expired', at: number): ChangeRecord => {
  const { details: _, ...rest } = performed(changeId);
  return { ...rest, id: `${changeId}:closed`, kind, at };
};

const codeOf = async (run: Promise<unknown>) => {
  try {
    await run;
    return 'no error';
  } catch (error) {
    return isCandorError(error) ? error.code : String(error);
  }
};

const rebook: Rule = {
  id: 'storm-rebooking',
  version: 1,
  purpose: 'service.proactive_support',
  dataCategories: ['user.travel.itinerary'],
  trigger: { type: 'event', events: ['flight.weather_risk'] },
  action: { type: 'notify', channel: 'push', topic: 'travel.disruption' },
  change: { type: 'booking.rebook', purpose: 'service.automatic_changes', undoWithin: '4h' },
};

describe.each(driverCases)('change log on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);

  it.skipIf(skip)('keeps each customer’s change records in order, each once', async () => {
    const log = createPostgresChangeLog(await database());
    await log.append(performed('chg_1'));
    await log.append(performed('chg_2', 'cus_2'));
    await log.append(closed('chg_1', 'undone', T0 + duration.hour));
    // A retried write of the same record is harmless.
    await log.append(performed('chg_1'));
    expect(await log.list('cus_1')).toEqual([
      performed('chg_1'),
      closed('chg_1', 'undone', T0 + duration.hour),
    ]);
    expect(await log.list('cus_2')).toEqual([performed('chg_2', 'cus_2')]);
    expect(await log.list('cus_3')).toEqual([]);
  });

  it.skipIf(skip)('refuses a different record under a stored id, and a malformed one', async () => {
    const log = createPostgresChangeLog(await database());
    await log.append(closed('chg_1', 'undone', T0 + duration.hour));
    expect(await codeOf(log.append(closed('chg_1', 'expired', T0 + 4 * duration.hour)))).toBe(
      'core/invalid_input',
    );
    expect(
      await codeOf(log.append({ ...performed('chg_2'), undoUntil: T0 - 1 } as ChangeRecord)),
    ).toBe('core/invalid_input');
    expect(await codeOf(log.append({ ...performed('chg_3'), surprise: 1 } as never))).toBe(
      'core/invalid_input',
    );
    expect(await codeOf(log.list(42 as never))).toBe('core/invalid_input');
    expect(await log.list('cus_1')).toEqual([closed('chg_1', 'undone', T0 + duration.hour)]);
  });

  it.skipIf(skip)('closes a change once when two instances race to close it', async () => {
    const first = await database();
    const second = await database({ schema: first.schema });
    const [a, b] = [createPostgresChangeLog(first), createPostgresChangeLog(second)];
    await a.append(performed('chg_1'));
    const results = await Promise.allSettled([
      a.append(closed('chg_1', 'undone', T0 + 4 * duration.hour - 1)),
      b.append(closed('chg_1', 'expired', T0 + 4 * duration.hour)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const records = await b.list('cus_1');
    expect(records.filter((r) => r.kind !== 'performed')).toHaveLength(1);
  });

  it.skipIf(skip)('lets one holder at a time claim an undo, until its lease ends', async () => {
    const first = await database();
    const second = await database({ schema: first.schema });
    const [a, b] = [createPostgresChangeLog(first), createPostgresChangeLog(second)];
    const claim = (holder: string, until: number) => ({ changeId: 'chg_1', holder, until });
    expect(await a.claimUndo?.(claim('a', T0 + 60_000), T0)).toBe(true);
    expect(await b.claimUndo?.(claim('b', T0 + 60_000), T0 + 1)).toBe(false);
    // Its lease ended (its holder died mid-undo): another may take it.
    expect(await b.claimUndo?.(claim('b', T0 + 120_000), T0 + 60_000)).toBe(true);
    // Its holder, still undoing, renews it: past the old end, it is still held.
    expect(await b.claimUndo?.(claim('b', T0 + 150_000), T0 + 90_000)).toBe(true);
    expect(await a.claimUndo?.(claim('a', T0 + 190_000), T0 + 130_000)).toBe(false);
    // Dropping a claim one no longer holds leaves the holder's.
    await a.releaseUndo?.(claim('a', T0 + 60_000));
    expect(await a.claimUndo?.(claim('a', T0 + 180_000), T0 + 60_001)).toBe(false);
    await b.releaseUndo?.(claim('b', T0 + 120_000));
    expect(await a.claimUndo?.(claim('a', T0 + 180_000), T0 + 60_001)).toBe(true);
  });

  it.skipIf(skip)(
    'runs the app’s undo once when two instances undo one change at the same instant',
    async () => {
      const first = await database();
      const second = await database({ schema: first.schema });
      let undos = 0;
      const engineOn = (log: ReturnType<typeof createPostgresChangeLog>) =>
        createRuleEngine({
          rules: [rebook],
          consent: allowAll,
          clock: { now: () => T0 },
          changes: {
            log,
            perform: async () => ({ from: 'LH400', to: 'LH398' }),
            async undo() {
              undos++;
              // Long enough for the other instance to read the change as still undoable.
              await new Promise((resolve) => setTimeout(resolve, 50));
            },
          },
        });
      const a = engineOn(createPostgresChangeLog(first));
      const b = engineOn(createPostgresChangeLog(second));
      const [p] = (await a.process({
        id: 'e1',
        type: 'flight.weather_risk',
        subject: 'cus_1',
        at: T0,
        facts: [],
      })) as [Proposal];
      const changeId = `${p.id}:change`;
      const results = await Promise.allSettled([
        a.undoChange('cus_1', changeId),
        b.undoChange('cus_1', changeId),
      ]);
      expect(undos).toBe(1);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(isCandorError(refused.reason) && refused.reason.code).toBe('rules/undo_in_progress');
      expect((await b.changes('cus_1')).map((r) => r.kind)).toEqual(['performed', 'undone']);
      // The claim went with the recorded undo.
      expect(await first.driver.query(`select * from ${first.table('undo_claims')}`)).toEqual([]);
    },
  );

  it.skipIf(skip)(
    'lets a customer undo on one instance what a rule did on another, once, inside the window',
    async () => {
      const first = await database();
      const second = await database({ schema: first.schema });
      let now = T0;
      const flights = new Map([['cus_1', 'LH400']]);
      const engineOn = (log: ReturnType<typeof createPostgresChangeLog>) => {
        const port: ChangePort = {
          log,
          async perform({ subject }) {
            flights.set(subject, 'LH398');
            return { from: 'LH400', to: 'LH398' };
          },
          async undo(record) {
            flights.set(record.subject, 'LH400');
          },
        };
        return createRuleEngine({
          rules: [rebook],
          consent: allowAll,
          clock: { now: () => now },
          changes: port,
        });
      };
      const a = engineOn(createPostgresChangeLog(first));
      const b = engineOn(createPostgresChangeLog(second));
      const event = (id: string) => ({
        id,
        type: 'flight.weather_risk',
        subject: 'cus_1',
        at: now,
        facts: [],
      });
      const [p] = (await a.process(event('e1'))) as [Proposal];
      expect(p.change?.status).toBe('performed');
      expect(flights.get('cus_1')).toBe('LH398');
      const changeId = `${p.id}:change`;
      now = T0 + duration.hour;
      expect((await b.undoChange('cus_1', changeId)).kind).toBe('undone');
      expect(flights.get('cus_1')).toBe('LH400');
      expect(await codeOf(a.undoChange('cus_1', changeId))).toBe('rules/already_undone');

      // A second change, whose window ends unused: the expiry one instance records, the other sees.
      flights.set('cus_1', 'LH400');
      const [q] = (await a.process(event('e2'))) as [Proposal];
      now += 5 * duration.hour;
      expect((await b.changes('cus_1')).map((r) => r.kind)).toEqual([
        'performed',
        'undone',
        'performed',
        'expired',
      ]);
      expect(await codeOf(a.undoChange('cus_1', `${q.id}:change`))).toBe('rules/undo_expired');
      expect(flights.get('cus_1')).toBe('LH398');
    },
  );
});
