import {
  type Check,
  enforce,
  integer,
  list,
  object,
  oneOf,
  optional,
  type Shape,
  string,
  text,
} from './check';
import { fail } from './errors';

/**
 * What the customer gets for sharing: plain words, and optionally in structured form (a
 * discount in percent, a feature, a service level) for apps that compute with it.
 *
 * @example
 * const benefit: Benefit = { text: '10% off your next order', terms: { kind: 'discount', percent: 10 } };
 */
export interface Benefit {
  /** In the customer's words: what they get ("10% off your next order"). */
  readonly text: string;
  readonly terms?: BenefitTerms;
}

/**
 * A benefit's structured form.
 *
 * @example
 * const terms: BenefitTerms = { kind: 'service_level', level: 'priority support' };
 */
export type BenefitTerms =
  | { readonly kind: 'discount'; readonly percent: number }
  | { readonly kind: 'feature'; readonly feature: string }
  | { readonly kind: 'service_level'; readonly level: string };

/**
 * An offer: a versioned value exchange for granting some purposes. A grant made under it records
 * its id and version in the ledger (`ConsentEvent.offer`); withdrawing is as easy as without it.
 *
 * @example
 * const offer: OfferDefinition = {
 *   id: 'tips-discount', version: '2026-01', purposes: ['personalization.recommendations'],
 *   benefit: { text: '10% off your next order', terms: { kind: 'discount', percent: 10 } },
 * };
 */
export interface OfferDefinition<P extends string = string> {
  readonly id: string;
  readonly version: string;
  /** The purposes a grant under this offer is about (every purpose granted must be one). */
  readonly purposes: readonly P[];
  readonly benefit: Benefit;
}

/**
 * The offer a grant was made under, as the ledger records it.
 *
 * @example
 * const ref: OfferRef = { id: 'tips-discount', version: '2026-01' };
 */
export interface OfferRef {
  readonly id: string;
  readonly version: string;
}

const termKinds = ['discount', 'feature', 'service_level'];
const discount = object({ kind: text, percent: integer(1, 100) });
const feature = object({ kind: text, feature: string(200) });
const serviceLevel = object({ kind: text, level: string(200) });
const termsCheck: Check = (value) => {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind === 'discount') return discount(value);
  if (kind === 'feature') return feature(value);
  if (kind === 'service_level') return serviceLevel(value);
  if (typeof value !== 'object' || value === null) return ['', value, 'must be an object'];
  const issue = oneOf(termKinds)(kind);
  return issue === undefined ? undefined : ['.kind', kind, issue[2]];
};

/** The runtime check of a {@link Benefit}. Internal. */
export const benefitShape: Shape<Benefit> = {
  text: string(300),
  terms: optional(termsCheck),
};
/** Checks a benefit (plain words, optional terms). Internal. */
export const checkBenefit = object(benefitShape);

const checkOffer = object<OfferDefinition>({
  id: string(200),
  version: string(100),
  purposes: list(text, true),
  benefit: checkBenefit,
});

/**
 * Checks the offers a manager is given: each well formed, about declared purposes, no id and
 * version twice. Throws `consent/invalid_offer` naming the bad one.
 *
 * @example
 * validateOffers([offer], (id) => registry.has(id));
 */
export function validateOffers<P extends string>(
  offers: readonly OfferDefinition<P>[],
  declared: (purpose: string) => boolean,
): readonly OfferDefinition<P>[] {
  if (!Array.isArray(offers)) fail('consent/invalid_offer', 'offers', offers, 'must be an array');
  const seen = new Set<string>();
  offers.forEach((offer, i) => {
    enforce(checkOffer, offer, `offers[${i}]`, 'consent/invalid_offer');
    offer.purposes.forEach((p: string, k: number) => {
      if (!declared(p))
        fail(
          'consent/invalid_offer',
          `offers[${i}].purposes[${k}]`,
          p,
          'is not a declared purpose',
        );
    });
    const key = `${offer.id}\u0000${offer.version}`;
    if (seen.has(key))
      fail('consent/invalid_offer', `offers[${i}]`, offer.id, 'this id and version appear twice');
    seen.add(key);
  });
  return offers.map((o) => Object.freeze({ ...o }));
}

/**
 * The offer `wanted` names (its latest version when none is given), checked to cover every
 * purpose of the grant; throws `consent/invalid_offer` naming what is wrong at `path`.
 *
 * @example
 * resolveOffer(offers, { id: 'tips-discount' }, ['personalization.recommendations'], 'input.offer');
 */
export function resolveOffer(
  offers: readonly OfferDefinition[],
  wanted: unknown,
  purposes: readonly string[],
  path: string,
): OfferRef {
  const ref = wanted as { id?: unknown; version?: unknown } | null;
  if (
    typeof ref !== 'object' ||
    ref === null ||
    typeof ref.id !== 'string' ||
    (ref.version !== undefined && typeof ref.version !== 'string') ||
    Object.keys(ref).some((k) => k !== 'id' && k !== 'version')
  )
    fail('consent/invalid_offer', path, wanted, 'must be { id, version? }');
  const matching = offers.filter(
    (o) => o.id === ref.id && (ref.version === undefined || o.version === ref.version),
  );
  const offer = matching[matching.length - 1];
  if (offer === undefined)
    fail(
      'consent/invalid_offer',
      path,
      wanted,
      `there is no offer ${JSON.stringify(ref.id)}${ref.version === undefined ? '' : ` version ${JSON.stringify(ref.version)}`}`,
    );
  for (const p of purposes)
    if (!offer.purposes.includes(p))
      fail(
        'consent/invalid_offer',
        path,
        wanted,
        `offer ${JSON.stringify(offer.id)} is not about ${p}`,
      );
  return { id: offer.id, version: offer.version };
}
