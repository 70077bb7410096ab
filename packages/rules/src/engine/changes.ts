import {
  CandorError,
  type ChangeLog,
  type ChangeRecord,
  type ChangeState,
  type Clock,
  changeState,
  createMemoryChangeLog,
  isCandorError,
  type SubjectId,
  toIso,
  type UndoClaim,
} from '@candor/core';
import type { CompiledRule, CompiledRuleSet } from '../compile/types';
import { type RulesErrorCode, requireString, rulesError } from '../errors';
import type { ChangeOutcome, Outcome, Proposal } from '../outcome';
import { parseDuration } from '../time';
import type { RuleChange } from '../types';
import { decideChange } from './consent';
import type { EngineCore } from './core';
import type { ChangePort } from './types';

/** @internal How an engine acts for rules with a `change`: the app's port, the log, the clock. */
export interface ChangeActing {
  readonly port: ChangePort | undefined;
  readonly log: ChangeLog;
  readonly clock: Clock;
  /** Whether any rule declares a change (else nothing here runs). */
  readonly any: boolean;
  /** Changes being undone in this process (a second undo waits for none: it is refused). */
  readonly undoing: Set<string>;
}

/** @internal The acting part of an engine, from its options. */
export function changeActing(
  set: CompiledRuleSet,
  port: ChangePort | undefined,
  clock: Clock,
): ChangeActing {
  if (port !== undefined && (typeof port.perform !== 'function' || typeof port.undo !== 'function'))
    throw rulesError(
      'rules/invalid_rule',
      'a change port needs perform() and undo()',
      undefined,
      'options.changes',
      port,
    );
  return {
    port,
    log: port?.log ?? createMemoryChangeLog(),
    clock,
    any: set.rules.some((r) => r.rule.change !== undefined),
    undoing: new Set(),
  };
}

const changeOf = (core: EngineCore, o: Outcome): [CompiledRule, RuleChange] | null => {
  if (o.kind !== 'proposal') return null;
  const rule = core.set.get(o.ruleId);
  const change = rule?.rule.change;
  return rule && change ? [rule, change] : null;
};

/**
 * @internal For `evaluate()`/`runDue()`, which cannot wait for a change port: every proposal of a
 * rule with a change is an offer.
 */
export function offerOnly(core: EngineCore, outcomes: Outcome[]): Outcome[] {
  if (!core.changes.any) return outcomes;
  const change: ChangeOutcome =
    core.changes.port === undefined
      ? { status: 'offered', reason: 'no_port', detail: 'the engine has no change port' }
      : {
          status: 'offered',
          reason: 'not_acted',
          detail: 'evaluate() and runDue() never act; process() and processDue() do',
        };
  for (const o of outcomes) if (changeOf(core, o)) withChange(o as Proposal, change);
  return outcomes;
}

/**
 * Sets a fresh proposal's `change` in place: a proposal may work out its explanation on first
 * read (getters an object spread would not copy), so it is not copied.
 */
function withChange(proposal: Proposal, change: ChangeOutcome): void {
  (proposal as { change?: ChangeOutcome }).change = change;
}

/**
 * @internal For confirmed proposals (after `persist`): makes each rule's change through the port
 * when its permission holds, and records it; otherwise the proposal is an offer, saying why.
 */
export async function act(core: EngineCore, outcomes: Outcome[]): Promise<Outcome[]> {
  if (!core.changes.any) return outcomes;
  for (const o of outcomes) {
    const found = changeOf(core, o);
    if (found) withChange(o as Proposal, await actOn(core, o as Proposal, ...found));
  }
  return outcomes;
}

async function actOn(
  core: EngineCore,
  proposal: Proposal,
  rule: CompiledRule,
  change: RuleChange,
): Promise<ChangeOutcome> {
  const { port, log, clock } = core.changes;
  const verdict = decideChange(core, rule, change.purpose, proposal.subject, proposal.at);
  // Acting needs a yes: a default that merely allows (an opt-out jurisdiction's "until you opt
  // out", status `not_asked`) is not the customer's permission to change what they booked.
  if (!verdict.allowed || verdict.status === 'not_asked')
    return {
      status: 'offered',
      reason: 'no_permission',
      detail: verdict.allowed
        ? `the customer has not said yes to ${change.purpose} (allowed only by default)`
        : `the customer has not allowed ${change.purpose}`,
      consent: verdict,
    };
  if (port === undefined)
    return { status: 'offered', reason: 'no_port', detail: 'the engine has no change port' };
  const at = clock.now();
  const undoUntil = at + (parseDuration(change.undoWithin) as number);
  const changeId = `${proposal.id}:change`;
  let details: ChangeRecord['details'];
  try {
    details = await port.perform({
      changeId,
      type: change.type,
      subject: proposal.subject,
      proposal,
      undoUntil,
    });
  } catch (error) {
    return {
      status: 'offered',
      reason: 'failed',
      detail: `the change was not made: ${text(error)}`,
    };
  }
  const record: ChangeRecord = {
    id: `${changeId}:performed`,
    changeId,
    kind: 'performed',
    subject: proposal.subject,
    decisionId: proposal.id,
    type: change.type,
    purpose: change.purpose,
    at,
    undoUntil,
    ...(details === undefined ? {} : { details }),
  };
  try {
    await log.append(record);
  } catch (error) {
    // Nothing unrecorded stands: the change is put back, and the message is an offer.
    await port.undo(record);
    return {
      status: 'offered',
      reason: 'failed',
      detail: `the change could not be recorded, so it was put back: ${text(error)}`,
    };
  }
  return { status: 'performed', record };
}

/** What an error says, whatever was thrown (even a value that cannot be made a string). */
const text = (error: unknown): string => {
  try {
    return (error as Error)?.message ?? String(error);
  } catch {
    return 'an error that cannot be shown';
  }
};

/** One record id closes a change, so a change is undone or expires, never both. */
const closing = (state: ChangeState, kind: 'undone' | 'expired', at: number): ChangeRecord => {
  const { details: _, ...performed } = state.performed;
  return { ...performed, id: `${performed.changeId}:closed`, kind, at };
};

/**
 * Records the expiry of a change whose window passed; another writer's closing record wins. An
 * undo begun inside the window and still running (here, or on an instance holding its claim) is
 * left to record itself: the expiry is not recorded meanwhile.
 */
async function recordExpiry(acting: ChangeActing, state: ChangeState, now: number): Promise<void> {
  const { log, undoing } = acting;
  const { changeId, subject, undoUntil } = state.performed;
  if (state.closed !== null || undoing.has(changeId)) return;
  let claim: UndoClaim | null = null;
  if (log.claimUndo !== undefined) {
    claim = newClaim(changeId, now);
    if (!(await log.claimUndo(claim, now))) return;
  }
  try {
    await log.append(closing(state, 'expired', undoUntil));
  } catch (error) {
    if (changeState(await log.list(subject), changeId, undoUntil)?.closed === null) throw error;
  } finally {
    if (claim !== null) await release(log, claim);
  }
}

function refuse(code: RulesErrorCode, message: string, changeId: string, extra = {}): never {
  throw new CandorError(code, `changeId: ${message}`, {
    path: 'changeId',
    value: changeId,
    ...extra,
  });
}

/** @internal `engine.undoChange`. */
export async function undoChange(
  core: EngineCore,
  subject: SubjectId,
  changeId: string,
): Promise<ChangeRecord> {
  requireString(subject, 'subject');
  requireString(changeId, 'changeId');
  const { port, log, clock, undoing } = core.changes;
  const now = clock.now();
  const state = changeState(await log.list(subject), changeId, now);
  if (state === null)
    refuse('rules/unknown_change', 'no such change was made for this customer', changeId);
  if (state.status === 'undone') refuseUndone(changeId);
  if (undoing.has(changeId)) refuseInProgress(changeId);
  if (state.status === 'expired') {
    await recordExpiry(core.changes, state, now);
    refuseExpired(state);
  }
  if (port === undefined)
    throw rulesError('rules/unsupported', 'the engine has no change port', undefined, 'changeId');
  undoing.add(changeId);
  // The undo holds its claim until the app's undo and its record are done, at most this long.
  const holdUntil = now + UNDO_MAX_HOLD_MS;
  let claim: UndoClaim | null = null;
  let stopRenewing: (() => Promise<void>) | undefined;
  const finish = async () => {
    await stopRenewing?.();
    undoing.delete(changeId);
    if (claim !== null) await release(log, claim);
  };
  let recordingLater = false;
  try {
    claim = await claimUndo(log, subject, changeId, now);
    if (claim !== null) stopRenewing = keepClaimed(log, claim, clock, holdUntil);
    await port.undo(state.performed);
    const record = closing(state, 'undone', now);
    try {
      await recordUndone(log, record, (attempt) => RECORD_RETRIES_MS[attempt]);
    } catch (error) {
      if (refusedRecord(error)) throw error;
      // Undone but not recorded: retried while the claim (and this process's mark) is held, so
      // a second try meanwhile is told the undo is in progress instead of undoing again.
      recordingLater = true;
      void recordLater(log, record, clock, holdUntil)
        .then(finish, finish)
        .catch(() => {});
      refuse(
        'rules/undo_unrecorded',
        `this change was undone, but recording it failed (${text(error)}); it is retried while this undo's claim lasts (up to ten minutes), and another undo meanwhile is refused as in progress`,
        changeId,
        { record },
      );
    }
    return record;
  } finally {
    if (!recordingLater) await finish();
  }
}

/** Waits before each retry of recording an undo the app has made, while the customer waits. */
const RECORD_RETRIES_MS = [100, 400, 1_600];
/**
 * Then, once the customer has been told, between retries while the claim lasts: often, as a log
 * down longer than a lease lets the claim lapse, and the sooner the record lands once it is back,
 * the shorter the time another instance could undo again.
 */
const RECORD_LATER_MS = 5_000;

/**
 * Retries recording an undo in the background, every {@link RECORD_LATER_MS}, the last try a
 * third of a lease before `holdUntil`, when the claim's renewals end: no retry outlives the claim.
 */
function recordLater(
  log: ChangeLog,
  record: ChangeRecord,
  clock: Clock,
  holdUntil: number,
): Promise<void> {
  const lastTry = holdUntil - UNDO_LEASE_MS / 3;
  const wait = () => (clock.now() + RECORD_LATER_MS <= lastTry ? RECORD_LATER_MS : undefined);
  return recordUndone(log, record, wait, true);
}

/** A record the log refused (another instance closed the change): retrying cannot store it. */
const refusedRecord = (error: unknown) =>
  isCandorError(error) && error.code === 'core/invalid_input';

/**
 * Records an undo the app has made, retried where the log failed after the wait `waitBefore`
 * gives for each retry, until it gives none (a record is stored once, so a retry of one stored
 * after all is ignored), as a customer's second try would undo again; a record the log refuses
 * is not retried. One that still fails is the caller's error. `background`: nobody awaits it, so
 * its waits do not hold a process open (Node).
 */
async function recordUndone(
  log: ChangeLog,
  record: ChangeRecord,
  waitBefore: (attempt: number) => number | undefined,
  background = false,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await log.append(record);
    } catch (error) {
      const wait = refusedRecord(error) ? undefined : waitBefore(attempt);
      if (wait === undefined) throw error;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, wait);
        if (background) (timer as { unref?: () => void }).unref?.();
      });
    }
  }
}

/**
 * How long a claim lasts unless renewed: an instance that dies mid-undo blocks the change that
 * long before another may try.
 */
const UNDO_LEASE_MS = 60_000;
/** How long an undo keeps renewing its claim (one that hangs then lets go). */
const UNDO_MAX_HOLD_MS = 10 * 60_000;

/**
 * Renews `claim` every third of its lease while the app's undo runs (its holder takes it again
 * with a later end), until `holdUntil` at most, so no other instance starts a slow undo a second
 * time. A renewal that fails leaves the claim to end when it would have. Returns how to stop:
 * after the renewal under way, if any, so none lands after the claim is dropped.
 */
function keepClaimed(
  log: ChangeLog,
  claim: UndoClaim,
  clock: Clock,
  holdUntil: number,
): () => Promise<void> {
  let renewal: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // In the promise chain, so that nothing here (a clock, a log) can throw from a timer.
    renewal = renewal
      .then(() => {
        const now = clock.now();
        const until = Math.min(now + UNDO_LEASE_MS, holdUntil);
        if (until > now) return log.claimUndo?.({ ...claim, until }, now);
        clearInterval(timer);
      })
      .catch(() => {});
  }, UNDO_LEASE_MS / 3);
  // Where timers hold a process open (Node), a renewal does not.
  (timer as { unref?: () => void }).unref?.();
  return async () => {
    clearInterval(timer);
    await renewal;
  };
}

let claims = 0;
/** A claim on undoing `changeId` for one attempt, its holder unique across instances. */
const newClaim = (changeId: string, now: number): UndoClaim => ({
  changeId,
  holder: `undo_${now.toString(36)}_${(++claims).toString(36)}_${Math.random().toString(36).slice(2, 10)}`,
  until: now + UNDO_LEASE_MS,
});

/**
 * On a log several instances share (one with `claimUndo`), claims the undo of `changeId`, so no
 * other instance runs the app's undo of it meanwhile, and reads the change again under the claim:
 * another instance may have undone it since it was read. `null` on a log without claims.
 */
async function claimUndo(
  log: ChangeLog,
  subject: SubjectId,
  changeId: string,
  now: number,
): Promise<UndoClaim | null> {
  if (log.claimUndo === undefined) return null;
  const claim = newClaim(changeId, now);
  let taken = false;
  try {
    taken = await log.claimUndo(claim, now);
    if (!taken) refuseInProgress(changeId);
    const again = changeState(await log.list(subject), changeId, now);
    if (again?.status === 'undone') refuseUndone(changeId);
    // Another instance, its clock further on, recorded the expiry.
    if (again?.status === 'expired') refuseExpired(again);
    return claim;
  } catch (error) {
    if (taken) await release(log, claim);
    throw error;
  }
}

/** Refuses an undo while another undo of the change runs (here or on another instance). */
const refuseInProgress = (changeId: string): never =>
  refuse('rules/undo_in_progress', 'this change is being undone', changeId);

/** Refuses the undo of a change already undone. */
const refuseUndone = (changeId: string): never =>
  refuse('rules/already_undone', 'this change has already been undone', changeId);

/** Refuses the undo of a change whose window ended, naming the deadline. */
function refuseExpired(state: ChangeState): never {
  const until = state.performed.undoUntil;
  refuse(
    'rules/undo_expired',
    `the time to undo this change ended at ${toIso(until)}`,
    state.performed.changeId,
    {
      undoUntil: until,
    },
  );
}

/** Drops `claim`; one that cannot be dropped ends with its lease. */
async function release(log: ChangeLog, claim: UndoClaim): Promise<void> {
  try {
    await log.releaseUndo?.(claim);
  } catch {
    // Held until `claim.until`, then the change can be undone again.
  }
}

/** @internal `engine.changes`: the customer's records, with expiries recorded. */
export async function listChanges(core: EngineCore, subject: SubjectId): Promise<ChangeRecord[]> {
  requireString(subject, 'subject');
  const { log, clock } = core.changes;
  const now = clock.now();
  const records = await log.list(subject);
  let wrote = false;
  for (const r of records) {
    if (r.kind !== 'performed' || now < r.undoUntil) continue;
    const state = changeState(records, r.changeId, now);
    if (state !== null && state.closed === null) {
      await recordExpiry(core.changes, state, now);
      wrote = true;
    }
  }
  return [...(wrote ? await log.list(subject) : records)];
}
