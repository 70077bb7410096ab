import { type Announcer, emit, flush } from './announce';
import { feedbackError } from './errors';
import type { DecisionEntry, FeedbackEvent } from './schema';
import { checkDecisionEntry } from './validate';

/*
 * The decision log feedback is joined to, and the orphans: accepted events whose decision is not
 * logged yet. Global across subjects.
 */

/** Logged decisions by id, and orphans indexed by the decision they wait for. */
export interface Decisions {
  readonly entries: Map<string, DecisionEntry>;
  /**
   * Orphans by decision id, indexed lazily (when a decision is logged) from the accepted events,
   * so ingest pays nothing for them.
   */
  readonly orphanIndex: Map<string, FeedbackEvent[]>;
  /** How many accepted events `orphanIndex` has looked at. */
  indexedUpTo: number;
}

/** An empty decision log. */
export function createDecisions(): Decisions {
  return { entries: new Map(), orphanIndex: new Map(), indexedUpTo: 0 };
}

/** The logged decision an event answers, if any. */
export function decisionOf(d: Decisions, event: FeedbackEvent): DecisionEntry | undefined {
  return d.entries.size === 0 ? undefined : d.entries.get(event.decisionId);
}

/** Accepted events still waiting for decision `decisionId`. */
function waitingFor(
  d: Decisions,
  accepted: readonly FeedbackEvent[],
  decisionId: string,
): FeedbackEvent[] | undefined {
  for (; d.indexedUpTo < accepted.length; d.indexedUpTo++) {
    const event = accepted[d.indexedUpTo] as FeedbackEvent;
    if (d.entries.has(event.decisionId)) continue;
    const list = d.orphanIndex.get(event.decisionId);
    if (list === undefined) d.orphanIndex.set(event.decisionId, [event]);
    else list.push(event);
  }
  return d.orphanIndex.get(decisionId);
}

/**
 * Validates a decision entry against the log and the orphans waiting for it; returns it, or `null`
 * when it repeats one already logged. Changes nothing.
 */
export function prepareDecision(
  d: Decisions,
  accepted: readonly FeedbackEvent[],
  input: unknown,
): DecisionEntry | null {
  const entry = checkDecisionEntry(input);
  const existing = d.entries.get(entry.decisionId);
  if (existing !== undefined) {
    if (
      existing.subject !== entry.subject ||
      existing.ruleId !== entry.ruleId ||
      existing.at !== entry.at
    ) {
      throw feedbackError(
        'feedback/idempotency_conflict',
        `decision "${entry.decisionId}" was logged with different content`,
        { path: 'decision.decisionId', value: entry.decisionId },
      );
    }
    return null;
  }
  for (const event of waitingFor(d, accepted, entry.decisionId) ?? []) {
    if (event.subject !== entry.subject || event.ruleId !== entry.ruleId) {
      throw feedbackError(
        'feedback/decision_mismatch',
        `feedback "${event.idempotencyKey}" for decision "${entry.decisionId}" names ${event.subject}/${event.ruleId}, not ${entry.subject}/${entry.ruleId}`,
        { path: 'decision.subject', value: entry.subject },
      );
    }
  }
  return entry;
}

/** Logs a prepared entry; its orphans are adopted (and listeners told). */
export function commitDecision(
  d: Decisions,
  accepted: readonly FeedbackEvent[],
  announcer: Announcer,
  entry: DecisionEntry,
): void {
  if (d.entries.has(entry.decisionId)) return;
  d.entries.set(entry.decisionId, entry);
  const waiting = waitingFor(d, accepted, entry.decisionId);
  if (waiting !== undefined) {
    d.orphanIndex.delete(entry.decisionId);
    emit(
      announcer,
      { type: 'adopted', decisionId: entry.decisionId, events: waiting.length },
      false,
    );
    flush(announcer);
  }
}

/** Accepted events whose decision is unknown. */
export function orphans(d: Decisions, accepted: readonly FeedbackEvent[]): FeedbackEvent[] {
  return accepted.filter((event) => !d.entries.has(event.decisionId));
}
