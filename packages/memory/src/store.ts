import {
  type ChangeFeed,
  createLocalChangeFeed,
  type PurposeId,
  type SubjectId,
} from '@candor/core';
import { fail } from './errors';
import type { Memory, MemoryEntry, Tombstone } from './schema';
import type { PurposeMemories } from './slices';

/**
 * The memory package's storage port: per subject, an append-only list of {@link MemoryEntry}s
 * (every version of every memory, and tombstones), with one exception — `erase` really deletes
 * the content of the memories it erases and keeps only their tombstones. Contract:
 * - `append` and `erase` are atomic per call, and a subject's entries come back in the order
 *   they were written;
 * - after `erase(subject, ids, …)` no entry holding the content of those memories is stored;
 * - `readActive`, when a store offers it, always equals `foldMemories(await read(subject)).active`;
 * - `readForPurpose`, when a store offers it, always equals
 *   `purposeMemories(foldMemories(await read(subject)).active, purpose)`.
 * `createInMemoryStore()` implements it here; `@candor/postgres` durably.
 *
 * @example
 * const store: MemoryStore = createInMemoryStore();
 */
export interface MemoryStore {
  /** A subject's entries, in the order written (empty for an unknown subject). */
  read(subject: SubjectId): Promise<readonly MemoryEntry[]>;
  /** Appends entries to one subject's list, all or nothing. */
  append(subject: SubjectId, entries: readonly MemoryEntry[]): Promise<void>;
  /** Deletes every entry of these memories and appends their tombstones, all or nothing. */
  erase(
    subject: SubjectId,
    memoryIds: readonly string[],
    tombstones: readonly Tombstone[],
  ): Promise<void>;
  /**
   * Optional: the subject's recallable memories — exactly `foldMemories(await read(subject)).active`,
   * in that order — from a snapshot the store keeps with every write, so a recall reads one row
   * instead of the whole history. A book's `recall` and `brief` use it when present; `list`,
   * `correct`, `resolve` and `erase` still read the history.
   */
  readActive?(subject: SubjectId): Promise<readonly Memory[]>;
  /**
   * Optional: what a recall for `purpose` needs — exactly
   * `purposeMemories(foldMemories(await read(subject)).active, purpose)` — from slices of the
   * snapshot the store keeps by purpose, so a recall reads and parses only the memories its
   * purpose may use. A book's `recall` and `brief` prefer it to `readActive`.
   */
  readForPurpose?(subject: SubjectId, purpose: PurposeId): Promise<PurposeMemories>;
  /**
   * Optional: announces every write (stream `memory`, the subject), from this process and, for
   * shared stores, from every other one; a memory book follows it to drop what it holds.
   */
  readonly feed?: ChangeFeed;
}

/**
 * An in-memory {@link MemoryStore}: for tests, single-process apps and benchmarks. Its `feed`
 * announces each write at once, so several books on one store agree.
 *
 * @example
 * const book = createMemoryBook({ consent, store: createInMemoryStore() });
 */
export function createInMemoryStore(): MemoryStore {
  const lists = new Map<SubjectId, MemoryEntry[]>();
  const feed = createLocalChangeFeed();
  const subjectOf = (subject: unknown): SubjectId => {
    if (typeof subject !== 'string' || subject.length === 0)
      fail('memory/invalid_input', 'subject', subject, 'must be a non-empty string');
    return subject;
  };
  const announce = (subject: SubjectId) =>
    feed.announce({
      type: 'change',
      change: { stream: 'memory', subject, sequence: 0, key: null },
    });
  return {
    feed,
    async read(subject) {
      return [...(lists.get(subjectOf(subject)) ?? [])];
    },
    async append(subject, entries) {
      subjectOf(subject);
      if (!Array.isArray(entries))
        fail('memory/invalid_input', 'entries', entries, 'must be an array');
      const list = lists.get(subject) ?? [];
      lists.set(subject, [...list, ...entries]);
      announce(subject);
    },
    async erase(subject, memoryIds, tombstones) {
      subjectOf(subject);
      if (!Array.isArray(memoryIds) || !Array.isArray(tombstones))
        fail(
          'memory/invalid_input',
          'memoryIds',
          memoryIds,
          'must be arrays of ids and tombstones',
        );
      const gone = new Set(memoryIds);
      const kept = (lists.get(subject) ?? []).filter(
        (e) => e.type !== 'memory' || !gone.has(e.memory.id),
      );
      lists.set(subject, [
        ...kept,
        ...tombstones.map((tombstone) => ({ type: 'tombstone' as const, tombstone })),
      ]);
      announce(subject);
    },
  };
}
