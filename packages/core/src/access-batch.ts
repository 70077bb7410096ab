import {
  type AccessLog,
  type AccessOutcome,
  type Accessor,
  type AccessRecord,
  checkAccessRecords,
} from './access';
import {
  DETAILS,
  invalid,
  MADE_DECISION_ID,
  OUTCOMES,
  OWN_DETAIL,
  recordOf,
  recordsOf,
  SHARED_DETAILS,
  shapeAt,
} from './access-codes';
import { type BatchColumns, keep } from './access-kept';
import { CandorError } from './errors';
import type { DataCategoryId, Instant, PurposeId, SubjectId } from './schemas';
import { MAX_INSTANT } from './time';

/**
 * What many access records share apart from whom and when: the accessor, the purpose, and the
 * categories and paths read. Made by {@link accessShape}: checked once, frozen, shared.
 *
 * @example
 * const shape: AccessShape = accessShape({ accessor: { kind: 'rule', id: 'card-expiry', version: 3 }, purpose: 'service.proactive_support', dataCategories: ['user.financial.card'], evidence: ['card.expiresAt'] });
 */
export interface AccessShape {
  readonly accessor: Accessor;
  readonly purpose: PurposeId;
  readonly dataCategories: readonly DataCategoryId[];
  readonly evidence: readonly string[];
}

/**
 * Makes the id of record `i` of `batch` (or a decision id) from its shape, when the record is
 * read: one function can serve every batch, reading the batch's `subject` and `key`. A log may
 * pass its own copy of the batch it keeps (the in-memory log does), so read those, not which
 * object it is.
 *
 * @example
 * const idOf: AccessIdOf = (shape, i, batch) => `acc_${shape.accessor.id}_${batch.key}`;
 */
export type AccessIdOf = (shape: AccessShape, i: number, batch: AccessBatch) => string;

/** A shape {@link accessShape} made: checked and frozen (its class tells it from a look-alike). */
class Shape implements AccessShape {
  readonly accessor: Accessor;
  readonly purpose: PurposeId;
  readonly dataCategories: readonly DataCategoryId[];
  readonly evidence: readonly string[];
  constructor(shape: AccessShape) {
    this.accessor = shape.accessor;
    this.purpose = shape.purpose;
    this.dataCategories = shape.dataCategories;
    this.evidence = shape.evidence;
    Object.freeze(this);
  }
}

/**
 * Checks and freezes what records will share (as {@link AccessRecord} checks those fields), so
 * a batch checks it once, not per record. Throws `core/invalid_input` naming `shape.field`.
 *
 * @example
 * const shape = accessShape({ accessor: { kind: 'feature', id: 'offers' }, purpose: 'marketing.email', dataCategories: ['user.behavior.purchase_history'], evidence: ['orders.last'] });
 */
export function accessShape(input: AccessShape): AccessShape {
  if (typeof input !== 'object' || input === null) invalid('shape', input, 'must be an object');
  const { accessor, purpose, dataCategories, evidence } = input;
  const copy = (list: unknown) => (Array.isArray(list) ? Object.freeze([...list]) : list);
  const shape = Object.freeze({
    accessor: (typeof accessor === 'object' && accessor !== null
      ? Object.freeze({ ...accessor })
      : accessor) as Accessor,
    purpose,
    dataCategories: copy(dataCategories) as readonly DataCategoryId[],
    evidence: copy(evidence) as readonly string[],
  });
  try {
    checkAccessRecords([{ id: 'acc_shape', subject: 'shape', at: 0, ...shape, outcome: 'sent' }]);
  } catch (error) {
    const path = String((error as CandorError).details?.path ?? 'records[0]');
    invalid(
      path.replace('records[0]', 'shape'),
      input,
      (error as Error).message.split(': ').pop() as string,
    );
  }
  return new Shape(shape);
}

/**
 * Access records of one subject at one instant, kept compactly: each record holds its shape,
 * outcome and detail, and its id is made when the record is read. Made with
 * {@link createAccessBatch}; `AccessLog.appendBatch` stores it as it is.
 *
 * @example
 * for (let i = 0; i < batch.size; i++) console.log(batch.record(i).outcome);
 */
export interface AccessBatch {
  readonly subject: SubjectId;
  readonly at: Instant;
  /** What the reader made the batch for (an event's id, say), for its id functions to read. */
  readonly key: string | undefined;
  /** How many records it holds. */
  readonly size: number;
  /** Record `i`'s shape (its purpose, for filtering without making the record). */
  shape(i: number): AccessShape;
  /** Record `i`, made on each call (equal every call). */
  record(i: number): AccessRecord;
  /** Records `from` (default 0) to `to` (default `size`, exclusive), in order. */
  records(from?: number, to?: number): AccessRecord[];
}

/**
 * An {@link AccessBatch} being filled: `add` checks the record's outcome and detail (the shape
 * was checked when made), so a batch is valid as a whole when it is appended.
 *
 * @example
 * batch.add(shape, 'held_back', 'quiet_hours', rule);
 */
export interface AccessBatchBuilder extends AccessBatch {
  /**
   * Adds a record: `detail` is `heldBackBecause` for `held_back`, else the `decisionId` (or
   * undefined).
   */
  add(shape: AccessShape, outcome: AccessOutcome, detail: string | undefined): void;
  /**
   * Adds `count` records at once, as `add` would one by one: record `j` has the shape
   * `shapes[j]` and the outcome and detail `table[kinds[j]]`, each entry of `table` checked once
   * however many records share it (so a reader of many records, like a rules engine, pays for
   * checks per kind, not per record). Adds nothing if one is bad.
   *
   * @example
   * batch.addAll([card, card], [1, 0], [{ outcome: 'sent' }, { outcome: 'held_back', detail: 'cap' }], 2);
   */
  addAll(
    shapes: readonly AccessShape[],
    kinds: ArrayLike<number>,
    table: readonly AccessKind[],
    count: number,
  ): void;
}

/**
 * An outcome and its detail (`heldBackBecause` for `held_back`, else the `decisionId`), as
 * {@link AccessBatchBuilder.addAll} finds them by number.
 *
 * @example
 * const kinds: AccessKind[] = [{ outcome: 'sent' }, { outcome: 'held_back', detail: 'quiet_hours' }];
 */
export interface AccessKind {
  readonly outcome: AccessOutcome;
  readonly detail?: string | undefined;
}

/**
 * The shapes of the batch that last kept a list of its own. Lists are only ever appended to (a
 * batch reads the first `size` of its list), so a new batch shares this one for as long as its
 * records' shapes match it, as a reader's batches mostly do (the same rules reading the same
 * kinds of facts), and copies the part it shares only where they part.
 */
let lastShapes: AccessShape[] = [];

/**
 * The last outcome and shared detail any batch coded (by a batch with a decision-id function or
 * not), and their code: records mostly repeat it, so it is checked and coded once for those.
 */
const last: {
  outcome: AccessOutcome | null;
  detail: string | undefined;
  madeIds: boolean;
  code: number;
} = { outcome: null, detail: undefined, madeIds: false, code: 0 };

class Batch implements AccessBatchBuilder {
  // `declare`: assigned in the constructor, not defined first (a log may keep many batches).
  declare readonly subject: SubjectId;
  declare readonly at: Instant;
  declare readonly key: string | undefined;
  readonly #idOf: AccessIdOf;
  readonly #decisionIdOf: AccessIdOf | undefined;
  // Kept compactly: each record's shape (in a list shared with other batches while it matches
  // theirs, see `lastShapes`), and seven bits for its outcome and detail, four records' to a
  // small integer (nothing for the collector to follow); a detail not shared is kept on the
  // side. `#size` of them are filled.
  #shapes: AccessShape[];
  /** Whether `#shapes` is this batch's own list (else another's, whose first `#size` match). */
  #own: boolean;
  #codes: number[];
  #ownDetails: Map<number, string> | null;
  #size: number;

  constructor(
    subject: SubjectId,
    at: Instant,
    idOf: AccessIdOf,
    expected: number,
    decisionIdOf: AccessIdOf | undefined,
    key: string | undefined,
  ) {
    this.subject = subject;
    this.at = at;
    this.key = key;
    this.#idOf = idOf;
    this.#decisionIdOf = decisionIdOf;
    this.#shapes = lastShapes;
    this.#own = false;
    // Made at the expected size (four codes to an integer), growing past it.
    this.#codes = new Array((expected + 3) >> 2);
    this.#ownDetails = null;
    this.#size = 0;
  }

  get size(): number {
    return this.#size;
  }

  add(shape: AccessShape, outcome: AccessOutcome, detail: string | undefined): void {
    const i = this.#size;
    this.#keep(i, shape);
    // Records mostly repeat the last one's outcome and detail: checked and coded once for those.
    this.#pack(
      i,
      outcome === last.outcome &&
        detail === last.detail &&
        (this.#decisionIdOf !== undefined) === last.madeIds
        ? last.code
        : this.#code(i, outcome, detail),
    );
    this.#size = i + 1;
  }

  addAll(
    shapes: readonly AccessShape[],
    kinds: ArrayLike<number>,
    table: readonly AccessKind[],
    count: number,
  ): void {
    if (!Array.isArray(shapes)) invalid('shapes', shapes, 'must be an array');
    if (typeof kinds !== 'object' || kinds === null || typeof kinds.length !== 'number')
      invalid('kinds', kinds, 'must be an array of numbers');
    if (!Array.isArray(table)) invalid('table', table, 'must be an array');
    if (!Number.isInteger(count) || count < 0 || count > shapes.length || count > kinds.length)
      invalid('count', count, 'must be an integer from 0 to the length of shapes and kinds');
    const from = this.#size;
    // Each entry of the table coded when first used (-1: a detail kept per record).
    const codes: number[] = [];
    // The list shared with other batches, while this batch's shapes match it.
    let shared = this.#own ? null : this.#shapes;
    // Codes gathered four to an integer, written when it is full (and at the end): the first
    // keeps the codes of the records before `from` (a failed call's are cleared).
    const all = this.#codes;
    let word = from & 3 ? (all[from >> 2] as number) & ((1 << ((from & 3) * 7)) - 1) : 0;
    for (let j = 0; j < count; j++) {
      const i = from + j;
      const shape = shapes[j] as AccessShape;
      if (shared === null || shared[i] !== shape) {
        this.#keep(i, shape);
        shared = null;
      }
      const k = kinds[j] as number;
      let code = codes[k];
      if (code === undefined || code < 0) {
        const kind = Number.isInteger(k) ? table[k] : undefined;
        if (typeof kind !== 'object' || kind === null)
          invalid(`kinds[${j}]`, k, `must be a place in the table (0 to ${table.length - 1})`);
        const { outcome, detail } = kind as AccessKind;
        code = this.#code(i, outcome, detail);
        codes[k] = code % DETAILS === OWN_DETAIL ? -1 : code;
      }
      const lane = i & 3;
      word |= code << (lane * 7);
      if (lane === 3) {
        all[i >> 2] = word;
        word = 0;
      }
    }
    const end = from + count;
    if (end & 3) all[end >> 2] = word;
    // Only now counted: a bad record leaves the batch as it was.
    this.#size = end;
  }

  /** Keeps record `i`'s shape, checked unless the batch's list already holds it there. */
  #keep(i: number, shape: AccessShape): void {
    // (Past the list's end it holds undefined, which is no shape: checked below.)
    if (shape !== undefined && this.#shapes[i] === shape) return;
    if (!(shape instanceof Shape))
      invalid(`batch[${i}].shape`, shape, 'must be made by accessShape()');
    // Past its end, the batch's own list is appended to. Anywhere else (a place a call that
    // failed filled, which a batch made since may share) it is copied first, like a shared one.
    if (this.#own && i === this.#shapes.length) this.#shapes.push(shape);
    else {
      const own = this.#shapes.slice(0, i);
      own.push(shape);
      this.#shapes = own;
      this.#own = true;
      lastShapes = own;
    }
  }

  /** Keeps record `i`'s code in its seven bits. */
  #pack(i: number, code: number): void {
    const lane = i & 3;
    if (lane === 0) this.#codes[i >> 2] = code;
    else {
      // Its seven bits cleared first: a call that failed half-way may have coded them.
      const kept = (this.#codes[i >> 2] as number) & ~(127 << (lane * 7));
      this.#codes[i >> 2] = kept | (code << (lane * 7));
    }
  }

  /** Checks record `i`'s outcome and detail, and codes them (a detail not shared kept aside). */
  #code(i: number, outcome: AccessOutcome, detail: string | undefined): number {
    const kind = OUTCOMES.indexOf(outcome);
    if (kind < 0) invalid(`batch[${i}].outcome`, outcome, 'must be an access outcome');
    const max = outcome === 'held_back' ? 100 : 200;
    if (
      detail !== undefined &&
      (typeof detail !== 'string' || detail.length === 0 || detail.length > max)
    )
      invalid(
        `batch[${i}].${outcome === 'held_back' ? 'heldBackBecause' : 'decisionId'}`,
        detail,
        `must be a string of 1 to ${max} characters`,
      );
    const shared =
      detail === undefined && outcome === 'sent' && this.#decisionIdOf !== undefined
        ? MADE_DECISION_ID
        : SHARED_DETAILS.indexOf(detail);
    if (shared < 0) {
      this.#ownDetails ??= new Map();
      this.#ownDetails.set(i, detail as string);
      return kind * DETAILS + OWN_DETAIL;
    }
    last.outcome = outcome;
    last.detail = detail;
    last.madeIds = this.#decisionIdOf !== undefined;
    last.code = kind * DETAILS + shared;
    return last.code;
  }

  shape(i: number): AccessShape {
    return shapeAt(this.#shapes, this.#size, i);
  }

  record(i: number): AccessRecord {
    const shape = this.shape(i);
    const code = ((this.#codes[i >> 2] as number) >> ((i & 3) * 7)) & 127;
    return recordOf(this, i, shape, code, this.#idOf, this.#decisionIdOf, this.#ownDetails);
  }

  records(from = 0, to = this.size): AccessRecord[] {
    return recordsOf(this, from, to);
  }

  /** @internal {@link keepBatch}, which reads the batch's own fields. */
  static keep(batch: Batch, columns: BatchColumns): number {
    return keep(
      columns,
      batch.subject,
      batch.at,
      batch.key,
      batch.#size,
      batch.#shapes,
      batch.#codes,
      0,
      batch.#idOf,
      batch.#decisionIdOf,
      batch.#ownDetails,
    );
  }
}

/**
 * @internal Keeps `batch`'s records as they are now (records added to it later are not kept) in
 * `columns`, and returns its place there. `batch` must be one {@link isAccessBatch} accepts.
 */
export function keepBatch(batch: AccessBatch, columns: BatchColumns): number {
  return Batch.keep(batch as Batch, columns);
}

/**
 * A new, empty {@link AccessBatch} of `subject`'s records at `at`, whose record ids `idOf` makes
 * from each record's shape and place when read (cheaply, for readers that record many uses at
 * once, like a rules engine); `expected`: how many records it will likely hold (it takes more).
 * With `decisionIdOf`, a `sent` record added without a decision id gets one made the same way, so
 * a log keeping the batch keeps no id string per record. With `key` (what the batch is for, say
 * an event's id), the same two functions can serve every batch, so a batch keeps no function of
 * its own. Throws `core/invalid_input` for a bad subject, time, size, function or key.
 *
 * @example
 * const batch = createAccessBatch('cus_1', clock.now(), (shape) => `acc_${shape.accessor.id}_e1`);
 * batch.add(shape, 'held_back', 'conditions_not_met');
 * await appendAccessBatch(log, batch);
 * // One id function for every batch, each with its event's id as its key:
 * const idOf: AccessIdOf = (shape, i, b) => `acc_${shape.accessor.id}_${b.key}`;
 * const next = createAccessBatch('cus_1', clock.now(), idOf, 1, undefined, 'e2');
 */
export function createAccessBatch(
  subject: SubjectId,
  at: Instant,
  idOf: AccessIdOf,
  expected = 0,
  decisionIdOf?: AccessIdOf,
  key?: string,
): AccessBatchBuilder {
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256)
    invalid('subject', subject, 'must be a string of 1 to 256 characters');
  if (!Number.isInteger(at) || at < 0 || at > MAX_INSTANT)
    invalid('at', at, 'must be a time in epoch milliseconds');
  if (typeof idOf !== 'function') invalid('idOf', idOf, 'must be a function');
  if (!Number.isInteger(expected) || expected < 0 || expected > 1_000_000)
    invalid('expected', expected, 'must be an integer from 0 to 1,000,000');
  if (decisionIdOf !== undefined && typeof decisionIdOf !== 'function')
    invalid('decisionIdOf', decisionIdOf, 'must be a function');
  if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 256))
    invalid('key', key, 'must be a string of 1 to 256 characters');
  return new Batch(subject, at, idOf, expected, decisionIdOf, key);
}

/**
 * Whether `value` is a batch {@link createAccessBatch} made (so its records were checked).
 *
 * @example
 * if (!isAccessBatch(input)) throw new Error('not a batch');
 */
export function isAccessBatch(value: unknown): value is AccessBatch {
  return value instanceof Batch;
}

/**
 * Appends a batch's records to `log`: as a batch where the log stores batches
 * (`appendBatch`), else as records. Rejects `core/invalid_input` naming `log` or `batch` when
 * either is not one.
 *
 * @example
 * await appendAccessBatch(log, batch);
 */
export function appendAccessBatch(log: AccessLog, batch: AccessBatch): Promise<void> {
  if (typeof log?.append !== 'function') return rejected('log', log, 'must be an AccessLog');
  if (!(batch instanceof Batch))
    return rejected('batch', batch, 'must be made by createAccessBatch()');
  if (batch.size === 0) return Promise.resolve();
  return log.appendBatch !== undefined ? log.appendBatch(batch) : log.append(batch.records());
}

function rejected(path: string, value: unknown, problem: string): Promise<never> {
  return Promise.reject(
    new CandorError('core/invalid_input', `${path}: ${problem}`, { path, value }),
  );
}
