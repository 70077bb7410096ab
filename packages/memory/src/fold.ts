import type { Memory, MemoryEntry, Tombstone } from './schema';

/**
 * What a subject's entries add up to: the memories as they now stand (active ones, and those a
 * correction superseded), the tombstones of erased ones, and the contradictions between active
 * memories — flagged, never silently resolved.
 *
 * @example
 * const state = foldMemories(await store.read('cus_1'));
 * state.active.length;
 */
export interface SubjectMemories {
  readonly active: readonly Memory[];
  readonly superseded: readonly Memory[];
  readonly tombstones: readonly Tombstone[];
  /** Each memory's latest version, by id (active or superseded). */
  readonly byId: ReadonlyMap<string, Memory>;
  /** Pairs of active memories that say different things about the same thing. */
  readonly contradictions: readonly (readonly [Memory, Memory])[];
}

/**
 * What two memories must share to contradict each other: a preference's key, or the order,
 * booking or case a stated reason is about. `null` for kinds that cannot contradict.
 *
 * @example
 * topicOf(memory); // 'preference:seat'
 */
export function topicOf(memory: Memory): string | null {
  const c = memory.content;
  if (c.kind === 'preference') return `preference:${c.key}`;
  if (c.kind === 'stated_reason' && memory.about !== undefined)
    return `stated_reason:${memory.about.type}:${memory.about.id}`;
  return null;
}

/** What a memory says, for comparing two memories about the same thing. */
function claimOf(memory: Memory): string {
  const c = memory.content;
  if (c.kind === 'preference') return c.value.trim().toLowerCase();
  if (c.kind === 'stated_reason') return (c.option ?? c.reason).trim().toLowerCase();
  return '';
}

/**
 * Folds a subject's entries (in the order written) into {@link SubjectMemories}: a later version
 * of a memory replaces an earlier one; a tombstone leaves nothing of its memory.
 *
 * @example
 * const { active, contradictions } = foldMemories(entries);
 */
export function foldMemories(entries: readonly MemoryEntry[]): SubjectMemories {
  const byId = new Map<string, Memory>();
  const tombstones: Tombstone[] = [];
  const erased = new Set<string>();
  for (const entry of entries) {
    if (entry.type === 'memory') byId.set(entry.memory.id, entry.memory);
    else {
      tombstones.push(entry.tombstone);
      erased.add(entry.tombstone.id);
    }
  }
  for (const id of erased) byId.delete(id);
  const active: Memory[] = [];
  const superseded: Memory[] = [];
  for (const memory of byId.values())
    (memory.status === 'active' ? active : superseded).push(memory);
  const contradictions = contradictionsOf(active);
  return { active, superseded, tombstones, byId, contradictions };
}

/**
 * @internal Pairs of memories among `active` that say different things about the same topic.
 *
 * @example
 * contradictionsOf(foldMemories(entries).active).length;
 */
export function contradictionsOf(active: readonly Memory[]): (readonly [Memory, Memory])[] {
  const byTopic = new Map<string, Memory[]>();
  for (const memory of active) {
    const topic = topicOf(memory);
    if (topic === null) continue;
    const list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, [memory]);
    else list.push(memory);
  }
  const contradictions: (readonly [Memory, Memory])[] = [];
  for (const list of byTopic.values()) {
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i] as Memory;
        const b = list[j] as Memory;
        if (claimOf(a) !== claimOf(b)) contradictions.push([a, b]);
      }
  }
  return contradictions;
}

/**
 * @internal What a recall needs, from a store's snapshot of the active memories (see
 * `MemoryStore.readActive`): the active memories and their contradictions. `superseded` and
 * `tombstones` are empty and `byId` holds the active ones only, so it serves recalls and briefs,
 * never `list()` or a change.
 */
export function foldActive(active: readonly Memory[]): SubjectMemories {
  return {
    active,
    superseded: [],
    tombstones: [],
    byId: new Map(active.map((m) => [m.id, m])),
    contradictions: contradictionsOf(active),
  };
}
