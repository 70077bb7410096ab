import { createMemoryAccessLog, duration, isCandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { purposes, setup, type TestPurpose } from '../test/fixtures';
import { parseImportLines } from './import-lines';
import { createConsentManager } from './manager';
import { createReceipt } from './receipt';
import { createMemoryLedgerStore, type LedgerEntry } from './store';

const email = { purpose: 'marketing.email', dataCategories: ['user.contact.email'] } as const;

describe('decide()', () => {
  it('grants, withdraws and explains each verdict', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    const before = manager.decide({ subject: 'cus_1', ...email });
    expect(before).toMatchObject({ allowed: false, status: 'not_asked' });
    expect(before.reasons[0]?.code).toBe('default_opt_in_required');

    const { entry } = await manager.grant({
      subject: 'cus_1',
      purposes: 'marketing.email',
      method: 'preference_center',
    });
    const granted = manager.decide({ subject: 'cus_1', ...email });
    expect(granted).toMatchObject({
      allowed: true,
      status: 'granted',
      basis: 'consent',
      recordIds: [entry.id],
      expiresAt: entry.event.at + 365 * duration.day,
    });
    expect(granted.reasons[0]).toMatchObject({ code: 'explicit_grant', recordId: entry.id });
    expect(granted.reasons[0]?.detail).toBe('Granted via preference_center on 2026-05-01');

    const withdrawal = manager.withdraw({ subject: 'cus_1', purposes: 'marketing.email' });
    // Not awaited: the withdrawal applies to the very next decide().
    expect(manager.decide({ subject: 'cus_1', ...email })).toMatchObject({
      allowed: false,
      status: 'withdrawn',
    });
    const { entry: stored } = await withdrawal;
    expect(manager.decide({ subject: 'cus_1', ...email }).recordIds).toEqual([stored.id]);
  });

  it('withdrawing a parent purpose covers its children; granting a parent does not', async () => {
    const { manager } = setup({ jurisdiction: 'DE' });
    await manager.grant({ subject: 's', purposes: ['marketing'] });
    expect(manager.decide({ subject: 's', ...email }).allowed).toBe(false);
    await manager.grant({ subject: 's', purposes: ['marketing.email'] });
    expect(manager.decide({ subject: 's', ...email }).allowed).toBe(true);
    await manager.withdraw({ subject: 's', purposes: ['marketing'] });
    expect(manager.decide({ subject: 's', ...email })).toMatchObject({
      allowed: false,
      status: 'withdrawn',
    });
  });

  it('fails closed on unknown purposes and undeclared categories, and throws on bad ids', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 's', purposes: 'marketing.email' });
    const unknown = manager.gate.decide({
      subject: 's',
      purpose: 'marketing.sms',
      dataCategories: [],
    });
    expect(unknown).toMatchObject({ allowed: false, reasons: [{ code: 'unknown_purpose' }] });
    const undeclared = manager.decide({
      subject: 's',
      purpose: 'marketing.email',
      dataCategories: ['user.contact.email', 'user.location.precise'],
    });
    expect(undeclared.allowed).toBe(false);
    expect(undeclared.reasons[0]).toMatchObject({
      code: 'category_not_declared',
      dataCategory: 'user.location.precise',
    });
    expect(() =>
      manager.gate.decide({ subject: 's', purpose: 'Marketing Email', dataCategories: [] }),
    ).toThrow(expect.objectContaining({ code: 'core/invalid_id' }));
    expect(() =>
      manager.decide({ subject: 's', purpose: 'marketing.email', dataCategories: ['User..x'] }),
    ).toThrow(expect.objectContaining({ code: 'core/invalid_id' }));
    expect(() =>
      manager.gate.decide({ subject: '', purpose: 'marketing.email', dataCategories: [] }),
    ).toThrow(
      expect.objectContaining({
        code: 'core/invalid_input',
        details: expect.objectContaining({ path: 'subject' }),
      }),
    );
    expect(() =>
      manager.gate.decide({ subject: 's', purpose: 'marketing.email' } as never),
    ).toThrow(
      expect.objectContaining({
        code: 'core/invalid_input',
        details: expect.objectContaining({ path: 'dataCategories' }),
      }),
    );
    for (const query of [null, undefined, 'cus_1']) {
      expect(() => manager.decide(query as never)).toThrow(
        expect.objectContaining({
          code: 'core/invalid_input',
          details: expect.objectContaining({ path: 'query', value: query }),
        }),
      );
    }
  });

  it('needs no consent for legal-obligation purposes, legitimate interest until objection', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    const fraud = manager.decide({
      subject: 's',
      purpose: 'service.fraud_protection',
      dataCategories: ['user.financial.card'],
    });
    expect(fraud).toMatchObject({
      allowed: true,
      status: 'not_required',
      basis: 'legal_obligation',
    });
    expect(fraud.reasons[0]?.code).toBe('not_required_legal_obligation');
    const support = {
      purpose: 'service.proactive_support',
      dataCategories: ['user.financial.card'],
    } as const;
    expect(manager.decide({ subject: 's', ...support })).toMatchObject({
      allowed: true,
      basis: 'legitimate_interest',
      reasons: [{ code: 'legitimate_interest' }],
    });
    await manager.object({ subject: 's', purposes: 'service.proactive_support' });
    expect(manager.decide({ subject: 's', ...support })).toMatchObject({
      allowed: false,
      status: 'objected',
      reasons: [{ code: 'objected' }],
    });
  });

  it('expires grants at expiresAt and reports the lapse', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 's', purposes: 'marketing.email' });
    clock.advance(364 * duration.day);
    expect(manager.decide({ subject: 's', ...email }).allowed).toBe(true);
    clock.advance(2 * duration.day);
    expect(manager.decide({ subject: 's', ...email })).toMatchObject({
      allowed: false,
      status: 'expired',
      reasons: [{ code: 'expired' }],
    });
  });

  it('answers as of a past instant (time travel)', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    const t0 = clock.now();
    await manager.grant({ subject: 's', purposes: 'marketing.email' });
    clock.advance(duration.day);
    const t1 = clock.now();
    await manager.withdraw({ subject: 's', purposes: 'marketing.email' });
    clock.advance(duration.day);
    expect(manager.decide({ subject: 's', ...email }).allowed).toBe(false);
    expect(manager.decide({ subject: 's', ...email, at: t1 - 1 }).allowed).toBe(true);
    expect(manager.decide({ subject: 's', ...email, at: t0 - 1 }).allowed).toBe(false);
  });

  it('judges by the subject’s jurisdiction: opt-out in California, opt-in in the EU', async () => {
    const { manager } = setup();
    await manager.noticeShown({ subject: 'ca', purposes: 'ads.targeted', jurisdiction: 'US-CA' });
    await manager.noticeShown({ subject: 'eu', purposes: 'ads.targeted', jurisdiction: 'IT' });
    const ads = {
      purpose: 'ads.targeted',
      dataCategories: ['user.behavior.purchase_history'],
    } as const;
    expect(manager.decide({ subject: 'ca', ...ads })).toMatchObject({
      allowed: true,
      reasons: [{ code: 'default_opt_out_allowed' }],
    });
    expect(manager.decide({ subject: 'eu', ...ads }).allowed).toBe(false);
    expect(manager.decide({ subject: 'nobody', ...ads }).reasons[0]?.code).toBe(
      'default_opt_in_required',
    );
    const health = {
      purpose: 'personalization.health',
      dataCategories: ['user.health.conditions'],
    } as const;
    expect(manager.decide({ subject: 'ca', ...health }).reasons[0]?.code).toBe(
      'sensitive_requires_opt_in',
    );
  });

  it('honours GPC in California unless a grant was confirmed after the signal', async () => {
    const { manager } = setup({ jurisdiction: 'US-CA' });
    const ads = {
      subject: 's',
      purpose: 'ads.targeted',
      dataCategories: ['user.behavior'],
    } as const;
    expect(await manager.observeGpc({ subject: 's', gpc: true })).not.toBeNull();
    expect(await manager.observeGpc({ subject: 's', gpc: true })).toBeNull();
    expect(manager.decide(ads)).toMatchObject({ allowed: false, status: 'opted_out' });
    expect(manager.decide(ads).reasons[0]?.code).toBe('gpc_opt_out');
    await manager.grant({ subject: 's', purposes: 'ads.targeted' });
    expect(manager.decide(ads).allowed).toBe(false);
    await manager.grant({ subject: 's', purposes: 'ads.targeted', confirmed: true });
    expect(manager.decide(ads)).toMatchObject({
      allowed: true,
      reasons: [{ code: 'confirmed_over_gpc' }],
    });
    // GPC does not touch purposes outside its scope.
    const measurement = {
      subject: 's',
      purpose: 'analytics.measurement',
      dataCategories: [],
    } as const;
    expect(manager.decide(measurement).allowed).toBe(true);
  });
});

describe('writes', () => {
  it('rejects unknown purposes and bad details with typed errors, writing nothing', async () => {
    const store = createMemoryLedgerStore();
    const { manager } = setup({ store });
    await expect(
      // @ts-expect-error misspelt purpose
      manager.grant({ subject: 's', purposes: ['marketing.emial'] }),
    ).rejects.toMatchObject({
      code: 'consent/invalid_purpose',
      details: { path: 'input.purposes[0]', value: 'marketing.emial' },
    });
    await expect(
      manager.grant({ subject: 's', purposes: 'marketing.email', jurisdiction: 'not a place' }),
    ).rejects.toMatchObject({
      code: 'consent/invalid_event',
      details: { path: 'input.jurisdiction' },
    });
    await expect(
      manager.grant({
        subject: 's',
        purposes: 'marketing.email',
        at: Date.parse('2030-01-01T00:00:00Z'),
      }),
    ).rejects.toMatchObject({ code: 'consent/invalid_event', details: { path: 'input.at' } });
    expect(await store.read('s')).toEqual([]);
  });

  it('is idempotent: a retried key returns the original entry and notifies once', async () => {
    const { manager } = setup();
    const seen: string[] = [];
    manager.onChange((change) => seen.push(`${change.entry.event.kind}:${change.duplicate}`));
    const first = await manager.grant({
      subject: 's',
      purposes: 'marketing.email',
      idempotencyKey: 'k1',
    });
    const retry = await manager.grant({
      subject: 's',
      purposes: 'marketing.email',
      idempotencyKey: 'k1',
    });
    expect(retry).toEqual({ subject: 's', entry: first.entry, duplicate: true });
    expect(manager.entries('s')).toHaveLength(1);
    expect(seen).toEqual(['given:false']);
  });

  it('refuses a key already used for another choice: a withdrawal is never answered with a grant', async () => {
    const { manager } = setup();
    await manager.grant({ subject: 's', purposes: 'marketing.email', idempotencyKey: 'k1' });
    for (const kind of ['withdraw', 'refuse', 'object'] as const)
      await expect(
        manager[kind]({ subject: 's', purposes: 'marketing.email', idempotencyKey: 'k1' }),
      ).rejects.toMatchObject({
        code: 'consent/idempotency_conflict',
        details: { path: 'idempotencyKey' },
      });
    await expect(
      manager.grant({
        subject: 's',
        purposes: 'marketing.email',
        dataCategories: ['user.contact.email'],
        idempotencyKey: 'k1',
      }),
    ).rejects.toMatchObject({ code: 'consent/idempotency_conflict' });
    expect(manager.entries('s').map((e) => e.event.kind)).toEqual(['given']);
    expect(
      manager.decide({
        subject: 's',
        purpose: 'marketing.email',
        dataCategories: ['user.contact.email'],
      }).allowed,
    ).toBe(false);
  });

  it('notifies subscribers of every change, and stops after unsubscribe', async () => {
    const { manager } = setup();
    const seen: string[] = [];
    const off = manager.onChange((c) => seen.push(`${c.subject}:${c.entry.event.kind}`));
    await manager.grant({ subject: 'a', purposes: 'marketing.email' });
    await manager.withdraw({ subject: 'a', purposes: 'marketing.email', reason: 'too many' });
    off();
    await manager.grant({ subject: 'a', purposes: 'marketing.email' });
    expect(seen).toEqual(['a:given', 'a:withdrawn']);
  });

  it('does not fork a chain when two managers write the same subject', async () => {
    const store = createMemoryLedgerStore();
    const a = setup({ store }).manager;
    const b = setup({ store }).manager;
    await Promise.all([
      a.grant({ subject: 's', purposes: 'marketing.email' }),
      b.withdraw({ subject: 's', purposes: 'marketing.email' }),
      a.refuse({ subject: 's', purposes: 'analytics.measurement' }),
      b.grant({ subject: 's', purposes: 'ads.targeted' }),
    ]);
    const entries = await store.read('s');
    expect(entries.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
    expect(await a.verify('s')).toEqual({ valid: true, subjects: 1, entries: 4 });
    // A manager learns of another's writes when its own append is stale, or on refresh().
    await a.refresh('s');
    expect(a.entries('s').map((e) => e.hash)).toEqual(entries.map((e) => e.hash));
    expect(a.decide({ subject: 's', ...email }).status).toBe('withdrawn');
  });

  it('imports validated records, all or nothing, and idempotently', async () => {
    const store = createMemoryLedgerStore();
    const { manager } = setup({ store, jurisdiction: 'FR' });
    const at = Date.parse('2025-03-01T00:00:00Z');
    await expect(
      manager.import([
        { subject: 'a', kind: 'given', purposes: ['marketing.email'], at },
        // @ts-expect-error unknown purpose
        { subject: 'b', kind: 'given', purposes: ['marketing.fax'], at },
      ]),
    ).rejects.toMatchObject({
      details: { path: 'records[1].purposes[0]', value: 'marketing.fax' },
    });
    expect(await store.read('a')).toEqual([]);
    const records = [
      { subject: 'a', kind: 'given', purposes: ['analytics.measurement'], at },
      { subject: 'a', kind: 'signal_observed', gpc: true, at },
    ] as const;
    await manager.import(records);
    const again = await manager.import(records);
    expect(again.every((c) => c.duplicate)).toBe(true);
    expect(await store.read('a')).toHaveLength(2);
    const verdict = manager.decide({
      subject: 'a',
      purpose: 'analytics.measurement',
      dataCategories: [],
    });
    expect(verdict).toMatchObject({ allowed: true, reasons: [{ code: 'imported_grant' }] });
  });

  it('a withdrawal imported after a grant restricts until a new grant, not a renewal', async () => {
    const { manager, clock } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 'a', purposes: 'marketing.email' });
    clock.advance(duration.day);
    await manager.import([{ subject: 'a', kind: 'withdrawn', purposes: ['marketing.email'] }]);
    clock.advance(duration.day);
    await manager.renew({ subject: 'a', purposes: 'marketing.email' });
    expect(manager.decide({ subject: 'a', ...email }).status).toBe('withdrawn');
    await manager.grant({ subject: 'a', purposes: 'marketing.email' });
    expect(manager.decide({ subject: 'a', ...email }).allowed).toBe(true);
  });
});

describe('parseImportLines()', () => {
  it('names the bad line of a JSON Lines import, and nothing is written', async () => {
    const store = createMemoryLedgerStore();
    const { manager } = setup({ store });
    const text = [
      '{"subject":"a","kind":"given","purposes":["marketing.email"],"at":1767225600000}',
      '',
      '{"subject":"b","kind":"given","purposes":["marketing.email"],',
    ].join('\n');
    expect(() => parseImportLines(text)).toThrow(
      expect.objectContaining({
        code: 'consent/invalid_event',
        details: expect.objectContaining({ path: 'line 3' }),
      }),
    );
    const good = parseImportLines<TestPurpose>(text.split('\n').slice(0, 2).join('\n'));
    expect(good).toHaveLength(1);
    await manager.import(good);
    expect((await store.read('a')).map((e) => e.event.method)).toEqual(['import']);
    expect(await store.read('b')).toEqual([]);
  });
});

describe('load() and verify()', () => {
  it('hydrates a new manager from the store', async () => {
    const store = createMemoryLedgerStore();
    const { manager } = setup({ store, jurisdiction: 'FR' });
    await manager.grant({ subject: 's', purposes: 'marketing.email' });
    const fresh = createConsentManager({
      purposes,
      store,
      clock: { now: () => Date.parse('2026-05-02T00:00:00Z') },
    });
    expect(fresh.decide({ subject: 's', ...email }).allowed).toBe(false);
    expect(await fresh.load()).toBe(1);
    expect(fresh.decide({ subject: 's', ...email }).allowed).toBe(true);
  });

  it('names the first tampered entry and refuses to load a tampered ledger', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 's', purposes: 'marketing.email' });
    await manager.refuse({ subject: 's', purposes: 'analytics.measurement' });
    await manager.withdraw({ subject: 's', purposes: 'marketing.email' });
    const entries = manager.entries('s');
    const tampered: LedgerEntry[] = entries.map((e, i) =>
      i === 1 ? { ...e, event: { ...e.event, kind: 'given' } } : e,
    );
    const store = createMemoryLedgerStore({ initial: tampered });
    const copy = setup({ store }).manager;
    expect(await copy.verify()).toMatchObject({
      valid: false,
      subject: 's',
      index: 1,
      entryId: entries[1]?.id,
      problem: 'hash_mismatch',
    });
    try {
      await copy.load();
      expect.unreachable();
    } catch (error) {
      expect(isCandorError(error, 'consent/tampered_chain')).toBe(true);
      expect((error as { details: { value: unknown } }).details.value).toBe(entries[1]?.id);
    }
  });
});

describe('needsPrompt()', () => {
  const notice = (version: string, effective: string, material: boolean) => ({
    id: 'marketing',
    version,
    language: 'en',
    effectiveAt: Date.parse(effective),
    material,
    purposes: ['marketing.email', 'ads.targeted'] as const,
    content: `Marketing notice ${version}`,
  });

  it('lists exactly the purposes whose notice changed materially or whose decision expired', async () => {
    const notices = [
      notice('1', '2026-01-01T00:00:00Z', true),
      notice('2', '2026-06-01T00:00:00Z', false),
      notice('3', '2026-09-01T00:00:00Z', true),
    ];
    const { manager, clock } = setup({ jurisdiction: 'FR', notices });
    await manager.grant({
      subject: 's',
      purposes: ['marketing', 'marketing.email', 'ads.targeted'],
    });
    await manager.grant({
      subject: 's',
      purposes: ['analytics.measurement'],
      expiresAt: clock.now() + 30 * duration.day,
    });
    await manager.refuse({ subject: 's', purposes: ['personalization.health'] });
    expect(manager.needsPrompt('s')).toEqual([]);
    clock.set(Date.parse('2026-07-01T00:00:00Z'));
    // Version 2 is not material; measurement expired after 30 days.
    expect(manager.needsPrompt('s').map((n) => [n.purpose, n.reason])).toEqual([
      ['analytics.measurement', 'expired'],
    ]);
    clock.set(Date.parse('2026-09-02T00:00:00Z'));
    const needs = manager.needsPrompt('s');
    expect(needs.map((n) => [n.purpose, n.reason])).toEqual([
      ['marketing.email', 'notice_changed'],
      ['ads.targeted', 'notice_changed'],
      ['analytics.measurement', 'expired'],
    ]);
    expect(needs[0]?.notice?.version).toBe('3');
  });

  it('asks a new EU subject about consent purposes but never about necessary ones', () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    expect(manager.needsPrompt('new').map((n) => n.purpose)).toEqual([
      'marketing',
      'marketing.email',
      'ads.targeted',
      'analytics.measurement',
      'personalization.health',
    ]);
  });

  it('does not re-ask for 12 months after a California opt-out', async () => {
    const { manager, clock } = setup({ jurisdiction: 'US-CA' });
    expect(manager.needsPrompt('s').map((n) => n.purpose)).toEqual(['personalization.health']);
    await manager.refuse({
      subject: 's',
      purposes: 'personalization.health',
      expiresAt: clock.now() + 30 * duration.day,
    });
    clock.advance(200 * duration.day);
    expect(manager.needsPrompt('s')).toEqual([]);
    clock.advance(170 * duration.day);
    expect(manager.needsPrompt('s').map((n) => [n.purpose, n.reason])).toEqual([
      ['personalization.health', 'expired'],
    ]);
  });
});

describe('receipts and access export', () => {
  it('issues a Kantara v1.1 / ISO 27560 receipt per change', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    const controller = {
      name: 'Acme Bank',
      contact: 'Privacy Office',
      email: 'privacy@acme.example',
      policyUrl: 'https://acme.example/privacy',
    };
    const { entry } = await manager.grant({
      subject: 'cus_9',
      purposes: 'marketing.email',
      method: 'banner',
      surface: 'web.home',
    });
    const receipt = createReceipt(entry, { purposes, notices: manager.notices, controller });
    expect(receipt.kantara).toMatchObject({
      version: 'KI-CR-v1.1.0',
      jurisdiction: 'FR',
      consentReceiptID: entry.id,
      piiPrincipalId: 'cus_9',
      collectionMethod: 'banner (web.home)',
      consentTimestamp: Math.floor(entry.event.at / 1000),
      services: [
        {
          service: 'Acme Bank',
          purposes: [
            {
              purpose: 'Marketing emails',
              consentType: 'EXPLICIT',
              piiCategory: ['user.contact.email', 'user.behavior.purchase_history'],
            },
          ],
        },
      ],
      sensitive: false,
    });
    expect(receipt.iso27560.event).toMatchObject({
      type: 'given',
      state: 'given',
      method: 'banner',
    });
    expect(receipt.iso27560.proof.hash).toBe(entry.hash);
  });

  it('refuses a receipt without a controller', async () => {
    const { manager } = setup();
    const { entry } = await manager.grant({ subject: 's', purposes: 'marketing.email' });
    // @ts-expect-error the controller is required
    expect(() => createReceipt(entry, { purposes })).toThrow(
      expect.objectContaining({ code: 'consent/missing_controller' }),
    );
  });

  it('exports the full history for an access request', async () => {
    const { manager } = setup({ jurisdiction: 'FR' });
    await manager.grant({ subject: 's', purposes: 'marketing.email' });
    await manager.withdraw({ subject: 's', purposes: 'marketing.email' });
    const history = await manager.exportHistory('s');
    expect(history.entries.map((e) => e.event.kind)).toEqual(['given', 'withdrawn']);
    expect(history.entries[0]?.atIso).toBe('2026-05-01T09:00:00.000Z');
    expect(history.chain.valid).toBe(true);
    expect(history.current.find((v) => v.purpose === 'marketing.email')?.status).toBe('withdrawn');
    expect(JSON.parse(JSON.stringify(history)).subject).toBe('s');
    expect(history.access).toBeUndefined();
  });

  it('puts every recorded use of the data in the same export, given the access log', async () => {
    const { manager } = setup();
    const accessLog = createMemoryAccessLog();
    const read = (id: string, subject: string) => ({
      id,
      subject,
      at: Date.parse('2026-05-02T09:00:00Z'),
      accessor: { kind: 'rule', id: 'card-expiry', version: 1 } as const,
      purpose: 'service.proactive_support',
      dataCategories: ['user.financial.payment_card'],
      evidence: ['card.expiresAt'],
      outcome: 'held_back' as const,
      heldBackBecause: 'conditions_not_met',
    });
    await accessLog.append([read('a1', 's'), read('a2', 'someone-else')]);
    await manager.grant({ subject: 's', purposes: 'marketing.email' });
    const history = await manager.exportHistory('s', { accessLog });
    const json = JSON.parse(JSON.stringify(history));
    expect(json.entries).toHaveLength(1);
    expect(json.access.map((r: { id: string }) => r.id)).toEqual(['a1']);
    await expect(
      manager.exportHistory('s', { accessLog: {} as typeof accessLog }),
    ).rejects.toMatchObject({ code: 'core/invalid_input', details: { path: 'options.accessLog' } });
  });
});
