import type {
  AppendRequest,
  AppendResult,
  ChainVerification,
  ConsentLedgerStore,
  LedgerEntry,
  LedgerHead,
} from '@candor/consent';
import {
  consentEventKinds,
  GENESIS_HASH,
  isRestrictive,
  sealEntry,
  throwIdempotencyConflict,
  throwStaleSequence,
  verifyChain,
} from '@candor/consent';
import type { Instant, SubjectId } from '@candor/core';
import { CandorError } from '@candor/core';
import { createEntryReader, ENTRY_COLUMNS, type EntryRow } from './consent-rows';
import type { CandorDatabase } from './database';
import type { SqlClient } from './driver';
import { checkDatabase, holdsUnstorableText, sqlState, unstorableParams } from './errors';
import type { PostgresChangeFeed } from './feed';

/**
 * The choice in force for one subject and purpose (`dataCategory: null`), and for each data
 * category of it chosen on its own since (`grant`, `refuse`, `withdraw` or `object` with
 * `dataCategories`): the materialized "current state" table `candor_consent_current`, kept in the
 * same statement as each append. It follows `@candor/consent`'s evaluator: the latest choice,
 * except that an objection stands until the subject's own grant, a grant dated before a
 * restriction (delivered late) or a renewal does not lift one, and an import replaces an explicit
 * choice only to restrict it. A later choice about the whole purpose (but a renewal) speaks for
 * every category, so it removes their rows. For SQL reporting ("who withdrew
 * `marketing.email`?", "who turned off their purchase history?"); decisions still come from the
 * evaluator, which also applies hierarchy, expiry and policy.
 *
 * @example
 * const rows = await store.current('cus_1');
 * rows.find((r) => r.purpose === 'marketing.email' && r.dataCategory === null)?.kind; // 'given'
 */
export interface CurrentConsent {
  /** The subject. */
  readonly subject: SubjectId;
  /** The purpose the event named. */
  readonly purpose: string;
  /** The data category the row is about, or `null` for the whole purpose. */
  readonly dataCategory: string | null;
  /** Kind of the latest event naming it (`given`, `withdrawn`, …; never `notice_shown`). */
  readonly kind: string;
  /** Sequence and id of that entry. */
  readonly sequence: number;
  readonly entryId: string;
  /** When it happened (`event.at`) and when it stops holding, if it says. */
  readonly eventAt: Instant;
  readonly expiresAt: Instant | null;
}

/**
 * The outcome of {@link PostgresLedgerStore.verify}: every stored chain valid (with how many
 * subjects and entries were checked), or the first broken entry as `verifyChain` names it.
 *
 * @example
 * const result = await store.verify();
 * if (!result.valid) console.error(result.subject, result.sequence, result.problem);
 */
export type StoredLedgerVerification =
  | { readonly valid: true; readonly subjects: number; readonly entries: number }
  | (Extract<ChainVerification, { valid: false }> & { readonly subjects: number });

/**
 * A durable {@link ConsentLedgerStore} on PostgreSQL or PGlite, with stored-chain verification,
 * time-travel reads and the materialized current state.
 *
 * @example
 * const store = createPostgresLedgerStore(db);
 * const manager = await openConsentManager({ purposes, store });
 */
export interface PostgresLedgerStore extends ConsentLedgerStore {
  /** The database's change feed: every append, from any instance, is announced on it. */
  readonly feed: PostgresChangeFeed;
  /** Verifies the stored chain of `subject`, or of every subject, reading in pages. */
  verify(subject?: SubjectId): Promise<StoredLedgerVerification>;
  /**
   * Time travel: the subject's chain as the ledger held it at `asOf` — every entry up to the last
   * one recorded at or before `asOf` (a chain prefix, so it verifies).
   */
  readAsOf(subject: SubjectId, asOf: Instant): Promise<LedgerEntry[]>;
  /**
   * The materialized current state: the latest event per purpose for `subject`, and per data
   * category chosen on its own since (see {@link CurrentConsent}).
   */
  current(subject: SubjectId): Promise<CurrentConsent[]>;
}

/**
 * Options of {@link createPostgresLedgerStore}.
 *
 * @example
 * createPostgresLedgerStore(db, { pageSize: 5000 });
 */
export interface PostgresLedgerStoreOptions {
  /** Rows per page for `entries()` and `verify()` (default 2000). */
  readonly pageSize?: number;
  /** Subject heads remembered to skip the head read on append (default 100,000). */
  readonly headCacheSize?: number;
  /**
   * Group commit: concurrent appends are written together, at most this many per statement
   * (default 256). Each append is still acknowledged only after its own row is committed.
   */
  readonly maxBatch?: number;
  /** Batches written at once (default 4 on PostgreSQL, 1 on PGlite). */
  readonly writeConcurrency?: number;
}

const NOT_PURPOSE_STATE = new Set(['notice_shown', 'signal_observed']);
/** The kinds that restrict processing, as an SQL list (`@candor/consent`'s `isRestrictive`). */
const RESTRICTIVE_SQL = consentEventKinds
  .filter(isRestrictive)
  .map((kind) => `'${kind}'`)
  .join(', ');
/** Whole-purpose kinds that speak for every category of the purpose (all choices but a renewal). */
const RESETS_CATEGORIES = new Set([
  'given',
  'refused',
  'withdrawn',
  'revoked',
  'expired',
  'objected',
]);

/** Runs `fn` on the next turn of the event loop (after pending I/O callbacks and microtasks). */
const defer: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => setTimeout(fn, 0);

function invalid(path: string, value: unknown, message: string): never {
  throw new CandorError('consent/invalid_event', `${path}: ${message}`, { path, value });
}

/**
 * Creates the durable consent ledger store over an open {@link CandorDatabase}.
 *
 * Appends are written by atomic statements: the entry (unique `(subject, sequence)` and unique
 * `idempotency_key`), the subject's head and the per-purpose current state together or not at
 * all, so concurrent writers on any number of connections or processes never fork a chain:
 * exactly one of two appends with the same expected sequence wins, the other gets
 * `consent/stale_sequence` (the consent manager re-reads and retries). Concurrent appends are
 * group-committed (up to `maxBatch` per statement, one per subject); each resolves only after
 * the statement holding it has committed.
 *
 * @example
 * const db = await createCandorDatabase({ url: process.env.DATABASE_URL });
 * const store = createPostgresLedgerStore(db);
 * const manager = await openConsentManager({ purposes, store });
 */
export function createPostgresLedgerStore(
  db: CandorDatabase,
  options: PostgresLedgerStoreOptions = {},
): PostgresLedgerStore {
  checkDatabase(db);
  const sql: SqlClient = db.driver;
  const entries = db.table('consent_entries');
  const heads = db.table('consent_heads');
  const current = db.table('consent_current');
  const counter = db.table('change_counter');
  const changes = db.table('changes');
  const pageSize = options.pageSize ?? 2000;
  const cacheSize = options.headCacheSize ?? 100_000;
  const headCache = new Map<SubjectId, LedgerHead>();
  const toEntry = createEntryReader();

  const remember = (subject: SubjectId, head: LedgerHead) => {
    headCache.delete(subject);
    headCache.set(subject, head);
    if (headCache.size > cacheSize) {
      const oldest = headCache.keys().next().value;
      if (oldest !== undefined) headCache.delete(oldest);
    }
  };

  // One statement appends a whole batch (distinct subjects and keys): entries, heads, current
  // state and the change feed's rows are written together or not at all. The batch travels as
  // one JSON parameter (one row object per entry; `event` is the entry's event object, stored as
  // the exact JSON text it arrived as). The feed's counter is taken first ($2 positions), before
  // any other lock, by every writing statement: so they cannot deadlock on it.
  const input = `pos as (update ${counter} set last = last + $2 returning last - $2 as base),
    input as materialized (
      select x.*, (select base from pos) + x.offset as position
      from json_to_recordset($1::json) as x(subject text, sequence integer, id text,
        idempotency_key text, recorded_at bigint, kind text, event_at bigint, event json,
        hash_version smallint, prev_hash text, hash text, purposes text[], categories text[],
        resets boolean, expires_at bigint, method text, by_subject boolean, "offset" integer))`;
  const announce = (rows: string) => `
      insert into ${changes} (position, stream, subject, sequence, key)
      select x.position, 'consent', x.subject, x.sequence, x.idempotency_key from ${rows}`;
  const insertEntries = `
      insert into ${entries} (subject, sequence, id, idempotency_key, recorded_at, kind, event_at,
        event, hash_version, prev_hash, hash)
      select subject, sequence, id, idempotency_key, recorded_at, kind, event_at, event::text,
        hash_version, prev_hash, hash
      from input`;
  const upsertHeads = (rows: string) => `
      insert into ${heads} as h (subject, sequence, hash, recorded_at)
      select x.subject, x.sequence, x.hash, x.recorded_at from ${rows}
      on conflict (subject) do update
        set sequence = excluded.sequence, hash = excluded.hash, recorded_at = excluded.recorded_at
        where h.sequence < excluded.sequence`;
  // Whether row `o` was written by an imported entry.
  const imported = (o: string) => `exists (select 1 from ${entries} e
      where e.subject = ${o}.subject and e.sequence = ${o}.sequence
        and e.event::json ->> 'method' = 'import')`;
  // Whether the evaluator leaves row `o` in force over the new entry `x`: an objection stands
  // until the subject's own grant (not dated before it) or a newer objection; a permission dated
  // before a restriction does not lift it; a renewal only extends a grant of its own kind
  // (explicit or imported); and for the whole purpose an import replaces an explicit choice only
  // to restrict what it permits.
  const stays = (x: string, o: string) => `(
      (${o}.kind = 'objected' and ${x}.kind <> 'objected' and not (${x}.kind = 'given'
        and ${x}.by_subject and ${x}.method is distinct from 'import'
        and ${x}.event_at >= ${o}.event_at))
      or (${x}.kind in ('given', 'renewed') and ${o}.kind in (${RESTRICTIVE_SQL})
        and ${x}.event_at < ${o}.event_at)
      or (${x}.kind = 'renewed' and (${o}.kind not in ('given', 'renewed')
        or (${x}.method is not distinct from 'import') <> ${imported(o)}))
      or (${o}.data_category = '' and ${x}.method = 'import' and not ${imported(o)}
        and not (${x}.kind in (${RESTRICTIVE_SQL}) and ${o}.kind in ('given', 'renewed'))))`;
  // One row per purpose ('' data_category: the whole purpose) or per purpose and category.
  const upsertCurrent = (rows: string) => `
      insert into ${current} as c (subject, purpose, data_category, sequence, entry_id, kind,
        event_at, expires_at)
      select x.subject, p.purpose, d.category, x.sequence, x.id, x.kind, x.event_at, x.expires_at
      from ${rows} cross join unnest(x.purposes) as p(purpose)
        cross join unnest(coalesce(x.categories, array['']::text[])) as d(category)
      where not exists (select 1 from ${current} o where o.subject = x.subject
        and o.purpose = p.purpose and o.data_category = d.category and ${stays('x', 'o')})
        -- A renewal of nothing renews nothing.
        and (x.kind <> 'renewed' or exists (select 1 from ${current} o where o.subject = x.subject
          and o.purpose = p.purpose and o.data_category = d.category))
      on conflict (subject, purpose, data_category) do update
        set sequence = excluded.sequence, entry_id = excluded.entry_id, kind = excluded.kind,
            event_at = excluded.event_at, expires_at = excluded.expires_at
        where c.sequence < excluded.sequence`;
  // A whole-purpose choice (but a renewal) speaks for every category: their rows go, but those
  // it leaves in force.
  const clearCategories = (rows: string) => `
      delete from ${current} c using ${rows}
      where x.resets and c.subject = x.subject and c.purpose = any(x.purposes)
        and c.data_category <> '' and c.sequence < x.sequence and not ${stays('x', 'c')}`;
  // The common case: every row is new. A plain insert: a taken (subject, sequence) or key fails
  // the whole statement (unique violation, nothing written) and the batch is sent again below.
  const appendAllSql = `with ${input}, ins as (${insertEntries}), head as (${upsertHeads('input x')}),
    chg as (${announce('input x')}), clr as (${clearCategories('input x')})
    ${upsertCurrent('input x')}`;
  // Under contention (a lookup was needed, or the plain insert failed): rows whose
  // (subject, sequence) or key is taken are skipped and settled one by one afterwards.
  const written = 'input x join ins using (idempotency_key)';
  const appendUntakenSql = `with ${input},
    ins as (${insertEntries} on conflict do nothing returning idempotency_key),
    head as (${upsertHeads(written)}), cur as (${upsertCurrent(written)}),
    clr as (${clearCategories(written)}), chg as (${announce(written)})
    select idempotency_key from ins`;

  const lookupSql = `
    select r.i, h.sequence as head_sequence, h.hash as head_hash,
           e.subject, e.sequence, e.id, e.idempotency_key, e.recorded_at, e.event,
           e.hash_version, e.prev_hash, e.hash
    from unnest($1::text[], $2::text[]) with ordinality as r(subject, key, i)
    left join ${heads} h on h.subject = r.subject
    left join ${entries} e on e.idempotency_key = r.key
    order by r.i`;

  type LookupRow = Partial<EntryRow> & {
    i: number | string;
    head_sequence: number | null;
    head_hash: string | null;
  };

  interface Found {
    readonly head: LedgerHead | null;
    readonly existing: LedgerEntry | null;
  }

  async function lookup(requests: readonly AppendRequest[]): Promise<Found[]> {
    const rows = await sql.query<LookupRow>(lookupSql, [
      requests.map((r) => r.subject),
      requests.map((r) => r.idempotencyKey),
    ]);
    return rows.map((row) => ({
      head:
        row.head_sequence != null && row.head_hash != null
          ? { sequence: Number(row.head_sequence), hash: row.head_hash }
          : null,
      existing: row.id != null ? toEntry(row as EntryRow) : null,
    }));
  }

  /** Settles a request from what the database holds: duplicate, conflict or stale. */
  function settle(request: AppendRequest, found: Found): AppendResult | null {
    if (found.existing) {
      if (found.existing.subject !== request.subject)
        throwIdempotencyConflict(request.idempotencyKey, found.existing.subject);
      return { entry: found.existing, duplicate: true };
    }
    if (found.head) remember(request.subject, found.head);
    else headCache.delete(request.subject);
    const actual = found.head?.sequence ?? 0;
    if (actual !== request.expectedSequence)
      throwStaleSequence(request.subject, request.expectedSequence, actual);
    return null;
  }

  interface Pending {
    readonly request: AppendRequest;
    readonly resolve: (result: AppendResult) => void;
    readonly reject: (error: unknown) => void;
  }

  let queue: Pending[] = [];
  let active = 0;
  let scheduled = false;
  const maxBatch = options.maxBatch ?? 256;
  const concurrency = options.writeConcurrency ?? (db.driver.kind === 'pglite' ? 1 : 4);

  // Batches are cut on the next turn of the event loop, not on the first append: the appends a
  // burst of callers (or the callers just acknowledged by the last batch) make in the same turn
  // share one statement and one commit instead of the first going out alone.
  function schedule(): void {
    if (scheduled || active >= concurrency || queue.length === 0) return;
    scheduled = true;
    defer(() => {
      scheduled = false;
      pump();
    });
  }

  function pump(): void {
    while (active < concurrency && queue.length > 0) {
      // What is queued is shared among the free connections, so the batches run side by side.
      // A batch holds at most one request per subject: the next one for a subject needs the
      // head this one creates, so it waits for a later batch (FIFO per subject).
      const size = Math.min(maxBatch, Math.ceil(queue.length / (concurrency - active)));
      // Nor two with one idempotency key: only one of them can be stored, and a later batch
      // then settles the other as a duplicate or a conflict.
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      const subjects = new Set<string>();
      const keys = new Set<string>();
      for (const item of queue) {
        const { subject, idempotencyKey } = item.request;
        if (batch.length < size && !subjects.has(subject) && !keys.has(idempotencyKey)) {
          subjects.add(subject);
          keys.add(idempotencyKey);
          batch.push(item);
        } else rest.push(item);
      }
      queue = rest;
      active++;
      flush(batch)
        .catch((error: unknown) => {
          for (const item of batch) item.reject(error);
        })
        .finally(() => {
          active--;
          schedule();
        });
    }
  }

  async function flush(batch: Pending[]): Promise<void> {
    // Requests whose head is not cached (or differs) are looked up first, in one query.
    // A first append (expected 0) needs no lookup either: its prevHash is the genesis hash, and
    // if the subject exists after all, the insert is skipped and settled below.
    const prevHash = new Map<Pending, string>();
    const needLookup = batch.filter((item) => {
      const cached = headCache.get(item.request.subject);
      if (cached === undefined && item.request.expectedSequence === 0)
        prevHash.set(item, GENESIS_HASH);
      else if (cached !== undefined && cached.sequence === item.request.expectedSequence)
        prevHash.set(item, cached.hash);
      else return true;
      return false;
    });
    const ready: { item: Pending; entry: LedgerEntry }[] = [];
    if (needLookup.length > 0) {
      const found = await lookup(needLookup.map((item) => item.request));
      needLookup.forEach((item, i) => {
        try {
          const done = settle(item.request, found[i] as Found);
          if (done) item.resolve(done);
          else prevHash.set(item, found[i]?.head?.hash ?? GENESIS_HASH);
        } catch (error) {
          item.reject(error);
        }
      });
    }
    for (const item of batch) {
      const prev = prevHash.get(item);
      if (prev === undefined) continue; // settled by the lookup
      try {
        const entry = sealEntry(
          { ...item.request, sequence: item.request.expectedSequence + 1 },
          prev,
        );
        ready.push({ item, entry });
      } catch (error) {
        item.reject(error);
      }
    }
    if (ready.length === 0) return;
    // Same lock order in every statement (by subject): concurrent batches cannot deadlock.
    ready.sort((a, b) =>
      a.entry.subject < b.entry.subject ? -1 : a.entry.subject > b.entry.subject ? 1 : 0,
    );
    const json = JSON.stringify(
      ready.map(({ entry }, i) => ({
        offset: i + 1,
        subject: entry.subject,
        sequence: entry.sequence,
        id: entry.id,
        idempotency_key: entry.idempotencyKey,
        recorded_at: entry.recordedAt,
        kind: entry.event.kind,
        event_at: entry.event.at,
        event: entry.event,
        hash_version: entry.hashVersion,
        prev_hash: entry.prevHash,
        hash: entry.hash,
        // The purposes whose current state this entry sets (none for notices and signals).
        purposes: NOT_PURPOSE_STATE.has(entry.event.kind) ? [] : [...new Set(entry.event.purposes)],
        // The categories a category choice is about (null: the whole purpose).
        categories: entry.event.dataCategories ?? null,
        resets: entry.event.dataCategories === undefined && RESETS_CATEGORIES.has(entry.event.kind),
        expires_at: entry.event.expiresAt ?? null,
        method: entry.event.method ?? null,
        by_subject: entry.event.actor?.kind === 'subject',
      })),
    );
    // `null`: every row was written (the plain insert succeeded).
    let rows: { idempotency_key: string }[] | null = null;
    let skipTaken = needLookup.length > 0;
    for (let attempt = 0; ; attempt++) {
      try {
        if (skipTaken)
          rows = await sql.query<{ idempotency_key: string }>(appendUntakenSql, [
            json,
            ready.length,
          ]);
        else await sql.query(appendAllSql, [json, ready.length]);
        break;
      } catch (error) {
        const state = sqlState((error as { cause?: unknown }).cause);
        if (state === '23505' && !skipTaken) skipTaken = true;
        else if ((state !== '40P01' && state !== '40001') || attempt >= 5) throw error;
      }
    }
    const keys = rows === null ? null : new Set(rows.map((r) => r.idempotency_key));
    const skipped: typeof ready = [];
    for (const r of ready) {
      if (keys === null || keys.has(r.entry.idempotencyKey)) {
        remember(r.entry.subject, { sequence: r.entry.sequence, hash: r.entry.hash });
        r.item.resolve({ entry: r.entry, duplicate: false });
      } else skipped.push(r);
    }
    if (skipped.length === 0) return;
    // Nothing written for these: the key is already stored, or another writer took the sequence.
    const found = await lookup(skipped.map((r) => r.item.request));
    skipped.forEach((r, i) => {
      try {
        const f = found[i] as Found;
        const done = settle(r.item.request, f);
        if (done) {
          r.item.resolve(done);
          return;
        }
        throw new CandorError(
          'consent/stale_sequence',
          `Append for ${r.entry.subject} at sequence ${r.entry.sequence} conflicted; re-read and retry`,
          {
            path: 'expectedSequence',
            value: r.item.request.expectedSequence,
            actual: f.head?.sequence ?? 0,
            subject: r.entry.subject,
          },
        );
      } catch (error) {
        r.item.reject(error);
      }
    });
  }

  function append(request: AppendRequest): Promise<AppendResult> {
    try {
      if (typeof request !== 'object' || request === null)
        invalid('request', request, 'append request must be an object');
      const { subject, expectedSequence } = request;
      if (!Number.isInteger(expectedSequence) || expectedSequence < 0)
        invalid('expectedSequence', expectedSequence, 'must be an integer ≥ 0');
      if (typeof subject !== 'string') invalid('subject', subject, 'must be a string');
      if (typeof request.idempotencyKey !== 'string' || request.idempotencyKey.length === 0)
        invalid('idempotencyKey', request.idempotencyKey, 'must be a non-empty string');
      // Refused alone, before it joins a batch: PostgreSQL would refuse the batch's one
      // statement, and with it the other customers' appends.
      if (holdsUnstorableText(request)) throw unstorableParams({});
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      queue.push({ request, resolve, reject });
      schedule();
    });
  }

  async function read(
    subject: SubjectId,
    readOptions?: { readonly afterSequence?: number },
  ): Promise<LedgerEntry[]> {
    const after = readOptions?.afterSequence ?? 0;
    const rows = await sql.query<EntryRow>(
      `select ${ENTRY_COLUMNS} from ${entries} where subject = $1 and sequence > $2 order by sequence`,
      [subject, after],
    );
    return toEntries(rows);
  }

  /** Rows of one subject's chain, in order, as entries. */
  function toEntries(rows: readonly EntryRow[]): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    for (const row of rows) out.push(toEntry(row, out[out.length - 1]));
    return out;
  }

  /** Every entry of up to 10,000 subjects, in one indexed query (the primary key). */
  async function readMany(
    subjects: readonly SubjectId[],
  ): Promise<ReadonlyMap<SubjectId, readonly LedgerEntry[]>> {
    if (!Array.isArray(subjects) || subjects.some((s) => typeof s !== 'string'))
      throw new CandorError('core/invalid_input', 'subjects: must be an array of subjects', {
        path: 'subjects',
        value: subjects,
      });
    const out = new Map<SubjectId, LedgerEntry[]>();
    if (subjects.length === 0) return out;
    const rows = await sql.query<EntryRow>(
      `select ${ENTRY_COLUMNS} from ${entries} where subject = any($1::text[])
       order by subject, sequence`,
      [subjects],
    );
    let list: LedgerEntry[] = [];
    for (const row of rows) {
      const previous = list[list.length - 1];
      if (previous?.subject === row.subject) list.push(toEntry(row, previous));
      else {
        list = [toEntry(row)];
        out.set(list[0]!.subject, list);
      }
    }
    return out;
  }

  async function* allEntries(): AsyncGenerator<LedgerEntry> {
    let lastSubject: string | null = null;
    let lastSequence = 0;
    for (;;) {
      const rows: EntryRow[] =
        lastSubject === null
          ? await sql.query<EntryRow>(
              `select ${ENTRY_COLUMNS} from ${entries} order by subject, sequence limit $1`,
              [pageSize],
            )
          : await sql.query<EntryRow>(
              `select ${ENTRY_COLUMNS} from ${entries} where (subject, sequence) > ($1, $2)
               order by subject, sequence limit $3`,
              [lastSubject, lastSequence, pageSize],
            );
      let previous: LedgerEntry | undefined;
      for (const row of rows) {
        previous = toEntry(row, previous);
        yield previous;
      }
      const last = rows.at(-1);
      if (last === undefined || rows.length < pageSize) return;
      lastSubject = last.subject;
      lastSequence = Number(last.sequence);
    }
  }

  return {
    feed: db.feed,
    append,
    read,
    readMany,
    async head(subject) {
      const [row] = await sql.query<{ sequence: number; hash: string }>(
        `select sequence, hash from ${heads} where subject = $1`,
        [subject],
      );
      return row ? { sequence: Number(row.sequence), hash: row.hash } : null;
    },
    async findByIdempotencyKey(idempotencyKey) {
      const [row] = await sql.query<EntryRow>(
        `select ${ENTRY_COLUMNS} from ${entries} where idempotency_key = $1`,
        [idempotencyKey],
      );
      return row ? toEntry(row) : null;
    },
    entries: allEntries,
    async verify(subject) {
      if (subject !== undefined) {
        const result = verifyChain(await read(subject));
        return result.valid
          ? { valid: true, subjects: result.entries > 0 ? 1 : 0, entries: result.entries }
          : { ...result, subjects: 1 };
      }
      let subjects = 0;
      let count = 0;
      let chain: LedgerEntry[] = [];
      const check = (): StoredLedgerVerification | null => {
        if (chain.length === 0) return null;
        subjects++;
        const result = verifyChain(chain);
        if (!result.valid) return { ...result, subjects };
        count += chain.length;
        return null;
      };
      for await (const entry of allEntries()) {
        if (chain.length > 0 && chain[0]?.subject !== entry.subject) {
          const broken = check();
          if (broken) return broken;
          chain = [];
        }
        chain.push(entry);
      }
      const broken = check();
      return broken ?? { valid: true, subjects, entries: count };
    },
    async readAsOf(subject, asOf) {
      const rows = await sql.query<EntryRow>(
        `select ${ENTRY_COLUMNS} from ${entries}
         where subject = $1 and sequence <= (
           select coalesce(max(sequence), 0) from ${entries} where subject = $1 and recorded_at <= $2
         )
         order by sequence`,
        [subject, asOf],
      );
      return toEntries(rows);
    },
    async current(subject) {
      const rows = await sql.query<{
        subject: string;
        purpose: string;
        data_category: string;
        kind: string;
        sequence: number;
        entry_id: string;
        event_at: string | number;
        expires_at: string | number | null;
      }>(
        `select subject, purpose, data_category, kind, sequence, entry_id, event_at, expires_at
         from ${current} where subject = $1 order by purpose, data_category`,
        [subject],
      );
      return rows.map((r) => ({
        subject: r.subject,
        purpose: r.purpose,
        dataCategory: r.data_category === '' ? null : r.data_category,
        kind: r.kind,
        sequence: Number(r.sequence),
        entryId: r.entry_id,
        eventAt: Number(r.event_at),
        expiresAt: r.expires_at === null ? null : Number(r.expires_at),
      }));
    },
  };
}
