import type { DataCategoryId, Fact, Instant, PurposeId, SubjectId } from '@candor/core';
import { foldActive, foldMemories, type SubjectMemories } from './fold';
import type { Memory } from './schema';
import {
  confidenceAt,
  memoryFact,
  mustRemember,
  type RecallPolicy,
  selectMemories,
  type WithheldWhy,
} from './select';
import type { MemoryStore } from './store';

/**
 * What a recall for one purpose selects, before consent, and until when that holds: the chosen
 * memories with their facts and distinct categories, and the counts of what was left out.
 */
export interface Selection {
  /** The subject's folded memories the selection was made from (the same read). */
  readonly state: SubjectMemories;
  readonly chosen: readonly Memory[];
  readonly facts: readonly Fact[];
  readonly categories: readonly DataCategoryId[];
  readonly withheld: ReadonlyMap<WithheldWhy, number>;
  /** The selection holds for recalls at instants in `[from, until)`. */
  readonly from: Instant;
  readonly until: Instant;
}

interface Held {
  readonly state: SubjectMemories;
  /** `false` when read through `store.readActive`: good for recalls, not for `state()`. */
  readonly complete: boolean;
  readonly facts: Map<string, Fact>;
  readonly selections: Map<PurposeId, Selection>;
}

/**
 * @internal The memory book's bounded cache: each held subject's folded memories, their facts,
 * and per purpose the selection a recall makes, kept until a write or the store's feed says the
 * subject changed, or until time makes a memory expire or grow stale. Least recently used first
 * out beyond `maxSubjects`. Recalls read `store.readActive` when the store has it (the snapshot
 * of the active memories); `state()` always folds the whole history.
 */
export interface SubjectCache {
  state(subject: SubjectId): Promise<SubjectMemories>;
  select(subject: SubjectId, purpose: PurposeId, at: Instant): Promise<Selection>;
  forget(subject: SubjectId): void;
  close(): void;
}

/** @internal Creates the {@link SubjectCache} over `store`. */
export function createSubjectCache(
  store: MemoryStore,
  policy: RecallPolicy,
  maxSubjects: number,
): SubjectCache {
  const held = new Map<SubjectId, Held>();
  // Subjects being read, with how many reads and the changes heard since the first began: a read
  // is held only if no change was heard while it ran (another read finishing does not clear it).
  const reading = new Map<SubjectId, { readers: number; changes: number }>();
  let staleNotices = 0;
  const changed = (subject: SubjectId) => {
    held.delete(subject);
    const r = reading.get(subject);
    if (r !== undefined) r.changes++;
  };
  const stop = store.feed?.subscribe((notice) => {
    if (notice.type === 'change' && notice.change.stream === 'memory' && notice.change.subject)
      changed(notice.change.subject);
    else if (notice.type === 'stale') {
      held.clear();
      staleNotices++;
    }
  });

  const load = async (subject: SubjectId, complete: boolean): Promise<Held> => {
    const hit = held.get(subject);
    if (hit !== undefined && (hit.complete || !complete)) {
      held.delete(subject);
      held.set(subject, hit);
      return hit;
    }
    let r = reading.get(subject);
    if (r === undefined) {
      r = { readers: 0, changes: 0 };
      reading.set(subject, r);
    }
    r.readers++;
    const changesBefore = r.changes;
    const staleBefore = staleNotices;
    let state: SubjectMemories;
    let unchanged: boolean;
    const readActive = complete ? undefined : store.readActive;
    try {
      state =
        readActive === undefined
          ? foldMemories(await store.read(subject))
          : foldActive(await readActive.call(store, subject));
    } finally {
      unchanged = r.changes === changesBefore && staleNotices === staleBefore;
      if (--r.readers === 0) reading.delete(subject);
    }
    const entry: Held = {
      state,
      complete: readActive === undefined,
      facts: new Map(),
      selections: new Map(),
    };
    // A store without a feed cannot tell us when another writer changes it: never hold.
    if (store.feed !== undefined && unchanged) {
      held.delete(subject);
      held.set(subject, entry);
      for (const oldest of held.keys()) {
        if (held.size <= maxSubjects) break;
        held.delete(oldest);
      }
    }
    return entry;
  };

  const factOf = (entry: Held, memory: Memory): Fact => {
    let fact = entry.facts.get(memory.id);
    if (fact === undefined) {
      fact = memoryFact(memory);
      entry.facts.set(memory.id, fact);
    }
    return fact;
  };

  return {
    async state(subject) {
      return (await load(subject, true)).state;
    },
    async select(subject, purpose, at) {
      const entry = await load(subject, false);
      const cached = entry.selections.get(purpose);
      if (cached !== undefined && at >= cached.from && at < cached.until) return cached;
      const { chosen, withheld } = selectMemories(entry.state, purpose, at, policy);
      const counts = new Map<WithheldWhy, number>();
      for (const w of withheld) counts.set(w.why, (counts.get(w.why) ?? 0) + 1);
      const selection: Selection = {
        state: entry.state,
        chosen,
        facts: chosen.map((m) => factOf(entry, m)),
        categories: [...new Set(chosen.map((m) => m.category))],
        withheld: counts,
        from: at,
        until: nextChange(entry.state.active, at, policy),
      };
      entry.selections.set(purpose, selection);
      return selection;
    },
    forget(subject) {
      changed(subject);
    },
    close() {
      stop?.();
      held.clear();
    },
  };
}

/** The first instant after `at` at which a memory expires or an inference grows stale. */
function nextChange(active: readonly Memory[], at: Instant, policy: RecallPolicy): Instant {
  let until = Number.POSITIVE_INFINITY;
  for (const m of active) {
    if (mustRemember(m)) continue;
    if (m.retainUntil !== undefined && m.retainUntil > at) until = Math.min(until, m.retainUntil);
    if (m.provenance.kind === 'inferred') {
      const c0 = m.confidence ?? 1;
      if (c0 > 0 && confidenceAt(m, at, policy.halfLifeMs) >= policy.minConfidence) {
        // c0 · 2^(−age/h) = min  ⇔  age = h · log2(c0 / min)
        const staleAt =
          policy.minConfidence === 0
            ? Number.POSITIVE_INFINITY
            : m.provenance.observedAt + policy.halfLifeMs * Math.log2(c0 / policy.minConfidence);
        if (staleAt > at) until = Math.min(until, staleAt);
      }
    }
  }
  return until;
}
