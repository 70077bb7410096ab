import type { SubjectId } from '@candor/core';
import type { CorrectionEvent } from './correction';
import { requireArray } from './errors';

/**
 * The storage port of corrections: one append-only log of {@link CorrectionEvent}s, read back by
 * customer in append order. Implementations append each call atomically.
 *
 * @example
 * const store: CorrectionStore = createMemoryCorrectionStore();
 * await store.append([event]);
 * const events = await store.read('cus_1');
 */
export interface CorrectionStore {
  /** Appends events atomically, in order. */
  append(events: readonly CorrectionEvent[]): Promise<void>;
  /** Reads one customer's events in append order. */
  read(subject: SubjectId): Promise<readonly CorrectionEvent[]>;
}

/**
 * An in-memory {@link CorrectionStore}, for tests, the browser and demos.
 *
 * @example
 * const desk = createCorrectionDesk({ store: createMemoryCorrectionStore(), facts });
 */
export function createMemoryCorrectionStore(): CorrectionStore {
  const bySubject = new Map<SubjectId, CorrectionEvent[]>();
  return {
    async append(events) {
      requireArray(events, 'events');
      for (const event of events) {
        const list = bySubject.get(event.subject);
        if (list === undefined) bySubject.set(event.subject, [event]);
        else list.push(event);
      }
    },
    async read(subject) {
      return [...(bySubject.get(subject) ?? [])];
    },
  };
}
