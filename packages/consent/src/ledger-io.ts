import type { ConsentQuery, ConsentVerdict, SubjectId } from '@candor/core';
import { importedEvent } from './change-event';
import type { ManagerConfig } from './config';
import { fail, needObject, requireSubject } from './errors';
import type { Follower } from './follow';
import { type LedgerEntry, verifyChain } from './store';
import type { SubjectViews } from './subject-view';
import type { ConsentChange, ImportRecord, LedgerVerification, SubjectHistory } from './types';
import type { Writer } from './writer';

/**
 * Reading the whole ledger and moving histories in and out: hydration (`load`), one subject's
 * re-read (`refresh`), chain verification, a data-subject access export, and imports.
 *
 * @example
 * const io = createLedgerIo(config, views, follower, { write, decide });
 * await io.load();
 */
export interface LedgerIo<P extends string> {
  /** Hydrates the view from the store (verifying every chain unless told not to). */
  load(options?: { readonly verify?: boolean }): Promise<number>;
  /** Re-reads one subject from the store. */
  refresh(subject: SubjectId): Promise<void>;
  /** Verifies the stored chains (one subject, or all), naming the first broken entry. */
  verify(subject?: SubjectId): Promise<LedgerVerification>;
  /** Everything about a subject, for an access request. */
  exportHistory(subject: SubjectId): Promise<SubjectHistory>;
  /** Imports events (method `import`), all validated before any is written. */
  import(records: readonly ImportRecord<P>[]): Promise<ConsentChange[]>;
}

/** What the ledger's reads and imports use besides the view. */
export interface LedgerIoParts {
  readonly write: Writer;
  readonly decide: (query: ConsentQuery) => ConsentVerdict;
}

/**
 * Creates the ledger's reads and imports over `config.store`.
 *
 * @example
 * const io = createLedgerIo(config, views, follower, { write, decide });
 */
export function createLedgerIo<P extends string>(
  config: ManagerConfig<P>,
  views: SubjectViews,
  follower: Follower,
  parts: LedgerIoParts,
): LedgerIo<P> {
  const { store, feed, registry, clock } = config;
  const follow = follower.state;

  /** Every stored entry, grouped by subject (each subject's entries in ascending sequence). */
  async function readAll(): Promise<Map<SubjectId, LedgerEntry[]>> {
    const groups = new Map<SubjectId, LedgerEntry[]>();
    for await (const entry of store.entries()) {
      const list = groups.get(entry.subject);
      if (list) list.push(entry);
      else groups.set(entry.subject, [entry]);
    }
    return groups;
  }

  async function load(loadOptions: { readonly verify?: boolean } = {}): Promise<number> {
    needObject(loadOptions, 'options');
    // Listening first: a change made while the ledger is read is announced, not lost.
    await feed?.ready();
    // With a cache, customers are read by prepare(), never all at once.
    if (config.maxSubjects !== undefined) return 0;
    const announced = new Map<SubjectId, number>();
    follow.loading = announced;
    let bySubject: Map<SubjectId, LedgerEntry[]>;
    try {
      bySubject = await readAll();
    } finally {
      follow.loading = null;
    }
    let count = 0;
    for (const list of bySubject.values()) {
      count += list.length;
      const result = loadOptions.verify === false ? undefined : verifyChain(list);
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
    for (const [subject, list] of bySubject) views.reset(subject, list);
    follow.loaded = true;
    for (const [subject, sequence] of announced) follower.heard(subject, sequence, null);
    return count;
  }

  return {
    load,
    async refresh(subject) {
      requireSubject(subject);
      views.reset(subject, await store.read(subject));
    },
    async verify(subject) {
      if (subject !== undefined) requireSubject(subject);
      const groups =
        subject === undefined ? await readAll() : new Map([[subject, await store.read(subject)]]);
      let entries = 0;
      for (const list of groups.values()) {
        const result = verifyChain(list);
        if (!result.valid) return { ...result, subjects: groups.size };
        entries += list.length;
      }
      return { valid: true, subjects: groups.size, entries };
    },
    async exportHistory(subject) {
      requireSubject(subject);
      const entries = await store.read(subject);
      const now = clock.now();
      return {
        subject,
        exportedAt: new Date(now).toISOString(),
        chain: verifyChain(entries),
        entries: entries.map((entry) => ({
          ...entry,
          atIso: new Date(entry.event.at).toISOString(),
          recordedAtIso: new Date(entry.recordedAt).toISOString(),
        })),
        current: registry.ids.map((purpose) =>
          parts.decide({ subject, purpose, dataCategories: [], at: now }),
        ),
      };
    },
    async import(records) {
      if (!Array.isArray(records)) {
        fail('consent/invalid_event', 'records', records, 'must be an array');
      }
      const built = records.map((record, i) =>
        importedEvent(config, views.subjects, record, `records[${i}]`),
      );
      const out: ConsentChange[] = [];
      for (const item of built) out.push(await parts.write(item.subject, item.event, item.key));
      return out;
    },
  };
}
