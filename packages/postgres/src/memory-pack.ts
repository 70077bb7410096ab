import type { Memory, MemorySlice } from '@candor/memory';

/**
 * @internal A list of memories as stored from migration 12 (JSON, deflated by the store): the
 * fields most memories share (subject, kind, category, status, purposes, and the provenance's
 * source, kind and party) once per distinct combination in `g`, and each memory as a short tuple
 * in `m` that points at its group. 1,000 memories are about half the JSON of the plain form, and
 * unpacking builds each memory with one object literal, sharing its group's purposes array.
 *
 * - a group: `[subject, kind, category, status, purposes, source, provenance kind, party]`;
 * - a memory: `[group, id, createdAt, observedAt, content, about or 0, rest]`, `rest` (only when
 *   there is one) holding the other optional fields it has (`confirmedAt`, `retainUntil`,
 *   `confidence`, `supersedes`, `supersededBy`);
 * - a memory with any other field (a later version's) is kept whole: `[-1, memory]`.
 *
 * @example
 * const stored: PackedMemories = packMemories(active);
 */
export interface PackedMemories {
  readonly g: readonly Group[];
  readonly m: readonly Packed[];
}

/**
 * @internal A slice as stored from migration 12: its positions in `p`, its memories packed
 * (see {@link PackedMemories}).
 *
 * @example
 * const stored: PackedSlice = packSlice({ positions: [0], memories: [memory] });
 */
export interface PackedSlice extends PackedMemories {
  readonly p: readonly number[];
}

type Group = readonly [
  subject: string,
  kind: Memory['kind'],
  category: string,
  status: Memory['status'],
  purposes: readonly string[],
  source: string,
  provenance: Memory['provenance']['kind'],
  party: Memory['provenance']['party'],
];
type Rest = Pick<
  Memory,
  'confirmedAt' | 'retainUntil' | 'confidence' | 'supersedes' | 'supersededBy'
>;
type Tuple = readonly [
  group: number,
  id: string,
  createdAt: number,
  observedAt: number,
  content: Memory['content'],
  about: NonNullable<Memory['about']> | 0,
  rest?: Rest,
];
type Whole = readonly [whole: -1, memory: Memory];
type Packed = Tuple | Whole;

/** Every field a memory may have, and those its group or tuple does not hold. */
const FIELDS = new Set([
  'id',
  'subject',
  'kind',
  'content',
  'category',
  'provenance',
  'purposes',
  'about',
  'createdAt',
  'confirmedAt',
  'retainUntil',
  'confidence',
  'status',
  'supersedes',
  'supersededBy',
]);
const REST = ['confirmedAt', 'retainUntil', 'confidence', 'supersedes', 'supersededBy'] as const;
const PROVENANCE = new Set(['source', 'kind', 'observedAt', 'party']);

/** True when every field of `memory` (and of its provenance) is one the packed form holds. */
function packable(memory: Memory): boolean {
  for (const key in memory) if (!FIELDS.has(key)) return false;
  for (const key in memory.provenance) if (!PROVENANCE.has(key)) return false;
  return true;
}

/**
 * @internal Packs memories (see {@link PackedMemories}).
 *
 * @example
 * const json = JSON.stringify(packMemories(active));
 */
export function packMemories(memories: readonly Memory[]): PackedMemories {
  const groups: Group[] = [];
  const groupOf = new Map<string, number>();
  const m = memories.map((memory): Packed => {
    if (!packable(memory)) return [-1, memory];
    const { provenance: p } = memory;
    const group: Group = [
      memory.subject,
      memory.kind,
      memory.category,
      memory.status,
      memory.purposes,
      p.source,
      p.kind,
      p.party,
    ];
    const key = JSON.stringify(group);
    let g = groupOf.get(key);
    if (g === undefined) {
      g = groups.push(group) - 1;
      groupOf.set(key, g);
    }
    const about = memory.about ?? 0;
    const rest: Record<string, unknown> = {};
    let hasRest = false;
    for (const field of REST)
      if (memory[field] !== undefined) {
        rest[field] = memory[field];
        hasRest = true;
      }
    const packed = [g, memory.id, memory.createdAt, p.observedAt, memory.content, about] as const;
    return hasRest ? [...packed, rest as Rest] : packed;
  });
  return { g: groups, m };
}

/**
 * @internal The memories {@link PackedMemories} hold: each equal to the one packed (no field
 * added, none lost); memories of one group share its purposes array.
 *
 * @example
 * const active = unpackMemories(JSON.parse(text));
 */
export function unpackMemories(packed: PackedMemories): Memory[] {
  const groups = packed.g;
  return packed.m.map((packed): Memory => {
    if (packed[0] === -1) return (packed as Whole)[1];
    const t = packed as Tuple;
    const g = groups[t[0]] as Group;
    const memory: Memory = {
      id: t[1],
      subject: g[0],
      kind: g[1],
      content: t[4],
      category: g[2],
      provenance: { source: g[5], kind: g[6], observedAt: t[3], party: g[7] },
      purposes: g[4],
      createdAt: t[2],
      status: g[3],
    };
    if (t[5] !== 0) memory.about = t[5];
    return t[6] === undefined ? memory : Object.assign(memory, t[6]);
  });
}

/**
 * @internal Packs a slice (see {@link PackedSlice}).
 *
 * @example
 * const json = JSON.stringify(packSlice(slice));
 */
export function packSlice(slice: MemorySlice): PackedSlice {
  return { p: slice.positions, ...packMemories(slice.memories) };
}

/**
 * @internal The slice a {@link PackedSlice} holds (see {@link unpackMemories}).
 *
 * @example
 * const slice = unpackSlice(JSON.parse(text));
 */
export function unpackSlice(packed: PackedSlice): MemorySlice {
  return { positions: packed.p, memories: unpackMemories(packed) };
}
