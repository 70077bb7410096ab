import type { DataCategoryId, Instant, LegalBasis, PurposeId } from '@candor/core';
import type { OfferRef } from './offers';

/**
 * What happened, as one ledger event kind:
 * `given`, `refused`, `withdrawn` (by the subject), `revoked` (by the company), `expired`,
 * `objected` (GDPR Art. 21), `renewed` (a grant re-confirmed), `signal_observed` (e.g. GPC) and
 * `notice_shown` (exposure: the notice was displayed, whatever the subject did next).
 *
 * @example
 * const kind: ConsentEventKind = 'withdrawn';
 */
export type ConsentEventKind =
  | 'given'
  | 'refused'
  | 'withdrawn'
  | 'revoked'
  | 'expired'
  | 'objected'
  | 'renewed'
  | 'signal_observed'
  | 'notice_shown';

/**
 * The event kinds, in a fixed order (for validation and UIs).
 *
 * @example
 * consentEventKinds.includes('given'); // true
 */
export const consentEventKinds: readonly ConsentEventKind[] = [
  'given',
  'refused',
  'withdrawn',
  'revoked',
  'expired',
  'objected',
  'renewed',
  'signal_observed',
  'notice_shown',
];

/**
 * The event kinds that may be about some data categories of a purpose only.
 *
 * @example
 * categoryEventKinds.includes('withdrawn'); // true
 */
export const categoryEventKinds: readonly ConsentEventKind[] = [
  'given',
  'refused',
  'withdrawn',
  'objected',
];

/**
 * How a choice or signal reached the ledger: a `banner`, the `preference_center`, an `api` call,
 * an `import` from another system, or a `gpc` browser signal.
 *
 * @example
 * const method: ConsentMethod = 'preference_center';
 */
export type ConsentMethod = 'banner' | 'preference_center' | 'api' | 'import' | 'gpc';

/**
 * The methods, in a fixed order.
 *
 * @example
 * consentMethods.includes('gpc'); // true
 */
export const consentMethods: readonly ConsentMethod[] = [
  'banner',
  'preference_center',
  'api',
  'import',
  'gpc',
];

/**
 * Who caused an event: the `subject` themself, the `company` (e.g. a revocation), an `agent`
 * acting for the subject (an authorized agent or support staff), or the `system` (expiry sweeps).
 *
 * @example
 * const actor: ConsentActor = { kind: 'agent', id: 'support:alice' };
 */
export interface ConsentActor {
  /** Who acted. */
  readonly kind: 'subject' | 'company' | 'agent' | 'system';
  /** Optional identifier of the actor (staff id, service name). */
  readonly id?: string;
}

/**
 * The notice an event was made under: its id, version and the SHA-256 hex of its content, so
 * the exact text the subject saw can be proven later.
 *
 * @example
 * const ref: NoticeRef = { id: 'privacy', version: '2026-05', contentHash: 'ab12…' };
 */
export interface NoticeRef {
  /** The notice's id (e.g. `privacy`, `marketing`). */
  readonly id: string;
  /** The notice's version label. */
  readonly version: string;
  /** Lower-case hex SHA-256 of the notice's content. */
  readonly contentHash: string;
}

/**
 * A signal observed on the subject's behalf, e.g. Global Privacy Control (`{ gpc: true }`).
 *
 * @example
 * const signal: ConsentSignal = { gpc: true };
 */
export interface ConsentSignal {
  /** The Global Privacy Control preference: `true` means "do not sell or share". */
  readonly gpc: boolean;
}

/**
 * One ledger event, as stored and hashed (the subject lives on the {@link LedgerEntry}): who,
 * what, under which notice, when, how, where, until when, and optionally why. Optional fields are
 * omitted, never `undefined`, once stored.
 *
 * @example
 * const event: ConsentEvent = {
 *   kind: 'given', actor: { kind: 'subject' }, purposes: ['marketing.email'], basis: 'consent',
 *   at: 1780000000000, method: 'preference_center', jurisdiction: 'FR',
 * };
 */
export interface ConsentEvent {
  /** What happened. */
  readonly kind: ConsentEventKind;
  /** Who caused it. */
  readonly actor: ConsentActor;
  /** The purposes it is about (empty for a signal that is not purpose-specific). */
  readonly purposes: readonly PurposeId[];
  /**
   * For `given`, `refused`, `withdrawn` and `objected`: the data categories (within the purposes)
   * the choice is about. Absent: the whole purpose — every entry written before categories
   * existed means that, and keeps its hash.
   */
  readonly dataCategories?: readonly DataCategoryId[];
  /**
   * For `given`: the offer (id and version) the grant was made under. Absent: no offer — every
   * entry written before offers existed, which keeps its hash.
   */
  readonly offer?: OfferRef;
  /** The legal basis the event concerns (`consent` for grants and refusals). */
  readonly basis?: LegalBasis;
  /** The notice in force when it happened. */
  readonly notice?: NoticeRef;
  /** When it happened (UTC epoch ms). May be earlier than the entry's `recordedAt` for imports. */
  readonly at: Instant;
  /** How it reached the ledger. */
  readonly method: ConsentMethod;
  /** Where in the product (e.g. `web.checkout`, `ios.settings`). */
  readonly surface?: string;
  /** Version of the UI that collected it. */
  readonly uiVersion?: string;
  /** ISO 3166 code of the jurisdiction it was made under (`FR`, `GB`, `US-CA`). */
  readonly jurisdiction?: string;
  /** When the decision stops holding (grants and refusals). */
  readonly expiresAt?: Instant;
  /** Free-text reason (a withdrawal reason is optional, never required). */
  readonly reason?: string;
  /** For `given`: the subject explicitly confirmed this choice over a conflicting GPC signal. */
  readonly confirmed?: boolean;
  /** For `signal_observed`: the signal. */
  readonly signal?: ConsentSignal;
}
