import {
  type ChangeFeed,
  createLocalChangeFeed,
  type Instant,
  type JsonValue,
  type SubjectId,
} from '@candor/core';
import { requireArray, requireNumber, requireObject, requireString } from './errors';
import type { RuleEvent } from './types';

/**
 * A limit checked atomically by {@link RuleStateStore.reserve}: fewer than `max` fires recorded
 * under `key` at or after `since`. Caps and cooldowns are both limits (a cooldown is `max: 1`
 * over the cooldown window).
 *
 * @example
 * const cap: StateLimit = { gate: 'cap', key: 'channel:push:cus_1', max: 2, since: now - duration.day + 1 };
 */
export interface StateLimit {
  readonly gate: 'cap' | 'cooldown';
  readonly key: string;
  readonly max: number;
  readonly since: Instant;
}

/**
 * One fire to record, atomically with its checks. `id` is the proposal's idempotency key:
 * reserving the same id twice succeeds once and then reports `ok: true, replay: true` without
 * recording again.
 *
 * @example
 * await store.reserve({ id: 'card-expiry@1:cus_1:evt_9', subject: 'cus_1', at, keys: ['rule:card-expiry:cus_1'], limits: [], dedup: null });
 */
export interface Reservation {
  readonly id: string;
  readonly subject: SubjectId;
  readonly at: Instant;
  /** Fire keys recorded on success (one per rule, channel and topic the fire counts against). */
  readonly keys: readonly string[];
  readonly limits: readonly StateLimit[];
  readonly dedup: { readonly key: string; readonly expiresAt: Instant } | null;
}

/**
 * The answer to a reservation: granted (`replay` when this id was already granted), or refused
 * with the first failing limit (and the oldest fire it counted, to compute when it frees up) or
 * the live dedup key.
 *
 * @example
 * const r = await store.reserve(reservation);
 * if (!r.ok && r.failed === 'limit') console.log(r.limit.gate, r.oldestAt);
 */
export type ReserveResult =
  | { readonly ok: true; readonly replay: boolean }
  | {
      readonly ok: false;
      readonly failed: 'limit';
      readonly limit: StateLimit;
      readonly oldestAt: Instant;
    }
  | { readonly ok: false; readonly failed: 'dedup'; readonly expiresAt: Instant };

/**
 * A fire recorded under a key.
 *
 * @example
 * const fire: FireRecord = { reservation: 'r1', subject: 'cus_1', key: 'rule:x:cus_1', at: 0 };
 */
export interface FireRecord {
  readonly reservation: string;
  readonly subject: SubjectId;
  readonly key: string;
  readonly at: Instant;
}

/**
 * A live dedup key.
 *
 * @example
 * const d: DedupRecord = { reservation: 'r1', subject: 'cus_1', key: 'card-expiry:cus_1:4242', expiresAt: 0 };
 */
export interface DedupRecord {
  readonly reservation: string;
  readonly subject: SubjectId;
  readonly key: string;
  readonly expiresAt: Instant;
}

/**
 * A past event kept for windowed counts and sums: only the fields some rule's window reads
 * (data minimization), never the whole event; for an absence trigger's `expect` event, its answer
 * (`absence:<rule id>`: a hash of the correlated values, not the values).
 *
 * @example
 * const e: PastEvent = { id: 'evt_1', subject: 'cus_1', type: 'order.returned', at: 0, fields: { 'return.reason': 'size' } };
 */
export interface PastEvent {
  readonly id: string;
  readonly subject: SubjectId;
  readonly type: string;
  readonly at: Instant;
  readonly fields: Readonly<Record<string, JsonValue>>;
}

/**
 * A planned evaluation: a time-relative trigger, an absence deadline, or a fire deferred by quiet
 * hours. `key` is unique; putting the same key again re-plans it.
 *
 * @example
 * const s: ScheduleEntry = { key: 'relative:card-expiry:cus_1', kind: 'relative', ruleId: 'card-expiry', subject: 'cus_1', dueAt: t, event };
 */
export interface ScheduleEntry {
  readonly key: string;
  readonly kind: 'relative' | 'absence' | 'deferred';
  readonly ruleId: string;
  readonly subject: SubjectId;
  readonly dueAt: Instant;
  /** The event to evaluate the rule on when due (its facts as they were last seen). */
  readonly event: RuleEvent;
}

/**
 * A paused rule (or `*`: every rule, the kill switch), with why and until when (`null` = until
 * resumed).
 *
 * @example
 * const p: Pause = { ruleId: 'sizing-guide', reason: 'complaint rate above 2%', since: t, until: null, by: 'feedback.guardrail' };
 */
export interface Pause {
  readonly ruleId: string;
  readonly reason: string;
  readonly since: Instant;
  readonly until: Instant | null;
  readonly by: string;
}

/**
 * What a store holds for one subject, to hydrate an engine's in-memory view before evaluating.
 *
 * @example
 * const state = await store.load('cus_1', now - 30 * duration.day);
 */
export interface SubjectState {
  readonly fires: readonly FireRecord[];
  readonly dedup: readonly DedupRecord[];
  readonly events: readonly PastEvent[];
  /**
   * The subject's schedule entries, whatever their due time. Optional, but a store shared by
   * several instances should return them: an engine then plans the subject's timed rules over
   * what every instance planned (a late, older event leaves a newer plan in place; a withdrawal
   * drops a plan another instance made), not only over what it has seen itself.
   */
  readonly schedules?: readonly ScheduleEntry[];
}

/**
 * The rule engine's storage port: caps, cooldowns, dedup keys, past events for windows,
 * schedules and pauses. Every method is async; the engine evaluates synchronously over its
 * in-memory view and uses the store as the authority across instances.
 *
 * Contract for implementers (e.g. `@candor/postgres`):
 * - `reserve` is **atomic**: check every limit and the dedup key and, only if all pass, record a
 *   fire under each of `keys` and the dedup key, tagged with `reservation.id`. Two instances racing
 *   for the last slot of a cap must not both succeed (serialize on the subject, e.g. a
 *   transaction-scoped advisory lock on `subject`, or `SERIALIZABLE`). Idempotent by `id`.
 * - A limit passes when the number of fires under `limit.key` with `at >= limit.since` is
 *   `< limit.max`; `oldestAt` is the earliest such fire. A dedup key blocks while
 *   `expiresAt > reservation.at`.
 * - `release` removes everything recorded under a reservation id (a fire that was not delivered).
 * - `takeDue` atomically removes and returns entries with `dueAt <= now`, earliest first, so two
 *   instances never run the same entry.
 * - `load` returns the subject's schedule entries too (`schedules`), so an instance plans over
 *   what the others planned.
 * - Expired data (fires older than the longest window, expired dedup keys) may be pruned freely.
 *
 * @example
 * const engine = createRuleEngine({ rules, consent, state: createMemoryRuleStateStore() });
 */
export interface RuleStateStore {
  /** Atomically checks limits and dedup and records the fire; idempotent by `reservation.id`. */
  reserve(reservation: Reservation): Promise<ReserveResult>;
  /** Forgets the fires and dedup key recorded under `reservationId`. */
  release(reservationId: string): Promise<void>;
  /** Keeps a past event for windowed aggregates; idempotent by `event.id` and subject. */
  appendEvent(event: PastEvent): Promise<void>;
  /** Fires, live dedup keys and past events of `subject` at or after `since`; their schedules. */
  load(subject: SubjectId, since: Instant): Promise<SubjectState>;
  /** Adds or replaces (by `key`) a schedule entry. */
  putSchedule(entry: ScheduleEntry): Promise<void>;
  /** Removes a schedule entry; no error when absent. */
  removeSchedule(key: string): Promise<void>;
  /** Atomically removes and returns up to `limit` entries due at `now`, earliest first. */
  takeDue(now: Instant, limit: number): Promise<ScheduleEntry[]>;
  /** Every schedule entry, earliest first (to hydrate an engine at start-up). */
  listSchedules(): Promise<ScheduleEntry[]>;
  /** Pauses a rule (or `*`), or resumes it with `null`. */
  setPause(ruleId: string, pause: Pause | null): Promise<void>;
  /** Every active pause. */
  listPauses(): Promise<Pause[]>;
  /**
   * Optional: announces every pause and resume (stream `rules.pauses`, key = the rule id), from
   * this process and, for shared stores, from every other one. An engine follows it by itself,
   * so a kill switch pulled on one instance holds on all; a store without a feed is only safe
   * for one engine.
   */
  readonly feed?: ChangeFeed;
}

/**
 * @internal The synchronous state the engine evaluates over; also the heart of the in-memory
 * store. Single-threaded, so each method is atomic.
 */
export class StateView {
  readonly #fires = new Map<string, Instant[]>();
  readonly #firesByReservation = new Map<string, FireRecord[]>();
  readonly #dedup = new Map<string, DedupRecord>();
  readonly #dedupByReservation = new Map<string, DedupRecord>();
  readonly #granted = new Set<string>();
  readonly #events = new Map<SubjectId, PastEvent[]>();
  readonly #eventIds = new Set<string>();
  readonly #schedules = new Map<string, ScheduleEntry>();
  /** The keys of each subject's schedule entries, so {@link StateView.load} reads only theirs. */
  readonly #scheduleKeys = new Map<SubjectId, Set<string>>();
  readonly #pauses = new Map<string, Pause>();
  /** Reservation ids held for each subject, so {@link StateView.forget} can drop them. */
  readonly #reservationsOf = new Map<SubjectId, Set<string>>();
  /**
   * Nothing held is older than this (fires, past events, fireless reservations) or expires before
   * `#firstExpiry` (dedup keys): a prune before then has nothing to do. Lower bounds, tightened
   * by each prune.
   */
  #oldest = Number.POSITIVE_INFINITY;
  #firstExpiry = Number.POSITIVE_INFINITY;

  #own(subject: SubjectId, reservation: string): void {
    const held = this.#reservationsOf.get(subject);
    if (held === undefined) this.#reservationsOf.set(subject, new Set([reservation]));
    else held.add(reservation);
  }

  /** Drops everything held for `subject` (fires, dedup keys, past events): the store keeps them. */
  forget(subject: SubjectId): void {
    for (const id of this.#reservationsOf.get(subject) ?? []) this.release(id);
    this.#reservationsOf.delete(subject);
    for (const e of this.#events.get(subject) ?? [])
      this.#eventIds.delete(`${subject}\u0000${e.id}`);
    this.#events.delete(subject);
  }

  /** How many subjects the view holds anything for (fires, dedup keys or past events). */
  get subjects(): number {
    return new Set([...this.#reservationsOf.keys(), ...this.#events.keys()]).size;
  }

  /** Fires under `key` at or after `since`: count and oldest. */
  count(key: string, since: Instant): { count: number; oldestAt: Instant } {
    const list = this.#fires.get(key);
    if (list === undefined) return { count: 0, oldestAt: 0 };
    let count = 0;
    let oldestAt = 0;
    for (let i = list.length - 1; i >= 0; i--) {
      const at = list[i] as Instant;
      if (at >= since) {
        count++;
        oldestAt = at;
      }
    }
    return { count, oldestAt };
  }

  dedupUntil(key: string, at: Instant): Instant | null {
    const record = this.#dedup.get(key);
    return record !== undefined && record.expiresAt > at ? record.expiresAt : null;
  }

  check(r: Reservation): ReserveResult {
    if (this.#granted.has(r.id)) return { ok: true, replay: true };
    for (const limit of r.limits) {
      const { count, oldestAt } = this.count(limit.key, limit.since);
      if (count >= limit.max) return { ok: false, failed: 'limit', limit, oldestAt };
    }
    if (r.dedup !== null) {
      const until = this.dedupUntil(r.dedup.key, r.at);
      if (until !== null) return { ok: false, failed: 'dedup', expiresAt: until };
    }
    return { ok: true, replay: false };
  }

  reserve(r: Reservation): ReserveResult {
    const result = this.check(r);
    if (!result.ok || result.replay) return result;
    this.#granted.add(r.id);
    this.#own(r.subject, r.id);
    const records: FireRecord[] = [];
    for (const key of new Set(r.keys)) {
      this.#addFire(key, r.at);
      records.push({ reservation: r.id, subject: r.subject, key, at: r.at });
    }
    this.#firesByReservation.set(r.id, records);
    // A reservation without fire keys goes at the next prune.
    if (records.length === 0) this.#oldest = Number.NEGATIVE_INFINITY;
    if (r.dedup !== null) {
      const record: DedupRecord = { reservation: r.id, subject: r.subject, ...r.dedup };
      this.#dedup.set(r.dedup.key, record);
      this.#dedupByReservation.set(r.id, record);
      if (record.expiresAt < this.#firstExpiry) this.#firstExpiry = record.expiresAt;
    }
    return result;
  }

  #addFire(key: string, at: Instant): void {
    if (at < this.#oldest) this.#oldest = at;
    const list = this.#fires.get(key);
    if (list === undefined) this.#fires.set(key, [at]);
    else {
      let i = list.length;
      while (i > 0 && (list[i - 1] as Instant) > at) i--;
      list.splice(i, 0, at);
      if (list.length > 10_000) list.splice(0, list.length - 10_000);
    }
  }

  release(id: string): void {
    this.#granted.delete(id);
    for (const record of this.#firesByReservation.get(id) ?? []) {
      const list = this.#fires.get(record.key);
      const i = list?.indexOf(record.at) ?? -1;
      if (list && i >= 0) list.splice(i, 1);
    }
    this.#firesByReservation.delete(id);
    const d = this.#dedupByReservation.get(id);
    if (d !== undefined && this.#dedup.get(d.key) === d) this.#dedup.delete(d.key);
    this.#dedupByReservation.delete(id);
  }

  /** Merges records loaded from a store (ignoring ones already present). */
  hydrate(state: SubjectState): void {
    for (const fire of state.fires) {
      const known = this.#firesByReservation.get(fire.reservation);
      if (known?.some((f) => f.key === fire.key)) continue;
      this.#granted.add(fire.reservation);
      this.#own(fire.subject, fire.reservation);
      this.#addFire(fire.key, fire.at);
      this.#firesByReservation.set(fire.reservation, [...(known ?? []), fire]);
    }
    for (const d of state.dedup) {
      const current = this.#dedup.get(d.key);
      if (current === undefined || current.expiresAt < d.expiresAt) {
        if (d.expiresAt < this.#firstExpiry) this.#firstExpiry = d.expiresAt;
        this.#dedup.set(d.key, d);
        this.#dedupByReservation.set(d.reservation, d);
        this.#granted.add(d.reservation);
        this.#own(d.subject, d.reservation);
      }
    }
    for (const e of state.events) this.appendEvent(e);
  }

  /** Replaces `subject`'s schedule entries with `entries` (what the store holds for them). */
  replaceSchedulesOf(subject: SubjectId, entries: readonly ScheduleEntry[]): void {
    for (const key of [...(this.#scheduleKeys.get(subject) ?? [])]) this.removeSchedule(key);
    for (const entry of entries) this.putSchedule(entry);
  }

  appendEvent(e: PastEvent): boolean {
    const id = `${e.subject}\u0000${e.id}`;
    if (this.#eventIds.has(id)) return false;
    this.#eventIds.add(id);
    if (e.at < this.#oldest) this.#oldest = e.at;
    const list = this.#events.get(e.subject);
    if (list === undefined) this.#events.set(e.subject, [e]);
    else {
      let i = list.length;
      while (i > 0 && (list[i - 1] as PastEvent).at > e.at) i--;
      list.splice(i, 0, e);
    }
    return true;
  }

  events(subject: SubjectId): readonly PastEvent[] {
    return this.#events.get(subject) ?? [];
  }

  /** Forgets past events and fires older than `before`, and expired dedup keys. */
  prune(before: Instant): void {
    if (before <= this.#oldest && before < this.#firstExpiry) return;
    let oldest = Number.POSITIVE_INFINITY;
    let firstExpiry = Number.POSITIVE_INFINITY;
    for (const [subject, list] of this.#events) {
      const keep = list.filter((e) => e.at >= before);
      for (const e of list) if (e.at < before) this.#eventIds.delete(`${subject}\u0000${e.id}`);
      if (keep.length === 0) this.#events.delete(subject);
      else {
        this.#events.set(subject, keep);
        if ((keep[0] as PastEvent).at < oldest) oldest = (keep[0] as PastEvent).at;
      }
    }
    for (const [key, list] of this.#fires) {
      const keep = list.filter((at) => at >= before);
      if (keep.length === 0) this.#fires.delete(key);
      else {
        this.#fires.set(key, keep);
        if ((keep[0] as Instant) < oldest) oldest = keep[0] as Instant;
      }
    }
    for (const [id, records] of this.#firesByReservation) {
      if (records.every((r) => r.at < before)) {
        this.#firesByReservation.delete(id);
        if (!this.#dedupByReservation.has(id)) this.#granted.delete(id);
      } else for (const r of records) if (r.at < oldest) oldest = r.at;
    }
    for (const [key, d] of this.#dedup) {
      if (d.expiresAt <= before) {
        this.#dedup.delete(key);
        this.#dedupByReservation.delete(d.reservation);
        if (!this.#firesByReservation.has(d.reservation)) this.#granted.delete(d.reservation);
      } else if (d.expiresAt < firstExpiry) firstExpiry = d.expiresAt;
    }
    this.#oldest = oldest;
    this.#firstExpiry = firstExpiry;
  }

  load(subject: SubjectId, since: Instant): SubjectState {
    const fires: FireRecord[] = [];
    for (const records of this.#firesByReservation.values())
      for (const f of records) if (f.subject === subject && f.at >= since) fires.push(f);
    const dedup = [...this.#dedup.values()].filter(
      (d) => d.subject === subject && d.expiresAt > since,
    );
    const events = this.events(subject).filter((e) => e.at >= since);
    return { fires, dedup, events, schedules: this.schedulesOf(subject) };
  }

  putSchedule(entry: ScheduleEntry): void {
    this.removeSchedule(entry.key);
    this.#schedules.set(entry.key, entry);
    const keys = this.#scheduleKeys.get(entry.subject);
    if (keys === undefined) this.#scheduleKeys.set(entry.subject, new Set([entry.key]));
    else keys.add(entry.key);
  }

  removeSchedule(key: string): boolean {
    const entry = this.#schedules.get(key);
    if (entry === undefined) return false;
    this.#schedules.delete(key);
    const keys = this.#scheduleKeys.get(entry.subject);
    keys?.delete(key);
    if (keys?.size === 0) this.#scheduleKeys.delete(entry.subject);
    return true;
  }

  /** `subject`'s schedule entries. */
  schedulesOf(subject: SubjectId): ScheduleEntry[] {
    const entries: ScheduleEntry[] = [];
    for (const key of this.#scheduleKeys.get(subject) ?? [])
      entries.push(this.#schedules.get(key) as ScheduleEntry);
    return entries;
  }

  getSchedule(key: string): ScheduleEntry | undefined {
    return this.#schedules.get(key);
  }

  schedules(): ScheduleEntry[] {
    return [...this.#schedules.values()].sort(
      (a, b) => a.dueAt - b.dueAt || (a.key < b.key ? -1 : 1),
    );
  }

  takeDue(now: Instant, limit: number): ScheduleEntry[] {
    const due = this.schedules()
      .filter((e) => e.dueAt <= now)
      .slice(0, limit);
    for (const e of due) this.removeSchedule(e.key);
    return due;
  }

  /** Forgets every entry due at `now` (one pass, no order): what a store ran or removed. */
  dropDue(now: Instant): void {
    for (const entry of this.#schedules.values())
      if (entry.dueAt <= now) this.removeSchedule(entry.key);
  }

  setPause(ruleId: string, pause: Pause | null): void {
    if (pause === null) this.#pauses.delete(ruleId);
    else this.#pauses.set(ruleId, pause);
  }

  /** How many pauses the view holds (none: no rule is paused). */
  pauseCount(): number {
    return this.#pauses.size;
  }

  pause(ruleId: string, at: Instant): Pause | null {
    if (this.#pauses.size === 0) return null;
    const own = this.#pauses.get(ruleId);
    if (own !== undefined && (own.until === null || own.until > at)) return own;
    // The kill switch holds every rule, whether or not the rule had a pause of its own.
    const all = this.#pauses.get('*');
    if (all === undefined || (all.until !== null && all.until <= at)) return null;
    return all;
  }

  pauses(): Pause[] {
    return [...this.#pauses.values()];
  }

  /** Replaces every pause with `pauses` (what the store holds). */
  replacePauses(pauses: readonly Pause[]): void {
    this.#pauses.clear();
    for (const p of pauses) this.#pauses.set(p.ruleId, p);
  }
}

/**
 * The in-memory {@link RuleStateStore}: for tests, the browser, single-instance apps and
 * backtests. Reservations are atomic because JavaScript runs them on one thread. Its `feed`
 * announces pauses and resumes at once, so several engines on one store agree.
 *
 * @example
 * const state = createMemoryRuleStateStore();
 * const engine = createRuleEngine({ rules, consent, state });
 */
export function createMemoryRuleStateStore(): RuleStateStore {
  const view = new StateView();
  const feed = createLocalChangeFeed();
  return {
    feed,
    reserve: async (r) => {
      requireObject(r, 'reservation');
      requireArray(r.limits, 'reservation.limits');
      return view.reserve(r);
    },
    release: async (id) => {
      requireString(id, 'reservationId');
      view.release(id);
    },
    appendEvent: async (e) => {
      requireObject(e, 'event', 'rules/invalid_event');
      view.appendEvent(e);
    },
    load: async (subject, since) => {
      requireString(subject, 'subject');
      requireNumber(since, 'since');
      return view.load(subject, since);
    },
    putSchedule: async (entry) => {
      requireObject(entry, 'entry');
      view.putSchedule(entry);
    },
    removeSchedule: async (key) => {
      requireString(key, 'key');
      view.removeSchedule(key);
    },
    takeDue: async (now, limit) => {
      requireNumber(now, 'now');
      requireNumber(limit, 'limit');
      return view.takeDue(now, limit);
    },
    listSchedules: async () => view.schedules(),
    setPause: async (ruleId, pause) => {
      requireString(ruleId, 'ruleId');
      if (pause !== null) requireObject(pause, 'pause');
      view.setPause(ruleId, pause);
      feed.announce({
        type: 'change',
        change: { stream: 'rules.pauses', subject: null, sequence: 0, key: ruleId },
      });
    },
    listPauses: async () => view.pauses(),
  };
}
