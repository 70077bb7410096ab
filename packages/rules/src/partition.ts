import { CandorError } from '@candor/core';

const utf8 = /* @__PURE__ */ new TextEncoder();

/**
 * The partition (`0` to `partitions - 1`) a subject's events go to: 32-bit FNV-1a of the
 * subject's UTF-8 bytes, modulo `partitions`. Stable across versions, processes and languages (any
 * FNV-1a implementation gives the same number), so every producer routes a customer to the same
 * queue partition or consumer, and one worker at a time sees their events in order. Changing
 * `partitions` moves most subjects: drain the queues first. Throws `core/invalid_input` for a
 * subject that is not a string or a count that is not an integer from 1 to 2^31.
 *
 * @example
 * partitionOf('cus_ana', 8); // 7: always, on every instance
 * await boss.send(`candor-events-${partitionOf(event.subject, 8)}`, event);
 */
export function partitionOf(subject: string, partitions: number): number {
  if (typeof subject !== 'string')
    throw new CandorError('core/invalid_input', 'subject: must be a string', {
      path: 'subject',
      value: subject,
    });
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 2 ** 31)
    throw new CandorError('core/invalid_input', 'partitions: must be an integer from 1 to 2^31', {
      path: 'partitions',
      value: partitions,
    });
  let h = 0x811c9dc5;
  for (const byte of utf8.encode(subject)) h = Math.imul(h ^ byte, 0x01000193);
  return (h >>> 0) % partitions;
}
