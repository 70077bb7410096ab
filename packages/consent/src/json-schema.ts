import { DataCategoryId, Instant, LegalBasis } from '@candor/core';
import * as z from 'zod/mini';
import { fail } from './errors';
import { type ConsentEventKind, consentEventKinds } from './events';
import { type ConsentModeSignal, consentModeSignals } from './purposes';

/**
 * The hand-written formats with a JSON Schema: a purpose definition, a notice, a policy pack, a
 * ledger event and a sealed ledger entry.
 *
 * @example
 * const name: ConsentSchemaName = 'NoticeDefinition';
 */
export type ConsentSchemaName =
  | 'PurposeDefinition'
  | 'NoticeDefinition'
  | 'PolicyPack'
  | 'ConsentEvent'
  | 'LedgerEntry';

// Built inside a function, never at module top level, so bundles that do not ask for JSON Schema
// carry no zod at all.
function schemas() {
  const id = DataCategoryId;
  const instant = Instant;
  const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
  const basis = LegalBasis;
  const tag = z.enum([
    'sale_share',
    'targeted_advertising',
    'direct_marketing',
    'profiling',
    'analytics',
    'personalization',
    'security',
  ]);
  const hex64 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
  const PurposeDefinition = z.strictObject({
    title: text(500),
    description: z.optional(z.string()),
    bases: z.array(basis).check(z.minLength(1)),
    necessary: z.optional(z.boolean()),
    categories: z.array(id),
    expiresIn: z.optional(z.int().check(z.gt(0))),
    refusalExpiresIn: z.optional(z.int().check(z.gt(0))),
    tags: z.optional(z.array(tag)),
    impliesChildren: z.optional(z.boolean()),
    tcf: z.optional(z.array(z.int().check(z.gte(1), z.lte(11)))),
    consentMode: z.optional(
      z.array(z.enum(consentModeSignals as [ConsentModeSignal, ...ConsentModeSignal[]])),
    ),
    dpv: z.optional(z.array(z.string())),
  });
  const NoticeDefinition = z.strictObject({
    id: text(200),
    version: text(100),
    language: text(35),
    effectiveAt: instant,
    material: z.boolean(),
    purposes: z.array(id).check(z.minLength(1)),
    content: z.optional(z.string()),
    contentHash: z.optional(hex64),
    url: z.optional(z.string()),
  });
  const PolicyPack = z.strictObject({
    id: text(100),
    title: z.string(),
    jurisdictions: z.array(z.string()),
    model: z.enum(['opt_in', 'opt_out']),
    sensitiveRequiresOptIn: z.boolean(),
    legitimateInterest: z.boolean(),
    gpcScope: z.array(tag),
    noReaskAfterOptOut: z.nullable(z.int().check(z.gte(0))),
  });
  const ConsentEvent = z.strictObject({
    kind: z.enum(consentEventKinds as [ConsentEventKind, ...ConsentEventKind[]]),
    actor: z.strictObject({
      kind: z.enum(['subject', 'company', 'agent', 'system']),
      id: z.optional(text(200)),
    }),
    purposes: z.array(id),
    basis: z.optional(basis),
    notice: z.optional(z.strictObject({ id: text(200), version: text(100), contentHash: hex64 })),
    at: instant,
    method: z.enum(['banner', 'preference_center', 'api', 'import', 'gpc']),
    surface: z.optional(text(200)),
    uiVersion: z.optional(text(100)),
    jurisdiction: z.optional(z.string().check(z.regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,3})?$/))),
    expiresAt: z.optional(instant),
    reason: z.optional(z.string().check(z.maxLength(2000))),
    confirmed: z.optional(z.boolean()),
    signal: z.optional(z.strictObject({ gpc: z.boolean() })),
  });
  const LedgerEntry = z.strictObject({
    id: z.string().check(z.regex(/^cr_[0-9a-f]{32}$/)),
    subject: text(256),
    sequence: z.int().check(z.gte(1)),
    idempotencyKey: z.string().check(z.minLength(1)),
    recordedAt: instant,
    event: ConsentEvent,
    hashVersion: z.int().check(z.gte(1)),
    prevHash: hex64,
    hash: hex64,
  });
  return { PurposeDefinition, NoticeDefinition, PolicyPack, ConsentEvent, LedgerEntry };
}

/**
 * JSON Schema (draft 2020-12) for a consent format people write or exchange by hand, for editors,
 * CI checks and other languages. Mirrors the validation `definePurposes`, the manager and the
 * stores perform. Pulls in zod only when called.
 *
 * @example
 * writeFileSync('notice.schema.json', JSON.stringify(consentJsonSchema('NoticeDefinition'), null, 2));
 */
export function consentJsonSchema(name: ConsentSchemaName): Record<string, unknown> {
  return z.toJSONSchema(schemaNamed(name), { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/**
 * Checks a value against one of the consent formats with the same rules as
 * {@link consentJsonSchema}, returning the issues (empty when valid). For tests and CI scripts;
 * the runtime validates with the hand-written checks that keep browser bundles small.
 *
 * @example
 * consentSchemaIssues('LedgerEntry', JSON.parse(line)); // [] when valid
 */
export function consentSchemaIssues(
  name: ConsentSchemaName,
  value: unknown,
): { readonly path: string; readonly message: string }[] {
  const result = schemaNamed(name).safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** The schema called `name`; throws `core/invalid_input` naming `name` for any other value. */
function schemaNamed(name: ConsentSchemaName) {
  const all = schemas();
  if (typeof name !== 'string' || !Object.hasOwn(all, name)) {
    fail('core/invalid_input', 'name', name, `must be one of ${Object.keys(all).join(', ')}`);
  }
  return all[name];
}
