import { isCandorError } from '@candor/core';
import { parseChoiceResult } from './client-parse';
import type { ConsentChoice, ConsentChoiceResult } from './contract';

/**
 * How a client retries a choice the server did not confirm: after `base` ms, doubling up to
 * `max` ms (defaults 1 s and 1 min).
 *
 * @example
 * const retry: RetryOptions = { base: 500, max: 30_000 };
 */
export interface RetryOptions {
  readonly base?: number;
  readonly max?: number;
}

/** What the sender works on: the client's queue and what to do with each outcome. Internal. */
export interface SenderParts<P extends string> {
  readonly queue: ConsentChoice<P>[];
  readonly send: (choice: ConsentChoice<P>) => Promise<unknown>;
  readonly retry: RetryOptions;
  /** The server confirmed the queue's first choice (now out of the queue). */
  readonly confirmed: (choice: ConsentChoice<P>, result: ConsentChoiceResult<P>) => void;
  /** The server rejected it for good (`send` threw a `CandorError`; now out of the queue). */
  readonly rejected: (choice: ConsentChoice<P>, error: unknown) => void;
  /** Sending failed for now (offline, server error, a malformed answer): retried later. */
  readonly failed: (error: unknown) => void;
}

/**
 * Sends a client's queued choices one at a time, oldest first, each until the server confirms or
 * rejects it, retrying with exponential backoff. A choice is never in flight twice: a `flush()`
 * during a run makes that run look at the queue once more, and waits for it. Internal.
 *
 * @example
 * const sender = createSender({ queue, send, retry: {}, confirmed, rejected, failed });
 * await sender.flush();
 */
export function createSender<P extends string>(parts: SenderParts<P>) {
  const { queue, retry } = parts;
  const base = retry.base ?? 1000;
  const max = retry.max ?? 60_000;
  let running: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempts = 0;
  let closed = false;
  let again = false;

  async function run(): Promise<void> {
    while (queue.length > 0 && !closed) {
      const choice = queue[0]!;
      let result: ConsentChoiceResult<P>;
      try {
        result = parseChoiceResult(await parts.send(choice), choice);
      } catch (error) {
        if (isCandorError(error) && error.code !== 'consent/invalid_snapshot') {
          queue.shift();
          parts.rejected(choice, error);
          continue;
        }
        parts.failed(error);
        again = false; // what was queued meanwhile goes with the retry
        timer = setTimeout(flush, Math.min(max, base * 2 ** attempts++));
        return;
      }
      attempts = 0;
      queue.shift();
      parts.confirmed(choice, result);
    }
  }

  function flush(): Promise<void> {
    if (running) {
      // A choice queued while a run is ending: that run may be past its last look at the queue.
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        clearTimeout(timer);
        await run();
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    flush,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
