import {
  type ChangeFeed,
  createLocalChangeFeed,
  type Instant,
  type SubjectId,
  sha256Hex,
} from '@candor/core';
import { canonicalCopy, canonicalJson, sortedEventCopy } from './canonical';
import { fail, needObject, needType, safeString } from './errors';
import type { ConsentEvent } from './events';
import { SHA256_HEX } from './hex';

/**
 * The `prevHash` of a subject's first entry: 64 zeros.
 *
 * @example
 * firstEntry.prevHash === GENESIS_HASH; // true
 */
export const GENESIS_HASH = /* @__PURE__ */ '0'.repeat(64);

/**
 * Version of the hashed layout ({@link hashedContent}). Bumped only if the layout ever changes;
 * entries keep the version they were sealed with.
 *
 * @example
 * entry.hashVersion === LEDGER_HASH_VERSION; // true for new entries
 */
export const LEDGER_HASH_VERSION = 1;

/**
 * One sealed, hash-chained ledger entry: a {@link ConsentEvent} for one subject at position
 * `sequence` (1, 2, 3, … per subject, no gaps), linked to the previous entry by `prevHash`.
 *
 * `hash` is the lower-case hex SHA-256 of `canonicalJson(hashedContent(entry))`, i.e. of every
 * field below except `id` and `hash` themselves; `id` is `cr_` + the first 32 hex digits of
 * `hash`. Stores persist all fields verbatim and must return them unchanged.
 *
 * @example
 * const { entry } = await store.append({ subject: 'cus_1', expectedSequence: 0, idempotencyKey: 'k1', recordedAt: now, event });
 * entry.sequence; // 1
 */
export interface LedgerEntry {
  /** Stable record id, `cr_<32 hex>` derived from the hash. Verdicts cite it in `recordIds`. */
  readonly id: string;
  /** The subject whose chain this entry belongs to. */
  readonly subject: SubjectId;
  /** Position in the subject's chain, starting at 1, without gaps. */
  readonly sequence: number;
  /** The writer's idempotency key; unique across the whole store. */
  readonly idempotencyKey: string;
  /** When the store accepted the entry (UTC epoch ms); `event.at` is when it happened. */
  readonly recordedAt: Instant;
  /** What happened. */
  readonly event: ConsentEvent;
  /** Layout version of the hashed content ({@link LEDGER_HASH_VERSION}). */
  readonly hashVersion: number;
  /** `hash` of the subject's previous entry, or {@link GENESIS_HASH} for the first. */
  readonly prevHash: string;
  /** Lower-case hex SHA-256 of the canonical hashed content. */
  readonly hash: string;
}

/**
 * What a writer asks a store to append: one event for one subject, the sequence the writer
 * believes is the subject's head (`0` when it has no entries), an idempotency key and the
 * accept time.
 *
 * @example
 * const request: AppendRequest = { subject: 'cus_1', expectedSequence: 0, idempotencyKey: 'grant-123', recordedAt: clock.now(), event };
 */
export interface AppendRequest {
  /** Whose chain to extend. */
  readonly subject: SubjectId;
  /** The sequence of the subject's last entry as the writer knows it; `0` for none. */
  readonly expectedSequence: number;
  /** Unique per logical write; a retry with the same key returns the original entry. */
  readonly idempotencyKey: string;
  /** When the write is accepted (UTC epoch ms). */
  readonly recordedAt: Instant;
  /** The event to append (stored as a canonical copy). */
  readonly event: ConsentEvent;
}

/**
 * A store's answer to an append: the entry, and whether it already existed (an idempotent
 * retry, in which case nothing was written).
 *
 * @example
 * const { entry, duplicate } = await store.append(request);
 */
export interface AppendResult {
  /** The sealed entry (the original one for a duplicate). */
  readonly entry: LedgerEntry;
  /** `true` when the idempotency key was already stored and nothing was written. */
  readonly duplicate: boolean;
}

/**
 * Where a subject's chain ends: the last entry's sequence and hash.
 *
 * @example
 * const head = await store.head('cus_1'); // { sequence: 3, hash: '…' } or null
 */
export interface LedgerHead {
  /** Sequence of the subject's last entry. */
  readonly sequence: number;
  /** Hash of the subject's last entry. */
  readonly hash: string;
}

/**
 * The consent ledger's storage port: an append-only, per-subject hash chain. `@candor/consent`
 * ships {@link createMemoryLedgerStore}; `@candor/postgres` implements the same contract durably.
 *
 * Contract every implementation keeps:
 * - `append` is atomic and, per request, does exactly one of:
 *   1. the idempotency key is already stored → resolves `{ entry: <stored entry>, duplicate: true }`
 *      and writes nothing (even if `expectedSequence` is now stale), unless the stored entry
 *      belongs to another subject → rejects `consent/idempotency_conflict`;
 *   2. `expectedSequence` differs from the subject's current head sequence (0 if none) → rejects
 *      `consent/stale_sequence` (`details.path: 'expectedSequence'`, `details.value`,
 *      `details.actual`) and writes nothing;
 *   3. otherwise seals the entry with {@link sealEntry} (sequence = expected + 1, prevHash = the
 *      head's hash or {@link GENESIS_HASH}) and stores it → `{ entry, duplicate: false }`.
 *   Two concurrent appends with the same expected sequence: exactly one succeeds, so a chain never
 *   forks (PostgreSQL: unique `(subject, sequence)` and unique `idempotency_key`, in a transaction).
 * - Entries are returned exactly as sealed (every field, unchanged) so {@link verifyChain} holds.
 * - Reads see every acknowledged append.
 *
 * @example
 * const store: ConsentLedgerStore = createMemoryLedgerStore();
 * const { entry } = await store.append({ subject: 'cus_1', expectedSequence: 0, idempotencyKey: 'k1', recordedAt: 1780000000000, event });
 * const entries = await store.read('cus_1'); // [entry]
 */
export interface ConsentLedgerStore {
  /**
   * Appends one event to a subject's chain (see the interface contract: idempotent, expected
   * sequence checked, sealed with {@link sealEntry}).
   */
  append(request: AppendRequest): Promise<AppendResult>;
  /**
   * A subject's entries in ascending sequence; only those with `sequence > afterSequence` when
   * given. Unknown subject → `[]`.
   */
  read(subject: SubjectId, options?: { readonly afterSequence?: number }): Promise<LedgerEntry[]>;
  /**
   * Optional: the entries of several subjects in one read (each subject's in ascending sequence;
   * a subject with none is absent). A manager with a subject cache uses it to `prepare()` a batch.
   */
  readMany?(
    subjects: readonly SubjectId[],
  ): Promise<ReadonlyMap<SubjectId, readonly LedgerEntry[]>>;
  /** The subject's head (last sequence and hash), or `null` when it has no entries. */
  head(subject: SubjectId): Promise<LedgerHead | null>;
  /** The entry stored under an idempotency key, or `null`. */
  findByIdempotencyKey(idempotencyKey: string): Promise<LedgerEntry | null>;
  /**
   * Every entry of every subject, to hydrate a view: each subject's entries in ascending
   * sequence (subjects may come in any order and may interleave).
   */
  entries(): AsyncIterable<LedgerEntry>;
  /**
   * Optional: announces every append (stream `consent`, the subject, the entry's sequence and
   * idempotency key), from this process and, for shared stores, from every other one. A consent
   * manager follows it by itself, so a withdrawal made anywhere reaches its next `decide()`; a
   * store without a feed is only safe for one manager.
   */
  readonly feed?: ChangeFeed;
}

/**
 * The part of an entry that is hashed: every field but `id` and `hash`, with the layout version.
 * Exported so other stores hash exactly the same bytes.
 *
 * @example
 * sha256Hex(canonicalJson(hashedContent(entry))) === entry.hash; // true
 */
export function hashedContent(entry: Omit<LedgerEntry, 'id' | 'hash'>): Record<string, unknown> {
  needObject(entry, 'entry', 'consent/invalid_entry');
  return {
    v: entry.hashVersion,
    subject: entry.subject,
    sequence: entry.sequence,
    idempotencyKey: entry.idempotencyKey,
    recordedAt: entry.recordedAt,
    event: entry.event,
    prevHash: entry.prevHash,
  };
}

// `@candor/core`'s sha256Hex (one implementation for every package), still exported from here,
// where consent has always offered it.
export { sha256Hex };

/**
 * The hash an entry must carry: SHA-256 hex of the canonical JSON of {@link hashedContent}.
 *
 * @example
 * hashEntry(entry) === entry.hash; // true unless the entry was tampered with
 */
export function hashEntry(entry: Omit<LedgerEntry, 'id' | 'hash'>): string {
  return sha256Hex(canonicalJson(hashedContent(entry)));
}

/**
 * The id of the entry with this hash: `cr_` + its first 32 hex digits.
 *
 * @example
 * entryIdFromHash('ab'.repeat(32)); // 'cr_abababababababababababababababab'
 */
export function entryIdFromHash(hash: string): string {
  needType(hash, 'string', 'hash', 'consent/invalid_entry');
  return `cr_${hash.slice(0, 32)}`;
}

function bad(path: string, value: unknown, problem: string): never {
  fail('consent/invalid_event', path, value, problem);
}

/**
 * Seals an entry: validates the fields, stores a canonical copy of the event, computes `hash` and
 * `id`. Pure and synchronous; every store calls it (inside its transaction) to build what it
 * persists. Throws `consent/invalid_event` for an event JSON cannot carry.
 *
 * @example
 * const entry = sealEntry({ subject: 'cus_1', sequence: 1, idempotencyKey: 'k1', recordedAt: now, event }, GENESIS_HASH);
 */
export function sealEntry(
  fields: {
    readonly subject: SubjectId;
    readonly sequence: number;
    readonly idempotencyKey: string;
    readonly recordedAt: Instant;
    readonly event: ConsentEvent;
  },
  prevHash: string,
): LedgerEntry {
  needObject(fields, 'fields', 'consent/invalid_event');
  needType(prevHash, 'string', 'prevHash', 'consent/invalid_event');
  const { subject, sequence, idempotencyKey, recordedAt, event } = fields;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256) {
    bad('subject', subject, 'must be a non-empty string (≤ 256)');
  }
  if (!Number.isInteger(sequence) || sequence < 1)
    bad('sequence', sequence, 'must be an integer ≥ 1');
  if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0) {
    bad('idempotencyKey', idempotencyKey, 'must be a non-empty string');
  }
  if (!Number.isInteger(recordedAt) || recordedAt < 0)
    bad('recordedAt', recordedAt, 'must be epoch ms');
  if (typeof event !== 'object' || event === null) bad('event', event, 'must be an object');
  // The canonical bytes of hashedContent(entry), keys in canonical order: for an event of the
  // documented shape (copied in canonical order) the native serializer writes them in one pass.
  const sorted = sortedEventCopy(event);
  const copy = sorted ?? canonicalCopy(event).copy;
  const content = {
    event: copy,
    idempotencyKey,
    prevHash,
    recordedAt,
    sequence,
    subject,
    v: LEDGER_HASH_VERSION,
  };
  const text = sorted === undefined ? canonicalJson(content) : JSON.stringify(content);
  const hash = sha256Hex(text);
  return {
    id: entryIdFromHash(hash),
    subject,
    sequence,
    idempotencyKey,
    recordedAt,
    event: copy,
    hashVersion: LEDGER_HASH_VERSION,
    prevHash,
    hash,
  };
}

/**
 * Why a chain failed verification: `hash_mismatch` (an entry's content no longer matches its
 * hash, or its id no longer matches), `broken_link` (`prevHash` is not the previous entry's
 * hash), `sequence_gap` (sequences are not 1, 2, 3, …) or `wrong_subject`.
 *
 * @example
 * if (!result.valid && result.problem === 'hash_mismatch') alert(result.entryId);
 */
export type ChainProblem =
  | 'hash_mismatch'
  | 'broken_link'
  | 'sequence_gap'
  | 'wrong_subject'
  | 'missing_entries'
  | 'anchor_mismatch';

/**
 * An entry known to be in a chain, from outside the store: a receipt's `iso27560.proof`, or a
 * head an app saved elsewhere. A hash chain alone cannot tell that its newest entries were
 * removed; checked against an anchor, {@link verifyChain} can.
 *
 * @example
 * const anchor: ChainAnchor = receipt.iso27560.proof; // { sequence: 3, hash: '…', … }
 */
export interface ChainAnchor {
  readonly sequence: number;
  readonly hash: string;
}

/**
 * The outcome of {@link verifyChain}: valid, or the first broken entry (its index in the list,
 * id, sequence and what is wrong).
 *
 * @example
 * const result = verifyChain(entries);
 * if (!result.valid) console.log(`entry ${result.index} (${result.entryId}): ${result.problem}`);
 */
export type ChainVerification =
  | { readonly valid: true; readonly entries: number; readonly headHash: string }
  | {
      readonly valid: false;
      readonly entries: number;
      readonly index: number;
      readonly entryId: string;
      readonly sequence: number;
      readonly subject: SubjectId;
      readonly problem: ChainProblem;
      readonly detail: string;
    };

/**
 * Verifies one subject's chain (entries in ascending sequence, starting at 1): every hash
 * recomputed, every link and sequence checked, and each of `options.anchors` found in it (an
 * entry missing, `missing_entries`, names the first missing place and the anchored entry's id;
 * another entry in its place, `anchor_mismatch`). Names the first broken entry. Pure and
 * synchronous; stores and auditors can run it on anything they read. Throws
 * `consent/invalid_entry` when `entries` is not an array of objects, `core/invalid_input` for a
 * malformed anchor.
 *
 * @example
 * const result = verifyChain(await store.read('cus_1'), { anchors: [receipt.iso27560.proof] });
 * result.valid; // false if any stored byte changed, or the receipt's entry is gone
 */
export function verifyChain(
  entries: readonly LedgerEntry[],
  options: { readonly anchors?: readonly ChainAnchor[] } = {},
): ChainVerification {
  if (!Array.isArray(entries as unknown)) {
    fail('consent/invalid_entry', 'entries', entries, 'must be an array of ledger entries');
  }
  const anchors = checkAnchors(options?.anchors);
  let prev = GENESIS_HASH;
  const subject = entries[0]?.subject;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    needObject(entry, `entries[${index}]`, 'consent/invalid_entry');
    const broken = (problem: ChainProblem, detail: string): ChainVerification => ({
      valid: false,
      entries: entries.length,
      index,
      entryId: entry.id,
      sequence: entry.sequence,
      subject: entry.subject,
      problem,
      detail,
    });
    if (entry.subject !== subject) {
      return broken('wrong_subject', `entry ${index} belongs to ${entry.subject}, not ${subject}`);
    }
    if (entry.sequence !== index + 1) {
      return broken('sequence_gap', `expected sequence ${index + 1}, found ${entry.sequence}`);
    }
    if (entry.prevHash !== prev) {
      return broken('broken_link', `prevHash does not match the hash of entry ${index - 1}`);
    }
    let actual: string;
    try {
      actual = hashEntry(entry);
    } catch {
      return broken('hash_mismatch', 'the entry can no longer be serialized canonically');
    }
    if (actual !== entry.hash || entryIdFromHash(actual) !== entry.id) {
      return broken('hash_mismatch', 'content does not match the stored hash');
    }
    prev = entry.hash;
  }
  for (const anchor of anchors) {
    const entry = entries[anchor.sequence - 1];
    if (entry === undefined)
      return {
        valid: false,
        entries: entries.length,
        index: entries.length,
        entryId: entryIdFromHash(anchor.hash),
        sequence: entries.length + 1,
        subject: (subject ?? '') as SubjectId,
        problem: 'missing_entries',
        detail: `the chain ends at sequence ${entries.length}, but entry ${anchor.sequence} was recorded`,
      };
    if (entry.hash !== anchor.hash)
      return {
        valid: false,
        entries: entries.length,
        index: anchor.sequence - 1,
        entryId: entry.id,
        sequence: entry.sequence,
        subject: entry.subject,
        problem: 'anchor_mismatch',
        detail: `entry ${anchor.sequence} is not the entry recorded there (hash ${anchor.hash})`,
      };
  }
  return { valid: true, entries: entries.length, headHash: prev };
}

/** `anchors`, checked: a list of `{ sequence, hash }` (a positive integer, a SHA-256 hex). */
function checkAnchors(anchors: unknown): readonly ChainAnchor[] {
  if (anchors === undefined) return [];
  if (!Array.isArray(anchors))
    fail(
      'core/invalid_input',
      'options.anchors',
      anchors,
      'must be an array of { sequence, hash }',
    );
  anchors.forEach((anchor: unknown, i) => {
    const at = `options.anchors[${i}]`;
    if (typeof anchor !== 'object' || anchor === null)
      fail('core/invalid_input', at, anchor, 'must be { sequence, hash }');
    const { sequence, hash } = anchor as Partial<ChainAnchor>;
    if (!Number.isSafeInteger(sequence) || (sequence as number) < 1)
      fail('core/invalid_input', `${at}.sequence`, sequence, 'must be a positive integer');
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash))
      fail('core/invalid_input', `${at}.hash`, hash, 'must be a SHA-256 hash in hex');
  });
  return anchors as readonly ChainAnchor[];
}

/**
 * Throws `consent/stale_sequence` for an append whose expected sequence is not the head. Exported
 * so other stores raise the identical error.
 *
 * @example
 * if (expected !== actual) throwStaleSequence('cus_1', expected, actual);
 */
export function throwStaleSequence(subject: SubjectId, expected: number, actual: number): never {
  fail(
    'consent/stale_sequence',
    'expectedSequence',
    expected,
    `stale: ${safeString(subject)}'s chain is at ${safeString(actual)}; re-read and retry`,
    { actual, subject },
  );
}

/**
 * Throws `consent/idempotency_conflict` for a key already used by another subject. Exported so
 * other stores raise the identical error.
 *
 * @example
 * if (stored.subject !== request.subject) throwIdempotencyConflict(request.idempotencyKey, stored.subject);
 */
export function throwIdempotencyConflict(idempotencyKey: string, storedSubject: SubjectId): never {
  fail(
    'consent/idempotency_conflict',
    'idempotencyKey',
    idempotencyKey,
    'used for another subject',
    {
      storedSubject,
    },
  );
}

/**
 * Options of {@link createMemoryLedgerStore}.
 *
 * @example
 * createMemoryLedgerStore({ initial: exportedEntries });
 */
export interface MemoryLedgerStoreOptions {
  /**
   * Entries to start from, taken verbatim (not re-sealed, not verified: run `verify()` to check
   * them), e.g. a backup or a test fixture. Each subject's entries must be in ascending sequence.
   */
  readonly initial?: readonly LedgerEntry[];
}

/**
 * An in-memory {@link ConsentLedgerStore}: for tests, browsers and single-process apps. Appends
 * are synchronous under the hood (one JavaScript turn), so concurrent appends cannot interleave.
 * Its `feed` announces each append at once, so several managers on one store agree.
 * Its methods reject a bad argument with `core/invalid_input` (or the contract's codes for
 * `append`) naming it.
 *
 * @example
 * const store = createMemoryLedgerStore();
 * const manager = createConsentManager({ purposes, store });
 */
export function createMemoryLedgerStore(
  options: MemoryLedgerStoreOptions = {},
): ConsentLedgerStore {
  needObject(options, 'options');
  const initial = options.initial ?? [];
  if (!Array.isArray(initial)) {
    fail('consent/invalid_entry', 'options.initial', initial, 'must be an array of ledger entries');
  }
  const chains = new Map<SubjectId, LedgerEntry[]>();
  const byKey = new Map<string, LedgerEntry>();
  const feed = createLocalChangeFeed();
  for (let i = 0; i < initial.length; i++) {
    const entry = initial[i] as LedgerEntry;
    if (typeof entry !== 'object' || entry === null || typeof entry.subject !== 'string') {
      fail('consent/invalid_entry', `options.initial[${i}]`, entry, 'must be a ledger entry');
    }
    const chain = chains.get(entry.subject);
    if (chain) chain.push(entry);
    else chains.set(entry.subject, [entry]);
    byKey.set(entry.idempotencyKey, entry);
  }

  function appendNow(request: AppendRequest): AppendResult {
    if (typeof request !== 'object' || request === null) {
      fail('consent/invalid_event', 'request', request, 'must be an object');
    }
    const existing = byKey.get(request.idempotencyKey);
    if (existing) {
      if (existing.subject !== request.subject) {
        throwIdempotencyConflict(request.idempotencyKey, existing.subject);
      }
      return { entry: existing, duplicate: true };
    }
    const chain = chains.get(request.subject);
    const last = chain?.[chain.length - 1];
    const actual = last?.sequence ?? 0;
    if (request.expectedSequence !== actual) {
      throwStaleSequence(request.subject, request.expectedSequence, actual);
    }
    const entry = Object.freeze(
      sealEntry(
        {
          subject: request.subject,
          sequence: actual + 1,
          idempotencyKey: request.idempotencyKey,
          recordedAt: request.recordedAt,
          event: request.event,
        },
        last === undefined ? GENESIS_HASH : last.hash,
      ),
    );
    if (chain) chain.push(entry);
    else chains.set(request.subject, [entry]);
    byKey.set(entry.idempotencyKey, entry);
    feed.announce({
      type: 'change',
      change: {
        stream: 'consent',
        subject: entry.subject,
        sequence: entry.sequence,
        key: entry.idempotencyKey,
      },
    });
    return { entry, duplicate: false };
  }

  return {
    feed,
    append(request) {
      try {
        return Promise.resolve(appendNow(request));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    // Async: a bad argument rejects the promise instead of throwing.
    async read(subject, readOptions) {
      needType(subject, 'string', 'subject');
      if (readOptions !== undefined) needObject(readOptions, 'options');
      const chain = chains.get(subject) ?? [];
      const after = readOptions?.afterSequence ?? 0;
      needType(after, 'number', 'options.afterSequence');
      return after > 0 ? chain.slice(after) : chain.slice();
    },
    async readMany(subjects) {
      if (!Array.isArray(subjects))
        fail('core/invalid_input', 'subjects', subjects, 'must be an array');
      const out = new Map<SubjectId, readonly LedgerEntry[]>();
      for (const subject of subjects) {
        const chain = chains.get(subject);
        if (chain !== undefined) out.set(subject, chain.slice());
      }
      return out;
    },
    async head(subject) {
      needType(subject, 'string', 'subject');
      const chain = chains.get(subject);
      const last = chain?.[chain.length - 1];
      return last ? { sequence: last.sequence, hash: last.hash } : null;
    },
    async findByIdempotencyKey(idempotencyKey) {
      needType(idempotencyKey, 'string', 'idempotencyKey');
      return byKey.get(idempotencyKey) ?? null;
    },
    async *entries() {
      for (const chain of [...chains.values()]) {
        for (const entry of chain.slice()) yield entry;
      }
    },
  };
}
