import type { ConsentChange } from './types';

/**
 * The manager's `onChange` subscribers. A listener that throws does not stop the others: its
 * error is rethrown in a microtask, where the app's unhandled-error reporting sees it.
 *
 * @example
 * const listeners = createChangeListeners();
 * const stop = listeners.add((change) => console.log(change.entry.event.kind));
 */
export interface ChangeListeners {
  /** Adds a listener; returns the function that removes it. */
  add(listener: (change: ConsentChange) => void): () => void;
  /** Tells every listener (those present when it is called). */
  notify(change: ConsentChange): void;
}

/**
 * Creates an empty set of change listeners.
 *
 * @example
 * const listeners = createChangeListeners();
 */
export function createChangeListeners(): ChangeListeners {
  const listeners = new Set<(change: ConsentChange) => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    notify(change) {
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
  };
}
