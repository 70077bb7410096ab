import { CandorError, type SubjectId } from '@candor/core';
import type { ManagerConfig } from './config';
import { isRestrictive } from './evaluate';
import type { ConsentEvent } from './events';
import type { Follower } from './follow';
import type { SubjectViews } from './subject-view';
import type { ConsentChange } from './types';

/** Stale-sequence retries of one append before the error reaches the caller. */
const MAX_RETRIES = 5;

/**
 * Appends events to the store: one write at a time per subject (a queue), retried after catching
 * up when another writer got there first, and a restriction in force before it is acknowledged.
 *
 * @example
 * const write = createWriter(config, views, follower, { notify, evict });
 * await write('cus_1', event, key);
 */
export type Writer = (
  subject: SubjectId,
  event: ConsentEvent,
  key: string,
) => Promise<ConsentChange>;

/** What the writer tells the rest of the manager. */
export interface WriterHooks {
  /** A new entry was stored (not a duplicate). */
  notify(change: ConsentChange): void;
  /** A write settled: the subject cache may drop subjects again. */
  evict(): void;
}

/**
 * Creates the writer over `config.store`.
 *
 * @example
 * const write = createWriter(config, views, follower, { notify, evict });
 */
export function createWriter<P extends string>(
  config: ManagerConfig<P>,
  views: SubjectViews,
  follower: Follower,
  hooks: WriterHooks,
): Writer {
  const { store, clock } = config;
  const { writing } = follower.state;

  return function write(subject, event, key) {
    const state = views.stateOf(subject);
    writing.add(key);
    state.writes++;
    if (isRestrictive(event.kind)) {
      // Restrictions apply to the very next decide(), before the store acknowledges them. If the
      // write fails they stay in force in this process (fail closed) until refresh() or load().
      state.pending.push({ id: `pending:${key}`, event, key });
      views.rebuild(state);
    }
    const run = async (): Promise<ConsentChange> => {
      for (let attempt = 0; ; attempt++) {
        const expectedSequence = state.entries[state.entries.length - 1]?.sequence ?? 0;
        try {
          const { entry, duplicate } = await store.append({
            subject,
            expectedSequence,
            idempotencyKey: key,
            recordedAt: clock.now(),
            event,
          });
          if (entry.sequence > expectedSequence + 1) await views.catchUp(subject, state);
          if (expectedSequence === 0) state.complete = true;
          const applied = views.applyEntry(state, entry);
          if (views.dropPending(state, key)) views.rebuild(state);
          const change = { subject, entry, duplicate };
          if (applied) hooks.notify(change);
          return change;
        } catch (error) {
          const stale = error instanceof CandorError && error.code === 'consent/stale_sequence';
          if (!stale || attempt >= MAX_RETRIES) {
            // The store may have kept it after all: read the subject again before answering.
            follower.reread(state);
            throw error;
          }
          await views.catchUp(subject, state);
        }
      }
    };
    const result = state.queue.then(run, run).finally(() => {
      writing.delete(key);
      state.writes--;
      hooks.evict();
    });
    state.queue = result.catch(() => undefined);
    return result;
  };
}
