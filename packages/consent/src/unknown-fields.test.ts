import { describe, expect, it } from 'vitest';
import { purposes, setup } from '../test/fixtures';
import { consentSchemaIssues } from './json-schema';
import { createConsentManager } from './manager';
import { validateNotices } from './notices';
import { policyPacks, validatePolicyPack } from './policy';
import { definePurposes } from './purposes';
import { validateEvent } from './validate-event';

// A misspelt field is a compile error (index.test-d.ts) and, for callers TypeScript cannot see
// (JavaScript, JSON, casts), a typed runtime error naming the field and the one it is a near
// miss of, in the words consentSchemaIssues uses.

const rejects = (code: string, path: string, message: string) =>
  expect.objectContaining({
    code,
    message: `${path}: ${message}`,
    details: expect.objectContaining({ path }),
  });

describe('unknown fields are refused at run time, naming the near miss', () => {
  it('definePurposes: the issue’s example (a grant that would never expire)', () => {
    const define = () =>
      definePurposes({
        'a.b': { title: 'A', bases: ['consent'], categories: [], expiresin: 1 } as never,
      });
    expect(define).toThrow(
      rejects(
        'consent/invalid_purpose',
        'purposes["a.b"].expiresin',
        'unknown field "expiresin"; did you mean "expiresIn"?',
      ),
    );
    expect(
      consentSchemaIssues('PurposeDefinition', {
        title: 'A',
        bases: ['consent'],
        categories: [],
        expiresin: 1,
      }),
    ).toEqual([
      { path: 'expiresin', message: 'unknown field "expiresin"; did you mean "expiresIn"?' },
    ]);
  });

  it('definePurposes: a field nothing resembles, and its options', () => {
    expect(() =>
      definePurposes({
        'a.b': { title: 'A', bases: ['consent'], categories: [], zzz: 1 } as never,
      }),
    ).toThrow(rejects('consent/invalid_purpose', 'purposes["a.b"].zzz', 'unknown field "zzz"'));
    expect(() => definePurposes({}, { sensitiveCategory: ['user.kids'] } as never)).toThrow(
      rejects(
        'consent/invalid_purpose',
        'options.sensitiveCategory',
        'unknown field "sensitiveCategory"; did you mean "sensitiveCategories"?',
      ),
    );
  });

  it('notices, as declared to the manager or validated alone', () => {
    const notice = {
      id: 'n',
      version: '1',
      language: 'en',
      effectiveAt: 0,
      materal: true,
      purposes: ['marketing'],
      content: 'x',
    };
    const expected = rejects(
      'consent/invalid_notice',
      'notices[0].materal',
      'unknown field "materal"; did you mean "material"?',
    );
    expect(() => validateNotices([notice as never], () => true)).toThrow(expected);
    expect(() => createConsentManager({ purposes, notices: [notice as never] })).toThrow(expected);
  });

  it('policy packs', () => {
    const pack = { ...policyPacks.strict, id: 'x', gpcScop: ['sale_share'] };
    expect(() => validatePolicyPack(pack as never)).toThrow(
      rejects(
        'consent/invalid_policy',
        'policy.gpcScop',
        'unknown field "gpcScop"; did you mean "gpcScope"?',
      ),
    );
    expect(() => createConsentManager({ purposes, policies: [pack as never] })).toThrow(
      rejects(
        'consent/invalid_policy',
        'policies[0].gpcScop',
        'unknown field "gpcScop"; did you mean "gpcScope"?',
      ),
    );
  });

  it('manager options', () => {
    expect(() => createConsentManager({ purposes, jurisidction: 'FR' } as never)).toThrow(
      rejects(
        'core/invalid_input',
        'options.jurisidction',
        'unknown field "jurisidction"; did you mean "jurisdiction"?',
      ),
    );
    expect(() => createConsentManager({ purposes, cache: { maxSubject: 10 } } as never)).toThrow(
      rejects(
        'core/invalid_input',
        'options.cache.maxSubject',
        'unknown field "maxSubject"; did you mean "maxSubjects"?',
      ),
    );
  });

  it('every write, and nothing is written', async () => {
    const { manager } = setup();
    const input = { subject: 's', purposes: 'marketing', mehtod: 'banner' } as never;
    const expected = rejects(
      'consent/invalid_event',
      'input.mehtod',
      'unknown field "mehtod"; did you mean "method"?',
    );
    for (const write of ['grant', 'refuse', 'withdraw', 'object', 'revoke', 'renew'] as const) {
      await expect(manager[write](input)).rejects.toEqual(expected);
    }
    // `confirmed` only means something for a grant.
    await expect(
      manager.withdraw({ subject: 's', purposes: 'marketing', confirmed: true } as never),
    ).rejects.toEqual(
      rejects('consent/invalid_event', 'input.confirmed', 'unknown field "confirmed"'),
    );
    await expect(
      manager.grant({
        subject: 's',
        purposes: 'marketing',
        actor: { kind: 'agent', nmae: 'a' },
      } as never),
    ).rejects.toEqual(rejects('consent/invalid_event', 'input.actor.nmae', 'unknown field "nmae"'));
    await expect(
      manager.grant({
        subject: 's',
        purposes: 'marketing',
        notice: { id: 'n', versoin: '2' },
      } as never),
    ).rejects.toEqual(
      rejects(
        'consent/invalid_notice',
        'input.notice.versoin',
        'unknown field "versoin"; did you mean "version"?',
      ),
    );
    await expect(
      manager.observeGpc({ subject: 's', gpc: true, purposes: 'marketing' } as never),
    ).rejects.toEqual(
      rejects('consent/invalid_event', 'input.purposes', 'unknown field "purposes"'),
    );
    expect(manager.entries('s')).toEqual([]);
  });

  it('imports, before anything is written', async () => {
    const { manager } = setup();
    const records = [
      { subject: 's', kind: 'given', purposes: 'marketing' },
      { subject: 's', kind: 'given', purposes: 'marketing', gpcc: true },
    ];
    await expect(manager.import(records as never)).rejects.toEqual(
      rejects(
        'consent/invalid_event',
        'records[1].gpcc',
        'unknown field "gpcc"; did you mean "gpc"?',
      ),
    );
    expect(manager.entries('s')).toEqual([]);
  });

  it('ledger events', () => {
    const event = {
      kind: 'given',
      actor: { kind: 'subject' },
      purposes: ['marketing'],
      at: 0,
      method: 'api',
      purpose: 'marketing',
    };
    expect(() => validateEvent('s', event as never, 1)).toThrow(
      rejects(
        'consent/invalid_event',
        'event.purpose',
        'unknown field "purpose"; did you mean "purposes"?',
      ),
    );
  });

  it('names a key that is not an identifier in brackets', () => {
    expect(() =>
      definePurposes({
        'a.b': { title: 'A', bases: ['consent'], categories: [], 'x y': 1 } as never,
      }),
    ).toThrow(rejects('consent/invalid_purpose', 'purposes["a.b"]["x y"]', 'unknown field "x y"'));
  });
});
