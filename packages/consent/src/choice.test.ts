import { createVirtualClock, duration } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { purposes } from '../test/fixtures';
import { applyConsentChoice } from './choice';
import type { ConsentChoice } from './contract';
import { consentSchemaIssues } from './json-schema';
import { createConsentManager } from './manager';
import { decideFromSnapshot } from './snapshot-decide';

const START = Date.parse('2026-05-01T09:00:00Z');
const notices = [
  {
    id: 'marketing',
    version: '2',
    language: 'en',
    effectiveAt: START - duration.day,
    material: true,
    purposes: ['marketing.email' as const],
    content: 'We send offers by email.',
  },
];

function setup() {
  const clock = createVirtualClock(START);
  const manager = createConsentManager({ purposes, notices, clock, jurisdiction: 'FR' });
  return { clock, manager };
}
const choice = (over: Partial<ConsentChoice> = {}): ConsentChoice => ({
  key: 'c_1',
  purpose: 'marketing.email',
  action: 'grant',
  chosenAt: START - duration.minute,
  ...over,
});
const rejects = (code: string, path: string) =>
  expect.objectContaining({ code, details: expect.objectContaining({ path }) });

describe('applyConsentChoice', () => {
  it('records the choice for the server’s subject under its key, with the device time and notice', async () => {
    const { manager } = setup();
    const result = await applyConsentChoice(
      manager,
      'cus_1',
      choice({ notice: { id: 'marketing', version: '2' }, method: 'banner' }),
      { surface: 'web.banner' },
    );
    expect(result).toMatchObject({ key: 'c_1', sequence: 1, duplicate: false });
    expect(consentSchemaIssues('ConsentChoiceResult', JSON.parse(JSON.stringify(result)))).toEqual(
      [],
    );
    const [entry] = manager.entries('cus_1');
    expect(entry).toMatchObject({ id: result.recordId, idempotencyKey: expect.any(String) });
    expect(entry?.event).toMatchObject({
      kind: 'given',
      purposes: ['marketing.email'],
      at: START - duration.minute,
      method: 'banner',
      surface: 'web.banner',
      notice: { id: 'marketing', version: '2' },
    });
    // The snapshot returned reflects the choice.
    expect(result.snapshot?.seq).toBe(1);
    expect(decideFromSnapshot(result.snapshot!, 'marketing.email').allowed).toBe(true);
  });

  it('a replay with the same choice writes nothing and answers the same record', async () => {
    const { manager, clock } = setup();
    const first = await applyConsentChoice(manager, 'cus_1', choice({ action: 'withdraw' }));
    clock.advance(duration.hour);
    const again = await applyConsentChoice(manager, 'cus_1', choice({ action: 'withdraw' }));
    expect(again).toMatchObject({ recordId: first.recordId, sequence: 1, duplicate: true });
    expect(manager.entries('cus_1')).toHaveLength(1);
  });

  it('the same key with a different choice is a conflict and writes nothing', async () => {
    const { manager } = setup();
    await applyConsentChoice(manager, 'cus_1', choice({ dataCategories: ['user.contact.email'] }));
    for (const other of [
      choice({ action: 'withdraw' }),
      choice({ purpose: 'ads.targeted' }),
      choice(),
      choice({ dataCategories: ['user.behavior.purchase_history'] }),
      choice({ dataCategories: ['user.contact.email'], confirmed: true }),
    ]) {
      await expect(applyConsentChoice(manager, 'cus_1', other)).rejects.toThrow(
        rejects('consent/idempotency_conflict', 'choice.key'),
      );
    }
    expect(manager.entries('cus_1')).toHaveLength(1);
  });

  it('records an objection to a purpose based on legitimate interest, at once and once', async () => {
    // What an explanation's controls with `mechanism: 'object'` offer.
    const { manager } = setup();
    const objection = choice({ purpose: 'marketing.direct_li', action: 'object' });
    expect(
      manager.decide({
        subject: 'cus_1',
        purpose: 'marketing.direct_li',
        dataCategories: ['user.contact.address'],
      }).allowed,
    ).toBe(true);
    const result = await applyConsentChoice(manager, 'cus_1', objection);
    expect(manager.entries('cus_1')[0]?.event.kind).toBe('objected');
    expect(
      manager.decide({
        subject: 'cus_1',
        purpose: 'marketing.direct_li',
        dataCategories: ['user.contact.address'],
      }),
    ).toMatchObject({
      allowed: false,
      status: 'objected',
    });
    expect(decideFromSnapshot(result.snapshot!, 'marketing.direct_li').allowed).toBe(false);
    const again = await applyConsentChoice(manager, 'cus_1', objection);
    expect(again).toMatchObject({ recordId: result.recordId, duplicate: true });
    await expect(
      applyConsentChoice(manager, 'cus_1', { ...objection, action: 'withdraw' }),
    ).rejects.toThrow(rejects('consent/idempotency_conflict', 'choice.key'));
    expect(manager.entries('cus_1')).toHaveLength(1);
  });

  it('a key is the customer’s own: another customer’s withdrawal under it is recorded', async () => {
    const { manager } = setup();
    await applyConsentChoice(manager, 'cus_1', choice());
    await applyConsentChoice(manager, 'cus_2', choice());
    await applyConsentChoice(manager, 'cus_1', choice({ key: 'w_1', action: 'withdraw' }));
    const theirs = await applyConsentChoice(
      manager,
      'cus_2',
      choice({ key: 'w_1', action: 'withdraw' }),
    );
    expect(theirs).toMatchObject({ key: 'w_1', duplicate: false });
    for (const subject of ['cus_1', 'cus_2'])
      expect(
        manager.decide({ subject, purpose: 'marketing.email', dataCategories: [] }).allowed,
      ).toBe(false);
    // A replay is still the customer's own record.
    const again = await applyConsentChoice(
      manager,
      'cus_2',
      choice({ key: 'w_1', action: 'withdraw' }),
    );
    expect(again).toMatchObject({ recordId: theirs.recordId, duplicate: true });
  });

  it('records the server’s time for a device time in the future or too old', async () => {
    const { manager } = setup();
    await applyConsentChoice(manager, 's', choice({ key: 'a', chosenAt: START + duration.day }));
    await applyConsentChoice(
      manager,
      's',
      choice({ key: 'b', chosenAt: START - 40 * duration.day }),
    );
    await applyConsentChoice(manager, 's', choice({ key: 'c', chosenAt: START - duration.hour }), {
      maxAge: duration.minute,
    });
    expect(manager.entries('s').map((e) => e.event.at)).toEqual([START, START, START]);
  });

  it('rejects bad choices with a typed error naming the field, and writes nothing', async () => {
    const { manager } = setup();
    const cases: [unknown, string, string][] = [
      [null, 'consent/invalid_event', 'choice'],
      [{ ...choice(), subject: 'cus_2' }, 'consent/invalid_event', 'choice.subject'],
      [{ ...choice(), key: '' }, 'consent/invalid_event', 'choice.key'],
      [{ ...choice(), key: 'k'.repeat(201) }, 'consent/invalid_event', 'choice.key'],
      [{ ...choice(), action: 'delete' }, 'consent/invalid_event', 'choice.action'],
      [{ ...choice(), chosenAt: '2026-05-01' }, 'consent/invalid_event', 'choice.chosenAt'],
      [{ ...choice(), chosenAt: -1 }, 'consent/invalid_event', 'choice.chosenAt'],
      [{ ...choice(), method: 'api' }, 'consent/invalid_event', 'choice.method'],
      [{ ...choice(), purpose: 'marketing.sms' }, 'consent/invalid_purpose', 'choice.purpose'],
      [{ ...choice(), purpose: 42 }, 'consent/invalid_event', 'choice.purpose'],
      [
        { ...choice(), dataCategories: ['user.health'] },
        'consent/invalid_category',
        'choice.dataCategories[0]',
      ],
      [{ ...choice(), dataCategories: [] }, 'consent/invalid_category', 'choice.dataCategories'],
      [
        { ...choice(), dataCategories: 'user.contact.email' },
        'consent/invalid_event',
        'choice.dataCategories',
      ],
      [
        { ...choice(), notice: { id: 'marketing', version: '9' } },
        'consent/invalid_notice',
        'choice.notice',
      ],
      [
        { ...choice(), action: 'withdraw', confirmed: true },
        'consent/invalid_event',
        'choice.confirmed',
      ],
      [
        JSON.parse(
          '{"__proto__":{"x":1},"key":"k","purpose":"marketing.email","action":"grant","chosenAt":1}',
        ),
        'consent/invalid_event',
        'choice.__proto__',
      ],
    ];
    for (const [value, code, path] of cases) {
      await expect(
        applyConsentChoice(manager, 'cus_1', value as ConsentChoice),
        JSON.stringify(value),
      ).rejects.toThrow(rejects(code, path));
    }
    expect(manager.entries('cus_1')).toHaveLength(0);
    await expect(applyConsentChoice({} as never, 'cus_1', choice())).rejects.toThrow(
      rejects('core/invalid_input', 'manager'),
    );
    await expect(applyConsentChoice(manager, '', choice())).rejects.toThrow(
      rejects('core/invalid_input', 'subject'),
    );
  });

  it('the zod schema accepts and rejects what the runtime does', () => {
    expect(
      consentSchemaIssues('ConsentChoice', choice({ dataCategories: ['user.contact.email'] })),
    ).toEqual([]);
    expect(consentSchemaIssues('ConsentChoice', { ...choice(), subject: 'x' })).not.toEqual([]);
    expect(consentSchemaIssues('ConsentChoice', { ...choice(), action: 'object' })).toEqual([]);
    expect(consentSchemaIssues('ConsentChoice', { ...choice(), action: 'delete' })).not.toEqual([]);
  });
});
