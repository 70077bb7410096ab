import type { AccessLog, AccessRecord, Clock } from '@candor/core';
import type { CompiledRule, CompiledRuleSet, Slots, WindowSlot } from '../compile/types';
import { rulesError } from '../errors';
import type { Outcome } from '../outcome';
import type { RuleEvent } from '../types';

/** @internal A rule whose conditions were evaluated: the facts its view held were read. */
export interface Read {
  readonly rule: CompiledRule;
  readonly position: number;
  readonly slots: Slots;
  readonly event: RuleEvent;
}

/** @internal How an engine records its reads (the `accessLog` options), resolved once. */
export interface AccessRecording {
  readonly log: AccessLog;
  readonly strict: boolean;
  readonly onError: (error: unknown) => void;
  readonly clock: Clock;
  /** The window aggregates by slot: a window's value is read from the customer's past events. */
  readonly windows: ReadonlyMap<number, WindowSlot>;
  /** The fact path each slot reads (null for windows). */
  readonly slotPaths: readonly (string | null)[];
  /** What each rule read, by the set of its slots that held values. */
  readonly readSets: WeakMap<CompiledRule, Map<number, ReadSet>>;
  /** The record id of a rule's evaluation on an event (`acc_` and a hash of its reservation id). */
  readonly idOf: (rule: CompiledRule, subject: string, eventId: string) => string;
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
  idOf: (rule: CompiledRule, subject: string, eventId: string) => string,
): AccessRecording | null {
  const { accessLog, strictAccessLog, onAccessLogError } = options;
  if (accessLog == null) return null;
  const accessors = new WeakMap<CompiledRule, AccessRecord['accessor']>();
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
    clock,
    windows: new Map(set.windows.map((w) => [w.slot, w])),
    slotPaths: set.slotPaths,
    readSets: new WeakMap(),
    idOf,
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

/** What a rule read with a given set of its slots holding values: shared, frozen lists. */
interface ReadSet {
  readonly categories: readonly string[];
  readonly evidence: readonly string[];
  /** The fact slots read and each one's category then: a path may carry another category later. */
  readonly factSlots: readonly number[];
  readonly factCategories: readonly string[];
}

const NOTHING: ReadSet = Object.freeze({
  categories: [],
  evidence: [],
  factSlots: [],
  factCategories: [],
});

/** Whether `read` still names what `slots` hold: each fact slot's category is the same. */
function stillMatches(read: ReadSet, slots: Slots): boolean {
  const { factSlots, factCategories } = read;
  for (let i = 0; i < factSlots.length; i++)
    if (slots.sources[factSlots[i] as number]?.category !== factCategories[i]) return false;
  return true;
}

/** The categories and paths `rule` read when the slots in `mask` (bit k: `rule.slots[k]`) held values. */
function readSet(
  recording: AccessRecording,
  rule: CompiledRule,
  slots: Slots,
  mask: number,
): ReadSet {
  const categories: string[] = [];
  const evidence: string[] = [];
  const factSlots: number[] = [];
  const factCategories: string[] = [];
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
    if (fact !== undefined && path != null) {
      factSlots.push(slot);
      factCategories.push(category);
    }
    if (!categories.includes(category)) categories.push(category);
    if (!evidence.includes(read)) evidence.push(read);
  }
  if (categories.length === 0) return NOTHING;
  return {
    categories: Object.freeze(categories),
    evidence: Object.freeze(evidence),
    factSlots,
    factCategories,
  };
}

/**
 * @internal One access record per rule whose conditions read facts of the customer: exactly the
 * categories and paths its view held (a missing fact, or one outside the rule's declared
 * categories, was not read), with what came of it. Rules stopped at consent, a suppression or a
 * pause read nothing and get no record. What a rule read is worked out once per rule and set of
 * present slots (for rules of up to 31 slots), so records share their lists.
 */
export function accessRecords(
  recording: AccessRecording,
  reads: readonly Read[],
  outcomes: readonly Outcome[],
): AccessRecord[] {
  const records: AccessRecord[] = [];
  const now = recording.clock.now();
  for (const { rule, position, slots, event } of reads) {
    let mask = 0;
    const ruleSlots = rule.slots;
    for (let k = 0; k < ruleSlots.length && k < 31; k++)
      if (slots.values[ruleSlots[k] as number] !== undefined) mask |= 1 << k;
    let byMask = recording.readSets.get(rule);
    if (byMask === undefined) {
      byMask = new Map();
      recording.readSets.set(rule, byMask);
    }
    let read = ruleSlots.length <= 31 ? byMask.get(mask) : undefined;
    if (read !== undefined && !stillMatches(read, slots)) {
      byMask.delete(mask);
      read = undefined;
    }
    if (read === undefined) {
      read = readSet(recording, rule, slots, ruleSlots.length <= 31 ? mask : -1);
      if (ruleSlots.length <= 31 && byMask.size < 64) byMask.set(mask, read);
    }
    if (read === NOTHING) continue;
    const outcome = outcomes[position];
    const id = recording.idOf(rule, event.subject, event.id);
    records.push(
      outcome?.kind === 'proposal'
        ? {
            id,
            subject: event.subject,
            at: now,
            accessor: recording.accessorOf(rule),
            purpose: rule.rule.purpose,
            dataCategories: read.categories,
            evidence: read.evidence,
            outcome: 'sent',
            decisionId: outcome.id,
          }
        : {
            id,
            subject: event.subject,
            at: now,
            accessor: recording.accessorOf(rule),
            purpose: rule.rule.purpose,
            dataCategories: read.categories,
            evidence: read.evidence,
            outcome: 'held_back',
            heldBackBecause: outcome?.reason ?? 'conditions_not_met',
          },
    );
  }
  return records;
}

/**
 * @internal Writes `records` without holding the decision up: a failure goes to the observer.
 * (Strict mode awaits instead; see `process`.)
 */
export function writeInBackground(recording: AccessRecording, records: AccessRecord[]): void {
  if (records.length === 0) return;
  try {
    recording.log.append(records).catch(recording.onError);
  } catch (error) {
    recording.onError(error);
  }
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
 * @internal Records what a run read, with the outcomes it ended with: awaited in strict mode (a
 * failing log fails the call, so nothing is proposed unrecorded), otherwise in the background.
 */
export async function recordReads(
  recording: AccessRecording | null,
  reads: readonly Read[] | null,
  outcomes: readonly Outcome[],
): Promise<void> {
  if (recording === null || reads === null || reads.length === 0) return;
  const records = accessRecords(recording, reads, outcomes);
  if (recording.strict) {
    if (records.length > 0) await recording.log.append(records);
  } else writeInBackground(recording, records);
}
