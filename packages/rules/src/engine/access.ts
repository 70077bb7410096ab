import {
  type AccessBatch,
  type AccessIdOf,
  type AccessKind,
  type AccessLog,
  type AccessRecord,
  type AccessShape,
  accessShape,
  appendAccessBatch,
  type Clock,
  createAccessBatch,
  type Fact,
} from '@candor/core';
import type { CompiledRule, CompiledRuleSet, Slots, Tri, WindowSlot } from '../compile/types';
import { rulesError } from '../errors';
import type { Outcome } from '../outcome';
import type { RuleEvent } from '../types';
import type { RuleTable } from './rule-table';

/**
 * @internal What one evaluation's rules read, side by side (no object per rule): for each rule
 * whose conditions read the customer's facts, in candidate order, what it read and what came of
 * it, as its access record will say.
 */
export interface Reads {
  readonly event: RuleEvent;
  /**
   * What each read's record shares with the rule's other records (made at the most rules that
   * can read, no copies while they grow; `count` are filled).
   */
  readonly shapes: AccessShape[];
  /**
   * Each read's outcome and detail: its place in the engine's `kinds` where it was held back at
   * the conditions gate (`HELD_NOT_MET`, `HELD_INSUFFICIENT`), else `-1 - p` for its rule's
   * place `p` in the outcomes (what came of it is decided later, see `keptKind`).
   */
  readonly kinds: Int32Array;
  count: number;
  /** Which reads (their places in `kinds`) wait for their rule's outcome: `keptCount` of them. */
  readonly kept: Int32Array;
  keptCount: number;
  /** Why a rule's reads could not be recorded (the first such rule's, in outcome order). */
  failure: unknown;
  /**
   * The facts whose categories the evaluation checked (see `checkCategories`), null before: the
   * check holds while the engine's last check is still this one (a port that evaluates another
   * event on the engine, in the middle of this evaluation, checks that event's facts).
   */
  checked: readonly (Fact | undefined)[] | null;
}

/** A read held back at the conditions gate, as `conditions_not_met` (see {@link Reads}). */
const HELD_NOT_MET = 0;
/** A read held back at the conditions gate, as `insufficient_data`. */
const HELD_INSUFFICIENT = 1;
/** A read whose rule was proposed. */
const SENT = 2;

/**
 * The kind (see {@link Reads}) of a read whose conditions held: `sent` where its rule was
 * proposed, else held back for the reason its outcome gives (numbered on first use).
 */
function keptKind(recording: AccessRecording, outcome: Outcome | undefined): number {
  if (outcome?.kind === 'proposal') return SENT;
  const reason = outcome?.reason ?? 'conditions_not_met';
  let kind = recording.kindOf.get(reason);
  if (kind === undefined) {
    kind = recording.kinds.length;
    recording.kinds.push(Object.freeze({ outcome: 'held_back', detail: reason }));
    recording.kindOf.set(reason, kind);
  }
  return kind;
}

/**
 * @internal No reads yet, on `event`, by at most `rules` rules: in the lists the last recorded run
 * gave back (`accessBatch`), when they are long enough.
 */
export function noReads(recording: AccessRecording, event: RuleEvent, rules: number): Reads {
  const spare = recording.spare;
  if (spare !== null && spare.kinds.length >= rules) {
    recording.spare = null;
    const { kinds, shapes, kept } = spare;
    return {
      event,
      shapes,
      kinds,
      count: 0,
      kept,
      keptCount: 0,
      failure: undefined,
      checked: null,
    };
  }
  return {
    event,
    shapes: new Array(rules),
    kinds: new Int32Array(rules),
    count: 0,
    kept: new Int32Array(rules),
    keptCount: 0,
    failure: undefined,
    checked: null,
  };
}

/** @internal How an engine records its reads (the `accessLog` options), resolved once. */
export interface AccessRecording {
  readonly log: AccessLog;
  readonly strict: boolean;
  readonly onError: (error: unknown) => void;
  /**
   * The last write watched: a log answering with it again (an in-memory one answers every write
   * with one promise) gives nothing more to watch, so a synchronous loop of evaluations keeps no
   * handler per evaluation. Cleared when it fails, so later writes answered with it are reported.
   */
  watched: Promise<void> | null;
  readonly clock: Clock;
  /** The window aggregates by slot: a window's value is read from the customer's past events. */
  readonly windows: ReadonlyMap<number, WindowSlot>;
  /** The fact path each slot reads (null for windows). */
  readonly slotPaths: readonly (string | null)[];
  /**
   * Each rule's (by `order`) last read set, its shape and the mask it was found for: most
   * evaluations repeat it, and a loop over many rules reads these side by side.
   */
  readonly lastSet: (ReadSet | undefined)[];
  readonly lastShape: (AccessShape | null)[];
  readonly lastMask: Int32Array;
  /**
   * Each rule's (by `order`) shape when every slot it reads holds a value, as most rules find
   * them: null when it reads nothing then, undefined until known.
   */
  readonly fullShape: (AccessShape | null | undefined)[];
  /** The engine's rule table: the slots each rule reads, and its records' ids. */
  readonly table: RuleTable;
  /** The lists of a recorded run, for the next run's reads (null while a run holds them). */
  spare: Pick<Reads, 'shapes' | 'kinds' | 'kept'> | null;
  /** The outcomes and details of reads, by kind (see {@link Reads}), and each reason's kind. */
  readonly kinds: AccessKind[];
  readonly kindOf: Map<string, number>;
  /** What each rule (by `order`) read, by the set of its slots that held values. */
  readonly readSets: (Map<number, ReadSet> | undefined)[];
  /**
   * The category each fact slot held in the facts last checked (`checked`): every read set kept
   * was made under these, so one check per event (not per read) says whether they still name
   * what the slots hold.
   */
  readonly categories: (string | undefined)[];
  checked: readonly (Fact | undefined)[] | null;
  /** The rule each record shape was made for (its records' ids are the rule's). */
  readonly shapeRules: WeakMap<AccessShape, CompiledRule>;
  /**
   * A record's id, and its proposal's (which shares its hash), from the rule its shape was made
   * for and the batch's subject and event (its key): made when a record is read, not kept.
   */
  readonly accessId: AccessIdOf;
  readonly proposalId: AccessIdOf;
  /** The rule as an accessor, made once per rule. */
  readonly accessorOf: (rule: CompiledRule) => AccessRecord['accessor'];
}

/** @internal Checks and resolves the engine's access-log options; null when there is no log. */
export function accessRecording(
  options: {
    readonly accessLog?: AccessLog | undefined;
    readonly strictAccessLog?: boolean | undefined;
    readonly onAccessLogError?: ((error: unknown) => void) | undefined;
  },
  set: CompiledRuleSet,
  clock: Clock,
  table: RuleTable,
): AccessRecording | null {
  const { accessLog, strictAccessLog, onAccessLogError } = options;
  if (accessLog == null) return null;
  const accessors = new WeakMap<CompiledRule, AccessRecord['accessor']>();
  const shapeRules = new WeakMap<AccessShape, CompiledRule>();
  const ruleCount = set.rules.length + set.fallbacks.length;
  if (typeof (accessLog as Partial<AccessLog>).append !== 'function')
    throw rulesError('rules/invalid_rule', 'must be an AccessLog', undefined, 'options.accessLog');
  if (onAccessLogError !== undefined && typeof onAccessLogError !== 'function')
    throw rulesError(
      'rules/invalid_rule',
      'must be a function',
      undefined,
      'options.onAccessLogError',
    );
  return {
    log: accessLog,
    strict: strictAccessLog === true,
    onError: onAccessLogError ?? (() => {}),
    watched: null,
    clock,
    windows: new Map(set.windows.map((w) => [w.slot, w])),
    slotPaths: set.slotPaths,
    // One place per rule from the start: filled out of order, a growing array would turn sparse.
    lastSet: new Array(ruleCount).fill(undefined),
    lastShape: new Array(ruleCount).fill(null),
    lastMask: new Int32Array(ruleCount),
    fullShape: new Array(ruleCount).fill(undefined),
    table,
    spare: null,
    kinds: [
      { outcome: 'held_back', detail: 'conditions_not_met' },
      { outcome: 'held_back', detail: 'insufficient_data' },
      { outcome: 'sent' },
    ],
    kindOf: new Map([
      ['conditions_not_met', HELD_NOT_MET],
      ['insufficient_data', HELD_INSUFFICIENT],
    ]),
    readSets: new Array(ruleCount).fill(undefined),
    categories: new Array(set.slotPaths.length).fill(undefined),
    checked: null,
    shapeRules,
    accessId: (shape, _, batch) =>
      table.accessId(shapeRules.get(shape) as CompiledRule, batch.subject, batch.key as string),
    proposalId: (shape, _, batch) =>
      table.proposalId(shapeRules.get(shape) as CompiledRule, batch.subject, batch.key as string),
    accessorOf: (rule) => {
      let accessor = accessors.get(rule);
      if (accessor === undefined) {
        accessor = Object.freeze({ kind: 'rule', id: rule.id, version: rule.rule.version });
        accessors.set(rule, accessor);
      }
      return accessor;
    },
  };
}

/** @internal What a rule read with a given set of its slots holding values: shared, frozen lists. */
export interface ReadSet {
  readonly rule: CompiledRule | null;
  readonly categories: readonly string[];
  readonly evidence: readonly string[];
  /** The records' shared part (accessor, purpose, categories, paths), made on first record. */
  shape: AccessShape | null;
  /** Why the shape could not be made (a path too long for a record), when it could not. */
  error: unknown;
}

const NOTHING: ReadSet = Object.freeze({
  rule: null,
  categories: [],
  evidence: [],
  shape: null,
  error: undefined,
});

/**
 * Notes the categories of the facts in `sources` (an event's, read once for all its rules): where
 * a path now carries another category than before, every read set kept is dropped, as each names
 * the categories it was made under.
 */
function checkCategories(recording: AccessRecording, sources: readonly (Fact | undefined)[]): void {
  const { categories } = recording;
  let changed = false;
  for (let slot = 0; slot < sources.length; slot++) {
    const category = sources[slot]?.category;
    if (category === undefined) continue;
    const before = categories[slot];
    if (before !== category) {
      if (before !== undefined) changed = true;
      categories[slot] = category;
    }
  }
  if (changed) {
    recording.lastSet.fill(undefined);
    recording.lastShape.fill(null);
    recording.fullShape.fill(undefined);
    recording.readSets.fill(undefined);
  }
  recording.checked = sources;
}

/**
 * Whether the categories the engine last checked are the evaluation's own (not those of another
 * event a port evaluated in its midst), so the read sets kept hold for its reads.
 */
const checkedNow = (recording: AccessRecording, reads: Reads) =>
  reads.checked !== null && reads.checked === recording.checked;

/** The categories and paths `rule` read when the slots in `mask` (bit k: `rule.slots[k]`) held values. */
function readSet(
  recording: AccessRecording,
  rule: CompiledRule,
  slots: Slots,
  mask: number,
): ReadSet {
  const categories: string[] = [];
  const evidence: string[] = [];
  for (let k = 0; k < rule.slots.length; k++) {
    if (k < 31 && (mask & (1 << k)) === 0) continue;
    const slot = rule.slots[k] as number;
    // A slot without a value was not read: the fact is missing, or outside the rule's categories.
    if (slots.values[slot] === undefined) continue;
    const fact = slots.sources[slot];
    const path = recording.slotPaths[slot];
    const window = recording.windows.get(slot);
    const category = fact !== undefined && path != null ? fact.category : window?.category;
    const read =
      fact !== undefined && path != null ? path : window && `events.${window.spec.event}`;
    if (category === undefined || read === undefined) continue;
    if (!categories.includes(category)) categories.push(category);
    if (!evidence.includes(read)) evidence.push(read);
  }
  if (categories.length === 0) return NOTHING;
  return {
    rule,
    categories: Object.freeze(categories),
    evidence: Object.freeze(evidence),
    shape: null,
    error: undefined,
  };
}

/**
 * The shape of `read`'s records, made (and checked) the first time it is needed; null when it
 * cannot be made (`read.error` says why).
 */
function shapeOf(recording: AccessRecording, read: ReadSet): AccessShape | null {
  if (read.shape !== null) return read.shape;
  const rule = read.rule as CompiledRule;
  try {
    const shape = accessShape({
      accessor: recording.accessorOf(rule),
      purpose: rule.rule.purpose,
      dataCategories: read.categories,
      evidence: read.evidence,
    });
    recording.shapeRules.set(shape, rule);
    read.shape = shape;
    return shape;
  } catch (error) {
    read.error = error;
    return null;
  }
}

/**
 * @internal Notes what `rule` (at `order` in the rule table, at `position` among the outcomes)
 * read: exactly the categories and paths its view held (a missing fact, or one outside the rule's
 * declared categories, was not read; `full`: every slot of the rule is known to hold a value;
 * `result`: what its conditions came to). What a rule read, and the shape of its records, is
 * worked out once per rule and set of present slots (for rules of up to 31 slots), so records
 * share them; a rule that read nothing is not noted. A rule whose reads cannot be recorded (a
 * path too long for a record) is noted as the run's `failure`, for `accessBatch` to report.
 */
export function noteRead(
  recording: AccessRecording,
  reads: Reads,
  rule: CompiledRule,
  order: number,
  position: number,
  slots: Slots,
  full: boolean,
  result: Tri,
): void {
  const table = recording.table;
  const count = table.slotCountAt(order);
  const mask = full ? every(count) : table.maskAt(order, slots.values);
  if (slots.sources === recording.checked) reads.checked = slots.sources;
  if (checkedNow(recording, reads) && count <= 31) {
    // Mostly every slot of the rule held a value (whatever its conditions came to), or it read
    // what it read last time: the shape is known, side by side.
    const fullShape = mask === every(count) ? recording.fullShape[order] : undefined;
    if (fullShape !== undefined) {
      if (fullShape !== null) addRead(reads, fullShape, position, result);
      return;
    }
    if (recording.lastMask[order] === mask) {
      const read = recording.lastSet[order];
      if (read === NOTHING) return;
      const shape = recording.lastShape[order] as AccessShape | null;
      if (read !== undefined && shape !== null) {
        addRead(reads, shape, position, result);
        return;
      }
    }
  }
  noteNewRead(recording, reads, rule, order, position, slots, mask, result);
}

/** `noteRead` where the rule's last read set does not apply (or its shape cannot be made). */
function noteNewRead(
  recording: AccessRecording,
  reads: Reads,
  rule: CompiledRule,
  order: number,
  position: number,
  slots: Slots,
  mask: number,
  result: Tri,
): void {
  if (!checkedNow(recording, reads)) {
    if (slots.sources !== recording.checked) checkCategories(recording, slots.sources);
    reads.checked = slots.sources;
  }
  const small = rule.slots.length <= 31;
  let read = small ? recording.readSets[order]?.get(mask) : undefined;
  if (read === undefined) {
    read = readSet(recording, rule, slots, small ? mask : -1);
    if (small) {
      let byMask = recording.readSets[order];
      if (byMask === undefined) {
        byMask = new Map();
        recording.readSets[order] = byMask;
      }
      if (byMask.size < 64) byMask.set(mask, read);
    }
  }
  // Made once per read set; where it cannot be, tried again (each evaluation reports its own error).
  const shape = read === NOTHING ? null : shapeOf(recording, read);
  if (small) {
    recording.lastSet[order] = read;
    recording.lastShape[order] = shape;
    recording.lastMask[order] = mask;
    if (mask === every(rule.slots.length) && (shape !== null || read === NOTHING))
      recording.fullShape[order] = shape;
  }
  if (read === NOTHING) return;
  if (shape === null) {
    if (reads.failure === undefined) reads.failure = read.error;
    return;
  }
  addRead(reads, shape, position, result);
}

/**
 * @internal `noteRead` for a rule every slot of which is known to hold a value, where what it
 * reads then is known (else false: `noteRead` works it out).
 */
export function noteFullRead(
  recording: AccessRecording,
  reads: Reads,
  order: number,
  position: number,
  result: Tri,
): boolean {
  const shape = checkedNow(recording, reads) ? recording.fullShape[order] : undefined;
  if (shape === undefined) return false;
  if (shape !== null) addRead(reads, shape, position, result);
  return true;
}

/** The mask of a rule's first `count` slots (at most 31) all holding values. */
const every = (count: number) => (count >= 31 ? 0x7fffffff : (1 << count) - 1);

/** Adds a read of `shape` by the rule at `position`, whose conditions came to `result`. */
function addRead(reads: Reads, shape: AccessShape, position: number, result: Tri): void {
  const n = reads.count;
  if (result === 1) {
    reads.kinds[n] = -1 - position;
    reads.kept[reads.keptCount++] = n;
  } else reads.kinds[n] = result === 2 ? HELD_INSUFFICIENT : HELD_NOT_MET;
  reads.shapes[n] = shape;
  reads.count = n + 1;
}

/**
 * @internal One access record per rule that read the customer's facts, with what came of it,
 * in one batch per evaluation (its records made when read). Rules stopped at consent, a
 * suppression or a pause read nothing and get no record. Throws `core/invalid_input` if a rule's
 * reads cannot be recorded (a path too long for a record).
 */
export function accessBatch(
  recording: AccessRecording,
  reads: Reads,
  outcomes: readonly Outcome[],
  now: number,
): AccessBatch {
  const { event, shapes, kinds, count, kept, keptCount } = reads;
  const batch = createAccessBatch(
    event.subject,
    now,
    recording.accessId,
    count,
    recording.proposalId,
    event.id,
  );
  if (reads.failure !== undefined) throw reads.failure;
  for (let j = 0; j < keptCount; j++) {
    const i = kept[j] as number;
    const kind = kinds[i] as number;
    if (kind < 0) kinds[i] = keptKind(recording, outcomes[-1 - kind]);
  }
  batch.addAll(shapes, kinds, recording.kinds, count);
  // The batch keeps what it needs: the lists go to the next run.
  recording.spare = reads;
  return batch;
}

/** @internal `evaluate()`/`runDue()` cannot wait for a record, so strict mode refuses them. */
export function refuseUnlessAsync(recording: AccessRecording | null, method: string): void {
  if (recording?.strict)
    throw rulesError(
      'rules/unsupported',
      `${method}() cannot wait for the access record; use ${method === 'evaluate' ? 'process' : 'processDue'}()`,
      undefined,
      'options.strictAccessLog',
      true,
    );
}

/**
 * @internal Records what a run read, with the outcomes it ended with: one batch per evaluation
 * (a run of several, due entries, as one append of their records, all or nothing). In strict mode
 * the write is returned, to be awaited (a failing log fails the call, so nothing is proposed
 * unrecorded); otherwise a failure goes to the observer and the decision stands, and nothing is
 * returned unless that went wrong too (an observer that threw, a log that answered with no
 * promise): then a rejected promise, as an async function would return.
 */
export function recordReads(
  recording: AccessRecording | null,
  reads: readonly Reads[] | null,
  outcomes: readonly Outcome[],
): Promise<void> | undefined {
  if (recording === null || reads === null) return undefined;
  let write: Promise<void> | undefined;
  try {
    const now = recording.clock.now();
    const log = recording.log;
    if (reads.length === 1) {
      const batch = accessBatch(recording, reads[0] as Reads, outcomes, now);
      if (batch.size > 0) write = appendAccessBatch(log, batch);
    } else {
      const records: AccessRecord[] = [];
      for (const r of reads) records.push(...accessBatch(recording, r, outcomes, now).records());
      if (records.length > 0) write = log.append(records);
    }
  } catch (error) {
    if (recording.strict) return Promise.reject(error);
    try {
      recording.onError(error);
    } catch (thrown) {
      return Promise.reject(thrown);
    }
    return undefined;
  }
  if (write === undefined) return undefined;
  if (recording.strict) return write;
  // One promise answering several writes is watched once: its failure is reported once.
  if (write === recording.watched) return undefined;
  const watched = write;
  try {
    watched.then(undefined, (error: unknown) => {
      if (recording.watched === watched) recording.watched = null;
      recording.onError(error);
    });
    recording.watched = watched;
  } catch (thrown) {
    return Promise.reject(thrown);
  }
  return undefined;
}
