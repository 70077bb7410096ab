import { isCandorError, isDottedId } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setup } from '../test/fixtures';
import { changeFields, gpcFields, grantFields, importFields } from './change-event';
import { object } from './check';
import { optionsShape } from './config';
import { type ConsentSchemaName, consentSchemaIssues } from './json-schema';
import { noticeShape, validateNotices } from './notices';
import { policyPackShape, policyPacks, validatePolicyPack } from './policy';
import { definePurposes, purposeShape } from './purposes';
import * as schema from './schema';
import { eventShape, isWellFormedEvent, validateEvent } from './validate-event';

// The runtime checks are hand-written (no zod in the browser bundle); the zod schemas in
// schema.ts are what the JSON Schemas are generated from. The same inputs go through both:
// they must accept and reject alike, name the same field, and word an unknown field alike.

const HASH = 'ab'.repeat(32);
const NOW = Date.parse('2026-05-01T09:00:00Z');

interface Format {
  readonly name: ConsentSchemaName;
  /** Runs the runtime check; resolves when it accepts, rejects with its CandorError otherwise. */
  readonly run: (input: unknown) => unknown;
  /** Where the runtime's paths start (`details.path` is `<root>.<field>`). */
  readonly root: string;
  readonly valid: Record<string, unknown>;
  /** Changes that each make `valid` invalid in exactly one way. */
  readonly invalid: readonly Record<string, unknown>[];
  /** Changes both accept (optional fields, edge values). */
  readonly alsoValid?: readonly Record<string, unknown>[];
}

const purpose = {
  title: 'Emails',
  bases: ['consent'],
  categories: ['user.contact.email'],
};
const notice = {
  id: 'marketing',
  version: '2026-05',
  language: 'en',
  effectiveAt: 0,
  material: true,
  purposes: ['marketing.email'],
  content: 'We email you offers.',
};
const event = {
  kind: 'given',
  actor: { kind: 'subject' },
  purposes: ['marketing.email'],
  at: NOW - 1_000,
  method: 'api',
};
const change = { subject: 'cus_1', purposes: 'marketing.email' };
const details: readonly Record<string, unknown>[] = [
  { method: 'email' },
  { surface: '' },
  { uiVersion: 'x'.repeat(101) },
  { jurisdiction: 'France' },
  { expiresAt: 1.5 },
  { reason: 5 },
  { reason: 'x'.repeat(2001) },
  { actor: { kind: 'robot' } },
  { actor: { kind: 'agent', name: 'alice' } },
  { actor: 'subject' },
  { notice: { id: 'marketing', version: '1', contentHash: 'nope' } },
  { notice: { id: 'marketing', version: '1', contentHash: HASH, url: 'x' } },
  { notice: 'marketing' },
  { idempotencyKey: '' },
  { at: -1 },
  { mehtod: 'banner' },
  { Subject: 'cus_1' },
  { 'not an identifier': 1 },
];

const formats: readonly Format[] = [
  {
    name: 'PurposeDefinition',
    run: (def) => definePurposes({ 'a.b': def as never }),
    root: 'purposes["a.b"]',
    valid: purpose,
    invalid: [
      { title: '' },
      { title: 'x'.repeat(501) },
      { title: undefined },
      { description: 5 },
      { bases: [] },
      { bases: ['consent', 'whim'] },
      { bases: 'consent' },
      { necessary: 'yes' },
      { necessary: true },
      { categories: ['User.Email'] },
      { categories: undefined },
      { expiresIn: 0 },
      { expiresIn: 1.5 },
      { expiresIn: 2 ** 60 },
      { refusalExpiresIn: -1 },
      { tags: ['marketing'] },
      { impliesChildren: 1 },
      { tcf: [12] },
      { consentMode: ['ad_stroage'] },
      { dpv: [5] },
      { benefit: { text: '' } },
      { benefit: 'a discount' },
      { benefit: { text: 'x', terms: { kind: 'gift' } } },
      { benefit: { text: 'x', terms: { kind: 'discount', percent: 0 } } },
      { benefit: { text: 'x', terms: { kind: 'feature', feature: 'x', extra: 1 } } },
      { expiresin: 1 },
      { Title: 'Emails' },
      { categorys: [] },
      { zzz: 1 },
    ],
    alsoValid: [
      { description: '' },
      { bases: ['contract', 'consent'], necessary: true },
      { expiresIn: 1, refusalExpiresIn: 2, tags: [], tcf: [1, 11], consentMode: [], dpv: [] },
      { impliesChildren: false, expiresIn: undefined },
      { benefit: { text: '10% off', terms: { kind: 'discount', percent: 10 } } },
      {
        benefit: { text: 'Priority support', terms: { kind: 'service_level', level: 'priority' } },
      },
      { benefit: { text: 'Early access' } },
    ],
  },
  {
    name: 'NoticeDefinition',
    run: (input) => validateNotices([input as never], isDottedId),
    root: 'notices[0]',
    valid: notice,
    invalid: [
      { id: '' },
      { version: 'x'.repeat(101) },
      { language: 'x'.repeat(36) },
      { effectiveAt: -1 },
      { effectiveAt: 1.5 },
      { material: 'yes' },
      { purposes: [] },
      { purposes: ['Marketing'] },
      { content: 5 },
      { content: undefined },
      { content: undefined, contentHash: 'AB'.repeat(32) },
      { url: 5 },
      { materal: true },
      { contenthash: HASH },
    ],
    alsoValid: [
      { content: undefined, contentHash: HASH },
      { url: 'https://x.test', content: '' },
    ],
  },
  {
    name: 'PolicyPack',
    run: (pack) => validatePolicyPack(pack as never),
    root: 'policy',
    valid: { ...policyPacks.eu },
    invalid: [
      { id: '' },
      { id: 'x'.repeat(101) },
      { title: 5 },
      { jurisdictions: 'FR' },
      { jurisdictions: [5] },
      { model: 'opt-in' },
      { sensitiveRequiresOptIn: 1 },
      { legitimateInterest: undefined },
      { gpcScope: ['sale'] },
      { noReaskAfterOptOut: -1 },
      { noReaskAfterOptOut: undefined },
      { gpcScop: [] },
      { noReask: null },
    ],
    alsoValid: [{ noReaskAfterOptOut: 0, title: '', jurisdictions: [] }],
  },
  {
    name: 'ConsentEvent',
    run: (input) => validateEvent('s', input as never, NOW),
    root: 'event',
    valid: event,
    invalid: [
      { kind: 'agreed' },
      { actor: { kind: 'robot' } },
      { actor: { kind: 'subject', nmae: 'x' } },
      { purposes: ['Bad Id'] },
      { basis: 'whim' },
      { notice: { id: 'n', version: '1' } },
      { notice: { id: 'n', version: '1', contentHash: HASH, extra: 1 } },
      { at: 1.5 },
      { method: 'email' },
      { surface: '' },
      { jurisdiction: 'F' },
      { expiresAt: -5 },
      { reason: 'x'.repeat(2001) },
      { confirmed: 'yes' },
      { signal: { gpc: 'yes' } },
      { signal: { gpc: true, dnt: true } },
      { subjct: 's' },
    ],
    alsoValid: [
      { basis: 'consent', confirmed: true, signal: { gpc: false }, reason: '' },
      { notice: { id: 'n', version: '1', contentHash: HASH }, jurisdiction: 'US-CA' },
    ],
  },
  {
    name: 'ChangeInput',
    run: (input) => setup().manager.withdraw(input as never),
    root: 'input',
    valid: change,
    invalid: [
      { subject: '' },
      { subject: 'x'.repeat(257) },
      { purposes: [] },
      { purposes: 'Marketing' },
      { confirmed: true },
      { gpc: true },
      { dataCategories: [] },
      { dataCategories: 'user.contact.email' },
      { dataCategories: ['User Email'] },
      { datacategories: ['user.contact.email'] },
      ...details,
    ],
    alsoValid: [
      { purposes: ['marketing.email', 'ads.targeted'] },
      { dataCategories: ['user.contact.email'] },
      { notice: null, reason: '', method: 'banner', at: NOW - 1, jurisdiction: 'FR' },
      { actor: { kind: 'agent', id: 'support:alice' }, surface: 'web', uiVersion: '4' },
    ],
  },
  {
    name: 'GrantInput',
    run: (input) => setup().manager.grant(input as never),
    root: 'input',
    valid: change,
    invalid: [{ confirmed: 'yes' }, { confirmd: true }, ...details],
    alsoValid: [{ confirmed: true }, { confirmed: false }],
  },
  {
    name: 'ImportRecord',
    run: (input) => setup().manager.import([input as never]),
    root: 'records[0]',
    valid: { ...change, kind: 'given' },
    invalid: [
      { kind: 'agreed' },
      { kind: undefined },
      { purposes: undefined },
      { kind: 'signal_observed', purposes: undefined },
      { kind: 'signal_observed', gpc: 'yes' },
      { gpc: 'yes' },
      { confirmed: 1 },
      ...details,
    ],
    alsoValid: [
      { kind: 'signal_observed', purposes: undefined, gpc: true },
      { kind: 'withdrawn', confirmed: false, method: 'banner' },
    ],
  },
];

async function runtime(format: Format, input: unknown): Promise<unknown> {
  try {
    await format.run(input);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** `purposes["a.b"].bases[1]` → `bases.1`, the form `consentSchemaIssues` uses. */
const relative = (root: string, path: string) =>
  path
    .slice(root.length)
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\["([^"]*)"\]/g, '.$1')
    .replace(/^\./, '');

describe('the runtime checks and the zod schemas agree', () => {
  for (const format of formats) {
    const rows = [
      ['valid', format.valid] as const,
      ...(format.alsoValid ?? []).map((edit) => ['valid', { ...format.valid, ...edit }] as const),
      ...format.invalid.map((edit) => ['invalid', { ...format.valid, ...edit }] as const),
    ];
    it.each(rows)(`${format.name}: %s %j`, async (expected, input) => {
      const issues = consentSchemaIssues(format.name, input);
      const error = await runtime(format, input);
      expect(issues.length === 0 ? 'valid' : 'invalid').toBe(expected);
      if (expected === 'valid') {
        expect(error).toBeUndefined();
        return;
      }
      expect(isCandorError(error)).toBe(true);
      if (!isCandorError(error)) return;
      const path = String(error.details.path);
      const issue = issues[0]!;
      // The same field; where the schema reports a union as a whole (`purposes`, `notice`), the
      // runtime may name the part inside it.
      const field = relative(format.root, path);
      expect(field === issue.path || field.startsWith(`${issue.path}.`)).toBe(true);
      if (issue.message.startsWith('unknown field')) {
        expect(error.message).toBe(`${path}: ${issue.message}`);
      }
    });
  }
});

describe('what only the runtime can check', () => {
  // Facts outside the value itself: the registry, the clock, the content's hash, the other
  // notices. The schemas accept these; the runtime refuses them.
  const cases: readonly (readonly [string, ConsentSchemaName, unknown, () => unknown])[] = [
    [
      'a purpose the registry does not declare',
      'ChangeInput',
      { subject: 's', purposes: 'x.y' },
      () => setup().manager.withdraw({ subject: 's', purposes: 'x.y' as never }),
    ],
    [
      'a data category the purpose does not declare',
      'ChangeInput',
      { ...change, dataCategories: ['user.health'] },
      () => setup().manager.withdraw({ ...change, dataCategories: ['user.health'] } as never),
    ],
    [
      'a notice the manager does not declare',
      'ChangeInput',
      { ...change, notice: { id: 'nope' } },
      () => setup().manager.withdraw({ ...change, notice: { id: 'nope' } } as never),
    ],
    [
      'an event in the future',
      'ChangeInput',
      { ...change, at: NOW + 1 },
      () => setup().manager.withdraw({ ...change, at: NOW + 1 } as never),
    ],
    [
      'an expiry before the event',
      'ConsentEvent',
      { ...event, expiresAt: event.at },
      () => validateEvent('s', { ...event, expiresAt: event.at } as never, NOW),
    ],
    [
      'content that does not match its hash',
      'NoticeDefinition',
      { ...notice, contentHash: HASH },
      () => validateNotices([{ ...notice, contentHash: HASH } as never], isDottedId),
    ],
    [
      'a notice purpose the registry does not declare',
      'NoticeDefinition',
      notice,
      () => validateNotices([notice as never], () => false),
    ],
  ];
  it.each(cases)('%s', async (_label, name, input, call) => {
    expect(consentSchemaIssues(name, input)).toEqual([]);
    await expect(Promise.resolve().then(call)).rejects.toSatisfy(isCandorError);
  });
});

describe('the runtime knows exactly the fields the schemas know', () => {
  const keys = (shape: object) => Object.keys(shape).sort();
  it.each([
    ['PurposeDefinition', purposeShape, schema.PurposeDefinition],
    ['NoticeDefinition', noticeShape, schema.NoticeDefinition],
    ['PolicyPack', policyPackShape, schema.PolicyPack],
    ['ConsentEvent', eventShape, schema.ConsentEvent],
    ['ChangeInput', changeFields, schema.ChangeInput],
    ['GrantInput', grantFields, schema.GrantInput],
    ['ImportRecord', importFields, schema.ImportRecord],
  ] as const)('%s', (_name, runtimeShape, zodSchema) => {
    expect(keys(runtimeShape)).toEqual(keys(zodSchema.def.shape));
  });

  it('observeGpc takes the change details but a notice, plus the signal', () => {
    const detailKeys = keys(schema.ChangeDetails.def.shape).filter((k) => k !== 'notice');
    expect(keys(gpcFields)).toEqual([...detailKeys, 'gpc', 'subject'].sort());
  });

  it('manager options: every option the type has', () => {
    expect(keys(optionsShape)).toEqual(
      [
        'cache',
        'clock',
        'fallbackPolicy',
        'generateKey',
        'jurisdiction',
        'language',
        'notices',
        'offers',
        'policies',
        'purposes',
        'store',
      ].sort(),
    );
  });
});

describe("validateEvent's fast path", () => {
  // Writes decide an event by direct reads (isWellFormedEvent) and only walk eventShape, which
  // words the issue, when those refuse. A fast `true` the shape or the schema refuses would let a
  // bad event into the ledger; a fast `false` they accept would only cost time: both must agree.
  const checkEvent = object(eventShape);
  /** Mostly one of `good`, sometimes one of `bad`. */
  const pick = (good: readonly unknown[], bad: readonly unknown[]) =>
    fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...good) }, fc.constantFrom(...bad));
  const text = (max: number) => pick(['x', 'x'.repeat(max)], ['', 'x'.repeat(max + 1), 5, null]);
  const instant = pick([0, 1, NOW - 1], [-1, 1.5, 2 ** 60, '1', Number.NaN, null]);
  const objectOf = (fields: Record<string, fc.Arbitrary<unknown>>, required: string[]) =>
    fc.oneof(
      { weight: 12, arbitrary: fc.record(fields, { requiredKeys: required }) },
      fc.record({ ...fields, extra: fc.constant(1) }, { requiredKeys: [] }),
      fc.constantFrom(null, 'x', [], 5),
    );
  const fields: { readonly [K in keyof typeof eventShape]: fc.Arbitrary<unknown> } = {
    kind: pick(['given', 'signal_observed'], ['agreed', undefined, 5]),
    actor: objectOf({ kind: pick(['subject', 'agent'], ['robot', undefined]), id: text(200) }, [
      'kind',
    ]),
    purposes: fc.oneof(
      fc.array(pick(['marketing.email', 'a'], ['Bad Id', '', 5]), { maxLength: 3 }),
      fc.constantFrom('marketing.email', null),
    ),
    dataCategories: pick(
      [['user.contact.email'], ['a', 'user.contact.email']],
      [[], ['Bad Id'], [''], [5], 'user.contact.email', null],
    ),
    basis: pick(['consent', 'contract'], ['whim', 5]),
    offer: objectOf({ id: text(200), version: text(100) }, ['id', 'version']),
    notice: objectOf(
      { id: text(200), version: text(100), contentHash: pick([HASH], ['AB'.repeat(32), 'ab', 5]) },
      ['id', 'version', 'contentHash'],
    ),
    at: instant,
    method: pick(['api', 'gpc'], ['email', undefined]),
    surface: text(200),
    uiVersion: text(100),
    jurisdiction: pick(['FR', 'US-CA'], ['F', 'France', '', 5]),
    expiresAt: instant,
    reason: pick(['', 'x'.repeat(2000)], ['x'.repeat(2001), 5, null]),
    confirmed: pick([true, false], ['yes', 1]),
    signal: objectOf({ gpc: pick([true, false], ['yes', undefined]) }, ['gpc']),
  };
  // Any of the shape's fields (the names come from it), each good or odd, and sometimes a field
  // the event does not have.
  const events = fc.tuple(
    fc.record(fields, { requiredKeys: [] }),
    fc.oneof(
      { weight: 12, arbitrary: fc.constant(null) },
      fc.constantFrom('kidn', 'Kind', 'subject', 'not an identifier', 'constructor'),
    ),
  );

  it('accepts exactly what eventShape and the zod schema accept', () => {
    let accepted = 0;
    fc.assert(
      fc.property(events, ([edits, unknown]) => {
        const input: Record<string, unknown> = { ...event, ...edits };
        if (unknown !== null) input[unknown] = 1;
        const fast = isWellFormedEvent(input as never);
        if (fast) accepted++;
        expect(fast).toBe(checkEvent(input) === undefined);
        expect(fast).toBe(consentSchemaIssues('ConsentEvent', input).length === 0);
      }),
      { numRuns: 2_000 },
    );
    // Both answers were explored.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(1_900);
  });

  it('accepts an event with every field of the shape', () => {
    const full = {
      ...event,
      basis: 'consent',
      notice: { id: 'n', version: '1', contentHash: HASH },
      surface: 'web',
      uiVersion: '4',
      jurisdiction: 'FR',
      expiresAt: NOW,
      reason: '',
      confirmed: true,
      dataCategories: ['user.contact.email'],
      signal: { gpc: true },
      offer: { id: 'tips-discount', version: '2026-01' },
      actor: { kind: 'agent', id: 'support:alice' },
    };
    expect(Object.keys(full).sort()).toEqual(Object.keys(eventShape).sort());
    expect(checkEvent(full)).toBeUndefined();
    expect(isWellFormedEvent(full as never)).toBe(true);
  });
});
