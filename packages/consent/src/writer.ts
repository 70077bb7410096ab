import { CandorError, type SubjectId } from '@candor/core';
import { fail } from './errors';
import { isRestrictive } from './evaluate';
import type { ConsentEvent } from './events';
import { applyEntry, catchUp, reread } from './follow';
import { sameChoice } from './same-choice';
import { type ManagerState, notify } from './state';
import { evict } from './subject-cache';
import { dropPending, headOf, rebuild, stateOf } from './subject-view';
import type { ConsentChange } from './types';

/** Stale-sequence retries of one append before the error reaches the caller. */
const MAX_RETRIES = 5;

/**
 * Appends an event to the store: one write at a time per subject (a queue), retried after
 * catching up when another writer got there first; a restriction is in force before the store
 * acknowledges it.
 *
 * @example
 * await write(state, 'cus_1', event, key);
 */
export function write(
  state: ManagerState<string>,
  subject: SubjectId,
  event: ConsentEvent,
  key: string,
): Promise<ConsentChange> {
  const held = stateOf(state, subject);
  state.writing.add(key);
  held.writes++;
  if (isRestrictive(event.kind)) {
    // Restrictions apply to the very next decide(), before the store acknowledges them. If the
    // write fails they stay in force in this process (fail closed) until refresh() or load().
    held.pending.push({ id: `pending:${key}`, event, key });
    rebuild(state, held);
  }
  const run = async (): Promise<ConsentChange> => {
    for (let attempt = 0; ; attempt++) {
      const expectedSequence = headOf(held);
      try {
        const { entry, duplicate } = await state.store.append({
          subject,
          expectedSequence,
          idempotencyKey: key,
          recordedAt: state.clock.now(),
          event,
        });
        // A key already used for another choice of this subject's: the stored one is not this.
        if (duplicate && !sameChoice(entry.event, event))
          fail(
            'consent/idempotency_conflict',
            'idempotencyKey',
            key,
            `"${key}" was already used for another choice (${entry.event.kind})`,
          );
        // A duplicate answers with a stored entry, not the chain's head: what came after it (a
        // withdrawal, say) is read before the subject counts as complete.
        if (duplicate || entry.sequence > expectedSequence + 1) await catchUp(state, subject, held);
        if (expectedSequence === 0) held.complete = true;
        const applied = applyEntry(state, held, entry);
        if (dropPending(held, key)) rebuild(state, held);
        const change = { subject, entry, duplicate };
        if (applied) notify(state, change);
        return change;
      } catch (error) {
        const stale = error instanceof CandorError && error.code === 'consent/stale_sequence';
        if (!stale || attempt >= MAX_RETRIES) {
          // The store may have kept it after all: read the subject again before answering.
          reread(state, held);
          throw error;
        }
        await catchUp(state, subject, held);
      }
    }
  };
  const result = held.queue.then(run, run).finally(() => {
    state.writing.delete(key);
    held.writes--;
    evict(state);
  });
  held.queue = result.catch(() => undefined);
  return result;
}
