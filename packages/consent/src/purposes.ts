import {
  ancestorsOf,
  type DataCategoryId,
  isDottedId,
  isSensitiveCategory,
  isWithin,
  type LegalBasis,
  type PurposeId,
  sensitiveCategories,
} from '@candor/core';
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
import { fail, needObject } from './errors';
import { type Benefit, checkBenefit } from './offers';

/**
 * What a purpose does, as far as policy packs care: `sale_share` (CCPA sale or sharing),
 * `targeted_advertising`, `direct_marketing` (objection is absolute), `profiling`, `analytics`,
 * `personalization`, `security`.
 *
 * @example
 * const tags: PurposeTag[] = ['targeted_advertising', 'sale_share'];
 */
export type PurposeTag =
  | 'sale_share'
  | 'targeted_advertising'
  | 'direct_marketing'
  | 'profiling'
  | 'analytics'
  | 'personalization'
  | 'security';

import { type ConsentModeSignal, consentModeSignals } from './consent-mode-signals';

export type { ConsentModeSignal };
export { consentModeSignals };

/** The legal bases a purpose may rely on. */
export const legalBases: readonly LegalBasis[] = [
  'consent',
  'legitimate_interest',
  'contract',
  'legal_obligation',
];
/** The purpose tags, in a fixed order. */
export const purposeTags: readonly PurposeTag[] = [
  'sale_share',
  'targeted_advertising',
  'direct_marketing',
  'profiling',
  'analytics',
  'personalization',
  'security',
];

/**
 * One purpose as you declare it in {@link definePurposes}.
 *
 * @example
 * const def: PurposeDefinition = {
 *   title: 'Marketing emails',
 *   bases: ['consent'],
 *   categories: ['user.contact.email', 'user.behavior.purchase_history'],
 *   expiresIn: 365 * duration.day,
 *   tags: ['direct_marketing'],
 *   consentMode: ['ad_user_data'],
 * };
 */
export interface PurposeDefinition {
  /** Short title shown to customers. */
  readonly title: string;
  /** What it is for, in plain language. */
  readonly description?: string;
  /**
   * Legal bases the purpose may rely on, in order of preference. The first one the applicable
   * policy pack accepts is used: `contract`/`legal_obligation` need no consent, `legitimate_interest`
   * holds until an objection, `consent` needs a choice (or, under an opt-out pack, no opt-out).
   */
  readonly bases: readonly LegalBasis[];
  /** Strictly necessary: cannot be refused (its first basis must not be `consent`). */
  readonly necessary?: boolean;
  /** Data categories the purpose may use; a category covers its children. Empty: none. */
  readonly categories: readonly DataCategoryId[];
  /** Default lifetime of a grant in ms (recorded as the event's `expiresAt`). */
  readonly expiresIn?: number;
  /** Default lifetime of a refusal in ms (may be shorter than a grant's). */
  readonly refusalExpiresIn?: number;
  /** What it does, for policy packs (GPC scope, direct marketing). */
  readonly tags?: readonly PurposeTag[];
  /** A grant of this purpose also grants its child purposes (never implied otherwise). */
  readonly impliesChildren?: boolean;
  /** IAB TCF v2.2 purpose ids (1–11) it corresponds to. */
  readonly tcf?: readonly number[];
  /** Google Consent Mode v2 signals it feeds. */
  readonly consentMode?: readonly ConsentModeSignal[];
  /** W3C DPV purpose IRIs or CURIEs (e.g. `dpv:DirectMarketing`). */
  readonly dpv?: readonly string[];
  /** What the customer gets for it ("you share X, you get Y"), in plain words. */
  readonly benefit?: Benefit;
}

/**
 * A registered purpose: its definition plus its id and precomputed lookups.
 *
 * @example
 * registry.get('marketing.email')?.title;
 */
export interface Purpose extends PurposeDefinition {
  /** The purpose id. */
  readonly id: PurposeId;
  /** The registered purposes at or above this one (root first, itself last). */
  readonly lineage: readonly PurposeId[];
  /** Position in the registry (declaration order), for array-indexed lookups. */
  readonly index: number;
}

/**
 * The purposes an app declares, with their ids as literal types so a misspelt purpose is a
 * compile error wherever the registry's `P` flows (grant, withdraw, decide, notices).
 *
 * @example
 * const purposes = definePurposes({ 'marketing.email': { title: 'Emails', bases: ['consent'], categories: ['user.contact.email'] } });
 * purposes.has('marketing.email'); // true
 */
export interface PurposeRegistry<P extends string = string> {
  /** Every purpose id, in declaration order. */
  readonly ids: readonly P[];
  /** The purpose with this id, or `undefined`. */
  get(id: string): Purpose | undefined;
  /** True when `id` is registered. */
  has(id: string): id is P;
  /** Sensitive data categories (a category covers its children). */
  readonly sensitiveCategories: readonly DataCategoryId[];
  /** True when a category is sensitive (it or an ancestor is listed as sensitive). */
  isSensitive(category: DataCategoryId): boolean;
  /** `0` not declared for the purpose, `1` declared, `2` declared and sensitive. Memoized. */
  classify(purpose: Purpose, category: DataCategoryId): 0 | 1 | 2;
}

/**
 * Data categories treated as sensitive unless you say otherwise: `@candor/core`'s one list
 * (`sensitiveCategories`: GDPR Art. 9 and 10 special categories, CPRA sensitive personal
 * information), the same everywhere in Candor. An alias kept for existing imports.
 *
 * @example
 * defaultSensitiveCategories.includes('user.health'); // true
 */
export const defaultSensitiveCategories: readonly DataCategoryId[] = sensitiveCategories;

/**
 * Options of {@link definePurposes}.
 *
 * @example
 * definePurposes(defs, { sensitiveCategories: ['user.children'] });
 */
export interface DefinePurposesOptions {
  /** More sensitive categories, added to {@link defaultSensitiveCategories}. */
  readonly sensitiveCategories?: readonly DataCategoryId[];
}

const CODE = 'consent/invalid_purpose';
const dataCategory = /* @__PURE__ */ is(isDottedId, 'must be a data category id');

/**
 * The runtime check of a {@link PurposeDefinition}: every field, and no other (an unknown field is
 * rejected, naming the field it is a near miss of).
 */
export const purposeShape: Shape<PurposeDefinition> = {
  title: /* @__PURE__ */ string(500),
  description: /* @__PURE__ */ optional(text),
  bases: /* @__PURE__ */ list(/* @__PURE__ */ oneOf(legalBases), true),
  necessary: /* @__PURE__ */ optional(boolean),
  categories: /* @__PURE__ */ list(dataCategory),
  expiresIn: /* @__PURE__ */ optional(/* @__PURE__ */ integer(1)),
  refusalExpiresIn: /* @__PURE__ */ optional(/* @__PURE__ */ integer(1)),
  tags: /* @__PURE__ */ optional(/* @__PURE__ */ list(/* @__PURE__ */ oneOf(purposeTags))),
  impliesChildren: /* @__PURE__ */ optional(boolean),
  tcf: /* @__PURE__ */ optional(/* @__PURE__ */ list(/* @__PURE__ */ integer(1, 11))),
  consentMode: /* @__PURE__ */ optional(
    /* @__PURE__ */ list(/* @__PURE__ */ oneOf(consentModeSignals)),
  ),
  dpv: /* @__PURE__ */ optional(/* @__PURE__ */ list(text)),
  benefit: /* @__PURE__ */ optional(checkBenefit),
};
const checkPurpose = /* @__PURE__ */ object(purposeShape);
const checkOptions = /* @__PURE__ */ object<DefinePurposesOptions>({
  sensitiveCategories: /* @__PURE__ */ optional(/* @__PURE__ */ list(dataCategory)),
});

/**
 * Declares the purposes an app processes data for, validated, with literal ids: a misspelt
 * purpose anywhere the registry is used is a compile error. A misspelt field (`expiresin`) is a
 * compile error too, and at run time `consent/invalid_purpose` naming it and the field it is a
 * near miss of. Throws `consent/invalid_purpose` naming the bad field.
 *
 * @example
 * const purposes = definePurposes({
 *   'service.fraud_protection': { title: 'Fraud protection', bases: ['legal_obligation'], necessary: true, categories: ['user.financial'] },
 *   'marketing.email': { title: 'Marketing emails', bases: ['consent'], categories: ['user.contact.email'], tags: ['direct_marketing'] },
 * });
 */
export function definePurposes<const P extends string>(
  purposes: Record<P, PurposeDefinition>,
  options: DefinePurposesOptions = {},
): PurposeRegistry<P> {
  // `Record<P, PurposeDefinition>`, not a type parameter for the whole object: TypeScript infers
  // only the ids and checks each definition against the type, so an unknown field is an error.
  if (typeof purposes !== 'object' || purposes === null || Array.isArray(purposes)) {
    fail(CODE, 'purposes', purposes, 'must be an object of purpose definitions');
  }
  needObject(options, 'options', CODE);
  // `null` means none, as `??` always did.
  const extraSensitive = options.sensitiveCategories ?? [];
  enforce(checkOptions, { ...options, sensitiveCategories: extraSensitive }, 'options', CODE);
  const ids = Object.keys(purposes) as P[];
  const byId = new Map<string, Purpose>();
  for (const [index, id] of ids.entries()) {
    const path = `purposes[${JSON.stringify(id)}]`;
    if (!isDottedId(id)) fail(CODE, path, id, 'purpose ids are lower-case dot-separated segments');
    const def = purposes[id] as PurposeDefinition;
    enforce(checkPurpose, def, path, CODE);
    if (def.necessary && def.bases[0] === 'consent') {
      fail(CODE, `${path}.bases`, def.bases, 'a necessary purpose cannot rest on consent first');
    }
    byId.set(id, {
      ...def,
      id,
      lineage: ancestorsOf(id).filter((a) => a in purposes),
      index,
    });
  }
  const sensitive = [...defaultSensitiveCategories, ...extraSensitive];
  const isSensitive = (category: DataCategoryId) => isSensitiveCategory(category, extraSensitive);
  const memo = new Map<string, Map<string, 0 | 1 | 2>>();
  return {
    ids,
    get: (id) => byId.get(id),
    has: (id): id is P => byId.has(id),
    sensitiveCategories: sensitive,
    isSensitive,
    classify(purpose, category) {
      let forPurpose = memo.get(purpose.id);
      if (!forPurpose) {
        forPurpose = new Map();
        memo.set(purpose.id, forPurpose);
      }
      let result = forPurpose.get(category);
      if (result === undefined) {
        result = !purpose.categories.some((c) => isWithin(category, c))
          ? 0
          : isSensitive(category)
            ? 2
            : 1;
        if (forPurpose.size < 10_000) forPurpose.set(category, result);
      }
      return result;
    },
  };
}
