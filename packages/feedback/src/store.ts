import {
  type ChangeFeed,
  type ChangeStream,
  createLocalChangeFeed,
  type Instant,
  type LocalChangeFeed,
  type SubjectId,
} from '@candor/core';
import type { FeedbackCheckpoint } from './checkpoint';
import { feedbackError, requireArray, requireObject } from './errors';
import type { DecisionEntry, FeedbackEvent } from './schema';

/**
 * A feedback event as stored: its position in the log (`seq`, from 1, gap-free) and the event.
 *
 * @example
 * const page = await store.readEvents({ afterSeq: lastSeq });
 * lastSeq = page.at(-1)?.seq ?? lastSeq;
 */
export interface StoredFeedbackEvent {
  readonly seq: number;
  readonly event: FeedbackEvent;
}

/**
 * A decision entry as stored: its position in the decision log (`seq`, from 1) and the entry.
 *
 * @example
 * const [first] = await store.readDecisions({ limit: 1 });
 */
export interface StoredDecisionEntry {
  readonly seq: number;
  readonly entry: DecisionEntry;
}

/**
 * What an append did: the keys it wrote, and those it skipped as already stored.
 *
 * @example
 * const { appended, duplicates } = await store.appendEvents(events);
 */
export interface AppendResult {
  /** Idempotency keys (events) or decision ids (decisions) newly written, in input order. */
  readonly appended: readonly string[];
  /** Keys already stored with identical content: skipped, not an error. */
  readonly duplicates: readonly string[];
}

/**
 * Which stored records to read: one subject's, after a position, at most `limit` of them.
 *
 * @example
 * await store.readEvents({ subject: 'cus_1', afterSeq: 1000, limit: 500 });
 */
export interface ReadOptions {
  readonly subject?: SubjectId;
  /** Only records with `seq > afterSeq` (paging). Default 0. */
  readonly afterSeq?: number;
  /** At most this many records. Default: all. */
  readonly limit?: number;
  /** Only records dated `at >= since`. */
  readonly since?: Instant;
}

/**
 * A guardrail pause lifted by `loop.resume()`: the rule (or one variant) whose counts restart, and
 * the instant they restart from (feedback dated at or before `at` no longer counts).
 *
 * @example
 * const resumes: readonly GuardrailResume[] = (await store.readResumes?.()) ?? [];
 */
export interface GuardrailResume {
  readonly ruleId: string;
  /** The variant resumed, or `null` for the whole rule. */
  readonly variantId: string | null;
  readonly at: Instant;
}

/**
 * The storage port of `@candor/feedback`: two append-only logs, feedback events and decision
 * entries, from which the feedback loop rebuilds every suppression, fatigue score, guardrail and
 * pause (`loop.hydrate()`), and optionally a third, the guardrail resumes, which a human decided
 * and which therefore cannot be rebuilt from feedback. Contract for implementations:
 * - `appendEvents` is atomic per call and idempotent by `idempotencyKey`: an identical event is
 *   reported in `duplicates`; the same key with different content rejects the whole call with a
 *   `feedback/idempotency_conflict` error (compare with {@link eventFingerprint}).
 * - `appendDecisions` is the same, keyed by `decisionId`.
 * - reads return records in `seq` order (the order they were appended), filtered by `options`.
 * - `appendResumes` / `readResumes` are optional (a store without them keeps working, but a
 *   `resume()` then lasts only until the loop restarts): append stores every record given (a
 *   repeat is harmless), read returns all of them in append order.
 * The in-memory implementation is {@link createMemoryFeedbackStore}; `@candor/postgres` ships a
 * durable one.
 *
 * @example
 * const store: FeedbackStore = createMemoryFeedbackStore();
 * await store.appendEvents([event]);
 * const page = await store.readEvents({ afterSeq: 0, limit: 1000 });
 */
export interface FeedbackStore {
  /** Appends feedback events idempotently and atomically; see the interface contract. */
  appendEvents(events: readonly FeedbackEvent[]): Promise<AppendResult>;
  /** Reads feedback events in append order. */
  readEvents(options?: ReadOptions): Promise<readonly StoredFeedbackEvent[]>;
  /** Appends decision entries idempotently (by `decisionId`) and atomically. */
  appendDecisions(entries: readonly DecisionEntry[]): Promise<AppendResult>;
  /** Reads decision entries in append order. */
  readDecisions(options?: ReadOptions): Promise<readonly StoredDecisionEntry[]>;
  /** Stores guardrail resumes, so a restarted loop does not pause again on the same evidence. */
  appendResumes?(resumes: readonly GuardrailResume[]): Promise<void>;
  /** Reads every stored guardrail resume, in append order. */
  readResumes?(): Promise<readonly GuardrailResume[]>;
  /**
   * Optional: every stored feedback event of these subjects, in `seq` order, in one read (an
   * indexed query in a database). A loop with a subject cache (`cache.maxSubjects`) needs it for
   * `prepare()`.
   */
  readEventsOf?(subjects: readonly SubjectId[]): Promise<readonly StoredFeedbackEvent[]>;
  /**
   * Optional: the stored checkpoint under `key` with the most events, or `null`. A loop with a
   * subject cache starts from it and reads only the events stored after it.
   */
  readCheckpoint?(key: string): Promise<FeedbackCheckpoint | null>;
  /** Optional: stores a checkpoint under `key`, unless one with more events is stored already. */
  writeCheckpoint?(key: string, checkpoint: FeedbackCheckpoint): Promise<void>;
  /**
   * Optional: announces every append (streams `feedback.events` with the subject, position and
   * key; `feedback.decisions`; `feedback.resumes`), from this process and, for shared stores, from
   * every other one. A feedback loop follows it by itself, so a "not interested" given anywhere
   * reaches its next `check()`; a store without a feed is only safe for one loop.
   */
  readonly feed?: ChangeFeed;
}

/** @internal A canonical JSON string: keys sorted, `undefined` dropped. */
export function canonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
    .join(',')}}`;
}

/**
 * A canonical string of an event or entry (keys sorted, `undefined` dropped): two records are the
 * same exactly when their fingerprints are equal. Stores use it to tell a duplicate from an
 * idempotency conflict.
 *
 * @example
 * eventFingerprint({ b: 1, a: 2 }) === eventFingerprint({ a: 2, b: 1 }); // true
 */
export function eventFingerprint(record: FeedbackEvent | DecisionEntry | object): string {
  requireObject(record, 'record', 'feedback/invalid_event');
  return canonical(record);
}

interface LogRow<T> {
  readonly seq: number;
  readonly value: T;
  readonly key: string;
  /** The value's fingerprint, computed only when its key is appended again. */
  print: string | null;
}

/**
 * Appends atomically: rows are written as they are checked, and a conflict rolls the call's rows
 * back before it throws. Fingerprints are computed only when a key repeats, so appending new
 * records costs one map lookup each.
 */
function appendLog<T extends { subject: string }>(
  log: LogRow<T>[],
  index: Map<string, LogRow<T>>,
  items: readonly T[],
  keyOf: (item: T) => string,
  what: string,
  feed: LocalChangeFeed,
  stream: ChangeStream,
): AppendResult {
  const appended: string[] = [];
  const duplicates: string[] = [];
  const before = log.length;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    const key = keyOf(item);
    const existing = index.get(key);
    if (existing === undefined) {
      // Kept as a database would: a frozen copy, whatever the caller does with its object.
      const value = Object.freeze({ ...item });
      const row: LogRow<T> = { seq: log.length + 1, value, key, print: null };
      log.push(row);
      index.set(key, row);
      appended.push(key);
      continue;
    }
    if (existing.value !== item) {
      existing.print ??= eventFingerprint(existing.value);
      if (existing.print !== eventFingerprint(item)) {
        for (let j = log.length - 1; j >= before; j--) index.delete((log[j] as LogRow<T>).key);
        log.length = before;
        throw feedbackError(
          'feedback/idempotency_conflict',
          `${what} "${key}" is already stored with different content`,
          { path: `[${i}]`, value: item },
        );
      }
    }
    duplicates.push(key);
  }
  for (let j = before; j < log.length; j++) {
    const row = log[j] as LogRow<T>;
    feed.announce({
      type: 'change',
      change: { stream, subject: row.value.subject, sequence: row.seq, key: row.key },
    });
  }
  return { appended, duplicates };
}

function readLog<T extends { subject: string; at: number }>(
  log: readonly { seq: number; value: T }[],
  options: ReadOptions,
): { seq: number; value: T }[] {
  const out: { seq: number; value: T }[] = [];
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  for (let i = options.afterSeq ?? 0; i < log.length && out.length < limit; i++) {
    const row = log[i] as { seq: number; value: T };
    if (options.subject !== undefined && row.value.subject !== options.subject) continue;
    if (options.since !== undefined && row.value.at < options.since) continue;
    out.push(row);
  }
  return out;
}

/**
 * An in-memory {@link FeedbackStore}: fast, for tests, the browser and benchmarks. Holds
 * everything in the process; use `@candor/postgres` for durability. Its `feed` announces each
 * append at once, so several loops on one store agree.
 *
 * @example
 * const loop = createFeedbackLoop({ store: createMemoryFeedbackStore() });
 */
export function createMemoryFeedbackStore(): FeedbackStore {
  const events: LogRow<FeedbackEvent>[] = [];
  const eventIndex = new Map<string, LogRow<FeedbackEvent>>();
  const decisions: LogRow<DecisionEntry>[] = [];
  const decisionIndex = new Map<string, LogRow<DecisionEntry>>();
  const bySubject = new Map<SubjectId, LogRow<FeedbackEvent>[]>();
  const resumes: GuardrailResume[] = [];
  const checkpoints = new Map<string, FeedbackCheckpoint>();
  const feed = createLocalChangeFeed();
  return {
    feed,
    async readCheckpoint(key) {
      return checkpoints.get(key) ?? null;
    },
    async writeCheckpoint(key, checkpoint) {
      const stored = checkpoints.get(key);
      if (stored === undefined || stored.events < checkpoint.events) {
        checkpoints.set(key, JSON.parse(JSON.stringify(checkpoint)) as FeedbackCheckpoint);
      }
    },
    async appendEvents(batch) {
      requireArray(batch, 'events');
      const before = events.length;
      const result = appendLog(
        events,
        eventIndex,
        batch,
        (e) => e.idempotencyKey,
        'idempotency key',
        feed,
        'feedback.events',
      );
      for (let i = before; i < events.length; i++) {
        const row = events[i] as LogRow<FeedbackEvent>;
        const rows = bySubject.get(row.value.subject);
        if (rows === undefined) bySubject.set(row.value.subject, [row]);
        else rows.push(row);
      }
      return result;
    },
    async readEventsOf(subjects) {
      requireArray(subjects, 'subjects');
      const rows: LogRow<FeedbackEvent>[] = [];
      for (const subject of new Set(subjects)) rows.push(...(bySubject.get(subject) ?? []));
      rows.sort((a, b) => a.seq - b.seq);
      return rows.map((row) => ({ seq: row.seq, event: row.value }));
    },
    async readEvents(options = {}) {
      requireObject(options, 'options');
      return readLog(events, options).map((row) => ({ seq: row.seq, event: row.value }));
    },
    async appendDecisions(batch) {
      requireArray(batch, 'entries');
      return appendLog(
        decisions,
        decisionIndex,
        batch,
        (d) => d.decisionId,
        'decision',
        feed,
        'feedback.decisions',
      );
    },
    async readDecisions(options = {}) {
      requireObject(options, 'options');
      return readLog(decisions, options).map((row) => ({ seq: row.seq, entry: row.value }));
    },
    async appendResumes(batch) {
      requireArray(batch, 'resumes');
      for (const r of batch) resumes.push({ ruleId: r.ruleId, variantId: r.variantId, at: r.at });
      if (batch.length > 0) {
        feed.announce({
          type: 'change',
          change: {
            stream: 'feedback.resumes',
            subject: null,
            sequence: resumes.length,
            key: null,
          },
        });
      }
    },
    async readResumes() {
      return [...resumes];
    },
  };
}
