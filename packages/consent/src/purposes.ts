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
import { fail, needObject } from './errors';

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

/**
 * A Google Consent Mode v2 signal a purpose feeds.
 *
 * @example
 * const signals: ConsentModeSignal[] = ['ad_storage', 'ad_user_data', 'ad_personalization'];
 */
export type ConsentModeSignal =
  | 'ad_storage'
  | 'ad_user_data'
  | 'ad_personalization'
  | 'analytics_storage'
  | 'functionality_storage'
  | 'personalization_storage'
  | 'security_storage';

/** The Google Consent Mode v2 signals a purpose can map to. */
export const consentModeSignals: readonly ConsentModeSignal[] = [
  'ad_storage',
  'ad_user_data',
  'ad_personalization',
  'analytics_storage',
  'functionality_storage',
  'personalization_storage',
  'security_storage',
];
const BASES: readonly LegalBasis[] = [
  'consent',
  'legitimate_interest',
  'contract',
  'legal_obligation',
];
const TAGS: readonly PurposeTag[] = [
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

function invalid(path: string, value: unknown, problem: string): never {
  fail('consent/invalid_purpose', path, value, problem);
}

function checkList<T>(
  path: string,
  value: unknown,
  ok: (item: unknown) => item is T,
  what: string,
): void {
  if (!Array.isArray(value)) invalid(path, value, 'must be an array');
  value.forEach((item, i) => {
    if (!ok(item)) invalid(`${path}[${i}]`, item, `must be ${what}`);
  });
}

const isIn =
  <T>(list: readonly T[]) =>
  (item: unknown): item is T =>
    list.includes(item as T);
const isDuration = (value: unknown): boolean =>
  value === undefined || (Number.isInteger(value) && (value as number) > 0);

/**
 * Declares the purposes an app processes data for, validated, with literal ids: a misspelt
 * purpose anywhere the registry is used is a compile error. Throws `consent/invalid_purpose`
 * naming the bad field.
 *
 * @example
 * const purposes = definePurposes({
 *   'service.fraud_protection': { title: 'Fraud protection', bases: ['legal_obligation'], necessary: true, categories: ['user.financial'] },
 *   'marketing.email': { title: 'Marketing emails', bases: ['consent'], categories: ['user.contact.email'], tags: ['direct_marketing'] },
 * });
 */
export function definePurposes<const T extends Record<string, PurposeDefinition>>(
  purposes: T,
  options: DefinePurposesOptions = {},
): PurposeRegistry<keyof T & string> {
  type P = keyof T & string;
  if (typeof purposes !== 'object' || purposes === null || Array.isArray(purposes)) {
    invalid('purposes', purposes, 'must be an object of purpose definitions');
  }
  needObject(options, 'options', 'consent/invalid_purpose');
  const extraSensitive = options.sensitiveCategories ?? [];
  if (!Array.isArray(extraSensitive)) {
    invalid('options.sensitiveCategories', extraSensitive, 'must be an array');
  }
  const ids = Object.keys(purposes) as P[];
  const byId = new Map<string, Purpose>();
  for (const [index, id] of ids.entries()) {
    const path = `purposes[${JSON.stringify(id)}]`;
    if (!isDottedId(id)) invalid(path, id, 'purpose ids are lower-case dot-separated segments');
    const def = purposes[id] as PurposeDefinition;
    if (typeof def !== 'object' || def === null) invalid(path, def, 'must be an object');
    if (typeof def.title !== 'string' || def.title.length === 0) {
      invalid(`${path}.title`, def.title, 'must be a non-empty string');
    }
    checkList(`${path}.bases`, def.bases, isIn(BASES), 'a legal basis');
    if (def.bases.length === 0) invalid(`${path}.bases`, def.bases, 'needs at least one basis');
    if (def.necessary && def.bases[0] === 'consent') {
      invalid(`${path}.bases`, def.bases, 'a necessary purpose cannot rest on consent first');
    }
    checkList(`${path}.categories`, def.categories, isDottedId, 'a data category id');
    if (!isDuration(def.expiresIn)) {
      invalid(`${path}.expiresIn`, def.expiresIn, 'must be a positive integer of ms');
    }
    if (!isDuration(def.refusalExpiresIn)) {
      invalid(`${path}.refusalExpiresIn`, def.refusalExpiresIn, 'must be a positive integer of ms');
    }
    if (def.tags !== undefined) checkList(`${path}.tags`, def.tags, isIn(TAGS), 'a purpose tag');
    if (def.tcf !== undefined) {
      checkList(
        `${path}.tcf`,
        def.tcf,
        (n): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 11,
        'a TCF purpose id (1-11)',
      );
    }
    if (def.consentMode !== undefined) {
      checkList(
        `${path}.consentMode`,
        def.consentMode,
        isIn(consentModeSignals),
        'a Consent Mode v2 signal',
      );
    }
    if (def.dpv !== undefined) {
      checkList(`${path}.dpv`, def.dpv, (s): s is string => typeof s === 'string', 'a string');
    }
    byId.set(id, {
      ...def,
      id,
      lineage: ancestorsOf(id).filter((a) => a in purposes),
      index,
    });
  }
  const sensitive = [...defaultSensitiveCategories, ...extraSensitive];
  checkList('options.sensitiveCategories', sensitive, isDottedId, 'a data category id');
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
