import { createVirtualClock } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { purposes, setup } from '../test/fixtures';
import * as api from './index';
import { fromTcString, tcfImportRecords, toTcString } from './tcf';

// Every exported function, factory and manager / store method, called with values no caller
// should pass: each must throw (or reject with) a typed CandorError naming the bad argument.
const nullProto = Object.create(null) as object;
const empty = {};
const array: unknown[] = [];
const BAD: readonly unknown[] = [null, undefined, 'x', 42, empty, array, nullProto];
const label = (value: unknown) =>
  value === nullProto ? 'null-prototype object' : (JSON.stringify(value) ?? 'undefined');
const isObject = (value: unknown) => typeof value === 'object' && value !== null;
const except =
  (...valid: unknown[]) =>
  (value: unknown) =>
    !valid.includes(value);
const nonObjects = (value: unknown) => !isObject(value);

interface Case {
  /** What is called, for the test name. */
  readonly name: string;
  /** Calls the entry point with `bad` in the argument under test. */
  readonly call: (bad: unknown) => unknown;
  /** The expected error code (a function of the bad value when it differs between them). */
  readonly code: string | ((bad: unknown) => string);
  /** The expected `details.path` (likewise). */
  readonly path: string | ((bad: unknown) => string);
  /** Which of {@link BAD} are bad for this argument (default: all). */
  readonly only?: (bad: unknown) => boolean;
}

const clock = createVirtualClock('2026-05-01T09:00:00Z');
const event: api.ConsentEvent = {
  kind: 'given',
  actor: { kind: 'subject' },
  purposes: ['marketing.email'],
  basis: 'consent',
  at: clock.now(),
  method: 'api',
};
const fields = {
  subject: 's',
  sequence: 1,
  idempotencyKey: 'k1',
  recordedAt: clock.now(),
  event,
};
const entry = api.sealEntry(fields, api.GENESIS_HASH);
const controller = {
  name: 'Acme',
  contact: 'DPO',
  email: 'dpo@acme.test',
  policyUrl: 'https://acme.test/privacy',
};
const ref = { id: 'privacy', version: '1', contentHash: 'ab'.repeat(32) };
const { manager } = setup();
const store = api.createMemoryLedgerStore();
const tcfOptions = { gvl: {} as never, cmpId: 300, cmpVersion: 2 };

const exportCases: Case[] = [
  {
    name: 'canonicalJson',
    call: (v) => api.canonicalJson(v),
    code: 'consent/invalid_event',
    path: '(root)',
    only: (v) => v === undefined,
  },
  {
    name: 'canonicalCopy',
    call: (v) => api.canonicalCopy(v),
    code: 'consent/invalid_event',
    path: '(root)',
    only: (v) => v === undefined,
  },
  {
    name: 'parseImportLines',
    call: (v) => api.parseImportLines(v as string),
    code: 'consent/invalid_event',
    path: 'text',
    only: except('x'),
  },
  {
    name: 'toConsentMode(gate)',
    call: (v) => api.toConsentMode(v as never, purposes, 's'),
    code: 'core/invalid_input',
    path: 'gate',
  },
  {
    name: 'toConsentMode(registry)',
    call: (v) => api.toConsentMode(manager, v as never, 's'),
    code: 'consent/invalid_purpose',
    path: 'registry',
  },
  {
    name: 'toConsentMode(subject)',
    call: (v) => api.toConsentMode(manager, purposes, v as string),
    code: 'core/invalid_input',
    path: 'subject',
    only: except('x'),
  },
  {
    name: 'consentJsonSchema',
    call: (v) => api.consentJsonSchema(v as never),
    code: 'core/invalid_input',
    path: 'name',
  },
  {
    name: 'consentSchemaIssues',
    call: (v) => api.consentSchemaIssues(v as never, {}),
    code: 'core/invalid_input',
    path: 'name',
  },
  {
    name: 'buildConsentSnapshot(manager)',
    call: (v) => api.buildConsentSnapshot(v as never, 's'),
    code: 'core/invalid_input',
    path: 'manager',
  },
  {
    name: 'buildConsentSnapshot(subject)',
    call: (v) => api.buildConsentSnapshot(manager, v as string),
    code: 'core/invalid_input',
    path: 'subject',
    only: except('x'),
  },
  {
    name: 'buildConsentSnapshot(options)',
    call: (v) => api.buildConsentSnapshot(manager, 's', v as never),
    code: 'core/invalid_input',
    path: 'options',
    only: (v) => v !== undefined && nonObjects(v),
  },
  {
    name: 'applyConsentChoice(manager)',
    call: (v) => api.applyConsentChoice(v as never, 's', {} as never),
    code: 'core/invalid_input',
    path: 'manager',
  },
  {
    name: 'applyConsentChoice(choice)',
    call: (v) => api.applyConsentChoice(manager, 's', v as never),
    code: 'consent/invalid_event',
    path: (v) => (isObject(v) ? 'choice.key' : 'choice'),
  },
  {
    name: 'decideFromSnapshot(snapshot)',
    call: (v) => api.decideFromSnapshot(v as never, 'marketing.email'),
    code: 'core/invalid_input',
    path: 'snapshot',
  },
  {
    name: 'decideFromSnapshot(dataCategories)',
    call: (v) =>
      api.decideFromSnapshot(api.buildConsentSnapshot(manager, 's'), 'marketing.email', v as never),
    code: 'core/invalid_input',
    path: 'dataCategories',
    only: (v) => v !== undefined && !Array.isArray(v),
  },
  {
    name: 'createConsentManager(options)',
    call: (v) => api.createConsentManager(v as never),
    code: (v) => (isObject(v) ? 'consent/invalid_purpose' : 'core/invalid_input'),
    path: (v) => (isObject(v) ? 'options.purposes' : 'options'),
  },
  {
    name: 'createConsentManager(options.store)',
    call: (v) => api.createConsentManager({ purposes, store: v as never }),
    code: 'core/invalid_input',
    path: 'options.store',
    only: except(null, undefined),
  },
  {
    name: 'createConsentManager(options.clock)',
    call: (v) => api.createConsentManager({ purposes, clock: v as never }),
    code: 'core/invalid_input',
    path: 'options.clock',
    only: except(null, undefined),
  },
  {
    name: 'createConsentManager(options.policies)',
    call: (v) => api.createConsentManager({ purposes, policies: v as never }),
    code: 'consent/invalid_policy',
    path: 'policies',
    only: except(null, undefined, array),
  },
  {
    name: 'createConsentManager(options.jurisdiction)',
    call: (v) => api.createConsentManager({ purposes, jurisdiction: v as never }),
    code: 'core/invalid_input',
    path: 'options.jurisdiction',
    only: except(undefined, 'x'),
  },
  {
    name: 'createConsentManager(options.language)',
    call: (v) => api.createConsentManager({ purposes, language: v as never }),
    code: 'core/invalid_input',
    path: 'options.language',
    only: except(undefined, 'x'),
  },
  {
    name: 'createConsentManager(options.generateKey)',
    call: (v) => api.createConsentManager({ purposes, generateKey: v as never }),
    code: 'core/invalid_input',
    path: 'options.generateKey',
    only: except(undefined),
  },
  {
    name: 'currentNoticeFor(notices)',
    call: (v) => api.currentNoticeFor(v as never, 'marketing', 0),
    code: 'consent/invalid_notice',
    path: 'notices',
    only: except(array),
  },
  {
    name: 'currentNoticeFor(purpose)',
    call: (v) => api.currentNoticeFor([], v as string, 0),
    code: 'core/invalid_input',
    path: 'purpose',
    only: except('x'),
  },
  {
    name: 'currentNoticeFor(at)',
    call: (v) => api.currentNoticeFor([], 'marketing', v as number),
    code: 'core/invalid_input',
    path: 'at',
    only: except(42),
  },
  {
    name: 'materiallyChanged(notices)',
    call: (v) => api.materiallyChanged(v as never, ref, 'marketing', 0),
    code: 'consent/invalid_notice',
    path: 'notices',
    only: except(array),
  },
  {
    name: 'materiallyChanged(ref)',
    call: (v) => api.materiallyChanged([], v as never, 'marketing', 0),
    code: 'consent/invalid_notice',
    path: 'ref',
  },
  {
    name: 'noticeRef',
    call: (v) => api.noticeRef(v as never),
    code: 'consent/invalid_notice',
    path: 'notice',
  },
  {
    name: 'validateNotices(notices)',
    call: (v) => api.validateNotices(v as never, () => true),
    code: 'consent/invalid_notice',
    path: 'notices',
    only: except(array),
  },
  {
    name: 'validateNotices(isPurpose)',
    call: (v) => api.validateNotices([], v as never),
    code: 'core/invalid_input',
    path: 'isPurpose',
  },
  {
    name: 'resolvePolicy(jurisdiction)',
    call: (v) => api.resolvePolicy(v as string),
    code: 'core/invalid_input',
    path: 'jurisdiction',
    only: except(undefined, 'x'),
  },
  {
    name: 'resolvePolicy(packs)',
    call: (v) => api.resolvePolicy('FR', v as never),
    code: 'consent/invalid_policy',
    path: 'packs',
    only: except(undefined, array),
  },
  {
    name: 'resolvePolicy(fallback)',
    call: (v) => api.resolvePolicy('BR', [], v as never),
    code: 'consent/invalid_policy',
    path: 'fallback',
    only: except(undefined, empty, array, nullProto),
  },
  {
    name: 'validatePolicyPack',
    call: (v) => api.validatePolicyPack(v as never),
    code: 'consent/invalid_policy',
    path: (v) => (isObject(v) ? 'policy.id' : 'policy'),
  },
  {
    name: 'definePurposes(purposes)',
    call: (v) => api.definePurposes(v as never),
    code: 'consent/invalid_purpose',
    path: 'purposes',
    only: except(empty, nullProto),
  },
  {
    name: 'definePurposes(options)',
    call: (v) => api.definePurposes({}, v as never),
    code: 'consent/invalid_purpose',
    path: 'options',
    only: except(undefined, empty, array, nullProto),
  },
  {
    name: 'definePurposes(options.sensitiveCategories)',
    call: (v) => api.definePurposes({}, { sensitiveCategories: v as never }),
    code: 'consent/invalid_purpose',
    path: 'options.sensitiveCategories',
    only: except(null, undefined, array),
  },
  {
    name: 'createReceipt(entry)',
    call: (v) => api.createReceipt(v as never, { purposes, controller }),
    code: 'consent/invalid_entry',
    path: 'entry',
  },
  {
    name: 'createReceipt(context)',
    call: (v) => api.createReceipt(entry, v as never),
    code: (v) => (isObject(v) ? 'consent/missing_controller' : 'core/invalid_input'),
    path: (v) => (isObject(v) ? 'controller' : 'context'),
  },
  {
    name: 'createReceipt(context.purposes)',
    call: (v) => api.createReceipt(entry, { purposes: v as never, controller }),
    code: 'consent/invalid_purpose',
    path: 'context.purposes',
  },
  {
    name: 'createReceipt(context.notices)',
    call: (v) => api.createReceipt(entry, { purposes, controller, notices: v as never }),
    code: 'consent/invalid_notice',
    path: 'context.notices',
    only: except(undefined, array),
  },
  {
    name: 'createMemoryLedgerStore(options)',
    call: (v) => api.createMemoryLedgerStore(v as never),
    code: 'core/invalid_input',
    path: 'options',
    only: (v) => v !== undefined && nonObjects(v),
  },
  {
    name: 'createMemoryLedgerStore(options.initial)',
    call: (v) => api.createMemoryLedgerStore({ initial: v as never }),
    code: 'consent/invalid_entry',
    path: 'options.initial',
    only: except(null, undefined, array),
  },
  {
    name: 'createMemoryLedgerStore(options.initial[0])',
    call: (v) => api.createMemoryLedgerStore({ initial: [v as never] }),
    code: 'consent/invalid_entry',
    path: 'options.initial[0]',
  },
  {
    name: 'hashedContent',
    call: (v) => api.hashedContent(v as never),
    code: 'consent/invalid_entry',
    path: 'entry',
    only: nonObjects,
  },
  {
    name: 'hashEntry',
    call: (v) => api.hashEntry(v as never),
    code: 'consent/invalid_entry',
    path: 'entry',
    only: nonObjects,
  },
  {
    name: 'entryIdFromHash',
    call: (v) => api.entryIdFromHash(v as string),
    code: 'consent/invalid_entry',
    path: 'hash',
    only: except('x'),
  },
  {
    name: 'sealEntry(fields)',
    call: (v) => api.sealEntry(v as never, api.GENESIS_HASH),
    code: 'consent/invalid_event',
    path: (v) => (isObject(v) ? 'subject' : 'fields'),
  },
  {
    name: 'sealEntry(prevHash)',
    call: (v) => api.sealEntry(fields, v as string),
    code: 'consent/invalid_event',
    path: 'prevHash',
    only: except('x'),
  },
  {
    name: 'verifyChain(entries)',
    call: (v) => api.verifyChain(v as never),
    code: 'consent/invalid_entry',
    path: 'entries',
    only: except(array),
  },
  {
    name: 'verifyChain(entries[0])',
    call: (v) => api.verifyChain([v as never]),
    code: 'consent/invalid_entry',
    path: 'entries[0]',
    only: nonObjects,
  },
  {
    name: 'sha256Hex',
    call: (v) => api.sha256Hex(v as string),
    code: 'core/invalid_input',
    path: 'text',
    only: except('x'),
  },
  {
    name: 'throwStaleSequence',
    call: (v) => api.throwStaleSequence(v as string, v as number, v as number),
    code: 'consent/stale_sequence',
    path: 'expectedSequence',
  },
  {
    name: 'throwIdempotencyConflict',
    call: (v) => api.throwIdempotencyConflict(v as string, v as string),
    code: 'consent/idempotency_conflict',
    path: 'idempotencyKey',
  },
  {
    name: 'validateEvent(event)',
    call: (v) => api.validateEvent('s', v as never, clock.now()),
    code: 'consent/invalid_event',
    path: (v) => (isObject(v) ? 'event.kind' : 'event'),
  },
  {
    name: 'validateEvent(subject)',
    call: (v) => api.validateEvent(v as string, event, clock.now()),
    code: 'consent/invalid_event',
    path: 'event.subject',
    only: except('x'),
  },
  {
    name: 'validateEvent(now)',
    call: (v) => api.validateEvent('s', event, v as number),
    code: 'core/invalid_input',
    path: 'now',
    only: except(42),
  },
  {
    name: 'validateEvent(event.notice)',
    call: (v) => api.validateEvent('s', { ...event, notice: v as never }, clock.now()),
    code: 'consent/invalid_event',
    path: 'event.notice',
    only: except(undefined, empty, array, nullProto),
  },
  {
    name: 'toTcString(gate)',
    call: (v) => toTcString(v as never, purposes, 's', tcfOptions),
    code: 'core/invalid_input',
    path: 'gate',
  },
  {
    name: 'toTcString(registry)',
    call: (v) => toTcString(manager, v as never, 's', tcfOptions),
    code: 'consent/invalid_purpose',
    path: 'registry',
  },
  {
    name: 'toTcString(options)',
    call: (v) => toTcString(manager, purposes, 's', v as never),
    code: 'consent/invalid_tcf_options',
    path: 'options',
    only: nonObjects,
  },
  {
    name: 'fromTcString(tcString)',
    call: (v) => fromTcString(v as string, purposes),
    code: 'consent/invalid_tc_string',
    path: 'tcString',
  },
  {
    name: 'fromTcString(registry)',
    call: (v) => fromTcString('CQ', v as never),
    code: 'consent/invalid_purpose',
    path: 'registry',
  },
  {
    name: 'tcfImportRecords',
    call: (v) => tcfImportRecords(v as never, 's'),
    code: 'consent/invalid_tc_string',
    path: 'decoded',
  },
];

const changeMethods = [
  'grant',
  'refuse',
  'withdraw',
  'object',
  'revoke',
  'renew',
  'expire',
  'noticeShown',
] as const;

const methodCases: Case[] = [
  {
    name: 'manager.decide',
    call: (v) => manager.decide(v as never),
    code: 'core/invalid_input',
    path: (v) => (isObject(v) ? 'subject' : 'query'),
  },
  {
    name: 'manager.gate.decide',
    call: (v) => manager.gate.decide(v as never),
    code: 'core/invalid_input',
    path: (v) => (isObject(v) ? 'subject' : 'query'),
  },
  {
    name: 'manager.load',
    call: (v) => manager.load(v as never),
    code: 'core/invalid_input',
    path: 'options',
    only: except(undefined, empty, array, nullProto),
  },
  {
    name: 'manager.refresh',
    call: (v) => manager.refresh(v as string),
    code: 'core/invalid_input',
    path: 'subject',
    only: except('x'),
  },
  ...changeMethods.map(
    (method): Case => ({
      name: `manager.${method}`,
      call: (v) => manager[method](v as never),
      code: (v) => (isObject(v) ? 'consent/invalid_purpose' : 'consent/invalid_event'),
      path: (v) => (isObject(v) ? 'input.purposes' : 'input'),
    }),
  ),
  {
    name: 'manager.grant(input.notice)',
    call: (v) => manager.grant({ subject: 's', purposes: 'marketing', notice: v as never }),
    code: 'consent/invalid_notice',
    path: 'input.notice',
    only: except(null, undefined),
  },
  {
    name: 'manager.observeGpc',
    call: (v) => manager.observeGpc(v as never),
    code: 'consent/invalid_event',
    path: (v) => (isObject(v) ? 'input.gpc' : 'input'),
  },
  {
    name: 'manager.import',
    call: (v) => manager.import(v as never),
    code: 'consent/invalid_event',
    path: 'records',
    only: except(array),
  },
  {
    name: 'manager.import([record])',
    call: (v) => manager.import([v as never]),
    code: 'consent/invalid_event',
    path: 'records[0].kind',
  },
  {
    name: 'manager.onChange',
    call: (v) => manager.onChange(v as never),
    code: 'core/invalid_input',
    path: 'listener',
  },
  {
    name: 'manager.verify',
    call: (v) => manager.verify(v as string),
    code: 'core/invalid_input',
    path: 'subject',
    only: except(undefined, 'x'),
  },
  {
    name: 'manager.needsPrompt(subject)',
    call: (v) => manager.needsPrompt(v as string),
    code: 'core/invalid_input',
    path: 'subject',
    only: except('x'),
  },
  {
    name: 'manager.needsPrompt(options)',
    call: (v) => manager.needsPrompt('s', v as never),
    code: 'core/invalid_input',
    path: 'options',
    only: except(undefined, empty, array, nullProto),
  },
  {
    name: 'manager.needsPrompt(options.at)',
    call: (v) => manager.needsPrompt('s', { at: v as number }),
    code: 'core/invalid_input',
    path: 'options.at',
    only: except(null, undefined, 42),
  },
  {
    name: 'manager.currentNotice(purpose)',
    call: (v) => manager.currentNotice(v as never),
    code: 'core/invalid_input',
    path: 'purpose',
    only: except('x'),
  },
  {
    name: 'manager.currentNotice(at)',
    call: (v) => manager.currentNotice('marketing', v as number),
    code: 'core/invalid_input',
    path: 'at',
    only: except(null, undefined, 42),
  },
  {
    name: 'manager.exportHistory',
    call: (v) => manager.exportHistory(v as string),
    code: 'core/invalid_input',
    path: 'subject',
    only: except('x'),
  },
  {
    name: 'manager.entries',
    call: (v) => manager.entries(v as string),
    code: 'core/invalid_input',
    path: 'subject',
    only: except('x'),
  },
  {
    name: 'manager.viewStatus',
    call: (v) => manager.viewStatus(v as string),
    code: 'core/invalid_input',
    path: 'subject',
    only: except('x'),
  },
  {
    name: 'manager.prepare',
    call: (v) => manager.prepare(v as never),
    code: 'core/invalid_input',
    path: 'subjects',
    only: except('x', array),
  },
  {
    name: 'manager.prepare([subject])',
    call: (v) => manager.prepare([v as string]),
    code: 'core/invalid_input',
    path: 'subjects[0]',
    only: except('x'),
  },
  {
    name: 'store.readMany',
    call: (v) => store.readMany?.(v as never),
    code: 'core/invalid_input',
    path: 'subjects',
    only: except(array),
  },
  // An object without the fields is answered by append's existing checks (no new per-call work).
  {
    name: 'store.append',
    call: (v) => store.append(v as never),
    code: (v) => (isObject(v) ? 'consent/stale_sequence' : 'consent/invalid_event'),
    path: (v) => (isObject(v) ? 'expectedSequence' : 'request'),
  },
  {
    name: 'store.read(subject)',
    call: (v) => store.read(v as string),
    code: 'core/invalid_input',
    path: 'subject',
    only: except('x'),
  },
  {
    name: 'store.read(options)',
    call: (v) => store.read('s', v as never),
    code: 'core/invalid_input',
    path: 'options',
    only: except(undefined, empty, array, nullProto),
  },
  {
    name: 'store.read(options.afterSequence)',
    call: (v) => store.read('s', { afterSequence: v as number }),
    code: 'core/invalid_input',
    path: 'options.afterSequence',
    only: except(null, undefined, 42),
  },
  {
    name: 'store.head',
    call: (v) => store.head(v as string),
    code: 'core/invalid_input',
    path: 'subject',
    only: except('x'),
  },
  {
    name: 'store.findByIdempotencyKey',
    call: (v) => store.findByIdempotencyKey(v as string),
    code: 'core/invalid_input',
    path: 'idempotencyKey',
    only: except('x'),
  },
];

function expectation(c: Case, bad: unknown) {
  const code = typeof c.code === 'function' ? c.code(bad) : c.code;
  const path = typeof c.path === 'function' ? c.path(bad) : c.path;
  return expect.objectContaining({ code, details: expect.objectContaining({ path }) });
}

const rows = [...exportCases, ...methodCases].flatMap((c) =>
  BAD.filter(c.only ?? (() => true)).map((bad) => [c.name, label(bad), c, bad] as const),
);

describe('bad input: a typed CandorError naming the argument, never a TypeError', () => {
  it.each(rows)('%s(%s)', async (_name, _label, c, bad) => {
    let result: unknown;
    try {
      result = c.call(bad);
    } catch (error) {
      expect(error).toEqual(expectation(c, bad));
      return;
    }
    // Async entry points reject instead of throwing.
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toEqual(expectation(c, bad));
  });

  it('predicates answer false for anything but their documented input', () => {
    for (const bad of BAD) {
      expect(api.isRestrictive(bad as never)).toBe(false);
      expect(api.parseGpcHeader(bad as never)).toBe(false);
      expect(api.readNavigatorGpc(bad as never)).toBe(false);
    }
    expect(api.isRestrictive('withdrawn')).toBe(true);
    expect(api.parseGpcHeader({ 'Sec-GPC': '1' })).toBe(true);
  });

  it('a listener that is not a function is refused before any change is made', async () => {
    const { manager: fresh } = setup();
    expect(() => fresh.onChange('nope' as never)).toThrow(
      expect.objectContaining({ code: 'core/invalid_input' }),
    );
    // The refused listener was not registered: the next change notifies without throwing.
    await fresh.grant({ subject: 's', purposes: 'marketing' });
    expect(fresh.entries('s')).toHaveLength(1);
  });
});
