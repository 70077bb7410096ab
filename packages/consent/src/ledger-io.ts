import type { AccessLog, ConsentQuery, ConsentVerdict, SubjectId } from '@candor/core';
import { importedEvent } from './change-event';
import { fail, needObject, requireSubject } from './errors';
import { heard } from './follow';
import type { ManagerState } from './state';
import { type ChainAnchor, type ChainVerification, type LedgerEntry, verifyChain } from './store';
import { reset } from './subject-view';
import type {
  ConsentChange,
  ExportOptions,
  ImportRecord,
  LedgerVerification,
  SubjectHistory,
} from './types';
import { write } from './writer';

// Reading the whole ledger and moving histories in and out: hydration, one subject's re-read,
// chain verification, a data-subject access export, and imports.

/**
 * Hydrates the view from the store (verifying every chain unless told not to); returns the number
 * of entries read. With a cache, reads nothing: customers are read by prepare().
 *
 * @example
 * await load(state, { verify: false });
 */
export async function load(
  state: ManagerState<string>,
  options: { readonly verify?: boolean } = {},
): Promise<number> {
  needObject(options, 'options');
  // Listening first: a change made while the ledger is read is announced, not lost.
  await state.feed?.ready();
  // With a cache, customers are read by prepare(), never all at once.
  if (state.maxSubjects !== undefined) return 0;
  const heads = heldHeads(state);
  const announced = new Map<SubjectId, number>();
  state.loading = announced;
  let bySubject: Map<SubjectId, LedgerEntry[]>;
  try {
    bySubject = await readAll(state);
  } finally {
    state.loading = null;
  }
  const broken = options.verify === false ? null : firstBroken(bySubject, heads);
  if (broken !== null)
    fail(
      'consent/tampered_chain',
      `${broken.subject}[${broken.index}]`,
      broken.entryId,
      broken.detail,
      broken,
    );
  let count = 0;
  for (const [subject, list] of bySubject) {
    count += list.length;
    reset(state, subject, list);
  }
  state.loaded = true;
  for (const [subject, sequence] of announced) heard(state, subject, sequence, null);
  return count;
}

/**
 * Re-reads one subject from the store.
 *
 * @example
 * await refresh(state, 'cus_1');
 */
export async function refresh(state: ManagerState<string>, subject: SubjectId): Promise<void> {
  requireSubject(subject);
  reset(state, subject, await state.store.read(subject));
}

/**
 * The newest entry of each subject this manager holds (or of `subject` only), as anchors: taken
 * before the store is read (they were stored before they were held), the store must still hold
 * each, or it lost entries (which a hash chain alone would not show).
 */
function heldHeads(
  state: ManagerState<string>,
  subject?: SubjectId,
): Map<SubjectId, ChainAnchor[]> {
  const heads = new Map<SubjectId, ChainAnchor[]>();
  const held = subject === undefined ? state.subjects.values() : [state.subjects.get(subject)];
  for (const view of held) {
    const last = view?.entries.at(-1);
    if (view !== undefined && last !== undefined)
      heads.set(view.subject, [{ sequence: last.sequence, hash: last.hash }]);
  }
  return heads;
}

/**
 * The first broken chain of `bySubject`, each checked against its subject's `heads` (see
 * {@link heldHeads}), or null. A subject with heads the store holds nothing of is broken too.
 */
function firstBroken(
  bySubject: ReadonlyMap<SubjectId, readonly LedgerEntry[]>,
  heads: ReadonlyMap<SubjectId, ChainAnchor[]>,
): BrokenChain | null {
  for (const [subject, list] of bySubject) {
    const result = verifyChain(list, { anchors: heads.get(subject) ?? [] });
    if (!result.valid) return result;
  }
  for (const [subject, anchors] of heads) {
    if (bySubject.has(subject)) continue;
    const result = verifyChain([], { anchors });
    if (!result.valid) return { ...result, subject };
  }
  return null;
}

type BrokenChain = Extract<ChainVerification, { valid: false }>;

/**
 * Verifies the stored chains (one subject, or all), naming the first broken entry; each holds
 * at least the entries this manager holds of it.
 *
 * @example
 * const result = await verify(state);
 */
export async function verify(
  state: ManagerState<string>,
  subject?: SubjectId,
): Promise<LedgerVerification> {
  if (subject !== undefined) requireSubject(subject);
  const heads = heldHeads(state, subject);
  const groups =
    subject === undefined
      ? await readAll(state)
      : new Map([[subject, await state.store.read(subject)]]);
  const subjects = new Set([...groups.keys(), ...heads.keys()]).size;
  const broken = firstBroken(groups, heads);
  if (broken !== null) return { ...broken, subjects };
  let entries = 0;
  for (const list of groups.values()) entries += list.length;
  return { valid: true, subjects, entries };
}

/**
 * Everything held about a subject, for an access request: every entry with ISO times, the chain
 * check and the current verdict per purpose.
 *
 * @example
 * const history = await exportHistory(state, decide, 'cus_1');
 */
export async function exportHistory(
  state: ManagerState<string>,
  decide: (query: ConsentQuery) => ConsentVerdict,
  subject: SubjectId,
  options: ExportOptions = {},
): Promise<SubjectHistory> {
  requireSubject(subject);
  const accessLog = options?.accessLog;
  if (accessLog != null && typeof (accessLog as Partial<AccessLog>).query !== 'function')
    fail('core/invalid_input', 'options.accessLog', accessLog, 'must be an AccessLog');
  const heads = heldHeads(state, subject);
  const entries = await state.store.read(subject);
  const access = accessLog ? await accessLog.query({ subject }) : undefined;
  const now = state.clock.now();
  return {
    subject,
    exportedAt: new Date(now).toISOString(),
    chain: verifyChain(entries, { anchors: heads.get(subject) ?? [] }),
    entries: entries.map((entry) => ({
      ...entry,
      atIso: new Date(entry.event.at).toISOString(),
      recordedAtIso: new Date(entry.recordedAt).toISOString(),
    })),
    current: state.registry.ids.map((purpose) =>
      decide({ subject, purpose, dataCategories: [], at: now }),
    ),
    categories: categoryChoices(state, entries).map(([purpose, dataCategory]) => ({
      ...decide({ subject, purpose, dataCategories: [dataCategory], at: now }),
      dataCategory,
    })),
    ...(access === undefined ? {} : { access }),
  };
}

/**
 * Imports events (method `import`), every record validated before any is written.
 *
 * @example
 * await importRecords(state, parseImportLines(text));
 */
export async function importRecords<P extends string>(
  state: ManagerState<P>,
  records: readonly ImportRecord<P>[],
): Promise<ConsentChange[]> {
  if (!Array.isArray(records)) {
    fail('consent/invalid_event', 'records', records, 'must be an array');
  }
  const built = records.map((record, i) => importedEvent(state, record, `records[${i}]`));
  const out: ConsentChange[] = [];
  for (const item of built) out.push(await write(state, item.subject, item.event, item.key));
  return out;
}

/** Each (purpose, category) a category choice among `entries` names, in ledger order. */
function categoryChoices(
  state: ManagerState<string>,
  entries: readonly LedgerEntry[],
): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const { event } of entries) {
    for (const purpose of event.dataCategories ? event.purposes : []) {
      if (!state.registry.has(purpose)) continue;
      for (const category of event.dataCategories ?? []) {
        const key = `${purpose} ${category}`;
        if (!seen.has(key)) out.push([purpose, category]);
        seen.add(key);
      }
    }
  }
  return out;
}

/** Every stored entry, grouped by subject (each subject's entries in ascending sequence). */
async function readAll(state: ManagerState<string>): Promise<Map<SubjectId, LedgerEntry[]>> {
  const groups = new Map<SubjectId, LedgerEntry[]>();
  for await (const entry of state.store.entries()) {
    const list = groups.get(entry.subject);
    if (list) list.push(entry);
    else groups.set(entry.subject, [entry]);
  }
  return groups;
}
