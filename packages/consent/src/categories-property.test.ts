import { createVirtualClock, duration } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { purposes } from '../test/fixtures';
import { createConsentManager } from './manager';
import { createMemoryLedgerStore } from './store';

// Properties of per-category consent: a category withdrawal denies exactly the decisions that
// use the category; granting it back restores them; several instances on one store agree.

const START = Date.parse('2026-05-01T09:00:00Z');
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The categories a decision for targeted ads may use: declared ones and some within them. */
const adCategories = [
  'user.behavior',
  'user.behavior.purchase_history',
  'user.behavior.returns',
  'user.location',
  'user.location.approximate',
  'user.location.precise',
] as const;
const overlaps = (a: string, b: string) =>
  a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

describe('withdrawing a data category (property)', () => {
  it('denies every decision that uses it and no other; granting it back restores', async () => {
    const decision = fc.uniqueArray(fc.constantFrom(...adCategories), {
      minLength: 1,
      maxLength: 3,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...adCategories),
        fc.array(decision, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('FR', 'US-CA'),
        async (withdrawn, decisions, jurisdiction) => {
          const clock = createVirtualClock(START);
          const manager = createConsentManager({ purposes, clock, jurisdiction });
          await manager.grant({ subject: 's', purposes: 'ads.targeted' });
          const ask = (dataCategories: readonly string[]) =>
            manager.decide({ subject: 's', purpose: 'ads.targeted', dataCategories });
          clock.advance(duration.minute);
          await manager.withdraw({
            subject: 's',
            purposes: 'ads.targeted',
            dataCategories: [withdrawn],
          });
          for (const categories of decisions) {
            const uses = categories.find((c) => overlaps(c, withdrawn));
            const verdict = ask(categories);
            expect(verdict.allowed).toBe(uses === undefined);
            if (uses !== undefined) {
              expect(verdict.reasons[0]).toMatchObject({ code: 'withdrawn', dataCategory: uses });
            }
            // Other purposes are untouched.
            expect(
              manager.decide({
                subject: 's',
                purpose: 'analytics.measurement',
                dataCategories: categories.filter((c) => c.startsWith('user.behavior')),
              }).reasons[0]?.code,
            ).not.toBe('withdrawn');
          }
          clock.advance(duration.minute);
          await manager.grant({
            subject: 's',
            purposes: 'ads.targeted',
            dataCategories: [withdrawn],
          });
          // Every decision is restored: the grant lifts the withdrawal, and the rest of a wider
          // category than the one withdrawn was never lost.
          for (const categories of decisions) expect(ask(categories).allowed).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

type Op =
  | { kind: 'grant' | 'withdraw'; categories: null }
  | { kind: 'grant' | 'withdraw' | 'refuse'; categories: readonly string[] };

/** What the README promises: per category, the latest choice that speaks for it wins. */
function model(ops: readonly Op[], categories: readonly string[]): boolean {
  let base = false;
  const own = new Map<string, boolean>();
  for (const op of ops) {
    if (op.categories === null) {
      base = op.kind === 'grant';
      own.clear();
    } else for (const c of op.categories) own.set(c, op.kind === 'grant');
  }
  return categories.every((c) => own.get(c) ?? base);
}

describe('several instances on one store (property)', () => {
  it('every instance, cached or not, answers as the model once it has heard the change', async () => {
    const contact = 'user.contact.email';
    const history = 'user.behavior.purchase_history';
    const op = fc.oneof(
      fc.record({ kind: fc.constantFrom('grant', 'withdraw'), categories: fc.constant(null) }),
      fc.record({
        kind: fc.constantFrom('grant', 'withdraw', 'refuse'),
        categories: fc.uniqueArray(fc.constantFrom(contact, history), { minLength: 1 }),
      }),
    ) as fc.Arbitrary<Op>;
    const step = fc.record({
      op,
      on: fc.constantFrom('a', 'b'),
      subject: fc.constantFrom('s1', 's2'),
      settle: fc.boolean(),
    });
    const questions = [[contact], [history], [contact, history]] as const;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        const store = createMemoryLedgerStore();
        const clock = createVirtualClock(START);
        const options = { purposes, store, clock, jurisdiction: 'FR' } as const;
        const a = createConsentManager(options);
        const b = createConsentManager(options);
        const cached = createConsentManager({ ...options, cache: { maxSubjects: 1 } });
        await Promise.all([a.load(), b.load(), cached.load()]);
        const managers = { a, b };
        const history_: Record<string, Op[]> = { s1: [], s2: [] };
        for (const { op, on, subject, settle } of steps) {
          clock.advance(duration.minute);
          const input = {
            subject,
            purposes: 'marketing.email' as const,
            ...(op.categories ? { dataCategories: op.categories } : {}),
          };
          await managers[on][op.kind](input);
          history_[subject]!.push(op);
          if (settle) await tick();
          for (const s of ['s1', 's2']) {
            for (const dataCategories of questions) {
              const expected = model(history_[s]!, dataCategories);
              const query = { subject: s, purpose: 'marketing.email', dataCategories } as const;
              // The writer knows at once; no instance allows what the model forbids.
              if (s === subject) expect(managers[on].decide(query).allowed).toBe(expected);
              for (const m of [a, b]) if (m.decide(query).allowed) expect(expected).toBe(true);
            }
          }
        }
        await tick();
        for (const s of ['s1', 's2']) {
          await cached.prepare(s);
          for (const dataCategories of questions) {
            const expected = model(history_[s]!, dataCategories);
            const query = { subject: s, purpose: 'marketing.email', dataCategories } as const;
            expect(a.decide(query).allowed).toBe(expected);
            expect(b.decide(query).allowed).toBe(expected);
            expect(cached.decide(query).allowed).toBe(expected);
          }
        }
        for (const m of [a, b, cached]) m.close();
      }),
      { numRuns: 80 },
    );
  });
});

describe('choices about a category and the categories within it (property)', () => {
  // `user.behavior` holds the two categories below and the rest of itself: a choice about
  // `user.behavior` speaks for all three parts, a choice about a child for its part only.
  const parent = 'user.behavior';
  const children = ['user.behavior.purchase_history', 'user.behavior.returns'] as const;
  const partsOf = (category: string) =>
    category === parent ? [0, 1, 2] : [children.indexOf(category as never)];
  type Step = { kind: 'grant' | 'withdraw' | 'refuse'; category: string | null };

  it('a decision is allowed when every part it uses is granted, and a denial cites a choice in force', async () => {
    const step = fc.record({
      kind: fc.constantFrom('grant', 'withdraw', 'refuse'),
      category: fc.constantFrom(null, parent, ...children),
    }) as fc.Arbitrary<Step>;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const clock = createVirtualClock(START);
        const manager = createConsentManager({ purposes, clock, jurisdiction: 'FR' });
        // Each part: granted or not, and the record of the choice that says so (null: none).
        const parts = [0, 1, 2].map(() => ({ granted: false, record: null as string | null }));
        for (const { kind, category } of steps) {
          clock.advance(duration.minute);
          const { entry } = await manager[kind]({
            subject: 's',
            purposes: 'ads.targeted',
            ...(category === null ? {} : { dataCategories: [category] }),
          });
          for (const p of category === null ? [0, 1, 2] : partsOf(category))
            parts[p] = { granted: kind === 'grant', record: entry.id };
        }
        for (const category of [parent, ...children]) {
          const verdict = manager.decide({
            subject: 's',
            purpose: 'ads.targeted',
            dataCategories: [category],
          });
          const denying = partsOf(category)
            .map((p) => parts[p]!)
            .filter((p) => !p.granted);
          expect(verdict.allowed).toBe(denying.length === 0);
          if (denying.length > 0 && denying.every((p) => p.record !== null))
            expect(denying.map((p) => p.record)).toContain(verdict.reasons[0]?.recordId);
        }
      }),
      { numRuns: 300 },
    );
  });
});
