import type {
  Instant,
  SubjectId,
  SuppressionQuery,
  SuppressionReason,
  SuppressionScope,
  SuppressionSource,
  SuppressionVerdict,
} from '@candor/core';
import type { SuppressionLift } from './lift-suppression';
import type { DecisionEntry, FeedbackEvent } from './schema';
import type { RateInterval } from './wilson';

/*
 * The feedback loop's public types: what it returns and announces, and the `FeedbackLoop`
 * interface itself (its options are in `config.ts`). Types only: importing them loads no code.
 */

/**
 * A guardrail metric: a share of a rule's exposed decisions that drew this reaction.
 *
 * @example
 * loop.ruleHealth('sizing-guide').rates.intrusive.lower;
 */
export type GuardrailMetric = 'helpful' | 'not_interested' | 'intrusive' | 'complaint' | 'opt_out';

/**
 * Something that learns from accepted feedback, such as a Thompson sampler.
 *
 * @example
 * createFeedbackLoop({ observers: [createThompsonSampler({ seed: 1 })] });
 */
export interface FeedbackObserver {
  observe(event: FeedbackEvent): void;
}

/**
 * A correction the customer asked for with `wrong_data`, for the app to route.
 *
 * @example
 * loop.subscribe((e) => { if (e.type === 'correction_requested') tickets.open(e.request); });
 */
export interface CorrectionRequest {
  /** The `wrong_data` event's idempotency key. */
  readonly id: string;
  readonly subject: SubjectId;
  readonly decisionId: string;
  readonly ruleId: string;
  readonly topic: string;
  readonly channel: string;
  readonly itemKey?: string;
  /** What the customer said is wrong. */
  readonly note?: string;
  readonly at: Instant;
}

/**
 * A rule or variant the guardrails paused, with the evidence.
 *
 * @example
 * for (const pause of loop.pauses()) console.log(pause.ruleId, pause.detail);
 */
export interface RulePause {
  readonly ruleId: string;
  /** The variant paused, or `null` for the whole rule. */
  readonly variantId: string | null;
  readonly metric: GuardrailMetric;
  readonly interval: RateInterval;
  readonly threshold: number;
  readonly at: Instant;
  /** Why, in words: `intrusive rate 9.0% (95% CI 5.5–14.4%) over 200 messages exceeds 5%`. */
  readonly detail: string;
}

/**
 * What happened in the loop, for subscribers.
 *
 * @example
 * loop.subscribe((event) => { if (event.type === 'rule_paused') void engine.pause(event.pause.ruleId, { reason: event.pause.detail }); });
 */
export type FeedbackLoopEvent =
  | { readonly type: 'suppressed'; readonly subject: SubjectId; readonly reason: SuppressionReason }
  | {
      readonly type: 'budget_lowered';
      readonly subject: SubjectId;
      readonly reason: SuppressionReason;
    }
  | {
      readonly type: 'lifted';
      readonly subject: SubjectId;
      readonly scope: SuppressionScope;
      readonly target: string;
      readonly at: Instant;
    }
  | { readonly type: 'correction_requested'; readonly request: CorrectionRequest }
  | { readonly type: 'rule_paused'; readonly pause: RulePause }
  | { readonly type: 'rule_resumed'; readonly ruleId: string; readonly variantId: string | null }
  | { readonly type: 'orphaned'; readonly event: FeedbackEvent }
  | { readonly type: 'adopted'; readonly decisionId: string; readonly events: number };

/**
 * What applying one event did.
 *
 * @example
 * const { status, orphaned, effects } = loop.apply(event);
 */
export interface IngestResult {
  /** `duplicate` when the idempotency key was seen before: nothing changed. */
  readonly status: 'accepted' | 'duplicate';
  /** The decision is unknown: the event is kept (and its effects applied) and listed in `orphans()`. */
  readonly orphaned: boolean;
  /** Older than `lateAfterMs`: applied at its own time. */
  readonly late: boolean;
  /** Suppressions, budget changes, corrections and pauses this event caused. */
  readonly effects: readonly FeedbackLoopEvent[];
}

/**
 * What applying a batch of events did: counts instead of one result per event, and the effects
 * of the whole batch in order.
 *
 * @example
 * const { accepted, duplicates, orphaned, effects } = loop.applyMany(events);
 */
export interface BatchIngestResult {
  /** Events applied (new idempotency keys). */
  readonly accepted: number;
  /** Events skipped because their idempotency key was seen before (or earlier in the batch). */
  readonly duplicates: number;
  /** Accepted events whose decision is unknown (kept, listed in `orphans()`). */
  readonly orphaned: number;
  /** Accepted events older than `lateAfterMs` (applied at their own time). */
  readonly late: number;
  /** Suppressions, budget changes, corrections and pauses the batch caused, in order. */
  readonly effects: readonly FeedbackLoopEvent[];
}

/**
 * A subject's budget on one channel at one time.
 *
 * @example
 * const { allowed, used, reason } = loop.budget('cus_1', 'email');
 */
export interface BudgetStatus {
  readonly channel: string;
  /** Deliveries allowed in the window on this channel, after fatigue and feedback. */
  readonly allowed: number;
  /** Deliveries in the window on this channel (critical ones excluded). */
  readonly used: number;
  readonly remaining: number;
  /** Deliveries allowed and used across all channels. */
  readonly crossChannel: {
    readonly allowed: number;
    readonly used: number;
    readonly remaining: number;
  };
  /** The decayed fatigue score on this channel. */
  readonly fatigue: number;
  /** Product of active budget reductions for this channel (1 = none). */
  readonly factor: number;
  /** True when one more non-critical delivery fits both budgets. */
  readonly withinBudget: boolean;
  /** Why not, when `withinBudget` is false. */
  readonly reason: SuppressionReason | null;
}

/**
 * Guardrail rates of a rule or variant, each with its Wilson interval.
 *
 * @example
 * const health = loop.ruleHealth('sizing-guide', 'v2');
 * console.log(health.rates.complaint.upper);
 */
export interface RuleHealth {
  readonly ruleId: string;
  readonly variantId: string | null;
  /** Distinct decisions with any feedback (delivered or a reaction). */
  readonly exposures: number;
  readonly rates: Readonly<Record<GuardrailMetric, RateInterval>>;
  readonly paused: RulePause | null;
}

/**
 * The feedback loop: ingests feedback, keeps an in-memory view of suppressions, fatigue, budgets
 * and rule health, and answers core's `SuppressionSource.check()` synchronously from it.
 *
 * @example
 * const loop: FeedbackLoop = createFeedbackLoop();
 * const engine = createRuleEngine({ rules, consent, suppressions: loop });
 */
export interface FeedbackLoop extends SuppressionSource {
  /**
   * Is this message suppressed for the subject right now? Applies every accepted event, from
   * this loop or (through the store's feed) any other on the same store. Fails closed: while the
   * view cannot prove it is current (see {@link FeedbackLoop.viewStatus}) non-critical messages
   * are held back (codes `not_loaded`, `stale_view`); critical ones are never silenced here.
   */
  check(query: SuppressionQuery): SuppressionVerdict;
  /**
   * One question per customer and instant instead of one per rule: true only when `check()`
   * would let every message of `subject` through at `at` (the view current, no rule paused, every
   * budget above zero, and nothing of the customer's on record that could hold a message back).
   * Errs towards false, which only means "ask `check()` rule by rule".
   */
  nothingSuppressed(subject: SubjectId, at: Instant): boolean;
  /**
   * Validates, persists to the store, then applies an event. The recommended write path. The
   * event is typed, and still checked at run time (whatever a cast let through is refused with the
   * typed errors `parseFeedbackEvent` throws).
   */
  submit(event: FeedbackEvent): Promise<IngestResult>;
  /**
   * Lifts one of the customer's suppressions or budget reductions as {@link FeedbackLoop.suppressions}
   * lists it, by its `scope` and `target` (no decision id needed): records a `lifted` event
   * answering the decision of the feedback that muted it, through `submit`, so the very next
   * `check()` lets it through. A retry with the same idempotency key answers `duplicate` (with a
   * subject cache, once the loop no longer remembers the key, `feedback/unknown_suppression`).
   * Throws `feedback/invalid_event` or `feedback/invalid_scope` for a malformed lift, and
   * `feedback/unknown_suppression` when nothing of that scope and target holds the customer back
   * at `at`; nothing is written then.
   *
   * @example
   * const [muted] = loop.suppressions('cus_1');
   * await loop.lift({ idempotencyKey: 'unmute-1', subject: 'cus_1', scope: muted.scope, target: muted.target });
   */
  lift(lift: SuppressionLift): Promise<IngestResult>;
  /** Validates and applies an event to the view only (replay, tests, benchmarks); not persisted. */
  apply(event: FeedbackEvent): IngestResult;
  /**
   * Validates a batch, persists its new events with one store append, then applies them in order.
   * All or nothing: if any event is invalid or conflicts, the call rejects and nothing is stored or
   * applied. Listeners hear the batch's loop events once it is applied.
   */
  submitMany(events: readonly FeedbackEvent[]): Promise<BatchIngestResult>;
  /**
   * Validates a batch and applies it to the view only, in order (the fast ingest path: no promise
   * and no result object per event). All or nothing, like `submitMany`.
   */
  applyMany(events: readonly FeedbackEvent[]): BatchIngestResult;
  /** Validates, persists and applies a decision entry, so feedback can be joined to it. */
  logDecision(entry: DecisionEntry): Promise<void>;
  /** Applies a decision entry to the view only. */
  applyDecision(entry: DecisionEntry): void;
  /**
   * Replays the store's guardrail resumes (if it stores them), decisions and events into the view;
   * returns how many decisions and events were read. Needed once over a store you pass (until
   * then non-critical checks are held back, `not_loaded`); afterwards the loop follows the
   * store's feed by itself.
   */
  hydrate(): Promise<{ readonly decisions: number; readonly events: number }>;
  /**
   * Makes these customers answerable by `check()`. Hydrates the view first if it has not been
   * (once, however many callers ask). With `cache.maxSubjects` it then reads the customers the
   * view lacks in one store read (at most 10,000 per call), and drops the least recently
   * prepared beyond the bound; a customer whose feedback kept arriving while it was read is left
   * unprepared (its checks are held back, `not_loaded`). Throws `feedback/invalid_event` for a
   * malformed list (nothing is read or dropped).
   *
   * @example
   * await loop.prepare(['cus_1', 'cus_2']);
   * loop.check({ subject: 'cus_1', ruleId: 'offer', topic: 'offers', channel: 'email', at: Date.now() });
   */
  prepare(subjects: SubjectId | readonly SubjectId[]): Promise<void>;
  /** Active suppressions and budget reductions of a subject, each with its reason. */
  suppressions(subject: SubjectId, at?: Instant): readonly SuppressionReason[];
  /** The subject's budget on a channel: allowed, used, fatigue, and why not. */
  budget(subject: SubjectId, channel: string, at?: Instant): BudgetStatus;
  /** The subject's decayed fatigue score on a channel. */
  fatigue(subject: SubjectId, channel: string, at?: Instant): number;
  /** Guardrail rates of a rule (or one of its variants). */
  ruleHealth(ruleId: string, variantId?: string): RuleHealth;
  /** Whether the guardrails paused this rule (or, with `variantId`, the rule or that variant). */
  isPaused(ruleId: string, variantId?: string): boolean;
  /** Every active pause. */
  pauses(): readonly RulePause[];
  /**
   * Lifts a pause and restarts that rule's (or variant's) guardrail counts: feedback dated up to
   * now (or the latest event applied, if later) no longer counts. The view changes at once (the
   * very next `check()` lets the rule through); the returned promise settles once the resume is
   * stored with the store's optional `appendResumes`, so `hydrate()` after a restart does not pause
   * the rule again on the same evidence. If storing fails, the pause is restored and it rejects.
   * Resolves at once when the rule was not paused or the store cannot store resumes.
   */
  resume(ruleId: string, variantId?: string): Promise<void>;
  /** Events whose decision is unknown, kept until their decision is logged. */
  orphans(): readonly FeedbackEvent[];
  /** Correction requests from `wrong_data`, oldest first. */
  corrections(subject?: SubjectId): readonly CorrectionRequest[];
  /** Every accepted event in arrival order (for `computeTrustMetrics`). */
  events(): readonly FeedbackEvent[];
  /**
   * Listens to loop events; returns the unsubscribe function. Listeners hear what this loop
   * applied itself; feedback written by other loops on the same store is applied silently (the
   * loop that took it announced it).
   */
  subscribe(listener: (event: FeedbackLoopEvent) => void): () => void;
  /**
   * Whether `check()` can answer for `subject` right now: `ready`, or why not (`not_loaded`:
   * `hydrate()` has not run over the store you passed; `stale_view`: the store's feed is stale, or
   * feedback about this subject written elsewhere is being read).
   */
  viewStatus(subject: SubjectId): 'ready' | 'not_loaded' | 'stale_view';
  /** Stops following the store's feed (non-critical checks are then held back). Idempotent. */
  close(): void;
}
