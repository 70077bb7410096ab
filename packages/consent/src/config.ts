import { type ChangeFeed, type Clock, isWithin, systemClock } from '@candor/core';
import { defaultKeyGenerator } from './change-event';
import {
  type Check,
  enforce,
  integer,
  is,
  list,
  object,
  optional,
  type Shape,
  text,
} from './check';
import { fail, needObject, requireRegistry } from './errors';
import { type Notice, validateNotices } from './notices';
import { type OfferDefinition, validateOffers } from './offers';
import {
  checkPolicyPack,
  defaultPolicies,
  frozenPack,
  type PolicyPack,
  policyPacks,
  resolvePolicy,
  validatePolicyPack,
} from './policy';
import type { PurposeRegistry } from './purposes';
import { type ConsentLedgerStore, createMemoryLedgerStore } from './store';
import type { ConsentManagerOptions } from './types';

/**
 * A manager's options, checked once and resolved to what its parts read: every default filled
 * in, notices and policy packs validated. Nothing in it changes after creation.
 *
 * @example
 * const config = resolveConfig({ purposes, jurisdiction: 'FR' });
 * config.packFor('US-CA').id; // 'us-ca'
 */
export interface ManagerConfig<P extends string> {
  readonly registry: PurposeRegistry<P>;
  readonly clock: Clock;
  readonly store: ConsentLedgerStore;
  /** The manager made its own new store: nothing to load, nothing to follow. */
  readonly ownStore: boolean;
  /** The store's feed to follow (never for the manager's own new store). */
  readonly feed: ChangeFeed | undefined;
  /** The validated notices (every version), content hashes filled in. */
  readonly notices: Notice<P>[];
  /** The validated offers (every version). */
  readonly offers: readonly OfferDefinition<P>[];
  readonly defaultJurisdiction: string | undefined;
  /** The pack of the default jurisdiction (the fallback pack without one). */
  readonly defaultPack: PolicyPack;
  /** Preferred notice language (BCP 47). */
  readonly language: string | undefined;
  /** With a cache, only this many prepared customers are held. */
  readonly maxSubjects: number | undefined;
  readonly generateKey: () => string;
  /** The pack for a jurisdiction (`undefined`: the default pack). */
  packFor(jurisdiction: string | undefined): PolicyPack;
  /**
   * Whether every pack this manager can apply treats `category` as not personal: then a purpose
   * need not declare it (it needs no consent), whoever the customer is.
   */
  notPersonalEverywhere(category: string): boolean;
}

/**
 * Checks {@link ConsentManagerOptions} and resolves them. Throws `consent/invalid_notice` or
 * `consent/invalid_policy` for bad notices or packs, `consent/invalid_purpose` when `purposes` is
 * not a registry and `core/invalid_input` naming the field for any other option of the wrong type.
 *
 * @example
 * const config = resolveConfig(options);
 */
export function resolveConfig<P extends string>(
  options: ConsentManagerOptions<P>,
): ManagerConfig<P> {
  checkOptions(options);
  const registry = options.purposes;
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createMemoryLedgerStore();
  const notices = validateNotices(options.notices ?? [], (id) => registry.has(id)) as Notice<P>[];
  const offers = validateOffers(options.offers ?? [], (id) => registry.has(id));
  enforce(checkPolicies, options.policies ?? defaultPolicies, 'policies', 'consent/invalid_policy');
  // Kept as they are now: changing the caller's list or packs later changes no verdict.
  const packs = (options.policies ?? defaultPolicies).map(frozenPack);
  const fallback = validatePolicyPack(
    options.fallbackPolicy ?? policyPacks.strict,
    'fallbackPolicy',
  );
  const defaultJurisdiction = options.jurisdiction;
  const defaultPack = resolvePolicy(defaultJurisdiction, packs, fallback);
  // A manager on its own new store is that store's only writer: nothing to follow.
  const feed = options.store == null ? undefined : store.feed;
  if (feed != null && (typeof feed !== 'object' || typeof feed.subscribe !== 'function')) {
    fail('core/invalid_input', 'options.store.feed', feed, 'must be a ChangeFeed');
  }
  const everyPack = [...packs, fallback];
  const notPersonalEverywhere = (category: string) =>
    everyPack.every((pack) => pack.notPersonal?.some((c) => isWithin(category, c)) === true);
  return {
    registry,
    clock,
    store,
    ownStore: options.store == null,
    feed: feed ?? undefined,
    notices,
    offers,
    defaultJurisdiction,
    defaultPack,
    language: options.language,
    maxSubjects: options.cache?.maxSubjects,
    generateKey: options.generateKey ?? defaultKeyGenerator(clock),
    packFor: (jurisdiction) =>
      jurisdiction === undefined ? defaultPack : resolvePolicy(jurisdiction, packs, fallback),
    notPersonalEverywhere,
  };
}

/** Checked elsewhere, with its own error code (the registry, notices and packs). */
const elsewhere: Check = () => undefined;
/** `null` or `undefined` (the default, as `??` always did), or an object with a `method` function. */
const nullOr = (method: string, what: string) =>
  is(
    (value) => value == null || typeof (value as Record<string, unknown>)[method] === 'function',
    `must be ${what}`,
  );

/**
 * The runtime check of {@link ConsentManagerOptions}: every option, and no other (an unknown
 * option is rejected, naming the option it is a near miss of).
 */
export const optionsShape: Shape<ConsentManagerOptions<string>> = {
  purposes: elsewhere,
  notices: elsewhere,
  offers: elsewhere,
  policies: elsewhere,
  fallbackPolicy: elsewhere,
  jurisdiction: /* @__PURE__ */ optional(text),
  store: /* @__PURE__ */ nullOr('append', 'a ConsentLedgerStore'),
  clock: /* @__PURE__ */ nullOr('now', 'a Clock'),
  language: /* @__PURE__ */ optional(text),
  generateKey: /* @__PURE__ */ optional(
    /* @__PURE__ */ is((value) => typeof value === 'function', 'must be a function'),
  ),
  cache: /* @__PURE__ */ optional(
    /* @__PURE__ */ object<{ maxSubjects: number }>({ maxSubjects: /* @__PURE__ */ integer(1) }),
  ),
};
const checkShape = /* @__PURE__ */ object(optionsShape);
const checkPolicies = /* @__PURE__ */ list(checkPolicyPack);

/** Checks the shape of {@link ConsentManagerOptions} (notices and packs are validated after). */
function checkOptions(options: unknown): asserts options is ConsentManagerOptions<string> {
  needObject(options, 'options');
  requireRegistry((options as { purposes?: unknown }).purposes, 'options.purposes');
  enforce(checkShape, options, 'options', 'core/invalid_input');
}
