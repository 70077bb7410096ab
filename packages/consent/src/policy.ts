import { contextCategories, type DataCategoryId, isContextCategory } from '@candor/core';
import {
  boolean,
  enforce,
  integer,
  is,
  list,
  object,
  oneOf,
  optional,
  type Shape,
  string,
  text,
} from './check';
import { needObject, needType, fail as raise } from './errors';
import { type PurposeTag, purposeTags } from './purposes';

/**
 * A jurisdiction's consent rules, as data. Packs are matched by jurisdiction code (ISO 3166-1
 * alpha-2 or 3166-2, e.g. `FR`, `GB`, `US-CA`); the first pack listing the code (or its country,
 * for a subdivision) applies, else the strict default.
 *
 * @example
 * const quebec: PolicyPack = { ...policyPacks.strict, id: 'ca-qc', title: 'Québec', jurisdictions: ['CA-QC'] };
 */
export interface PolicyPack {
  /** Stable id, e.g. `eu`. */
  readonly id: string;
  /** Human title. */
  readonly title: string;
  /** Jurisdiction codes the pack covers. */
  readonly jurisdictions: readonly string[];
  /**
   * Without a choice on record, may a consent-based purpose proceed? `opt_in`: no (EU/UK);
   * `opt_out`: yes until the subject opts out (US states).
   */
  readonly model: 'opt_in' | 'opt_out';
  /** Sensitive data categories need an explicit grant whatever the model. */
  readonly sensitiveRequiresOptIn: boolean;
  /** Legitimate interest is an accepted basis (otherwise such purposes need consent). */
  readonly legitimateInterest: boolean;
  /** Purposes with any of these tags are opted out by a Global Privacy Control signal. */
  readonly gpcScope: readonly PurposeTag[];
  /** After an opt-out, do not ask again for this many ms (`null`: no rule). */
  readonly noReaskAfterOptOut: number | null;
  /**
   * Context categories (`@candor/core`'s `contextCategories`, or children of them) this pack
   * treats as not personal: a decision that uses only them needs no consent, whatever the
   * customer chose about the purpose. Absent or empty: context is treated like any other data.
   */
  readonly notPersonal?: readonly DataCategoryId[];
}

/**
 * `pack` as a manager keeps it: frozen, its lists too, so neither the caller nor anyone holding a
 * built-in pack can change a verdict afterwards (a pack already frozen through and through is
 * kept as it is).
 *
 * @example
 * const kept = frozenPack(myPack); // Object.isFrozen(kept.jurisdictions) === true
 */
/* @__NO_SIDE_EFFECTS__ */
export function frozenPack(pack: PolicyPack): PolicyPack {
  const lists = [pack.jurisdictions, pack.gpcScope, pack.notPersonal ?? []];
  if (Object.isFrozen(pack) && lists.every((list) => Object.isFrozen(list))) return pack;
  return Object.freeze({
    ...pack,
    jurisdictions: Object.freeze([...pack.jurisdictions]),
    gpcScope: Object.freeze([...pack.gpcScope]),
    ...(pack.notPersonal === undefined
      ? {}
      : { notPersonal: Object.freeze([...pack.notPersonal]) }),
  });
}

const YEAR = 365 * 86_400_000;

/** EU and EEA member states plus `EU` and `EEA` themselves. */
const EU = [
  'EU',
  'EEA',
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
];

/**
 * The built-in policy packs:
 * - `eu` — GDPR + ePrivacy: opt-in for every non-necessary consent purpose, legitimate interest
 *   accepted (objection ends it), sensitive data needs explicit consent, GPC treated as an
 *   opt-out of sale/share and targeted advertising.
 * - `uk` — UK GDPR + PECR: as `eu`.
 * - `usCa` — CCPA/CPRA: opt-out of sale/share and targeted advertising (everything else proceeds
 *   until the subject opts out), GPC honoured as an opt-out, opt-in for sensitive data, no
 *   re-asking for 12 months after an opt-out.
 * - `strict` — the default for unknown jurisdictions: opt-in for everything not necessary, no
 *   legitimate interest, GPC honoured, 12-month no-re-ask.
 *
 * @example
 * createConsentManager({ purposes, policies: [policyPacks.eu, policyPacks.usCa] });
 */
export const policyPacks: {
  readonly eu: PolicyPack;
  readonly uk: PolicyPack;
  readonly usCa: PolicyPack;
  readonly strict: PolicyPack;
} = /* @__PURE__ */ Object.freeze({
  eu: frozenPack({
    id: 'eu',
    title: 'European Union / EEA (GDPR, ePrivacy)',
    jurisdictions: EU,
    model: 'opt_in',
    sensitiveRequiresOptIn: true,
    legitimateInterest: true,
    gpcScope: ['sale_share', 'targeted_advertising'],
    noReaskAfterOptOut: null,
    notPersonal: contextCategories,
  }),
  uk: frozenPack({
    id: 'uk',
    title: 'United Kingdom (UK GDPR, PECR)',
    jurisdictions: ['GB', 'UK'],
    model: 'opt_in',
    sensitiveRequiresOptIn: true,
    legitimateInterest: true,
    gpcScope: ['sale_share', 'targeted_advertising'],
    noReaskAfterOptOut: null,
    notPersonal: contextCategories,
  }),
  usCa: frozenPack({
    id: 'us-ca',
    title: 'California (CCPA/CPRA)',
    jurisdictions: ['US-CA'],
    model: 'opt_out',
    sensitiveRequiresOptIn: true,
    legitimateInterest: false,
    gpcScope: ['sale_share', 'targeted_advertising'],
    noReaskAfterOptOut: YEAR,
    notPersonal: contextCategories,
  }),
  strict: frozenPack({
    id: 'strict',
    title: 'Strict default (unknown jurisdiction)',
    jurisdictions: [],
    model: 'opt_in',
    sensitiveRequiresOptIn: true,
    legitimateInterest: false,
    gpcScope: ['sale_share', 'targeted_advertising', 'profiling'],
    noReaskAfterOptOut: YEAR,
    notPersonal: contextCategories,
  }),
});

/**
 * Picks the pack for a jurisdiction code: the first pack listing the code, else the first listing
 * its country (`US` for `US-NY`), else `fallback` (the strict pack by default). Case-insensitive;
 * `undefined` gives the fallback.
 *
 * @example
 * resolvePolicy('FR').id;    // 'eu'
 * resolvePolicy('US-CA').id; // 'us-ca'
 * resolvePolicy('BR').id;    // 'strict'
 */
export function resolvePolicy(
  jurisdiction: string | undefined,
  packs: readonly PolicyPack[] = defaultPolicies,
  fallback: PolicyPack = policyPacks.strict,
): PolicyPack {
  needObject(fallback, 'fallback', 'consent/invalid_policy');
  if (jurisdiction === undefined) return fallback;
  needType(jurisdiction, 'string', 'jurisdiction');
  if (!Array.isArray(packs)) raise('consent/invalid_policy', 'packs', packs, 'must be an array');
  const code = jurisdiction.toUpperCase();
  const dash = code.indexOf('-');
  const country = dash === -1 ? null : code.slice(0, dash);
  for (const pack of packs) if (pack.jurisdictions.includes(code)) return pack;
  if (country) for (const pack of packs) if (pack.jurisdictions.includes(country)) return pack;
  return fallback;
}

/**
 * The packs a manager uses unless told otherwise: EU, UK, US-CA (the strict pack is the fallback).
 *
 * @example
 * createConsentManager({ purposes, policies: [myPack, ...defaultPolicies] });
 */
export const defaultPolicies: readonly PolicyPack[] = /* @__PURE__ */ (() => [
  policyPacks.eu,
  policyPacks.uk,
  policyPacks.usCa,
])();

const nonNegative = /* @__PURE__ */ integer(0);
/**
 * The runtime check of a {@link PolicyPack}: every field, and no other (an unknown field is
 * rejected, naming the field it is a near miss of).
 */
export const policyPackShape: Shape<PolicyPack> = {
  id: /* @__PURE__ */ string(100),
  title: text,
  jurisdictions: /* @__PURE__ */ list(text),
  model: /* @__PURE__ */ oneOf(['opt_in', 'opt_out']),
  sensitiveRequiresOptIn: boolean,
  legitimateInterest: boolean,
  gpcScope: /* @__PURE__ */ list(/* @__PURE__ */ oneOf(purposeTags)),
  noReaskAfterOptOut: (value) => (value === null ? undefined : nonNegative(value)),
  notPersonal: optional(list(is(isContextCategory, 'must be a context category (context.*)'))),
};
/** Checks a policy pack (the check behind {@link validatePolicyPack}). Internal. */
export const checkPolicyPack = /* @__PURE__ */ object(policyPackShape);

/**
 * Checks a policy pack's shape, throwing `consent/invalid_policy` naming the bad field (an unknown
 * field too, with the field it is a near miss of).
 *
 * @example
 * validatePolicyPack(JSON.parse(text));
 */
export function validatePolicyPack(pack: PolicyPack, path = 'policy'): PolicyPack {
  enforce(checkPolicyPack, pack, path, 'consent/invalid_policy');
  return frozenPack(pack);
}
