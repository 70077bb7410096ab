import { duration, isCandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { purposes, setup } from '../test/fixtures';
import { createReceipt } from './receipt';
import { buildConsentSnapshot } from './snapshot';
import { createMemoryLedgerStore, GENESIS_HASH, sealEntry, verifyChain } from './store';

// Per-category consent within a purpose: grant, refuse, withdraw and object accept
// `dataCategories`; decide() denies a decision that uses a withdrawn category, naming it.

const contact = 'user.contact.email';
const history = 'user.behavior.purchase_history';
const email = (dataCategories: readonly string[]) =>
  ({ subject: 'cus_1', purpose: 'marketing.email', dataCategories }) as const;
const controller = {
  name: 'Acme',
  contact: 'Privacy Office',
  email: 'privacy@acme.example',
  policyUrl: 'https://acme.example/privacy',
};

describe('withdrawing one data category of a purpose', () => {
  it('denies the decisions that use it, naming it, and allows the others', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    const withdrawal = manager.withdraw({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [history],
      method: 'preference_center',
    });
    // Not awaited: in force for the very next decision.
    expect(manager.decide(email([history])).allowed).toBe(false);
    const { entry } = await withdrawal;
    const denied = manager.decide(email([contact, history]));
    expect(denied).toMatchObject({ allowed: false, status: 'withdrawn', recordIds: [entry.id] });
    expect(denied.reasons[0]).toMatchObject({
      code: 'withdrawn',
      dataCategory: history,
      purpose: 'marketing.email',
      recordId: entry.id,
    });
    expect(denied.reasons[0]?.detail).toBe(
      `Withdrawn use of ${history} for Marketing emails via preference_center on 2026-05-01`,
    );
    expect(manager.decide(email([contact]))).toMatchObject({ allowed: true, status: 'granted' });
    // A decision that uses no data asks about the purpose, which still stands.
    expect(manager.decide(email([])).allowed).toBe(true);
    expect(entry.event.dataCategories).toEqual([history]);
  });

  it('covers the categories within it, and a decision using a broader category', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'ads.targeted' });
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'ads.targeted',
      dataCategories: ['user.location'],
    });
    const ask = (category: string) =>
      manager.decide({ subject: 'cus_1', purpose: 'ads.targeted', dataCategories: [category] });
    expect(ask('user.location.precise').allowed).toBe(false);
    expect(ask('user.behavior.purchase_history').allowed).toBe(true);
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'ads.targeted',
      dataCategories: ['user.behavior.returns'],
    });
    // Using all of user.behavior uses its returns too.
    expect(ask('user.behavior').reasons[0]).toMatchObject({
      code: 'withdrawn',
      dataCategory: 'user.behavior',
    });
    expect(ask('user.behavior.purchase_history').allowed).toBe(true);
  });

  it('reaches child purposes, as a whole-purpose withdrawal does', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    await manager.withdraw({ subject: 'cus_1', purposes: 'marketing', dataCategories: [contact] });
    expect(manager.decide(email([contact])).reasons[0]?.code).toBe('withdrawn');
  });

  it('applies under opt-out packs and legitimate interest, which need no grant', async () => {
    const { manager } = setup({ jurisdiction: 'US-CA' });
    const support = (dataCategories: string[]) =>
      manager.decide({ subject: 'cus_1', purpose: 'service.proactive_support', dataCategories });
    expect(support(['user.financial.card']).allowed).toBe(true);
    await manager.object({
      subject: 'cus_1',
      purposes: 'service.proactive_support',
      dataCategories: ['user.travel.itinerary'],
    });
    expect(support(['user.travel.itinerary'])).toMatchObject({
      allowed: false,
      status: 'objected',
      reasons: [
        expect.objectContaining({ code: 'objected', dataCategory: 'user.travel.itinerary' }),
      ],
    });
    expect(support(['user.financial.card']).allowed).toBe(true);
    // Only the customer's own later grant lifts an objection.
    await manager.grant({
      subject: 'cus_1',
      purposes: 'service.proactive_support',
      dataCategories: ['user.travel.itinerary'],
      actor: { kind: 'agent', id: 'support:bob' },
    });
    expect(support(['user.travel.itinerary']).allowed).toBe(false);
    await manager.grant({
      subject: 'cus_1',
      purposes: 'service.proactive_support',
      dataCategories: ['user.travel.itinerary'],
    });
    expect(support(['user.travel.itinerary']).allowed).toBe(true);
  });

  it('does not touch purposes that need no consent, nor a GPC opt-out', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'service.fraud_protection',
      dataCategories: ['user.financial.card'],
    });
    const fraud = manager.decide({
      subject: 'cus_1',
      purpose: 'service.fraud_protection',
      dataCategories: ['user.financial.card'],
    });
    expect(fraud).toMatchObject({ allowed: true, status: 'not_required' });
  });

  it('answers as of any past instant', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    const before = clock.now();
    clock.advance(duration.day);
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [history],
    });
    expect(manager.decide({ ...email([history]), at: before }).allowed).toBe(true);
    expect(manager.decide(email([history])).allowed).toBe(false);
  });
});

describe("decide()'s cache for customers with category choices", () => {
  it('answers a repeated question the same, and a change at once', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    for (const subject of ['cus_1', 'cus_2']) {
      await manager.grant({ subject, purposes: 'marketing.email' });
      await manager.withdraw({ subject, purposes: 'marketing.email', dataCategories: [contact] });
    }
    const ask = (subject: string, dataCategories: string[]) =>
      manager.decide({ subject, purpose: 'marketing.email', dataCategories });
    for (let i = 0; i < 3; i++) {
      expect(ask('cus_1', [history]).allowed).toBe(true);
      expect(ask('cus_2', [history]).allowed).toBe(true);
    }
    const pending = manager.withdraw({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [history],
    });
    // The same question, the very next call: the withdrawal holds before it is stored.
    expect(ask('cus_1', [history]).reasons[0]?.code).toBe('withdrawn');
    expect(ask('cus_2', [history]).allowed).toBe(true);
    await pending;
    // Another shape and back: each answers for its own categories.
    expect(ask('cus_2', [contact]).allowed).toBe(false);
    expect(ask('cus_2', [history]).allowed).toBe(true);
    expect(ask('cus_1', [history]).allowed).toBe(false);
    await manager.grant({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [history],
    });
    expect(ask('cus_1', [history]).allowed).toBe(true);
  });
});

describe('granting back, and the whole purpose', () => {
  it('a category grant restores just that category', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [contact, history],
    });
    await manager.grant({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [history],
    });
    expect(manager.decide(email([history])).allowed).toBe(true);
    expect(manager.decide(email([contact])).reasons[0]).toMatchObject({
      code: 'withdrawn',
      dataCategory: contact,
    });
  });

  it('a grant that lists categories grants exactly those', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    const { entry } = await manager.grant({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [contact],
    });
    const allowed = manager.decide(email([contact]));
    expect(allowed).toMatchObject({ allowed: true, status: 'granted', recordIds: [entry.id] });
    expect(allowed.reasons[0]).toMatchObject({ code: 'explicit_grant', dataCategory: contact });
    expect(allowed.expiresAt).toBe(entry.event.expiresAt);
    // Not the other category, nor the purpose as a whole.
    expect(manager.decide(email([contact, history])).reasons[0]?.code).toBe(
      'default_opt_in_required',
    );
    expect(manager.decide(email([])).allowed).toBe(false);
  });

  it('a grant of the whole purpose speaks for every category, withdrawn ones too', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [history],
    });
    await manager.renew({ subject: 'cus_1', purposes: 'marketing.email' });
    // A renewal re-confirms what was granted; it does not re-grant a withdrawn category.
    expect(manager.decide(email([history])).allowed).toBe(false);
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    expect(manager.decide(email([history])).allowed).toBe(true);
  });

  it('a withdrawal of the whole purpose ends category grants', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [contact],
    });
    await manager.withdraw({ subject: 'cus_1', purposes: 'marketing.email' });
    expect(manager.decide(email([contact])).status).toBe('withdrawn');
  });

  it('a category grant lapses at its own expiry', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    await manager.grant({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [contact],
    });
    clock.advance(366 * duration.day);
    expect(manager.decide(email([contact]))).toMatchObject({
      allowed: false,
      status: 'expired',
      reasons: [expect.objectContaining({ code: 'expired', dataCategory: contact })],
    });
    expect(manager.needsPrompt('cus_1')).toContainEqual(
      expect.objectContaining({
        purpose: 'marketing.email',
        reason: 'expired',
        dataCategories: [contact],
      }),
    );
  });
});

describe('granting back part of a wider category', () => {
  const behavior = (dataCategories: readonly string[]) =>
    ({ subject: 'cus_1', purpose: 'ads.targeted', dataCategories }) as const;
  const returns = 'user.behavior.returns';

  it('allows the wider category until the grant runs out, and a snapshot ends then', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'ads.targeted' });
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'ads.targeted',
      dataCategories: [returns],
    });
    const until = clock.now() + duration.hour;
    await manager.grant({
      subject: 'cus_1',
      purposes: 'ads.targeted',
      dataCategories: [returns],
      expiresAt: until,
    });
    expect(manager.decide(behavior(['user.behavior'])).allowed).toBe(true);
    // A snapshot for the browser ends when the grant does.
    expect(buildConsentSnapshot(manager, 'cus_1', { ttl: duration.day }).validUntil).toBe(until);
    clock.advance(2 * duration.day);
    // The withdrawal holds again, for the part and for the whole.
    expect(manager.decide(behavior([returns])).allowed).toBe(false);
    expect(manager.decide(behavior(['user.behavior']))).toMatchObject({
      allowed: false,
      reasons: [expect.objectContaining({ code: 'withdrawn', dataCategory: 'user.behavior' })],
    });
  });

  it('a category grant dated before a withdrawal of the whole purpose allows nothing', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'ads.targeted' });
    clock.advance(duration.minute);
    await manager.withdraw({ subject: 'cus_1', purposes: 'ads.targeted' });
    // A device's queued grant, made before the withdrawal, arrives after it.
    await manager.grant({
      subject: 'cus_1',
      purposes: 'ads.targeted',
      dataCategories: ['user.behavior'],
      at: clock.now() - 30 * duration.second,
    });
    expect(manager.decide(behavior(['user.behavior']))).toMatchObject({
      allowed: false,
      status: 'withdrawn',
    });
  });

  it('a choice that arrives late, dated before a restriction in force, lifts none of it', async () => {
    type Choice = readonly [
      'grant' | 'withdraw' | 'refuse' | 'object',
      readonly string[] | null,
      number,
      number?,
    ];
    // Each case: choices in the order they arrive (action, categories or the whole purpose,
    // minutes before now it is dated, minutes it runs), then the decision's categories.
    const cases: readonly [readonly Choice[], readonly string[]][] = [
      // A later-arriving, older whole restriction does not hide the newer one.
      [
        [
          ['withdraw', null, 0],
          ['refuse', null, 20],
          ['grant', [returns], 10],
        ],
        [returns],
      ],
      [
        [
          ['withdraw', null, 0],
          ['refuse', null, 20],
          ['grant', null, 10],
        ],
        [],
      ],
      [
        [
          ['object', null, 0],
          ['object', null, 20],
          ['grant', null, 10],
        ],
        [],
      ],
      // A whole restriction does not wipe out newer category ones.
      [
        [
          ['withdraw', [returns], 0],
          ['withdraw', null, 20],
          ['grant', null, 10],
        ],
        [returns],
      ],
      [
        [
          ['object', [returns], 0],
          ['object', null, 20],
          ['grant', null, 10],
        ],
        [returns],
      ],
      // A grant that has run out lifts nothing, so an older grant arriving after it does not.
      [
        [
          ['withdraw', [returns], 0],
          ['grant', [returns], 0, 1],
          ['grant', null, 1],
        ],
        [returns],
      ],
    ];
    for (const [choices, categories] of cases) {
      const { manager, clock } = setup({ jurisdiction: 'FR' });
      await manager.grant({ subject: 'cus_1', purposes: 'ads.targeted' });
      clock.advance(duration.hour);
      for (const [action, dataCategories, before, runs] of choices)
        await manager[action]({
          subject: 'cus_1',
          purposes: 'ads.targeted',
          at: clock.now() - before * duration.minute,
          ...(dataCategories === null ? {} : { dataCategories }),
          ...(runs === undefined ? {} : { expiresAt: clock.now() + runs * duration.minute }),
        });
      clock.advance(2 * duration.minute);
      expect(manager.decide(behavior(categories)).allowed, JSON.stringify(choices)).toBe(false);
    }
  });

  it('a renewal keeps a grant of the whole purpose lifting what it lifted', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [history],
    });
    // A grant of the whole purpose runs a year (the purpose's `expiresIn`), then is renewed.
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    clock.advance(300 * duration.day);
    await manager.renew({ subject: 'cus_1', purposes: 'marketing.email' });
    clock.advance(100 * duration.day);
    expect(manager.decide(email([history])).allowed).toBe(true);
    await manager.object({ subject: 'cus_1', purposes: 'marketing.email' });
    await manager.grant({
      subject: 'cus_1',
      purposes: 'marketing.email',
      expiresAt: clock.now() + duration.day,
    });
    await manager.renew({
      subject: 'cus_1',
      purposes: 'marketing.email',
      expiresAt: clock.now() + 30 * duration.day,
    });
    clock.advance(2 * duration.day);
    expect(manager.decide(email([])).allowed).toBe(true);
  });

  it('allows until the first grant that lifted a part of it ends', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'ads.targeted' });
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'ads.targeted',
      dataCategories: [returns, 'user.behavior.purchase_history'],
    });
    const until = clock.now() + duration.hour;
    await manager.grant({
      subject: 'cus_1',
      purposes: 'ads.targeted',
      dataCategories: [returns],
      expiresAt: until,
    });
    await manager.grant({
      subject: 'cus_1',
      purposes: 'ads.targeted',
      dataCategories: ['user.behavior.purchase_history'],
    });
    expect(manager.decide(behavior(['user.behavior'])).allowed).toBe(true);
    // A snapshot for the browser ends when the grant does.
    expect(buildConsentSnapshot(manager, 'cus_1', { ttl: duration.day }).validUntil).toBe(until);
    clock.advance(2 * duration.day);
    expect(manager.decide(behavior(['user.behavior'])).allowed).toBe(false);
  });

  it("a customer's grant of the part lifts their objection for the whole; one dated before a withdrawal lifts nothing", async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'ads.targeted' });
    await manager.object({ subject: 'cus_1', purposes: 'ads.targeted', dataCategories: [returns] });
    clock.advance(duration.minute);
    await manager.grant({ subject: 'cus_1', purposes: 'ads.targeted', dataCategories: [returns] });
    expect(manager.decide(behavior(['user.behavior'])).allowed).toBe(true);
    clock.advance(duration.minute);
    // Withdrawn now; then a grant dated before the withdrawal arrives (a queued device's).
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'ads.targeted',
      dataCategories: [returns],
    });
    await manager.grant({
      subject: 'cus_1',
      purposes: 'ads.targeted',
      dataCategories: ['user.behavior'],
      at: clock.now() - 30 * duration.second,
    });
    expect(manager.decide(behavior(['user.behavior'])).reasons[0]?.code).toBe('withdrawn');
  });
});

describe('re-prompts', () => {
  it('a customer who chose for some categories is not asked as if never asked', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    const never = () => manager.needsPrompt('cus_1').map((need) => need.purpose);
    expect(never()).toContain('marketing.email');
    await manager.grant({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [contact],
    });
    expect(never()).not.toContain('marketing.email');
  });

  it('no re-asking after a category opt-out under US-CA', async () => {
    const { manager, clock } = setup({ jurisdiction: 'US-CA' });
    await manager.refuse({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [history],
    });
    const emailNeeds = () =>
      manager.needsPrompt('cus_1').filter((need) => need.purpose === 'marketing.email');
    clock.advance(181 * duration.day); // the refusal lapsed, inside the 12-month no-re-ask
    expect(emailNeeds()).toEqual([]);
    clock.advance(200 * duration.day);
    expect(emailNeeds()).toEqual([
      expect.objectContaining({
        purpose: 'marketing.email',
        reason: 'expired',
        dataCategories: [history],
      }),
    ]);
  });
});

describe('the ledger, receipts and exports carry the categories', () => {
  it('old entries without categories still verify and mean the whole purpose', async () => {
    const store = createMemoryLedgerStore();
    const { manager } = setup({ jurisdiction: 'FR', store });
    await manager.load();
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [contact],
    });
    const entries = await store.read('cus_1');
    expect(entries[0]?.event).not.toHaveProperty('dataCategories');
    expect(verifyChain(entries).valid).toBe(true);
    expect((await manager.verify()).valid).toBe(true);
    // The hashed bytes of an entry without categories are what they always were.
    const first = entries[0]!;
    const resealed = sealEntry({ ...first, event: first.event }, GENESIS_HASH);
    expect(resealed.hash).toBe(first.hash);
    // Tampering with the categories breaks the chain.
    const second = entries[1]!;
    const tampered = { ...second, event: { ...second.event, dataCategories: [history] } };
    expect(verifyChain([first, tampered])).toMatchObject({
      valid: false,
      problem: 'hash_mismatch',
    });
  });

  it('a receipt names just the categories of a category choice', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    const { entry } = await manager.withdraw({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [history],
    });
    const receipt = createReceipt(entry, { purposes, controller });
    expect(receipt.kantara.services[0]?.purposes[0]?.piiCategory).toEqual([history]);
    expect(receipt.iso27560.processing[0]?.dataCategories).toEqual([history]);
    expect(receipt.iso27560.event.state).toBe('withdrawn');
  });

  it('an export lists the verdict of each category chosen', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    await manager.withdraw({
      subject: 'cus_1',
      purposes: 'marketing.email',
      dataCategories: [history],
    });
    const exported = await manager.exportHistory('cus_1');
    expect(exported.entries[1]?.event.dataCategories).toEqual([history]);
    expect(exported.categories).toEqual([
      expect.objectContaining({
        purpose: 'marketing.email',
        dataCategory: history,
        allowed: false,
        status: 'withdrawn',
      }),
    ]);
    expect(exported.current.find((v) => v.purpose === 'marketing.email')?.allowed).toBe(true);
    expect(JSON.parse(JSON.stringify(exported)).categories).toHaveLength(1);
  });

  it('imports carry categories too', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.import([
      {
        subject: 'cus_1',
        kind: 'given',
        purposes: 'marketing.email',
        at: Date.parse('2026-04-01'),
      },
      {
        subject: 'cus_1',
        kind: 'withdrawn',
        purposes: 'marketing.email',
        dataCategories: [history],
        at: Date.parse('2026-04-02'),
      },
    ]);
    expect(manager.decide(email([history])).reasons[0]).toMatchObject({
      code: 'withdrawn',
      dataCategory: history,
      detail: `Withdrawn use of ${history} for Marketing emails imported on 2026-04-02`,
    });
    expect(manager.decide(email([contact])).allowed).toBe(true);
  });
});

describe('bad input: a typed error naming the field, nothing written', () => {
  const cases: readonly [string, Record<string, unknown>, string, string][] = [
    [
      'a category the purpose does not declare',
      { dataCategories: ['user.health'] },
      'consent/invalid_category',
      'input.dataCategories[0]',
    ],
    [
      'a category one of several purposes does not declare',
      { purposes: ['marketing.email', 'ads.targeted'], dataCategories: [contact] },
      'consent/invalid_category',
      'input.dataCategories[0]',
    ],
    ['an empty list', { dataCategories: [] }, 'consent/invalid_category', 'input.dataCategories'],
    ['not a list', { dataCategories: contact }, 'consent/invalid_category', 'input.dataCategories'],
    [
      'a malformed id',
      { dataCategories: [contact, 'User Email'] },
      'consent/invalid_category',
      'input.dataCategories[1]',
    ],
    [
      'a misspelt field',
      { datacategories: [contact] },
      'consent/invalid_event',
      'input.datacategories',
    ],
  ];
  it.each(cases)('%s', async (_label, edit, code, path) => {
    const store = createMemoryLedgerStore();
    const { manager } = setup({ jurisdiction: 'FR', store });
    await manager.load();
    const error = await manager
      .withdraw({ subject: 'cus_1', purposes: 'marketing.email', ...edit } as never)
      .catch((e: unknown) => e);
    expect(isCandorError(error)).toBe(true);
    expect(error).toMatchObject({ code, details: { path } });
    expect(await store.read('cus_1')).toEqual([]);
    expect(manager.decide(email([contact])).reasons[0]?.code).toBe('default_opt_in_required');
  });

  it('writes about whole purposes refuse categories', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    const error = await manager
      .revoke({ subject: 'cus_1', purposes: 'marketing.email', dataCategories: [contact] } as never)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'consent/invalid_category',
      details: { path: 'input.dataCategories' },
    });
  });

  it('an import stops before writing anything', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    const error = await manager
      .import([
        { subject: 'cus_1', kind: 'given', purposes: 'marketing.email' },
        {
          subject: 'cus_1',
          kind: 'withdrawn',
          purposes: 'marketing.email',
          dataCategories: ['user.health'],
        },
      ])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'consent/invalid_category',
      details: { path: 'records[1].dataCategories[0]' },
    });
    expect(manager.entries('cus_1')).toEqual([]);
  });
});
