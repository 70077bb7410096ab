import { type ConsentVerdict, createVirtualClock, duration, type VirtualClock } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { purposes, type TestPurpose } from '../test/fixtures';
import type { ConsentSnapshot } from './contract';
import { toConsentMode } from './interop';
import { consentSchemaIssues } from './json-schema';
import { createConsentManager } from './manager';
import { buildConsentSnapshot } from './snapshot';
import { decideFromSnapshot } from './snapshot-decide';
import { createMemoryLedgerStore } from './store';
import type { ConsentManager } from './types';

const START = Date.parse('2026-05-01T09:00:00Z');

/** Categories a write or a decision may name: declared ones and some within them. */
const candidates = [
  'user.contact',
  'user.contact.email',
  'user.contact.address',
  'user.behavior',
  'user.behavior.purchase_history',
  'user.behavior.returns',
  'user.location',
  'user.location.approximate',
  'user.location.precise',
  'user.financial.card',
  'user.health.conditions',
];
const declaredBy = (purpose: TestPurpose) =>
  candidates.filter((c) => purposes.classify(purposes.get(purpose)!, c) !== 0);

type Step =
  | {
      kind: 'grant' | 'refuse' | 'withdraw' | 'object';
      purpose: TestPurpose;
      categories: number[];
      expiresIn: number | null;
      confirmed: boolean;
      wait: number;
    }
  | { kind: 'revoke' | 'renew' | 'expire'; purpose: TestPurpose; wait: number }
  | { kind: 'gpc'; on: boolean; wait: number };

const waits = [0, duration.minute, duration.day, 100 * duration.day, 200 * duration.day];
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('grant', 'refuse', 'withdraw', 'object'),
      purpose: fc.constantFrom(...purposes.ids),
      categories: fc.array(fc.nat(20), { maxLength: 2 }),
      expiresIn: fc.option(fc.constantFrom(2 * duration.minute, duration.hour, 3 * duration.day)),
      confirmed: fc.boolean(),
      wait: fc.constantFrom(...waits),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom('revoke', 'renew', 'expire'),
      purpose: fc.constantFrom(...purposes.ids),
      wait: fc.constantFrom(...waits),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('gpc'),
      on: fc.boolean(),
      wait: fc.constantFrom(...waits),
    }),
    weight: 1,
  },
) as fc.Arbitrary<Step>;

async function play(
  manager: ConsentManager<TestPurpose>,
  clock: VirtualClock,
  steps: readonly Step[],
) {
  for (const s of steps) {
    clock.advance(s.wait);
    if ('on' in s) {
      await manager.observeGpc({ subject: 's', gpc: s.on });
      continue;
    }
    if (!('categories' in s)) {
      await manager[s.kind]({ subject: 's', purposes: s.purpose });
      continue;
    }
    const own = declaredBy(s.purpose);
    const categories: string[] = [...new Set(s.categories.map((i) => own[i % own.length]!))];
    const input = {
      subject: 's',
      purposes: s.purpose,
      ...(categories.length > 0 ? { dataCategories: categories } : {}),
      ...(s.expiresIn !== null && (s.kind === 'grant' || s.kind === 'refuse')
        ? { expiresAt: clock.now() + s.expiresIn }
        : {}),
    } as const;
    if (s.kind === 'grant') await manager.grant({ ...input, confirmed: s.confirmed });
    else await manager[s.kind](input);
  }
}

/** Every question worth asking of a purpose: no category, each one, each ordered pair, an undeclared one. */
function questions(snapshot: ConsentSnapshot, purpose: string): string[][] {
  const listed = Object.keys(snapshot.purposes[purpose]?.categories ?? {});
  const out: string[][] = [[], ['user.unrelated']];
  for (const a of listed) {
    out.push([a], [a, 'user.unrelated']);
    for (const b of listed) if (a !== b) out.push([a, b]);
  }
  return out;
}

const comparable = (verdict: ConsentVerdict) => ({
  allowed: verdict.allowed,
  status: verdict.status,
  reason: verdict.reasons[0]?.code,
  expiresAt: verdict.expiresAt,
});

describe('buildConsentSnapshot (property)', () => {
  it('decides every purpose and category list as manager.decide() does, until validUntil', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 10 }),
        fc.constantFrom('FR', 'US-CA', 'BR'),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        async (steps, jurisdiction, later) => {
          const clock = createVirtualClock(START);
          const manager = createConsentManager({ purposes, clock, jurisdiction });
          await play(manager, clock, steps);
          const snapshot = buildConsentSnapshot(manager, 's');
          expect(
            consentSchemaIssues('ConsentSnapshot', JSON.parse(JSON.stringify(snapshot))),
          ).toEqual([]);
          const check = () => {
            expect(snapshot.consentMode).toEqual(toConsentMode(manager, purposes, 's'));
            for (const purpose of [...purposes.ids, 'marketing.unknown']) {
              for (const dataCategories of questions(snapshot, purpose)) {
                const expected = comparable(
                  manager.gate.decide({ subject: 's', purpose, dataCategories }),
                );
                const actual = decideFromSnapshot(snapshot, purpose, dataCategories);
                const { final: _final, ...answer } = actual as typeof actual & { final?: true };
                expect(answer, `${purpose} ${dataCategories.join(',')}`).toEqual(expected);
              }
            }
          };
          check();
          // Any time before validUntil, the server still answers the same.
          clock.advance(Math.floor((snapshot.validUntil - snapshot.issuedAt) * later));
          check();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('buildConsentSnapshot', () => {
  it('reflects the ledger head, the GPC signal on record and the notice in force', async () => {
    const clock = createVirtualClock(START);
    const manager = createConsentManager({ purposes, clock, jurisdiction: 'US-CA' });
    expect(buildConsentSnapshot(manager, 's')).toMatchObject({
      v: 1,
      seq: 0,
      gpc: false,
      issuedAt: START,
      validUntil: START + 5 * duration.minute,
    });
    await manager.grant({ subject: 's', purposes: 'ads.targeted' });
    await manager.observeGpc({ subject: 's', gpc: true });
    const snapshot = buildConsentSnapshot(manager, 's', { ttl: 60_000 });
    expect(snapshot).toMatchObject({ seq: 2, gpc: true, validUntil: START + 60_000 });
    expect(snapshot.purposes['ads.targeted']).toMatchObject({
      verdict: { allowed: false, status: 'opted_out', reason: 'gpc_opt_out', final: true },
      consentMode: ['ad_storage', 'ad_personalization'],
      gpcOptOut: true,
      categories: {
        'user.behavior': {},
        'user.location': {},
        'user.location.precise': { sensitive: true },
      },
    });
    expect(snapshot.purposes['marketing.email'].gpcOptOut).toBeUndefined();
  });

  it('ends validity when a verdict in it lapses, before the TTL', async () => {
    const clock = createVirtualClock(START);
    const manager = createConsentManager({ purposes, clock, jurisdiction: 'FR' });
    await manager.grant({ subject: 's', purposes: 'marketing.email', expiresAt: START + 90_000 });
    expect(buildConsentSnapshot(manager, 's').validUntil).toBe(START + 90_000);
    await manager.grant({
      subject: 's',
      purposes: 'ads.targeted',
      dataCategories: ['user.behavior'],
      expiresAt: START + 30_000,
    });
    expect(buildConsentSnapshot(manager, 's').validUntil).toBe(START + 30_000);
  });

  it('fails closed for a subject the view has not read', async () => {
    const store = createMemoryLedgerStore();
    const manager = createConsentManager({ purposes, store });
    const snapshot = buildConsentSnapshot(manager, 's');
    expect(snapshot.purposes['marketing.email'].verdict).toMatchObject({
      allowed: false,
      status: 'unknown',
      reason: 'not_loaded',
    });
    expect(decideFromSnapshot(snapshot, 'marketing.email', ['user.contact.email']).allowed).toBe(
      false,
    );
  });

  it('rejects what is not a manager, an empty subject and a bad TTL', () => {
    const { manager } = { manager: createConsentManager({ purposes }) };
    expect(() => buildConsentSnapshot({ purposes } as never, 's')).toThrow(
      expect.objectContaining({
        code: 'core/invalid_input',
        details: expect.objectContaining({ path: 'manager' }),
      }),
    );
    expect(() => buildConsentSnapshot(manager, '')).toThrow(
      expect.objectContaining({ code: 'core/invalid_input' }),
    );
    for (const ttl of [0, 999, 1.5, Number.NaN, 2 * duration.day]) {
      expect(() => buildConsentSnapshot(manager, 's', { ttl })).toThrow(
        expect.objectContaining({ details: expect.objectContaining({ path: 'options.ttl' }) }),
      );
    }
  });
});
