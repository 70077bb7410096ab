import { createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { purposes } from '../test/fixtures';
import { createConsentManager } from './manager';
import { createMemoryLedgerStore } from './store';

// No per-category choice, however dated, lapsed or nested, lets through a decision that a
// withdrawal, refusal or objection still in force denies. The model keeps, per part of
// `user.behavior` (its two children below and the rest of it), what the latest choice in force
// says; a category grant that runs out gives the part back to what it replaced.

const START = Date.parse('2026-05-01T09:00:00Z');
const parent = 'user.behavior';
const children = ['user.behavior.purchase_history', 'user.behavior.returns'];
const partsOf = (category: string | null) =>
  category === null || category === parent ? [0, 1, 2] : [children.indexOf(category)];

/** What a part's latest choice says: follow the purpose, a grant (until `until`), or not. */
type Part =
  | { readonly is: 'purpose' }
  | {
      readonly is: 'granted';
      readonly until: number | null;
      readonly before: Part;
      readonly objection: number | null;
    }
  | { readonly is: 'restricted'; readonly at: number };

interface Step {
  readonly kind: 'grant' | 'withdraw' | 'refuse' | 'object';
  readonly category: string | null;
  /** Minutes the choice is dated before it is recorded (category choices only). */
  readonly backdated: number;
  /** Minutes a category grant runs (null: no end). */
  readonly runs: number | null;
  readonly later: number;
}

const step: fc.Arbitrary<Step> = fc
  .record({
    kind: fc.constantFrom('grant', 'withdraw', 'refuse', 'object'),
    category: fc.constantFrom(null, parent, ...children),
    backdated: fc.integer({ min: 0, max: 3 }),
    runs: fc.option(fc.integer({ min: 1, max: 6 })),
    later: fc.integer({ min: 1, max: 4 }),
  })
  // Whole-purpose choices are dated when made and have no end; no whole-purpose objection.
  .filter((s) => s.category !== null || s.kind === 'grant' || s.kind === 'withdraw')
  .map((s) => (s.category === null ? { ...s, backdated: 0, runs: null } : s));

it('never allows a decision a restriction still in force denies (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: 1, maxLength: 8 }),
      fc.nat(8),
      async (steps, wait) => {
        const clock = createVirtualClock(START);
        const manager = createConsentManager({ purposes, clock, jurisdiction: 'FR' });
        let purposeGranted = false;
        const parts: Part[] = [{ is: 'purpose' }, { is: 'purpose' }, { is: 'purpose' }];
        const objections: (number | null)[] = [null, null, null];
        for (const s of steps) {
          clock.advance(s.later * duration.minute);
          const at = clock.now() - s.backdated * duration.minute;
          const until = s.runs === null ? null : at + s.runs * duration.minute;
          await manager[s.kind]({
            subject: 's',
            purposes: 'ads.targeted',
            at,
            ...(s.category === null ? {} : { dataCategories: [s.category] }),
            ...(s.kind === 'grant' && until !== null ? { expiresAt: until } : {}),
          });
          if (s.category === null) purposeGranted = s.kind === 'grant';
          for (const p of partsOf(s.category)) {
            const part = parts[p]!;
            if (s.kind === 'object') objections[p] = at;
            else if (s.kind !== 'grant') parts[p] = { is: 'restricted', at };
            else if (part.is === 'restricted' && at < part.at) {
              // A grant dated before the restriction lifts nothing of it.
            } else {
              const objection = objections[p]!;
              if (objection !== null && at >= objection) objections[p] = null;
              parts[p] =
                s.category === null
                  ? { is: 'purpose' }
                  : { is: 'granted', until, before: part, objection };
            }
          }
        }
        clock.advance(wait * duration.minute);
        const t = clock.now();
        /** Whether the part may be used at `t`: a lapsed grant gives it back to what it replaced. */
        const allowed = (part: Part, objection: number | null): boolean => {
          if (part.is === 'granted' && part.until !== null && part.until <= t)
            return allowed(part.before, part.objection ?? objection);
          if (objection !== null || part.is === 'restricted') return false;
          return part.is === 'granted' || purposeGranted;
        };
        for (const category of [parent, ...children]) {
          const verdict = manager.decide({
            subject: 's',
            purpose: 'ads.targeted',
            dataCategories: [category],
          });
          if (verdict.allowed)
            for (const p of partsOf(category))
              expect(allowed(parts[p]!, objections[p]!)).toBe(true);
        }
      },
    ),
    { numRuns: 400 },
  );
});

it('a long-running manager answers as one loaded afresh, whatever ran out meanwhile (property)', async () => {
  const change = fc.record({
    kind: fc.constantFrom('grant', 'withdraw', 'refuse', 'object', 'renew'),
    category: fc.constantFrom(null, parent, ...children),
    backdated: fc.integer({ min: 0, max: 3 }),
    runs: fc.option(fc.integer({ min: 1, max: 6 })),
    later: fc.integer({ min: 0, max: 4 }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 7 }), async (changes) => {
      const clock = createVirtualClock(START);
      const store = createMemoryLedgerStore();
      const running = createConsentManager({ purposes, clock, jurisdiction: 'FR', store });
      const ask = (m: typeof running) =>
        [[], [parent], ...children.map((c) => [c])].map((dataCategories) => {
          const v = m.decide({ subject: 's', purpose: 'ads.targeted', dataCategories });
          return [v.allowed, v.reasons[0]?.code];
        });
      for (const c of changes) {
        const at = clock.now() - c.backdated * duration.minute;
        const until = c.runs === null ? {} : { expiresAt: clock.now() + c.runs * duration.minute };
        if (c.kind === 'renew')
          await running.renew({ subject: 's', purposes: 'ads.targeted', at, ...until });
        else
          await running[c.kind]({
            subject: 's',
            purposes: 'ads.targeted',
            at,
            ...(c.category === null ? {} : { dataCategories: [c.category] }),
            ...(c.kind === 'grant' ? until : {}),
          });
        ask(running); // answered (and kept) now, asked again later
        clock.advance(c.later * duration.minute);
        const fresh = createConsentManager({ purposes, clock, jurisdiction: 'FR', store });
        await fresh.load();
        expect(ask(running)).toEqual(ask(fresh));
      }
    }),
    { numRuns: 300 },
  );
});
