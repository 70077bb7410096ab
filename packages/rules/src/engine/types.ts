import type {
  AccessLog,
  AccessRecord,
  ChangeLog,
  ChangeRecord,
  Clock,
  ConsentGate,
  DataCategoryId,
  Fact,
  Instant,
  JsonValue,
  SubjectId,
  SuppressionSource,
} from '@candor/core';
import type { CompiledRuleSet } from '../compile/types';
import type { Outcome, Proposal } from '../outcome';
import type { Pause, RuleStateStore, ScheduleEntry } from '../state';
import type { QuietHours, Rule, RuleEvent } from '../types';

/**
 * What the engine asks a {@link FactProvider} for: the fact paths the triggered rules read that
 * the event does not carry, and the data categories those rules declared (only rules whose
 * consent holds are planned for, so nothing is fetched that could not be used).
 *
 * @example
 * const request: FactRequest = { subject: 'cus_1', event, paths: ['card.expiresAt'], dataCategories: ['user.financial.card'] };
 */
export interface FactRequest {
  readonly subject: SubjectId;
  readonly event: RuleEvent;
  readonly paths: readonly string[];
  readonly dataCategories: readonly DataCategoryId[];
}

/**
 * Where the engine gets profile facts before evaluating (plan → fetch → evaluate): async, called
 * once per event, outside the synchronous hot path. Each fact carries its category and provenance.
 *
 * @example
 * const facts: FactProvider = { fetch: async ({ subject, paths }) => profiles.factsFor(subject, paths) };
 */
export interface FactProvider {
  fetch(request: FactRequest): Promise<readonly Fact[]>;
}

/**
 * What the engine asks a {@link ChangePort} to do: make the change `type` for `subject`, resting
 * on `proposal` (its facts say what to change), undoable until `undoUntil`.
 *
 * @example
 * const request: ChangeRequest = { changeId: 'chg_1', type: 'booking.rebook', subject: 'cus_1', proposal, undoUntil: 1780007200000 };
 */
export interface ChangeRequest {
  readonly changeId: string;
  readonly type: string;
  readonly subject: SubjectId;
  readonly proposal: Proposal;
  readonly undoUntil: Instant;
}

/**
 * How the engine acts for a rule that declares a `change`: the app makes the change (`perform`)
 * and puts it back (`undo`); the engine decides when, checks the permission, keeps the undo
 * window and records each step in `log` (default: in memory).
 * - `perform` resolves to what was done (JSON, kept as the record's `details`), or rejects: then
 *   nothing was changed and the message is sent as an offer (`failed`).
 * - `undo` restores exactly what was there before the change; if it rejects, the change stands and
 *   no undo is recorded.
 *
 * @example
 * const changes: ChangePort = {
 *   perform: async ({ subject }) => ({ flight: await bookings.moveToEarlier(subject) }),
 *   undo: async (record) => bookings.restore(record.subject, record.changeId),
 * };
 */
export interface ChangePort {
  perform(request: ChangeRequest): Promise<Readonly<Record<string, JsonValue>> | undefined>;
  undo(record: ChangeRecord): Promise<void>;
  readonly log?: ChangeLog;
}

/**
 * Options of {@link createRuleEngine}.
 *
 * @example
 * const options: RuleEngineOptions = { rules, consent: gate, quietHours: { start: '21:00', end: '08:00' } };
 */
export interface RuleEngineOptions {
  /** Rules (compiled here) or an already compiled set. */
  readonly rules: readonly Rule[] | CompiledRuleSet;
  readonly consent: ConsentGate;
  readonly suppressions?: SuppressionSource;
  readonly state?: RuleStateStore;
  readonly facts?: FactProvider;
  readonly clock?: Clock;
  /** Default quiet hours for rules that set none. */
  readonly quietHours?: QuietHours;
  /** Most proposals per channel per event; extra ones lose as `conflict` (priority order). */
  readonly channelBudgets?: Readonly<Record<string, number>>;
  /** Categories (and their children) whose actual values traces must not reveal, or a predicate. */
  readonly redact?: readonly DataCategoryId[] | ((category: DataCategoryId) => boolean);
  /** Traces for every evaluated rule (`all`, default) or only for proposals (`fired`). */
  readonly trace?: 'all' | 'fired';
  /**
   * Where to record each read of a customer's data: one {@link AccessRecord} per rule whose
   * conditions read the customer's facts (fired or not), with exactly the categories and fact
   * paths read and what came of it. Rules stopped at consent, a suppression or a pause read
   * nothing and leave no record. Records are written in the background: a failing log goes to
   * `onAccessLogError` and never holds a decision up — unless `strictAccessLog` is set.
   */
  readonly accessLog?: AccessLog;
  /**
   * Fail closed on the access log: `process()`/`processDue()` wait for the records and throw if
   * they cannot be written (so nothing is proposed unrecorded); `evaluate()`/`runDue()`, which
   * cannot wait, throw `rules/unsupported`.
   */
  readonly strictAccessLog?: boolean;
  /**
   * Called when a background write of access records fails (default: ignored). Where the log
   * answers several writes with one promise, once for the writes it answered before it failed.
   */
  readonly onAccessLogError?: (error: unknown) => void;
  /**
   * How rules with a `change` act (see {@link ChangePort}). Without it, such rules send their
   * message as an offer (`change.reason` `no_port`).
   */
  readonly changes?: ChangePort;
}

/**
 * Options of {@link RuleEngine.pause}.
 *
 * @example
 * await engine.pause('sizing-guide', { reason: 'complaints above 2%', by: 'feedback.guardrail' });
 */
export interface PauseOptions {
  readonly reason: string;
  readonly until?: Instant | null;
  readonly by?: string;
}

/**
 * The proactive-rule engine: synchronous `evaluate` over compiled rules behind every gate, an
 * async `process` for facts from a {@link FactProvider} and a durable {@link RuleStateStore}, a
 * scheduler (`due`, `nextDueAt`, `runDue`) and pause/resume.
 *
 * @example
 * const engine = createRuleEngine({ rules, consent });
 * const outcomes = engine.evaluate(event);
 */
export interface RuleEngine {
  readonly rules: CompiledRuleSet;
  /**
   * Evaluates an event synchronously: every triggered rule yields a Proposal or a Suppression.
   * With a state store it is a preview: caps, cooldowns and dedup count only the fires made in
   * this engine's memory; deliver what `process` returns.
   */
  evaluate(event: RuleEvent): Outcome[];
  /** The facts the triggered rules would read that the event lacks. */
  plan(event: RuleEvent): FactRequest;
  /** plan → fetch → evaluate, with caps and dedup reserved atomically in the state store. */
  process(event: RuleEvent): Promise<Outcome[]>;
  /** Scheduled evaluations due at `now` (default: the clock), earliest first; does not remove them. */
  due(now?: Instant): ScheduleEntry[];
  /** When the next scheduled evaluation is due, for a single timer (no polling). */
  nextDueAt(): Instant | null;
  /** Evaluates and removes what is due at `now`. */
  runDue(now?: Instant): Outcome[];
  /** Like `runDue`, claiming due entries atomically from the state store. */
  processDue(now?: Instant): Promise<Outcome[]>;
  /**
   * Asks consent again, as of now, for each of the customer's planned evaluations (relative
   * triggers, absence deadlines, deferred fires; made by any instance sharing the state store)
   * and drops those it no longer allows, with the facts they kept, from the engine and the store.
   * Resolves the entries dropped. Call it when a customer withdraws or refuses, so the plans it
   * ends go at once instead of when due (they would be held back then).
   *
   * @example
   * manager.onChange((change) => void engine.recheckPlans(change.subject));
   */
  recheckPlans(subject: SubjectId): Promise<ScheduleEntry[]>;
  /** Pauses a rule (or `*`, every rule: the kill switch); effective for the very next evaluation. */
  pause(ruleId: string, options: PauseOptions): Promise<void>;
  /** Resumes a paused rule (or `*`). */
  resume(ruleId: string): Promise<void>;
  /** Active pauses. */
  pauses(): Pause[];
  /**
   * Loads pauses and schedules from the state store. `process()` and `processDue()` do it on
   * first use; until then `evaluate()` holds back non-critical rules (a pause it has not read may
   * hold). Afterwards the engine follows the store's feed: a pause or resume made by any instance
   * applies here too.
   */
  hydrate(): Promise<void>;
  /**
   * Whether the engine's view of rule pauses is current: `ready`, or why not (`not_loaded`, or
   * `stale_view` while the store's feed is stale or a pause made elsewhere is being read). While
   * it is not, non-critical rules are held back as `paused`.
   */
  viewStatus(): 'ready' | 'not_loaded' | 'stale_view';
  /**
   * Undoes a change made for `subject` while its window is open (`now < undoUntil`): calls the
   * change port's `undo`, then records and returns the `undone` record. Refuses with
   * `rules/undo_expired` after the window (recording the expiry), `rules/already_undone` the
   * second time, `rules/undo_in_progress` while another undo of it runs (on a shared log, on any
   * instance), `rules/unknown_change` for a change not made for this customer. Rejects with
   * `rules/undo_unrecorded` when the change was undone but the log kept failing (`details.record`
   * holds the record): it is retried while the undo's claim lasts (up to ten minutes), and another
   * undo meanwhile is `rules/undo_in_progress` (see the README for a log down over a minute).
   */
  undoChange(subject: SubjectId, changeId: string): Promise<ChangeRecord>;
  /**
   * The customer's change records, oldest first. A change whose window has passed without an
   * undo gets its `expired` record here (dated at its deadline) if it has none yet.
   */
  changes(subject: SubjectId): Promise<ChangeRecord[]>;
  /** Stops following the store's feed (non-critical rules are then held back). Idempotent. */
  close(): void;
}
