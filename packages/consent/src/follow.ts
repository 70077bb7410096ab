import type { SubjectId } from '@candor/core';
import { type ManagerState, notify, RECHECK_EVERY } from './state';
import type { LedgerEntry } from './store';
import { dropPending, headOf, rebuild, type SubjectState, stateOf } from './subject-view';

// Following the store: its change feed announces writes made anywhere; a subject with news
// answers `stale_view` until it has been re-read, and a stale feed makes every subject answer so.

/**
 * Why the view cannot answer for this subject now, or `null` when it can.
 *
 * @example
 * problemWith(state, state.subjects.get('cus_1')); // null when it can answer
 */
export function problemWith(
  state: ManagerState<string>,
  held: SubjectState | undefined,
): 'not_loaded' | 'stale_view' | null {
  if (!state.fresh) return 'stale_view';
  if (held === undefined) return state.loaded ? null : 'not_loaded';
  if (held.refreshing) return 'stale_view';
  return state.loaded || held.complete ? null : 'not_loaded';
}

/**
 * Starts following the store's feed, when the manager has one to follow.
 *
 * @example
 * follow(state);
 */
export function follow(state: ManagerState<string>): void {
  state.unsubscribe = state.feed?.subscribe((notice) => {
    if (state.closed) return;
    if (notice.type === 'stale') state.fresh = false;
    else if (notice.type === 'fresh') state.fresh = true;
    else if (notice.change.stream === 'consent' && notice.change.subject !== null) {
      heard(state, notice.change.subject, notice.change.sequence, notice.change.key);
    }
  });
}

/**
 * Stops following (the view then answers `stale_view`). Idempotent.
 *
 * @example
 * unfollow(state);
 */
export function unfollow(state: ManagerState<string>): void {
  if (state.closed) return;
  state.closed = true;
  state.fresh = false;
  state.unsubscribe?.();
}

/**
 * Asks the feed itself whether it is fresh (its own timer may not have run yet).
 *
 * @example
 * recheck(state);
 */
export function recheck(state: ManagerState<string>): void {
  state.recheckIn = RECHECK_EVERY;
  if (state.feed != null && state.fresh && state.feed.fresh !== true) state.fresh = false;
}

/**
 * The feed announced `sequence` for `subject`: unless this manager wrote it or has it, the
 * subject answers `stale_view` until the store has been read up to it.
 *
 * @example
 * heard(state, 'cus_1', 4, 'ck_…');
 */
export function heard(
  state: ManagerState<string>,
  subject: SubjectId,
  sequence: number,
  key: string | null,
): void {
  const { subjects, preparing } = state;
  if (key !== null && state.writing.has(key)) return;
  const reading = preparing.has(subject) ? preparing : state.loading;
  if (reading !== null && !subjects.has(subject)) {
    // load() or prepare() is reading it: compare with what was read once it has been.
    reading.set(subject, Math.max(sequence, reading.get(subject) ?? 0));
    return;
  }
  // Not held: a later prepare() reads the store, which has it.
  if (state.maxSubjects !== undefined && !subjects.has(subject)) return;
  const held = stateOf(state, subject);
  if (sequence <= headOf(held) && held.complete) return;
  if (sequence > held.announced) held.announced = sequence;
  reread(state, held);
}

/**
 * Reads the subject again (it answers `stale_view` meanwhile) until the store has nothing newer
 * than what was announced; on failure it stays closed and tries again, backing off.
 *
 * @example
 * reread(state, held);
 */
export function reread(state: ManagerState<string>, held: SubjectState): void {
  if (held.refreshing) return;
  held.refreshing = true;
  rebuild(state, held);
  const attempt = async (tries: number): Promise<void> => {
    try {
      for (;;) {
        const before = headOf(held);
        await catchUp(state, held.subject, held);
        const head = headOf(held);
        if (head >= held.announced || head === before || state.closed) break;
      }
      held.refreshing = false;
      rebuild(state, held);
    } catch {
      if (!state.closed)
        setTimeout(() => void attempt(tries + 1), Math.min(2_000, 50 * 2 ** tries));
    }
  };
  void attempt(0);
}

/**
 * Reads and applies what the store holds after the subject's head, announcing each new entry.
 *
 * @example
 * await catchUp(state, 'cus_1', held);
 */
export async function catchUp(
  state: ManagerState<string>,
  subject: SubjectId,
  held: SubjectState,
): Promise<void> {
  const newer = await state.store.read(subject, { afterSequence: headOf(held) });
  for (const entry of newer) {
    if (applyEntry(state, held, entry)) notify(state, { subject, entry, duplicate: false });
  }
  held.complete = true;
}

/**
 * Applies the entry after the head; an older one is a repeat, a later one means a gap to read.
 *
 * @example
 * if (applyEntry(state, held, entry)) notify(state, { subject, entry, duplicate: false });
 */
export function applyEntry(
  state: ManagerState<string>,
  held: SubjectState,
  entry: LedgerEntry,
): boolean {
  const head = headOf(held);
  if (entry.sequence <= head) return false;
  if (entry.sequence > head + 1) {
    if (entry.sequence > held.announced) held.announced = entry.sequence;
    reread(state, held);
    return false;
  }
  held.entries.push(entry);
  held.complete = true;
  dropPending(held, entry.idempotencyKey);
  rebuild(state, held);
  return true;
}
