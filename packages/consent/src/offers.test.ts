import { createVirtualClock, duration, isCandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { createConsentManager } from './manager';
import type { OfferDefinition } from './offers';
import { definePurposes } from './purposes';
import { createReceipt } from './receipt';
import { createMemoryLedgerStore, GENESIS_HASH, sealEntry, verifyChain } from './store';

// Value exchange: a purpose (and an offer) says what the customer gets; a grant under an offer
// records the offer's id and version; withdrawing is as easy and takes nothing back.

const START = Date.parse('2026-05-01T09:00:00Z');
const purposes = definePurposes({
  'personalization.recommendations': {
    title: 'Tips based on what you do',
    bases: ['consent'],
    categories: ['user.behavior.purchase_history'],
    benefit: { text: 'Tips that fit what you buy', terms: { kind: 'feature', feature: 'tips' } },
  },
  'marketing.email': {
    title: 'Marketing emails',
    bases: ['consent'],
    categories: ['user.contact.email'],
  },
});
const offers: OfferDefinition<'personalization.recommendations' | 'marketing.email'>[] = [
  {
    id: 'tips-discount',
    version: '2026-01',
    purposes: ['personalization.recommendations'],
    benefit: { text: '5% off your next order', terms: { kind: 'discount', percent: 5 } },
  },
  {
    id: 'tips-discount',
    version: '2026-05',
    purposes: ['personalization.recommendations'],
    benefit: { text: '10% off your next order', terms: { kind: 'discount', percent: 10 } },
  },
];
const controller = {
  name: 'Acme',
  contact: 'Privacy Office',
  email: 'privacy@acme.example',
  policyUrl: 'https://acme.example/privacy',
};

function setup() {
  const clock = createVirtualClock(START);
  const store = createMemoryLedgerStore();
  const manager = createConsentManager({ purposes, offers, clock, store, jurisdiction: 'FR' });
  return { clock, store, manager };
}
const subject = 'cus_1';
const purpose = 'personalization.recommendations' as const;

describe('a grant made under an offer', () => {
  it('records the offer id and its latest version (or the one named)', async () => {
    const { manager } = setup();
    const latest = await manager.grant({
      subject,
      purposes: purpose,
      offer: { id: 'tips-discount' },
    });
    expect(latest.entry.event.offer).toEqual({ id: 'tips-discount', version: '2026-05' });
    const named = await manager.grant({
      subject,
      purposes: purpose,
      offer: { id: 'tips-discount', version: '2026-01' },
    });
    expect(named.entry.event.offer).toEqual({ id: 'tips-discount', version: '2026-01' });
    expect(manager.decide({ subject, purpose, dataCategories: [] }).allowed).toBe(true);
    expect((await manager.verify()).valid).toBe(true);
  });

  it('an offer that does not exist, or is not about the purpose: a typed error naming it, nothing written', async () => {
    const { manager, store } = setup();
    const attempts = [
      [{ subject, purposes: purpose, offer: { id: 'free-lunch' } }, /no offer "free-lunch"/],
      [
        { subject, purposes: purpose, offer: { id: 'tips-discount', version: '1999' } },
        /no offer "tips-discount" version "1999"/,
      ],
      [
        { subject, purposes: 'marketing.email' as const, offer: { id: 'tips-discount' } },
        /not about marketing.email/,
      ],
      [
        { subject, purposes: purpose, offer: 'tips-discount' as never },
        /must be \{ id, version\? \}/,
      ],
    ] as const;
    for (const [input, message] of attempts) {
      const error = await manager.grant(input).catch((e: unknown) => e);
      expect(isCandorError(error, 'consent/invalid_offer')).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as { details: { path: string } }).details.path).toBe('input.offer');
    }
    expect(await store.read(subject)).toEqual([]);
    // Only a grant is made under an offer.
    const refusal = await manager
      .refuse({ subject, purposes: purpose, offer: { id: 'tips-discount' } } as never)
      .catch((e: unknown) => e);
    expect(isCandorError(refusal, 'consent/invalid_event')).toBe(true);
    expect(await store.read(subject)).toEqual([]);
  });

  it('withdrawing needs no offer and takes nothing back: the grant and its offer stay on record', async () => {
    const { manager, clock } = setup();
    const { entry } = await manager.grant({
      subject,
      purposes: purpose,
      offer: { id: 'tips-discount' },
    });
    clock.advance(duration.day);
    await manager.withdraw({ subject, purposes: purpose });
    expect(manager.decide({ subject, purpose, dataCategories: [] }).allowed).toBe(false);
    expect(manager.decide({ subject, purpose, dataCategories: [], at: START }).allowed).toBe(true);
    const history = manager.entries(subject);
    expect(history[0]?.id).toBe(entry.id);
    expect(history[0]?.event.offer).toEqual({ id: 'tips-discount', version: '2026-05' });
    expect(history[1]?.event).not.toHaveProperty('offer');
  });

  it('a receipt says "you share X, you get Y": the offer’s benefit, else the purpose’s', async () => {
    const { manager } = setup();
    const under = await manager.grant({
      subject,
      purposes: purpose,
      offer: { id: 'tips-discount' },
    });
    const plain = await manager.grant({ subject: 'cus_2', purposes: purpose });
    const context = { purposes, controller, offers };
    expect(createReceipt(under.entry, context).valueExchange).toEqual([
      {
        purposeId: purpose,
        purpose: 'Tips based on what you do',
        dataCategories: ['user.behavior.purchase_history'],
        benefit: { text: '10% off your next order', terms: { kind: 'discount', percent: 10 } },
        offer: { id: 'tips-discount', version: '2026-05' },
      },
    ]);
    expect(createReceipt(plain.entry, context).valueExchange[0]).toMatchObject({
      benefit: { text: 'Tips that fit what you buy' },
      offer: null,
    });
  });
});

describe('hashing keeps old entries valid', () => {
  it('an entry without an offer hashes as it did before offers existed', () => {
    const entry = sealEntry(
      {
        subject: 'cus_1',
        sequence: 1,
        idempotencyKey: 'k1',
        recordedAt: 1780000000000,
        event: {
          kind: 'given',
          actor: { kind: 'subject' },
          purposes: ['marketing.email'],
          basis: 'consent',
          at: 1780000000000,
          method: 'preference_center',
          jurisdiction: 'FR',
          expiresAt: 1811536000000,
        },
      },
      GENESIS_HASH,
    );
    // Computed with the code before this change (git stash of packages/consent/src).
    expect(entry.hash).toBe('4edccef0621d98fffd40001c0c0fa1cbd28f18bcb3911033952c5317f3b64a92');
  });

  it('the offer is hashed: changing it breaks the chain', async () => {
    const { manager, store } = setup();
    await manager.grant({ subject, purposes: purpose, offer: { id: 'tips-discount' } });
    const [first] = await store.read(subject);
    const tampered = {
      ...first!,
      event: { ...first!.event, offer: { id: 'tips-discount', version: '2026-01' } },
    };
    expect(verifyChain([tampered])).toMatchObject({ valid: false, problem: 'hash_mismatch' });
  });
});

describe('bad offers and benefits', () => {
  it('are typed errors naming where', () => {
    const make = (bad: unknown) => () =>
      createConsentManager({ purposes, offers: bad as never, jurisdiction: 'FR' });
    const at = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(isCandorError(error, 'consent/invalid_offer')).toBe(true);
        return (error as { details: { path: string } }).details.path;
      }
      return 'no error';
    };
    expect(at(make([{ ...offers[0], purposes: ['nope.nope'] }]))).toBe('offers[0].purposes[0]');
    expect(at(make([{ ...offers[0], benefit: { text: '' } }]))).toBe('offers[0].benefit.text');
    expect(at(make([offers[0], offers[0]]))).toBe('offers[1]');
    expect(() =>
      definePurposes({
        x: {
          title: 'X',
          bases: ['consent'],
          categories: [],
          benefit: { text: 'y', terms: { kind: 'gift' } } as never,
        },
      }),
    ).toThrow(/benefit\.terms\.kind/);
  });
});
