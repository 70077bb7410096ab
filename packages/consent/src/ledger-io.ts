import type { AccessLog, ConsentQuery, ConsentVerdict, SubjectId } from '@candor/core';
import { importedEvent } from './change-event';
import { fail, needObject, requireSubject } from './errors';
import { heard } from './follow';
import type { ManagerState } from './state';
import { type LedgerEntry, verifyChain } from './store';
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
  const announced = new Map<SubjectId, number>();
  state.loading = announced;
  let bySubject: Map<SubjectId, LedgerEntry[]>;
  try {
    bySubject = await readAll(state);
  } finally {
    state.loading = null;
  }
  let count = 0;
  for (const list of bySubject.values()) {
    count += list.length;
    const result = options.verify === false ? undefined : verifyChain(list);
    if (result && !result.valid) {
      fail(
        'consent/tampered_chain',
        `${result.subject}[${result.index}]`,
        result.entryId,
        result.detail,
        result,
      );
    }
  }
  for (const [subject, list] of bySubject) reset(state, subject, list);
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
 * Verifies the stored chains (one subject, or all), naming the first broken entry.
 *
 * @example
 * const result = await verify(state);
 */
export async function verify(
  state: ManagerState<string>,
  subject?: SubjectId,
): Promise<LedgerVerification> {
  if (subject !== undefined) requireSubject(subject);
  const groups =
    subject === undefined
      ? await readAll(state)
      : new Map([[subject, await state.store.read(subject)]]);
  let entries = 0;
  for (const list of groups.values()) {
    const result = verifyChain(list);
    if (!result.valid) return { ...result, subjects: groups.size };
    entries += list.length;
  }
  return { valid: true, subjects: groups.size, entries };
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
  const entries = await state.store.read(subject);
  const access = accessLog ? await accessLog.query({ subject }) : undefined;
  const now = state.clock.now();
  return {
    subject,
    exportedAt: new Date(now).toISOString(),
    chain: verifyChain(entries),
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
