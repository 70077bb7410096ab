import * as z from 'zod/mini';
import { CandorError } from './errors';
import { JsonValue } from './fact';
import { isDottedId } from './ids';
import { Instant, PurposeId, SubjectId } from './schemas';
import { parsers, type SafeParseResult } from './validate';

/**
 * What happened to a change made for a customer without waiting for them: it was `performed`
 * (with an undo window), the customer `undone` it inside that window, or the window `expired`
 * and the change stands.
 *
 * @example
 * ChangeRecordKind.parse('undone');
 */
export const ChangeRecordKind = /* @__PURE__ */ (() =>
  z.enum(['performed', 'undone', 'expired']))();
/** `performed` | `undone` | `expired`. */
export type ChangeRecordKind = z.infer<typeof ChangeRecordKind>;

/**
 * One entry in a change's history, on a record the customer can read: the change (`changeId`),
 * what kind of change (`type`, e.g. `booking.rebook`), the decision that made it, the permission
 * it acted under (`purpose`, e.g. `service.automatic_changes`), when, until when it can be undone,
 * and what the app reported it did (`details`). A change has one `performed` entry and at most
 * one `undone` or `expired` entry after it.
 *
 * @example
 * const record = parseChangeRecord({
 *   id: 'chg_1:performed', changeId: 'chg_1', kind: 'performed', subject: 'cus_1',
 *   decisionId: 'prop_1', type: 'booking.rebook', purpose: 'service.automatic_changes',
 *   at: 1780000000000, undoUntil: 1780007200000, details: { flight: 'LH 400' },
 * });
 */
export const ChangeRecord = /* @__PURE__ */ (() =>
  z
    .strictObject({
      id: z.string().check(z.minLength(1), z.maxLength(300)),
      changeId: z.string().check(z.minLength(1), z.maxLength(250)),
      kind: ChangeRecordKind,
      subject: SubjectId,
      decisionId: z.string().check(z.minLength(1), z.maxLength(200)),
      type: z.string().check(z.refine(isDottedId, 'a change type such as "booking.rebook"')),
      purpose: PurposeId,
      at: Instant,
      undoUntil: Instant,
      details: z.optional(z.record(z.string(), JsonValue)),
    })
    .check(
      z.refine((r) => r.undoUntil >= r.at || r.kind !== 'performed', {
        message: 'a performed change must be undoable until a time at or after it',
        path: ['undoUntil'],
      }),
    ))();
/** One entry in a change's history. */
export type ChangeRecord = z.infer<typeof ChangeRecord>;

const recordParsers = /* @__PURE__ */ parsers(ChangeRecord, 'core/invalid_input', 'change');

/**
 * Validates a {@link ChangeRecord}; throws a `core/invalid_input` CandorError naming the path.
 *
 * @example
 * const record = parseChangeRecord(JSON.parse(row.record));
 */
export function parseChangeRecord(input: unknown): ChangeRecord {
  return recordParsers.parse(input);
}

/**
 * Like {@link parseChangeRecord} but returns `{ success, data | error }`.
 *
 * @example
 * if (!safeParseChangeRecord(json).success) reject();
 */
export function safeParseChangeRecord(
  input: unknown,
): SafeParseResult<ChangeRecord, 'core/invalid_input'> {
  return recordParsers.safeParse(input);
}

/**
 * Where change records are kept: append-only, per customer. `append` must refuse (throw) a
 * record whose `id` is already stored with different content and ignore an identical one, so a
 * retried write is harmless and a change is never undone twice.
 *
 * @example
 * const log: ChangeLog = createMemoryChangeLog();
 * await log.append(record);
 * (await log.list('cus_1')).length; // 1
 */
export interface ChangeLog {
  append(record: ChangeRecord): Promise<void>;
  /** The customer's change records, oldest first. */
  list(subject: SubjectId): Promise<readonly ChangeRecord[]>;
  /**
   * Optional, for a log several instances share: takes `claim` unless another holder's claim on
   * the same change lasts past `now`, so that one instance at a time runs the app's undo of it.
   * Resolves to whether it was taken. Its holder taking it again sets its new `until` (an undo
   * still running renews its claim).
   */
  claimUndo?(claim: UndoClaim, now: Instant): Promise<boolean>;
  /** Drops `claim` if it is still held (the undo was recorded, or failed and may be retried). */
  releaseUndo?(claim: UndoClaim): Promise<void>;
}

/**
 * One attempt's claim on undoing a change: its `holder` (unique to the attempt) runs the undo
 * until `until`. A claim whose holder died mid-undo ends there, and the change can be undone again.
 *
 * @example
 * const claim: UndoClaim = { changeId: 'chg_1', holder: 'undo_k2x9_1', until: now + 60_000 };
 * if (await log.claimUndo?.(claim, now)) await undo();
 */
export interface UndoClaim {
  readonly changeId: string;
  readonly holder: string;
  readonly until: Instant;
}

/**
 * Where one change stands at `now`: `undoable` (performed, inside its window), `undone`, or
 * `expired` (the window passed without an undo, whether or not the expiry is recorded yet).
 *
 * @example
 * const state = changeState(await log.list('cus_1'), 'chg_1', clock.now());
 * if (state?.status === 'undoable') showUndo(state.performed.undoUntil);
 */
export interface ChangeState {
  readonly status: 'undoable' | 'undone' | 'expired';
  readonly performed: ChangeRecord;
  /** The `undone` or `expired` record, when one is stored. */
  readonly closed: ChangeRecord | null;
}

/**
 * Where the change `changeId` stands at `now`, from its records (`null`: no `performed` record).
 * The window is half-open: undo is possible while `now < undoUntil`.
 *
 * @example
 * changeState(records, 'chg_1', Date.parse('2026-06-01T18:00:00Z'))?.status; // 'expired'
 */
export function changeState(
  records: readonly ChangeRecord[],
  changeId: string,
  now: Instant,
): ChangeState | null {
  let performed: ChangeRecord | null = null;
  let closed: ChangeRecord | null = null;
  for (const r of records) {
    if (r.changeId !== changeId) continue;
    if (r.kind === 'performed') performed = r;
    else closed ??= r;
  }
  if (performed === null) return null;
  const status =
    closed !== null
      ? closed.kind === 'undone'
        ? 'undone'
        : 'expired'
      : now < performed.undoUntil
        ? 'undoable'
        : 'expired';
  return { status, performed, closed };
}

/**
 * An in-memory {@link ChangeLog}, for tests and single-process apps. Validates each record.
 *
 * @example
 * const log = createMemoryChangeLog();
 * await log.append(record);
 */
export function createMemoryChangeLog(): ChangeLog {
  const bySubject = new Map<SubjectId, ChangeRecord[]>();
  const byId = new Map<string, string>();
  const claims = new Map<string, UndoClaim>();
  return {
    async claimUndo(claim, now) {
      const held = claims.get(claim.changeId);
      if (held !== undefined && held.holder !== claim.holder && held.until > now) return false;
      claims.set(claim.changeId, claim);
      return true;
    },
    async releaseUndo(claim) {
      if (claims.get(claim.changeId)?.holder === claim.holder) claims.delete(claim.changeId);
    },
    async append(input) {
      const record = parseChangeRecord(input);
      const text = JSON.stringify(record);
      const held = byId.get(record.id);
      if (held === text) return;
      if (held !== undefined)
        throw new CandorError(
          'core/invalid_input',
          `change.id: a different record "${record.id}" is already stored`,
          { path: 'change.id', value: record.id },
        );
      byId.set(record.id, text);
      const list = bySubject.get(record.subject);
      if (list === undefined) bySubject.set(record.subject, [record]);
      else list.push(record);
    },
    async list(subject) {
      return [...(bySubject.get(subject) ?? [])];
    },
  };
}
