import type { DataCategoryId, Fact, Instant, PurposeId, SubjectId } from '@candor/core';
import { foldActive, foldMemories, type SubjectMemories } from './fold';
import type { Memory } from './schema';
import {
  confidenceAt,
  memoryFact,
  mustRemember,
  type RecallPolicy,
  selectAmong,
  type WithheldWhy,
} from './select';
import type { PurposeMemories } from './slices';
import type { MemoryStore } from './store';

/**
 * What a recall for one purpose selects, before consent, and until when that holds: the chosen
 * memories with their facts and distinct categories, and the counts of what was left out.
 */
export interface Selection {
  readonly chosen: readonly Memory[];
  readonly facts: readonly Fact[];
  readonly categories: readonly DataCategoryId[];
  readonly withheld: ReadonlyMap<WithheldWhy, number>;
  /** How many contradictions there are between the subject's active memories. */
  readonly contradictions: number;
  /** The contradictions both of whose memories the purpose may use (the same read). */
  readonly pairs: readonly (readonly [Memory, Memory])[];
  /** The selection holds for recalls at instants in `[from, until)`. */
  readonly from: Instant;
  readonly until: Instant;
}

/** What a selection is made from: some active memories, in order, and facts about the rest. */
interface View {
  readonly memories: readonly Memory[];
  /** How many active memories are not in `memories`: none of them serves the purpose. */
  readonly others: number;
  /** Every active memory a contradiction involves. */
  readonly contradicted: ReadonlySet<string>;
  readonly contradictions: number;
  /** The contradictions both of whose memories are in `memories`. */
  readonly pairs: readonly (readonly [Memory, Memory])[];
}

interface Held {
  /** `null` when only some purposes' memories were read (`store.readForPurpose`). */
  readonly state: SubjectMemories | null;
  /** `false` when read through `store.readActive`: good for recalls, not for `state()`. */
  readonly complete: boolean;
  /** By purpose, when read through `store.readForPurpose`. */
  readonly views: Map<PurposeId, View>;
  readonly facts: Map<string, Fact>;
  readonly selections: Map<PurposeId, Selection>;
}

const heldOf = (state: SubjectMemories | null, complete: boolean): Held => ({
  state,
  complete,
  views: new Map(),
  facts: new Map(),
  selections: new Map(),
});

/** The view of all the active memories. */
function wholeView(state: SubjectMemories): View {
  const contradicted = new Set<string>();
  for (const [a, b] of state.contradictions) {
    contradicted.add(a.id);
    contradicted.add(b.id);
  }
  return {
    memories: state.active,
    others: 0,
    contradicted,
    contradictions: state.contradictions.length,
    pairs: state.contradictions,
  };
}

/** The view of what a store's `readForPurpose` returned. */
function purposeView(read: PurposeMemories): View {
  const contradicted = new Set<string>();
  for (const [a, b] of read.contradictions) {
    contradicted.add(a);
    contradicted.add(b);
  }
  // Only the memories a contradiction involves are looked up: most recalls have none.
  const byId = new Map<string, Memory>();
  if (contradicted.size > 0)
    for (const m of read.memories) if (contradicted.has(m.id)) byId.set(m.id, m);
  const pairs: (readonly [Memory, Memory])[] = [];
  for (const [a, b] of read.contradictions) {
    const x = byId.get(a);
    const y = byId.get(b);
    if (x !== undefined && y !== undefined) pairs.push([x, y]);
  }
  return {
    memories: read.memories,
    others: read.count - read.memories.length,
    contradicted,
    contradictions: read.contradictions.length,
    pairs,
  };
}

/** The order in which a recall reports what it left out. */
const WHY_ORDER: readonly WithheldWhy[] = [
  'not_for_purpose',
  'expired',
  'stale',
  'contradicted',
  'consent',
];

/**
 * @internal The memory book's bounded cache: each held subject's folded memories (or, over a
 * store with `readForPurpose`, the memories each purpose may use), their facts, and per purpose
 * the selection a recall makes, kept until a write or the store's feed says the subject changed,
 * or until time makes a memory expire or grow stale. Least recently used first out beyond
 * `maxSubjects`. Recalls read `store.readForPurpose`, else `store.readActive`, when the store has
 * it; `state()` always folds the whole history.
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

  /** Runs a read of `subject`; `holdable` when no change was heard while it ran. */
  const track = async <T>(
    subject: SubjectId,
    read: () => Promise<T>,
  ): Promise<{ value: T; holdable: boolean }> => {
    let r = reading.get(subject);
    if (r === undefined) {
      r = { readers: 0, changes: 0 };
      reading.set(subject, r);
    }
    r.readers++;
    const changesBefore = r.changes;
    const staleBefore = staleNotices;
    let unchanged: boolean;
    let value: T;
    try {
      value = await read();
    } finally {
      unchanged = r.changes === changesBefore && staleNotices === staleBefore;
      if (--r.readers === 0) reading.delete(subject);
    }
    // A store without a feed, or whose feed cannot prove it is fresh (it would not tell us of
    // another writer's change, an erasure say, until it reconnects), is read every time.
    return { value, holdable: store.feed?.fresh === true && unchanged };
  };

  /** Holds `entry` as the most recently used, dropping the least recently used beyond the bound. */
  const hold = (subject: SubjectId, entry: Held) => {
    held.delete(subject);
    held.set(subject, entry);
    for (const oldest of held.keys()) {
      if (held.size <= maxSubjects) break;
      held.delete(oldest);
    }
  };

  /**
   * What is held is current only while the store's feed can prove it is fresh (it may turn
   * stale by time, before any notice says so): else it is dropped, not served.
   */
  const dropUnlessFresh = () => {
    if (held.size > 0 && store.feed?.fresh !== true) held.clear();
  };

  const load = async (subject: SubjectId, complete: boolean): Promise<Held> => {
    dropUnlessFresh();
    const hit = held.get(subject);
    if (hit?.state != null && (hit.complete || !complete)) {
      hold(subject, hit);
      return hit;
    }
    const readActive = complete ? undefined : store.readActive;
    const { value: state, holdable } = await track(subject, async () =>
      readActive === undefined
        ? foldMemories(await store.read(subject))
        : foldActive(await readActive.call(store, subject)),
    );
    const entry = heldOf(state, readActive === undefined);
    if (holdable) hold(subject, entry);
    return entry;
  };

  /** The held subject and what `purpose` may use of its memories, read when not held. */
  const viewFor = async (
    subject: SubjectId,
    purpose: PurposeId,
  ): Promise<{ entry: Held; view: View }> => {
    dropUnlessFresh();
    const hit = held.get(subject);
    const seen = hit?.views.get(purpose);
    if (hit !== undefined && (seen !== undefined || hit.state !== null)) {
      hold(subject, hit);
      const view = seen ?? wholeView(hit.state as SubjectMemories);
      hit.views.set(purpose, view);
      return { entry: hit, view };
    }
    const readForPurpose = store.readForPurpose;
    if (readForPurpose === undefined) {
      const entry = await load(subject, false);
      const view = wholeView(entry.state as SubjectMemories);
      entry.views.set(purpose, view);
      return { entry, view };
    }
    const { value, holdable } = await track(subject, () =>
      readForPurpose.call(store, subject, purpose),
    );
    const view = purposeView(value);
    // Held entries are dropped on every change: one still held is as fresh as this read.
    const entry = (holdable ? held.get(subject) : undefined) ?? heldOf(null, false);
    entry.views.set(purpose, view);
    if (holdable) hold(subject, entry);
    return { entry, view };
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
      return (await load(subject, true)).state as SubjectMemories;
    },
    async select(subject, purpose, at) {
      const { entry, view } = await viewFor(subject, purpose);
      const cached = entry.selections.get(purpose);
      if (cached !== undefined && at >= cached.from && at < cached.until) return cached;
      const { chosen, withheld } = selectAmong(
        view.memories,
        view.contradicted,
        purpose,
        at,
        policy,
      );
      const counts = new Map<WithheldWhy, number>();
      for (const w of withheld) counts.set(w.why, (counts.get(w.why) ?? 0) + 1);
      // The active memories not read serve neither the purpose nor must be remembered.
      if (view.others > 0)
        counts.set('not_for_purpose', (counts.get('not_for_purpose') ?? 0) + view.others);
      const selection: Selection = {
        chosen,
        facts: chosen.map((m) => factOf(entry, m)),
        categories: [...new Set(chosen.map((m) => m.category))],
        withheld: new Map(
          WHY_ORDER.flatMap((why) => (counts.has(why) ? [[why, counts.get(why) as number]] : [])),
        ),
        contradictions: view.contradictions,
        pairs: view.pairs,
        from: at,
        until: nextChange(view.memories, at, policy),
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
