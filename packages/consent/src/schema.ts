import {
  ConsentStatus,
  DataCategoryId,
  Instant,
  isContextCategory,
  LegalBasis,
  PurposeId,
  SubjectId,
} from '@candor/core';
import * as z from 'zod/mini';
import { unknownField } from './errors';
import type { ConsentReasonCode } from './evaluate';
import {
  type ConsentEventKind,
  type ConsentMethod,
  consentEventKinds,
  consentMethods,
} from './events';
import { SHA256_HEX } from './hex';
import {
  type ConsentModeSignal,
  consentModeSignals,
  type PurposeTag,
  purposeTags,
} from './purposes';

// The zod schemas of consent's hand-written formats and write inputs: the reference the JSON
// Schemas are generated from (`consentJsonSchema`) and the runtime checks are tested against
// (`schema-parity.test.ts`; `index.test-d.ts` ties each public type to its schema). The runtime
// never imports this module: every schema is built `/* @__PURE__ */`, so a bundle that does not
// ask for JSON Schema carries no zod.

/** A strict object whose unknown-key issue reads as the runtime checks' (`unknownField`). */
function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? unknownField(issue.keys[0] ?? '', Object.keys(shape))
        : undefined,
  });
}
const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const enumOf = <T extends string>(values: readonly T[]) => z.enum(values as [T, ...T[]]);
const hex64 = () => z.string().check(z.regex(SHA256_HEX));
const jurisdiction = () => z.string().check(z.regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,3})?$/));
const tag = () => enumOf<PurposeTag>(purposeTags);

const benefit = () =>
  strict({
    text: text(300),
    terms: z.optional(
      z.union([
        strict({ kind: z.literal('discount'), percent: z.int().check(z.gte(1), z.lte(100)) }),
        strict({ kind: z.literal('feature'), feature: text(200) }),
        strict({ kind: z.literal('service_level'), level: text(200) }),
      ]),
    ),
  });

/** A purpose as declared in `definePurposes` (the runtime check: `definePurposes`). */
export const PurposeDefinition = /* @__PURE__ */ (() =>
  strict({
    title: text(500),
    description: z.optional(z.string()),
    bases: z.array(LegalBasis).check(z.minLength(1)),
    necessary: z.optional(z.boolean()),
    categories: z.array(DataCategoryId),
    expiresIn: z.optional(z.int().check(z.gt(0))),
    refusalExpiresIn: z.optional(z.int().check(z.gt(0))),
    tags: z.optional(z.array(tag())),
    impliesChildren: z.optional(z.boolean()),
    tcf: z.optional(z.array(z.int().check(z.gte(1), z.lte(11)))),
    consentMode: z.optional(z.array(enumOf<ConsentModeSignal>(consentModeSignals))),
    dpv: z.optional(z.array(z.string())),
    benefit: z.optional(benefit()),
  }).check(
    z.refine((def) => !(def.necessary === true && def.bases[0] === 'consent'), {
      message: 'a necessary purpose cannot rest on consent first',
      path: ['bases'],
    }),
  ))();

/** A notice version (the runtime check: `validateNotices`). */
export const NoticeDefinition = /* @__PURE__ */ (() =>
  strict({
    id: text(200),
    version: text(100),
    language: text(35),
    effectiveAt: Instant,
    material: z.boolean(),
    purposes: z.array(PurposeId).check(z.minLength(1)),
    content: z.optional(z.string()),
    contentHash: z.optional(hex64()),
    url: z.optional(z.string()),
  }).check(
    z.refine((notice) => notice.content !== undefined || notice.contentHash !== undefined, {
      message: 'give content, or a lower-case hex SHA-256 contentHash',
      path: ['contentHash'],
    }),
  ))();

/** A policy pack (the runtime check: `validatePolicyPack`). */
export const PolicyPack = /* @__PURE__ */ (() =>
  strict({
    id: text(100),
    title: z.string(),
    jurisdictions: z.array(z.string()),
    model: z.enum(['opt_in', 'opt_out']),
    sensitiveRequiresOptIn: z.boolean(),
    legitimateInterest: z.boolean(),
    gpcScope: z.array(tag()),
    noReaskAfterOptOut: z.nullable(z.int().check(z.gte(0))),
    notPersonal: z.optional(
      z.array(
        z
          .string()
          .check(
            z.refine(isContextCategory, { message: 'must be a context category (context.*)' }),
          ),
      ),
    ),
  }))();

const actor = () =>
  strict({ kind: z.enum(['subject', 'company', 'agent', 'system']), id: z.optional(text(200)) });
const noticeRef = () => strict({ id: text(200), version: text(100), contentHash: hex64() });

/** A ledger event (the runtime check: `validateEvent`). */
export const ConsentEvent = /* @__PURE__ */ (() =>
  strict({
    kind: enumOf<ConsentEventKind>(consentEventKinds),
    actor: actor(),
    purposes: z.array(PurposeId),
    dataCategories: z.optional(z.array(DataCategoryId).check(z.minLength(1))),
    basis: z.optional(LegalBasis),
    notice: z.optional(noticeRef()),
    at: Instant,
    method: enumOf<ConsentMethod>(consentMethods),
    surface: z.optional(text(200)),
    uiVersion: z.optional(text(100)),
    jurisdiction: z.optional(jurisdiction()),
    expiresAt: z.optional(Instant),
    reason: z.optional(z.string().check(z.maxLength(2000))),
    confirmed: z.optional(z.boolean()),
    signal: z.optional(strict({ gpc: z.boolean() })),
    offer: z.optional(strict({ id: text(200), version: text(100) })),
  }))();

/** A sealed ledger entry (the runtime checks: the stores and `verifyChain`). */
export const LedgerEntry = /* @__PURE__ */ (() =>
  strict({
    id: z.string().check(z.regex(/^cr_[0-9a-f]{32}$/)),
    subject: text(256),
    sequence: z.int().check(z.gte(1)),
    idempotencyKey: z.string().check(z.minLength(1)),
    recordedAt: Instant,
    event: ConsentEvent,
    hashVersion: z.int().check(z.gte(1)),
    prevHash: hex64(),
    hash: hex64(),
  }))();

/** The fields every write accepts besides the subject and purposes (`ChangeDetails`). */
const details = () => ({
  method: z.optional(enumOf<ConsentMethod>(consentMethods)),
  surface: z.optional(text(200)),
  uiVersion: z.optional(text(100)),
  jurisdiction: z.optional(jurisdiction()),
  expiresAt: z.optional(Instant),
  reason: z.optional(z.string().check(z.maxLength(2000))),
  actor: z.optional(actor()),
  notice: z.optional(
    z.nullable(z.union([noticeRef(), strict({ id: text(200), version: z.optional(text(100)) })])),
  ),
  idempotencyKey: z.optional(z.string().check(z.minLength(1))),
  at: z.optional(Instant),
});
const purposeList = () => z.union([PurposeId, z.array(PurposeId).check(z.minLength(1))]);
const categoryList = () => z.optional(z.array(DataCategoryId).check(z.minLength(1)));

/** What every write accepts besides the subject and purposes. */
export const ChangeDetails = /* @__PURE__ */ (() => strict(details()))();

/** A write's input: `refuse`, `withdraw`, `object`, `revoke`, `renew`, `expire`, `noticeShown`. */
export const ChangeInput = /* @__PURE__ */ (() =>
  strict({
    subject: SubjectId,
    purposes: purposeList(),
    dataCategories: categoryList(),
    ...details(),
  }))();

/** A grant's input. */
export const GrantInput = /* @__PURE__ */ (() =>
  strict({
    subject: SubjectId,
    purposes: purposeList(),
    dataCategories: categoryList(),
    confirmed: z.optional(z.boolean()),
    offer: z.optional(strict({ id: text(200), version: z.optional(text(100)) })),
    ...details(),
  }))();

/** One event to import (the runtime check: `manager.import`). */
export const ImportRecord = /* @__PURE__ */ (() =>
  strict({
    subject: SubjectId,
    kind: enumOf<ConsentEventKind>(consentEventKinds),
    purposes: z.optional(purposeList()),
    dataCategories: categoryList(),
    gpc: z.optional(z.boolean()),
    confirmed: z.optional(z.boolean()),
    ...details(),
  }).check(
    z.refine((record) => record.kind !== 'signal_observed' || record.gpc !== undefined, {
      message: 'must be a boolean',
      path: ['gpc'],
    }),
    z.refine((record) => record.kind === 'signal_observed' || record.purposes !== undefined, {
      message: 'name at least one purpose',
      path: ['purposes'],
    }),
  ))();

// The wire contract of the thin browser client (contract.ts): a snapshot the server sends, a
// choice the browser posts, and the server's answer to it.

const reasonCodes: readonly ConsentReasonCode[] = [
  'explicit_grant',
  'imported_grant',
  'confirmed_over_gpc',
  'legitimate_interest',
  'default_opt_out_allowed',
  'not_required_contract',
  'not_required_legal_obligation',
  'refused',
  'withdrawn',
  'revoked',
  'expired',
  'refusal_expired',
  'objected',
  'gpc_opt_out',
  'default_opt_in_required',
  'sensitive_requires_opt_in',
  'unknown_purpose',
  'category_not_declared',
  'not_loaded',
  'stale_view',
];
const snapshotVerdict = () =>
  strict({
    allowed: z.boolean(),
    status: ConsentStatus,
    reason: enumOf<ConsentReasonCode>(reasonCodes),
    expiresAt: z.nullable(Instant),
    final: z.optional(z.literal(true)),
  });
const noticeVersion = () => strict({ id: text(200), version: text(100) });

/** One subject's verdicts for a browser (`ConsentSnapshot`; built by `buildConsentSnapshot`). */
export const ConsentSnapshot = /* @__PURE__ */ (() =>
  strict({
    v: z.literal(1),
    seq: z.int().check(z.gte(0)),
    issuedAt: Instant,
    validUntil: Instant,
    gpc: z.boolean(),
    consentMode: z.strictObject(
      Object.fromEntries(
        consentModeSignals.map((signal) => [signal, z.enum(['granted', 'denied'])]),
      ) as Record<ConsentModeSignal, z.ZodMiniEnum<{ granted: 'granted'; denied: 'denied' }>>,
    ),
    purposes: z.record(
      PurposeId,
      strict({
        verdict: snapshotVerdict(),
        sensitive: z.optional(snapshotVerdict()),
        categories: z.record(
          DataCategoryId,
          strict({ sensitive: z.optional(z.literal(true)), choice: z.optional(snapshotVerdict()) }),
        ),
        notice: z.optional(noticeVersion()),
        consentMode: z.optional(z.array(enumOf<ConsentModeSignal>(consentModeSignals))),
        gpcOptOut: z.optional(z.literal(true)),
      }),
    ),
  }))();

/** A choice a browser posts (`ConsentChoice`; the runtime check: `applyConsentChoice`). */
export const ConsentChoice = /* @__PURE__ */ (() =>
  strict({
    key: text(200),
    purpose: PurposeId,
    action: z.enum(['grant', 'refuse', 'withdraw', 'object']),
    dataCategories: categoryList(),
    notice: z.optional(noticeVersion()),
    confirmed: z.optional(z.boolean()),
    method: z.optional(z.enum(['banner', 'preference_center'])),
    chosenAt: Instant,
  }))();

/** The server's answer to a choice (`ConsentChoiceResult`). */
export const ConsentChoiceResult = /* @__PURE__ */ (() =>
  strict({
    key: text(200),
    recordId: z.string().check(z.regex(/^cr_[0-9a-f]{32}$/)),
    sequence: z.int().check(z.gte(1)),
    duplicate: z.boolean(),
    snapshot: z.optional(ConsentSnapshot),
  }))();
