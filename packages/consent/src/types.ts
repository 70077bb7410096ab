import type {
  AccessLog,
  AccessRecord,
  Clock,
  ConsentGate,
  ConsentQuery,
  ConsentVerdict,
  DataCategoryId,
  Instant,
  SubjectId,
} from '@candor/core';
import type { ConsentActor, ConsentEventKind, ConsentMethod, NoticeRef } from './events';
import type { Notice, NoticeDefinition } from './notices';
import type { OfferDefinition } from './offers';
import type { PolicyPack } from './policy';
import type { PurposeRegistry } from './purposes';
import type { ChainVerification, ConsentLedgerStore, LedgerEntry } from './store';

/**
 * Options of {@link createConsentManager}.
 *
 * @example
 * const options: ConsentManagerOptions<'marketing.email'> = { purposes, jurisdiction: 'FR' };
 */
export interface ConsentManagerOptions<P extends string> {
  /** The purpose registry from {@link definePurposes}. */
  readonly purposes: PurposeRegistry<P>;
  /** Every version of every notice (see {@link NoticeDefinition}). */
  readonly notices?: readonly NoticeDefinition<NoNoInfer<P>>[];
  /** Every version of every offer a grant may be made under (see {@link OfferDefinition}). */
  readonly offers?: readonly OfferDefinition<NoNoInfer<P>>[];
  /** Policy packs, matched in order before the fallback (default: EU, UK, US-CA). */
  readonly policies?: readonly PolicyPack[];
  /** Pack for jurisdictions no pack lists (default: {@link policyPacks}`.strict`). */
  readonly fallbackPolicy?: PolicyPack;
  /** Jurisdiction assumed for subjects with none on record (default: none → fallback pack). */
  readonly jurisdiction?: string;
  /** The ledger store (default: a new in-memory store). */
  readonly store?: ConsentLedgerStore;
  /** Where time comes from (default: the system clock). */
  readonly clock?: Clock;
  /** Preferred notice language when several exist (BCP 47). */
  readonly language?: string;
  /** Makes idempotency keys when a write gives none (default: time + counter + random). */
  readonly generateKey?: () => string;
  /**
   * Keep at most `maxSubjects` customers in memory, read on demand by {@link
   * ConsentManager.prepare} (least recently prepared first out), instead of reading the whole
   * ledger at `load()`. For ledgers of millions of customers: start-up reads nothing, and a
   * customer not prepared answers `not_loaded`.
   */
  readonly cache?: { readonly maxSubjects: number };
}

type NoNoInfer<T> = [T][T extends unknown ? 0 : never];

/**
 * What every write accepts besides the subject and purposes: how, where, under which notice.
 * All optional; sensible values are recorded for you (method `api`, the notice in force, the
 * subject's jurisdiction, the purpose's default expiry, `at` = now).
 *
 * @example
 * const details: ChangeDetails = { method: 'preference_center', surface: 'web.settings', uiVersion: '4.2' };
 */
export interface ChangeDetails {
  /** How it was collected (default `api`). */
  readonly method?: ConsentMethod;
  /** Where in the product. */
  readonly surface?: string;
  /** Version of the UI. */
  readonly uiVersion?: string;
  /** ISO 3166 jurisdiction (default: the subject's last one, else the manager's). */
  readonly jurisdiction?: string;
  /** When it stops holding (default: from the purposes' `expiresIn` / `refusalExpiresIn`). */
  readonly expiresAt?: Instant;
  /** Optional free-text reason (never required). */
  readonly reason?: string;
  /** Who acted (default: the subject; the company for `revoke`). */
  readonly actor?: ConsentActor;
  /** Notice shown: a full reference, or an id (and version) to look up; default (or `null`): in force. */
  readonly notice?: NoticeRef | { readonly id: string; readonly version?: string } | null;
  /** Idempotency key: a retry with the same key returns the original entry. */
  readonly idempotencyKey?: string;
  /** When it happened (default now; earlier for imports; never in the future). */
  readonly at?: Instant;
}

/**
 * A write about purposes: who, which purposes (one or several), optionally which of their data
 * categories, and {@link ChangeDetails}.
 *
 * @example
 * await manager.withdraw({ subject: 'cus_1', purposes: 'marketing.email' });
 * await manager.withdraw({ subject: 'cus_1', purposes: 'marketing.email', dataCategories: ['user.behavior.purchase_history'] });
 */
export interface ChangeInput<P extends string> extends ChangeDetails {
  /** The subject. */
  readonly subject: SubjectId;
  /** One purpose or several. */
  readonly purposes: P | readonly P[];
  /**
   * Only these data categories of the purposes (each declared by every purpose named), for
   * `grant`, `refuse`, `withdraw` and `object`. Omitted: the whole purpose.
   */
  readonly dataCategories?: readonly DataCategoryId[];
}

/**
 * A write that is always about whole purposes (`revoke`, `renew`, `expire`, `noticeShown`).
 *
 * @example
 * await manager.revoke({ subject: 'cus_1', purposes: 'marketing.email', reason: 'fraud' });
 */
export type PurposeChangeInput<P extends string> = Omit<ChangeInput<P>, 'dataCategories'>;

/**
 * A grant: a {@link ChangeInput} that may be confirmed over a conflicting GPC signal.
 *
 * @example
 * await manager.grant({ subject: 'cus_1', purposes: ['ads.targeted'], confirmed: true });
 */
export interface GrantInput<P extends string> extends ChangeInput<P> {
  /** The subject was told about their GPC signal and explicitly chose to allow anyway. */
  readonly confirmed?: boolean;
  /**
   * The offer the customer accepted (its latest version when none is given): the ledger records
   * its id and version. It must be declared in the manager's `offers` and be about every purpose.
   */
  readonly offer?: { readonly id: string; readonly version?: string };
}

/**
 * What a write did: the stored entry and whether it was an idempotent retry.
 *
 * @example
 * const { entry } = await manager.grant({ subject, purposes: 'marketing.email' });
 */
export interface ConsentChange {
  /** The subject. */
  readonly subject: SubjectId;
  /** The sealed ledger entry. */
  readonly entry: LedgerEntry;
  /** `true` when the idempotency key had been used: nothing new was written. */
  readonly duplicate: boolean;
}

/**
 * One event to import from another system (method `import` unless given). Without an
 * idempotency key, one is derived so re-running the same import does not duplicate it.
 *
 * @example
 * await manager.import([{ subject: 'cus_1', kind: 'given', purposes: ['marketing.email'], at: Date.parse('2025-01-04T10:00:00Z') }]);
 */
export interface ImportRecord<P extends string> extends ChangeDetails {
  /** The subject. */
  readonly subject: SubjectId;
  /** What happened. */
  readonly kind: ConsentEventKind;
  /** The purposes (omit for `signal_observed`). */
  readonly purposes?: P | readonly P[];
  /** For `signal_observed`: the GPC value. */
  readonly gpc?: boolean;
  /** For `given`: confirmed over a GPC signal. */
  readonly confirmed?: boolean;
  /** For `given`, `refused`, `withdrawn` and `objected`: only these data categories. */
  readonly dataCategories?: readonly DataCategoryId[];
}

/**
 * A {@link ConsentQuery} with the registry's purpose type, and optionally the jurisdiction to
 * judge under (default: the subject's).
 *
 * @example
 * manager.decide({ subject: 'cus_1', purpose: 'marketing.email', dataCategories: ['user.contact.email'] });
 */
export interface DecideQuery<P extends string> extends Omit<ConsentQuery, 'purpose'> {
  /** The purpose asked about. */
  readonly purpose: P;
  /** Judge under this jurisdiction instead of the subject's. */
  readonly jurisdiction?: string;
}

/**
 * A purpose the subject should be asked about again, and why: `never_asked` (consent needed and
 * none on record), `expired` (the decision lapsed), `notice_changed` (a material notice version
 * took effect since the decision).
 *
 * @example
 * for (const need of manager.needsPrompt('cus_1')) show(need.purpose, need.notice);
 */
export interface PromptNeed<P extends string> {
  /** The purpose. */
  readonly purpose: P;
  /** Why it needs a prompt. */
  readonly reason: 'never_asked' | 'expired' | 'notice_changed';
  /** The notice to show (the one in force), if any. */
  readonly notice: Notice<P> | null;
  /**
   * When only some data categories need asking again (a category grant or refusal expired, or
   * was made under a notice that changed materially): those categories. Absent: the whole purpose.
   */
  readonly dataCategories?: readonly DataCategoryId[];
}

/**
 * The result of {@link ConsentManager.verify}: every chain valid, or the first broken entry.
 *
 * @example
 * const result = await manager.verify();
 * if (!result.valid) console.error(result.subject, result.entryId, result.problem);
 */
export type LedgerVerification =
  | { readonly valid: true; readonly subjects: number; readonly entries: number }
  | (Extract<ChainVerification, { valid: false }> & { readonly subjects: number });

/**
 * Everything held about a subject's consent, for a data-subject access request: every ledger
 * entry (with ISO times), the chain check and the current verdict per purpose.
 *
 * @example
 * const history = await manager.exportHistory('cus_1');
 * JSON.stringify(history);
 */
export interface SubjectHistory {
  /** The subject. */
  readonly subject: SubjectId;
  /** When the export was made (ISO 8601 UTC). */
  readonly exportedAt: string;
  /** Chain verification of the exported entries. */
  readonly chain: ChainVerification;
  /** Every entry, oldest first, with ISO renderings of its times. */
  readonly entries: readonly (LedgerEntry & {
    readonly atIso: string;
    readonly recordedAtIso: string;
  })[];
  /** The current verdict for every registered purpose (no data categories). */
  readonly current: readonly ConsentVerdict[];
  /**
   * The current verdict for each data category of a purpose on which the subject made a
   * category choice (`grant`, `refuse`, `withdraw` or `object` with `dataCategories`).
   */
  readonly categories: readonly (ConsentVerdict & { readonly dataCategory: DataCategoryId })[];
  /**
   * Every recorded use of the subject's data (newest first), when the export was asked with an
   * `accessLog`: rule evaluations, explanations, recalls and staff look-ups.
   */
  readonly access?: readonly AccessRecord[];
}

/**
 * Options of {@link ConsentManager.exportHistory}.
 *
 * @example
 * await manager.exportHistory('cus_1', { accessLog });
 */
export interface ExportOptions {
  /** Adds the subject's access records (all of them still kept) to the export. */
  readonly accessLog?: AccessLog;
}

/**
 * The consent manager: a typed purpose registry, a hash-chained ledger behind a store, and a
 * synchronous `decide()` over an in-memory view. Implements core's {@link ConsentGate}.
 *
 * @example
 * const manager = createConsentManager({ purposes });
 * await manager.load();
 * await manager.grant({ subject: 'cus_1', purposes: 'marketing.email', method: 'banner' });
 * manager.decide({ subject: 'cus_1', purpose: 'marketing.email', dataCategories: ['user.contact.email'] }).allowed; // true
 */
export interface ConsentManager<P extends string> extends ConsentGate {
  /** The registry. */
  readonly purposes: PurposeRegistry<P>;
  /** The validated notices (every version), content hashes filled in. */
  readonly notices: readonly Notice<P>[];
  /** A plain {@link ConsentGate} (any purpose string; unknown ones are refused), with `prepare`. */
  readonly gate: Required<ConsentGate>;
  /**
   * Hydrates the view from the store; returns the number of entries read. Until then, a manager
   * over a store you passed answers `decide()` with status `unknown` (reason `not_loaded`) for
   * every subject it has not read.
   */
  load(options?: { readonly verify?: boolean }): Promise<number>;
  /** Re-reads one subject from the store (the store's feed does this by itself when it has one). */
  refresh(subject: SubjectId): Promise<void>;
  /**
   * Makes these customers answerable by `decide()`: reads those the view lacks, in one batch
   * (at most 10,000 per call), and marks them recently used. Nothing is kept from a read that
   * fails. Needed with `cache`; harmless without it.
   */
  prepare(subjects: SubjectId | readonly SubjectId[]): Promise<void>;
  /**
   * Synchronous verdict: may `purpose` use `dataCategories` of `subject` (at `at`, default now)?
   * Fails closed: status `unknown` (reasons `not_loaded` or `stale_view`) while the view cannot
   * prove it is current, except for purposes whose first basis is a contract or legal obligation,
   * which no consent event can change. A malformed `at` throws `core/invalid_time`.
   */
  decide(query: DecideQuery<P>): ConsentVerdict;
  /** Records a grant (of the whole purpose, or of `dataCategories` only). */
  grant(input: GrantInput<P>): Promise<ConsentChange>;
  /** Records a refusal (takes effect at once, before the write completes). */
  refuse(input: ChangeInput<P>): Promise<ConsentChange>;
  /**
   * Records a withdrawal (takes effect at once; covers child purposes). With `dataCategories`,
   * only decisions that use one of them are denied.
   */
  withdraw(input: ChangeInput<P>): Promise<ConsentChange>;
  /** Records an objection (Art. 21; takes effect at once), optionally to `dataCategories` only. */
  object(input: ChangeInput<P>): Promise<ConsentChange>;
  /** Records a revocation by the company (takes effect at once). */
  revoke(input: PurposeChangeInput<P>): Promise<ConsentChange>;
  /** Re-confirms existing grants, with a new expiry. */
  renew(input: PurposeChangeInput<P>): Promise<ConsentChange>;
  /** Records that decisions lapsed (takes effect at once). */
  expire(input: PurposeChangeInput<P>): Promise<ConsentChange>;
  /** Records a Global Privacy Control signal when it differs from the last one; else `null`. */
  observeGpc(
    input: { readonly subject: SubjectId; readonly gpc: boolean } & Omit<ChangeDetails, 'notice'>,
  ): Promise<ConsentChange | null>;
  /** Records that a notice was shown (exposure), whatever the subject did next. */
  noticeShown(input: PurposeChangeInput<P>): Promise<ConsentChange>;
  /** Imports events (method `import`), all validated before any is written. */
  import(records: readonly ImportRecord<P>[]): Promise<ConsentChange[]>;
  /** Subscribes to every change; returns an unsubscribe function. */
  onChange(listener: (change: ConsentChange) => void): () => void;
  /** Verifies the stored chains (one subject, or all), naming the first broken entry. */
  verify(subject?: SubjectId): Promise<LedgerVerification>;
  /** Purposes to ask `subject` about now (or at `at`), and why; none while the view is not current. */
  needsPrompt(subject: SubjectId, options?: { readonly at?: Instant }): PromptNeed<P>[];
  /** The notice in force for a purpose. */
  currentNotice(purpose: P, at?: Instant): Notice<P> | undefined;
  /**
   * Everything about a subject, for an access request, as one JSON document: the ledger, the
   * chain check, current verdicts and, given an `accessLog`, every recorded use of their data.
   */
  exportHistory(subject: SubjectId, options?: ExportOptions): Promise<SubjectHistory>;
  /** The subject's entries in the view (confirmed, oldest first). */
  entries(subject: SubjectId): readonly LedgerEntry[];
  /**
   * Whether the view can answer for `subject` right now: `ready`, or why not (`not_loaded`: its
   * ledger was not read yet; `stale_view`: the store's feed is stale or a change made elsewhere is
   * being read).
   */
  viewStatus(subject: SubjectId): 'ready' | 'not_loaded' | 'stale_view';
  /** Stops following the store's feed (the view then goes stale). Idempotent. */
  close(): void;
}
