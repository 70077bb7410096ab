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
): AccessRecording | null {
  const { accessLog, strictAccessLog, onAccessLogError } = options;
  if (accessLog == null) return null;
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
  };
}

/**
 * @internal One access record per rule whose conditions read facts of the customer: exactly the
 * categories and paths its view held (a missing fact, or one outside the rule's declared
 * categories, was not read), with what came of it. Rules stopped at consent, a suppression or a
 * pause read nothing and get no record.
 */
export function accessRecords(
  recording: AccessRecording,
  reads: readonly Read[],
  outcomes: readonly Outcome[],
): AccessRecord[] {
  const records: AccessRecord[] = [];
  const now = recording.clock.now();
  for (const { rule, position, slots, event } of reads) {
    const categories: string[] = [];
    const evidence: string[] = [];
    for (const slot of rule.slots) {
      // A slot without a value was not read: the fact is missing, or outside the rule's categories.
      if (slots.values[slot] === undefined) continue;
      const fact = slots.sources[slot];
      const path = recording.slotPaths[slot];
      if (fact !== undefined && path != null) {
        if (!categories.includes(fact.category)) categories.push(fact.category);
        if (!evidence.includes(path)) evidence.push(path);
        continue;
      }
      const window = recording.windows.get(slot);
      if (window !== undefined) {
        if (!categories.includes(window.category)) categories.push(window.category);
        const path = `events.${window.spec.event}`;
        if (!evidence.includes(path)) evidence.push(path);
      }
    }
    if (categories.length === 0) continue;
    const outcome = outcomes[position];
    const id = `${rule.id}@${rule.rule.version}:${event.subject}:${event.id}`;
    records.push({
      id: `access:${id}`,
      subject: event.subject,
      at: now,
      accessor: { kind: 'rule', id: rule.id, version: rule.rule.version },
      purpose: rule.rule.purpose,
      dataCategories: categories,
      evidence,
      ...(outcome?.kind === 'proposal'
        ? { outcome: 'sent' as const, decisionId: outcome.id }
        : {
            outcome: 'held_back' as const,
            heldBackBecause: outcome?.reason ?? 'conditions_not_met',
            decisionId: id,
          }),
    });
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
