import type {
  Action,
  DataCategoryId,
  Fact,
  Instant,
  JsonValue,
  PurposeId,
  SubjectId,
} from '@candor/core';

/**
 * A duration: whole milliseconds, or a string such as `30s`, `15m`, `3h`, `7d`, `2w` (a leading
 * `-` makes it negative, for "7 days before").
 *
 * @example
 * const week: Duration = '7d';
 */
export type Duration = number | string;

/**
 * The right-hand side of a comparison that reads another fact instead of a constant.
 *
 * @example
 * const other: FactRefValue = { fact: 'account.homeCountry' };
 */
export interface FactRefValue {
  readonly fact: string;
}

/**
 * Every leaf operator. Comparisons (`eq` … `lte`), membership (`in`, `notIn`, `contains`,
 * `notContains`, `startsWith`), `between` (inclusive), `exists`, `matches` (a regex, matched in
 * linear time), and time operators: `withinLast` (the fact's instant lies in the last duration),
 * `daysUntil` (whole days from now to the fact's instant lie in `[min, max]`), `before` / `after`.
 *
 * @example
 * const op: Operator = 'daysUntil';
 */
export type Operator =
  | 'eq'
  | 'neq'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'in'
  | 'notIn'
  | 'contains'
  | 'notContains'
  | 'startsWith'
  | 'between'
  | 'exists'
  | 'matches'
  | 'withinLast'
  | 'daysUntil'
  | 'before'
  | 'after';

/**
 * A test of one fact: `fact` is a dot path into the event's facts (`card.expiresAt`), `op` the
 * operator, `value` its argument (a constant, `{ fact }` for another fact, `[min, max]` for
 * `between`/`daysUntil`, a duration for `withinLast`, a pattern for `matches`).
 *
 * @example
 * const c: FactCondition = { fact: 'transaction.amount', op: 'gt', value: 500 };
 */
export interface FactCondition {
  readonly fact: string;
  readonly op: Operator;
  readonly value?: JsonValue | FactRefValue;
  /** Regex flags for `matches`: any of `i`, `m`, `s`, `u` (never `g` or `y`). */
  readonly flags?: string;
}

/**
 * An aggregate over the subject's past events of one type within a window: `count`, or `sum` of
 * a numeric field; `where` keeps only events whose fields equal the given scalars.
 *
 * @example
 * const w: WindowSpec = { event: 'order.returned', within: '30d', agg: 'count', where: { 'return.reason': 'size' } };
 */
export interface WindowSpec {
  readonly event: string;
  readonly within: Duration;
  readonly agg: 'count' | 'sum';
  readonly field?: string;
  readonly where?: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * A comparison on a windowed aggregate. `category` is the data category the past events belong
 * to; it must lie within the rule's declared `dataCategories`.
 *
 * @example
 * const c: WindowCondition = { window: { event: 'order.returned', within: '30d', agg: 'count' }, category: 'user.behavior.returns', op: 'gte', value: 2 };
 */
export interface WindowCondition {
  readonly window: WindowSpec;
  readonly category: DataCategoryId;
  readonly op: 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'between';
  readonly value: number | readonly [number, number];
}

/**
 * A condition tree: `all` (and), `any` (or), `not`, a fact test or a window test. Missing facts
 * make a test `insufficient_data`, never a crash; `all`/`any`/`not` use three-valued logic.
 *
 * @example
 * const c: Condition = { all: [{ fact: 'card.hasBackup', op: 'eq', value: false }, { not: { fact: 'card.autopay', op: 'eq', value: false } }] };
 */
export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | FactCondition
  | WindowCondition;

/**
 * When a rule is considered. `event`: on events of the listed types (`*` = every event).
 * `relative`: at a time relative to a fact (`offset` from `fact`'s instant, optionally at a local
 * time of day `at` in the customer's time zone), re-planned whenever an event carries the fact.
 * `absence`: when no `expect` event followed an `after` event within `within` (events correlate on
 * the `correlate` fact paths; an `expect` event at or after the `after` event answers it, whichever
 * is processed first) — counted from the `after` event, or, with `from`, from the instant
 * in that fact of the `after` event (a promised date: "no scan within 24 h of the promised
 * hand-over").
 *
 * @example
 * const t: Trigger = { type: 'relative', fact: 'card.expiresAt', offset: '-7d', at: '10:00' };
 */
export type Trigger =
  | { readonly type: 'event'; readonly events: readonly string[] }
  | {
      readonly type: 'relative';
      readonly fact: string;
      readonly offset: Duration;
      readonly at?: string;
      readonly events?: readonly string[];
    }
  | {
      readonly type: 'absence';
      readonly after: string;
      readonly expect: string;
      readonly within: Duration;
      /** A fact of the `after` event holding an instant: the deadline counts from it. */
      readonly from?: string;
      readonly correlate?: readonly string[];
    };

/**
 * A frequency cap: at most `limit` fires per `window` (a rolling duration, or `calendar_day` in
 * the customer's time zone), counted per subject across every rule with the same rule, channel or
 * topic (`scope`).
 *
 * @example
 * const cap: Cap = { limit: 2, window: 'calendar_day', scope: 'channel' };
 */
export interface Cap {
  readonly limit: number;
  readonly window: Duration | 'calendar_day';
  readonly scope: 'rule' | 'channel' | 'topic';
}

/**
 * Local hours in which a rule must not reach the customer (`start` to `end`, `HH:MM`, may wrap
 * midnight). A fire in quiet hours is deferred to `end`.
 *
 * @example
 * const q: QuietHours = { start: '21:00', end: '08:00' };
 */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

/**
 * How urgent a rule's action is. Only `critical` may bypass quiet hours; nothing bypasses consent.
 *
 * @example
 * const u: Urgency = 'critical';
 */
export type Urgency = 'low' | 'normal' | 'high' | 'critical';

/**
 * A change a rule makes for the customer before telling them (acts, then tells): the kind of
 * change (`type`, e.g. `booking.rebook`, what the app's change port performs), the permission it
 * needs (`purpose`, e.g. `service.automatic_changes`, asked of the consent gate with the rule's
 * data categories) and how long the customer can undo it (`undoWithin`). Without that permission,
 * or when the change cannot be made, the rule's message is sent as an offer instead.
 *
 * @example
 * const change: RuleChange = { type: 'booking.rebook', purpose: 'service.automatic_changes', undoWithin: '4h' };
 */
export interface RuleChange {
  readonly type: string;
  readonly purpose: PurposeId;
  readonly undoWithin: Duration;
}

/**
 * A proactive rule as data. The same object is what the TypeScript builder produces and what a
 * JSON file holds (validate JSON with `parseRule`). `purpose` and `dataCategories` are required:
 * the engine asks the consent gate for exactly these, and a rule can only read facts whose
 * category lies within them.
 *
 * @example
 * const rule: Rule = {
 *   id: 'suspicious-charge', version: 1, purpose: 'service.fraud_protection',
 *   dataCategories: ['user.financial.transactions'],
 *   trigger: { type: 'event', events: ['txn.created'] },
 *   conditions: { fact: 'txn.amount', op: 'gt', value: 500 },
 *   action: { type: 'notify', channel: 'push', topic: 'security.suspicious_charge' },
 *   urgency: 'critical',
 * };
 */
export interface Rule {
  readonly id: string;
  readonly version: number | string;
  readonly description?: string;
  readonly purpose: PurposeId;
  readonly dataCategories: readonly DataCategoryId[];
  readonly trigger: Trigger;
  readonly conditions?: Condition;
  readonly action: Action;
  /** A change to make before the message tells the customer about it (see {@link RuleChange}). */
  readonly change?: RuleChange;
  /** Higher wins conflicts. Default 0. */
  readonly priority?: number;
  /** Default `normal`. */
  readonly urgency?: Urgency;
  readonly caps?: readonly Cap[];
  /** Minimum time between two fires of this rule for one subject. */
  readonly cooldown?: Duration;
  /** Fires with the same rendered key within `ttl` are duplicates. Placeholders: `{subject}`, `{event.type}`, `{<fact path>}`. */
  readonly dedup?: { readonly key: string; readonly ttl: Duration };
  /** Among rules of one group that would fire on one event, only the highest priority does. */
  readonly exclusionGroup?: string;
  /** Overrides the engine's default quiet hours for this rule. */
  readonly quietHours?: QuietHours;
  /**
   * What to send instead when the consent gate refuses the rule's purpose: a message resting
   * only on context (the time, a coarse region, the weather, …) that the customer's policy pack
   * treats as not personal. Needs an event trigger.
   */
  readonly contextual?: ContextualFallback;
}

/**
 * A rule's contextual fallback: conditions over context categories only (`context.*` from
 * `@candor/core`; facts of any other category are never read) and the action to propose. It
 * shares the rule's id, purpose, trigger, priority, caps, cooldown and quiet hours; the consent
 * gate is asked for the purpose with `dataCategories`, which a pack treating them as not personal
 * allows whatever the customer chose.
 *
 * @example
 * const contextual: ContextualFallback = {
 *   dataCategories: ['context.weather', 'context.region'],
 *   conditions: { fact: 'weather.severity', op: 'gte', value: 3 },
 *   action: { type: 'notify', channel: 'push', topic: 'travel.disruption', templateKey: 'storm-area' },
 * };
 */
export interface ContextualFallback {
  readonly dataCategories: readonly DataCategoryId[];
  readonly conditions?: Condition;
  readonly action: Action;
}

/**
 * What the engine evaluates: an event about one subject, with the facts it carries (each with its
 * data category and provenance) and the customer's IANA time zone.
 *
 * @example
 * const event: RuleEvent = { id: 'evt_1', type: 'txn.created', subject: 'cus_1', at: 1780000000000, timeZone: 'Europe/Berlin', facts: [] };
 */
export interface RuleEvent {
  readonly id: string;
  readonly type: string;
  readonly subject: SubjectId;
  readonly at: Instant;
  readonly timeZone?: string;
  readonly facts: readonly Fact[];
}
