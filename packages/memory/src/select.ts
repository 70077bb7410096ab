import { type Fact, type Instant, isWithin, type JsonValue, type PurposeId } from '@candor/core';
import type { SubjectMemories } from './fold';
import type { Memory } from './schema';

/**
 * How a memory book judges what may be recalled: inferred memories lose confidence with age
 * (halving every `halfLifeMs`) and are not recalled below `minConfidence`.
 *
 * @example
 * const policy: RecallPolicy = { halfLifeMs: 90 * duration.day, minConfidence: 0.5 };
 */
export interface RecallPolicy {
  readonly halfLifeMs: number;
  readonly minConfidence: number;
}

/**
 * Why a memory was left out of a recall: it does not serve the purpose, its retention ended, it
 * is an inferred memory grown stale, it contradicts another active memory, or consent does not
 * allow its data category for the purpose.
 *
 * @example
 * if (withheld.some((w) => w.why === 'consent')) showConsentHint();
 */
export type WithheldWhy = 'not_for_purpose' | 'expired' | 'stale' | 'contradicted' | 'consent';

/**
 * True for what must never be forgotten: an open complaint or an unresolved support case. They
 * do not expire while open, and every recall for a service purpose includes them.
 *
 * @example
 * if (mustRemember(memory)) highlight(memory);
 */
export function mustRemember(memory: Memory): boolean {
  const c = memory.content;
  return (c.kind === 'complaint' || c.kind === 'support_case') && c.status === 'open';
}

/**
 * An inferred memory's confidence at `at`: its recorded confidence (1 when none is given),
 * halving every `halfLifeMs` since it was observed. Stated and observed memories keep 1.
 *
 * @example
 * confidenceAt(memory, now, 90 * duration.day); // 0.4 for a 0.8 memory observed 90 days ago
 */
export function confidenceAt(memory: Memory, at: Instant, halfLifeMs: number): number {
  if (memory.provenance.kind !== 'inferred') return 1;
  const age = Math.max(0, at - memory.provenance.observedAt);
  return (memory.confidence ?? 1) * 0.5 ** (age / halfLifeMs);
}

/**
 * Which active memories a recall for `purpose` at `at` may use, before consent: the ones that
 * serve the purpose (or, for a `service` purpose, that must be remembered), within retention,
 * not stale, not contradicted. Returns them with what was left out and why.
 *
 * @example
 * const { chosen, withheld } = selectMemories(state, 'service.support', now, policy);
 */
export function selectMemories(
  state: SubjectMemories,
  purpose: PurposeId,
  at: Instant,
  policy: RecallPolicy,
): { chosen: Memory[]; withheld: { memory: Memory; why: WithheldWhy }[] } {
  const contradicted = new Set<string>();
  for (const [a, b] of state.contradictions) {
    contradicted.add(a.id);
    contradicted.add(b.id);
  }
  return selectAmong(state.active, contradicted, purpose, at, policy);
}

/**
 * @internal {@link selectMemories} over some of the active memories (in their order), given the
 * ids of every active memory that a contradiction involves.
 *
 * @example
 * selectAmong(view.memories, contradicted, 'service.support', now, policy);
 */
export function selectAmong(
  memories: readonly Memory[],
  contradicted: ReadonlySet<string>,
  purpose: PurposeId,
  at: Instant,
  policy: RecallPolicy,
): { chosen: Memory[]; withheld: { memory: Memory; why: WithheldWhy }[] } {
  const chosen: Memory[] = [];
  const withheld: { memory: Memory; why: WithheldWhy }[] = [];
  for (const memory of memories) {
    const why =
      unusableWhy(memory, purpose, at, policy) ??
      (contradicted.has(memory.id) ? 'contradicted' : null);
    if (why === null) chosen.push(memory);
    else withheld.push({ memory, why });
  }
  return { chosen, withheld };
}

/**
 * @internal Why `memory` may not be recalled for `purpose` at `at` whatever else is remembered:
 * it does not serve the purpose, its retention ended or it grew stale (null: it may, unless it is
 * contradicted or consent denies it).
 *
 * @example
 * unusableWhy(memory, 'service.support', now, policy); // 'expired'
 */
export function unusableWhy(
  memory: Memory,
  purpose: PurposeId,
  at: Instant,
  policy: RecallPolicy,
): 'not_for_purpose' | 'expired' | 'stale' | null {
  const always = mustRemember(memory);
  if (
    !(always && isWithin(purpose, 'service')) &&
    !memory.purposes.some((p) => isWithin(purpose, p))
  )
    return 'not_for_purpose';
  if (always) return null;
  if (memory.retainUntil !== undefined && memory.retainUntil <= at) return 'expired';
  if (confidenceAt(memory, at, policy.halfLifeMs) < policy.minConfidence) return 'stale';
  return null;
}

const SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/;

/** A fact-path segment from an id: letters, digits, `_`, `$` and `-` only. */
function segment(id: string): string {
  // Most ids already are one (order and booking ids, preference keys): kept as they are.
  if (SEGMENT.test(id)) return id;
  const s = id.replace(/[^A-Za-z0-9_$-]/g, '_').slice(0, 64);
  return /^[A-Za-z_$]/.test(s) ? s : `m_${s}`.slice(0, 64);
}

/**
 * The fact path of a memory: `memory.<kind>.<what it is about>` — the preference's key, the
 * order or booking id a reason is about, else the memory's id.
 *
 * @example
 * memoryPath(memory); // 'memory.stated_reason.ord_123'
 */
export function memoryPath(memory: Memory): string {
  const c = memory.content;
  const key = c.kind === 'preference' ? c.key : (memory.about?.id ?? memory.id);
  return `memory.${memory.kind}.${segment(key)}`;
}

/** What a memory says, as a fact value. */
function claimValue(memory: Memory): JsonValue {
  const c = memory.content;
  switch (c.kind) {
    case 'stated_reason':
      return c.option === undefined ? c.reason : { reason: c.reason, option: c.option };
    case 'preference':
      return c.value;
    case 'support_case':
    case 'complaint':
      return {
        summary: c.summary,
        status: c.status,
        ...(c.resolution === undefined ? {} : { resolution: c.resolution }),
      };
    case 'staff_note':
      return c.note;
  }
}

/**
 * A memory as a core {@link Fact}, with its category and provenance: usable by the rule engine
 * and by explain as it is.
 *
 * @example
 * const fact = memoryFact(memory); // { path: 'memory.stated_reason.ord_1', value: 'a trek', … }
 */
export function memoryFact(memory: Memory): Fact {
  return {
    id: memory.id,
    path: memoryPath(memory),
    category: memory.category,
    value: claimValue(memory),
    provenance: memory.provenance,
  };
}
