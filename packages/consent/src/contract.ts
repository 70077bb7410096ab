import type { ConsentStatus, DataCategoryId, Instant } from '@candor/core';
import type { ConsentReasonCode } from './evaluate';
import type { ConsentModeState } from './interop';
import type { ConsentModeSignal } from './purposes';

// The wire contract between a server that keeps the ledger and the thin browser client
// (`@candor/consent/client`): what the server sends (a snapshot of one subject's verdicts) and
// what the browser posts (a choice). Plain JSON, types only: both sides import it with
// `import type`, so no bundle carries code from here. `schema.ts` holds the zod schemas the JSON
// Schemas come from; `index.test-d.ts` ties each type to its schema.

/**
 * One verdict in a {@link ConsentSnapshot}: allowed or not, the status and the first reason's
 * code (as {@link ConsentManager.decide} gives them), when it lapses (epoch ms, or `null`), and
 * `final: true` when no data-category choice can change it (no consent needed, an objection, a
 * GPC opt-out, or a view that cannot answer).
 *
 * @example
 * const verdict: SnapshotVerdict = { allowed: true, status: 'granted', reason: 'explicit_grant', expiresAt: null };
 */
export interface SnapshotVerdict {
  readonly allowed: boolean;
  readonly status: ConsentStatus;
  readonly reason: ConsentReasonCode;
  readonly expiresAt: Instant | null;
  readonly final?: true;
}

/**
 * One data category of a purpose in a {@link ConsentSnapshot}: whether it is sensitive, and the
 * subject's own choice about it (absent: the category follows the purpose's verdict).
 *
 * @example
 * const category: SnapshotCategory = { choice: { allowed: false, status: 'withdrawn', reason: 'withdrawn', expiresAt: null } };
 */
export interface SnapshotCategory {
  readonly sensitive?: true;
  readonly choice?: SnapshotVerdict;
}

/**
 * One purpose in a {@link ConsentSnapshot}.
 *
 * @example
 * const purpose: SnapshotPurpose = { verdict, categories: { 'user.contact.email': {} } };
 */
export interface SnapshotPurpose {
  /** The verdict for a decision that uses no sensitive data category. */
  readonly verdict: SnapshotVerdict;
  /** The verdict for a decision that uses a sensitive one (only when the purpose declares one). */
  readonly sensitive?: SnapshotVerdict;
  /**
   * Every category the purpose declares, the sensitive ones within them (as the registry lists
   * them), and every finer one the subject made a choice about.
   */
  readonly categories: Readonly<Record<DataCategoryId, SnapshotCategory>>;
  /** The notice in force for the purpose, to cite in a choice. */
  readonly notice?: { readonly id: string; readonly version: string };
  /** The Google Consent Mode v2 signals the purpose maps to. */
  readonly consentMode?: readonly ConsentModeSignal[];
  /** A Global Privacy Control signal opts this subject out of the purpose (their policy pack). */
  readonly gpcOptOut?: true;
}

/**
 * Everything a browser needs to answer `decide()` for one subject exactly as the server's
 * manager would at `issuedAt`, until `validUntil` (after which a client fails closed until it
 * gets a newer one). `seq` is the subject's ledger head when it was issued: a choice the server
 * stored at sequence `n` is reflected by every snapshot with `seq >= n`. Built by
 * {@link buildConsentSnapshot}; plain JSON.
 *
 * @example
 * const snapshot: ConsentSnapshot = { v: 1, seq: 3, issuedAt, validUntil, gpc: false, consentMode, purposes: {} };
 */
export interface ConsentSnapshot<P extends string = string> {
  /** Format version: `1`. */
  readonly v: 1;
  /** The subject's ledger head sequence it reflects (0: nothing on record). */
  readonly seq: number;
  /** When the server built it (epoch ms, server clock). */
  readonly issuedAt: Instant;
  /** Until when it may be used (epoch ms): the TTL, or earlier when a verdict in it lapses. */
  readonly validUntil: Instant;
  /** A Global Privacy Control signal is on record for the subject. */
  readonly gpc: boolean;
  /** Google Consent Mode v2 state as the server's `toConsentMode` gives it at `issuedAt`. */
  readonly consentMode: ConsentModeState;
  /** Every registered purpose. */
  readonly purposes: Readonly<Record<P, SnapshotPurpose>>;
}

/**
 * The choices a customer makes in a browser: `object` objects to a purpose based on legitimate
 * interest (or to some of its data categories), as an explanation's controls with
 * `mechanism: 'object'` offer.
 *
 * @example
 * const action: ConsentChoiceAction = 'withdraw';
 */
export type ConsentChoiceAction = 'grant' | 'refuse' | 'withdraw' | 'object';

/**
 * A choice the browser posts to the server: an idempotency key the browser made, the purpose,
 * the action, optionally only some data categories, the notice shown, and when the customer chose
 * (device clock, epoch ms). Never a subject: the server takes it from the session.
 *
 * @example
 * const choice: ConsentChoice = { key: 'c_1', purpose: 'marketing.email', action: 'withdraw', chosenAt: Date.now() };
 */
export interface ConsentChoice<P extends string = string> {
  /** Idempotency key, unique per choice (1–200 characters). */
  readonly key: string;
  /** The purpose chosen about. */
  readonly purpose: P;
  /** What the customer chose. */
  readonly action: ConsentChoiceAction;
  /** Only these data categories of the purpose (absent: the whole purpose). */
  readonly dataCategories?: readonly DataCategoryId[];
  /** The notice shown when the customer chose. */
  readonly notice?: { readonly id: string; readonly version: string };
  /** For a grant: the customer was told about their GPC signal and chose to allow anyway. */
  readonly confirmed?: boolean;
  /** Where the choice was made (default: the server's). */
  readonly method?: 'banner' | 'preference_center';
  /** When the customer chose, by the device's clock (epoch ms). */
  readonly chosenAt: Instant;
}

/**
 * The server's answer to a {@link ConsentChoice}: the ledger record it is stored as (`recordId`,
 * `sequence` in the subject's chain), whether the key had been used already (nothing new
 * written), and a snapshot that reflects it.
 *
 * @example
 * const result: ConsentChoiceResult = { key: 'c_1', recordId: 'cr_…', sequence: 4, duplicate: false, snapshot };
 */
export interface ConsentChoiceResult<P extends string = string> {
  readonly key: string;
  readonly recordId: string;
  readonly sequence: number;
  readonly duplicate: boolean;
  readonly snapshot?: ConsentSnapshot<P>;
}
