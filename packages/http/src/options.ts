import type { ChoiceContext, ConsentController, ConsentManager } from '@candor/consent';
import type { AccessLog, Clock, DecisionRecord, SubjectId } from '@candor/core';
import type { Explainer } from '@candor/explain';
import type { CorrectionDesk, FeedbackLoop } from '@candor/feedback';
import type { MemoryBook } from '@candor/memory';
import type { IdempotencyCache } from './idempotency';
import type { RateLimiter, TokenBucketOptions } from './rate-limit';

/**
 * Finds one of the signed-in customer's decisions (a message they got) by id, for explanations
 * and feedback. Return `undefined` for an unknown id or another customer's decision; the API
 * also refuses a record whose `subject` is not the signed-in customer.
 *
 * @example
 * const decisions: DecisionLookup = (subject, id) => inbox.get(subject)?.find((m) => m.id === id)?.proposal;
 */
export type DecisionLookup = (
  subject: SubjectId,
  decisionId: string,
) => DecisionRecord | undefined | Promise<DecisionRecord | undefined>;

/**
 * Options of {@link createPrivacyApi}. Only `authenticate` and `consent` are required; each
 * optional port turns on its routes (see the README's route table).
 *
 * @example
 * const options: PrivacyApiOptions<'marketing.email'> = { consent: manager, authenticate: (req) => sessions.subjectOf(req) };
 */
export interface PrivacyApiOptions<P extends string> {
  /**
   * The signed-in customer of a request, from the app's session (a cookie, a bearer token), or
   * `null` when there is none (401). Never read from the body or the URL.
   */
  authenticate(
    request: Request,
  ): SubjectId | null | undefined | Promise<SubjectId | null | undefined>;
  /** The consent manager: snapshot, choices, export (and receipts with `controller`). */
  readonly consent: ConsentManager<P>;
  /**
   * What the server records with every choice besides what the browser says: method (default
   * `preference_center`), surface, UI version, jurisdiction, how old a device time may be.
   */
  readonly choices?: Omit<ChoiceContext, 'snapshot'>;
  /** How long a consent snapshot may be used, in ms (default 5 minutes). */
  readonly snapshotTtl?: number;
  /** Who the receipts name as controller; turns on `GET /consent/receipts`. */
  readonly controller?: ConsentController;
  /** The customer's messages by id; with `feedback` or `explainer`, turns on their routes. */
  readonly decisions?: DecisionLookup;
  /** The feedback loop: `POST /feedback` (with `decisions`) and `GET /feedback/suppressions`. */
  readonly feedback?: FeedbackLoop;
  /** The explainer: explanations (with `decisions`) and the access history (with `accessLog`). */
  readonly explainer?: Explainer;
  /** The access log: `GET /access` (with `explainer`) and the access records in the export. */
  readonly accessLog?: AccessLog;
  /** The memory book: `GET /memories` and `DELETE /memories/{memoryId}`. */
  readonly memory?: MemoryBook;
  /**
   * The correction desk (`@candor/feedback`): `GET /corrections` and `POST /corrections`, the
   * customer's corrections of the data held about them.
   */
  readonly corrections?: CorrectionDesk;
  /** Where the API is mounted, e.g. `/api/privacy` (default: the root). */
  readonly basePath?: string;
  /** Other origins allowed to make unsafe requests, e.g. `https://www.shop.example` (default none). */
  readonly allowedOrigins?: readonly string[];
  /** The largest body accepted, in bytes (default 16 KiB). */
  readonly maxBodyBytes?: number;
  /**
   * Requests per customer: a limiter, token-bucket options, or `false` (default 60 burst, 1/s,
   * refilled in wall time whatever `clock` says).
   */
  readonly rateLimit?: RateLimiter | TokenBucketOptions | false;
  /** Where replies to idempotent writes are remembered (default in memory, 10,000 keys). */
  readonly idempotency?: IdempotencyCache;
  /** Where the time of choices and history windows comes from (default the system clock). */
  readonly clock?: Clock;
  /** Gets every error that became a 500, with its request; the response never shows it. */
  readonly onError?: (error: unknown, request: Request) => void;
}
