import * as z from 'zod/mini';
import type { AccessBatch } from './access-batch';
import type { AccessSummary, AccessSummaryOptions } from './access-summary';
import { CandorError } from './errors';
import { isDottedId } from './ids';
import { DataCategoryId, Instant, PurposeId, SubjectId } from './schemas';
import { isEpochMillis, MAX_INSTANT } from './time';
import { parsers, type SafeParseResult } from './validate';

/**
 * Who or what read a customer's data: a rule (id and version), a model, a feature of the app
 * (a recommendation widget, a memory recall, an explanation page), or a member of staff by a
 * pseudonymous id (never their name).
 *
 * @example
 * Accessor.parse({ kind: 'rule', id: 'card-expiry', version: 3 });
 * Accessor.parse({ kind: 'staff', id: 'agent_7f3a' });
 */
export const Accessor = /* @__PURE__ */ (() =>
  z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('rule'),
      id: z.string().check(z.minLength(1), z.maxLength(200)),
      version: z.union([z.int().check(z.gte(0)), z.string().check(z.minLength(1))]),
    }),
    z.strictObject({
      kind: z.literal('model'),
      id: z.string().check(z.minLength(1), z.maxLength(200)),
      version: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    }),
    z.strictObject({
      kind: z.enum(['feature', 'staff']),
      id: z.string().check(z.minLength(1), z.maxLength(200)),
    }),
  ]))();
/** Who or what read a customer's data. */
export type Accessor = z.infer<typeof Accessor>;

/**
 * What came of reading the data: a message was `sent`, it was `held_back` (the record says why),
 * a person `looked_up` the customer (or a feature recalled what is remembered), or an
 * explanation was `explained` to the customer.
 *
 * @example
 * AccessOutcome.parse('held_back');
 */
export const AccessOutcome = /* @__PURE__ */ (() =>
  z.enum(['sent', 'held_back', 'looked_up', 'explained']))();
/** `sent` | `held_back` | `looked_up` | `explained`. */
export type AccessOutcome = z.infer<typeof AccessOutcome>;

/**
 * One use of a customer's data, on a record the customer can read: who read it, for which
 * purpose, exactly which data categories and fact paths were read (never the ones merely
 * declared), what came of it, and the decision it belongs to. An evaluation stopped before
 * reading anything (e.g. at the consent gate) leaves no record.
 *
 * @example
 * const record = parseAccessRecord({
 *   id: 'acc_1', subject: 'cus_1', at: 1780000000000,
 *   accessor: { kind: 'rule', id: 'card-expiry', version: 3 },
 *   purpose: 'service.proactive_support', dataCategories: ['user.financial.card'],
 *   evidence: ['card.expiresAt'], outcome: 'held_back', heldBackBecause: 'quiet_hours',
 * });
 */
export const AccessRecord = /* @__PURE__ */ (() =>
  z.strictObject({
    id: z.string().check(z.minLength(1), z.maxLength(200)),
    subject: SubjectId,
    at: Instant,
    accessor: Accessor,
    purpose: PurposeId,
    dataCategories: z.readonly(z.array(DataCategoryId).check(z.minLength(1))),
    evidence: z.readonly(z.array(z.string().check(z.minLength(1), z.maxLength(200)))),
    outcome: AccessOutcome,
    /** For `held_back`: why, as a machine code (`consent`, `quiet_hours`, `not_interested`, …). */
    heldBackBecause: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    /** The decision, proposal or explanation this access belongs to. */
    decisionId: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  }))();
/** One use of a customer's data. */
export type AccessRecord = z.infer<typeof AccessRecord>;

const recordParsers = /* @__PURE__ */ parsers(AccessRecord, 'core/invalid_input', 'record');

/**
 * Returns `input` as an {@link AccessRecord} or throws `core/invalid_input` naming the field.
 *
 * @example
 * const record = parseAccessRecord(json);
 */
export function parseAccessRecord(input: unknown): AccessRecord {
  return recordParsers.parse(input);
}

/**
 * Like {@link parseAccessRecord} but returns `{ success, data | error }`.
 *
 * @example
 * if (!safeParseAccessRecord(json).success) reject();
 */
export function safeParseAccessRecord(
  input: unknown,
): SafeParseResult<AccessRecord, 'core/invalid_input'> {
  return recordParsers.safeParse(input);
}

/**
 * Which access records to read: one subject's, optionally from and to an instant (inclusive,
 * `from` ≤ `to`), optionally for one purpose (and its children), newest first, at most `limit`.
 *
 * @example
 * const query: AccessQuery = { subject: 'cus_1', from: now - 90 * duration.day };
 */
export interface AccessQuery {
  readonly subject: SubjectId;
  readonly from?: Instant;
  readonly to?: Instant;
  readonly purpose?: PurposeId;
  readonly limit?: number;
}

/**
 * How long access records are kept: `defaultMs` for every purpose (Candor's default is 13
 * months), and per purpose (a purpose's setting covers its children; the most specific wins).
 *
 * @example
 * const retention: AccessRetention = { defaultMs: 395 * duration.day, byPurpose: { 'service.fraud_protection': 5 * 365 * duration.day } };
 */
export interface AccessRetention {
  readonly defaultMs: number;
  readonly byPurpose?: Readonly<Record<PurposeId, number>>;
}

/**
 * The access log's storage port: append records (all or nothing), read one subject's (or, where
 * the log offers `summarize`, their grouped history), and purge what its retention no longer
 * allows. `createMemoryAccessLog` implements it here; `@candor/postgres` durably.
 *
 * @example
 * await log.append([record]);
 * const history = await log.query({ subject: 'cus_1', from: now - 90 * duration.day });
 * const summary = await log.summarize?.({ subject: 'cus_1' }, { timeZone: 'Europe/Berlin' });
 */
export interface AccessLog {
  /** Appends records; every record is validated first and none is stored if one is malformed. */
  append(records: readonly AccessRecord[]): Promise<void>;
  /**
   * Optional: appends a batch from `createAccessBatch` (checked as it was filled) as it is, so a
   * reader recording many uses at once pays for records only when they are read. Without it,
   * `appendAccessBatch` appends the batch's records. Throws `core/invalid_input` for anything
   * else.
   */
  appendBatch?(batch: AccessBatch): Promise<void>;
  /**
   * One subject's records, newest first; at the same instant, the last appended first (a batch's
   * last record first). See {@link AccessQuery}.
   */
  query(query: AccessQuery): Promise<readonly AccessRecord[]>;
  /**
   * Optional: the history `query` would return, already grouped by local day in
   * `options.timeZone`, purpose, accessor kind and outcome (a few groups instead of thousands of
   * records). Throws `core/invalid_input` naming a bad query field or `options.timeZone`.
   */
  summarize?(query: AccessQuery, options: AccessSummaryOptions): Promise<AccessSummary>;
  /** Deletes the records older than their purpose's retention at `now`; resolves how many. */
  purge(now: Instant, retention: AccessRetention): Promise<number>;
}

/** Thirteen months (395 days): the default retention of access records. */
export const DEFAULT_ACCESS_RETENTION_MS = 395 * 86_400_000;

function invalid(path: string, value: unknown, problem: string): never {
  throw new CandorError('core/invalid_input', `${path}: ${problem}`, { path, value });
}

/**
 * Validates a batch of records (all before any is stored). Throws `core/invalid_input` naming
 * `records[i].field`.
 *
 * @example
 * const valid = checkAccessRecords(records);
 */
export function checkAccessRecords(records: unknown): readonly AccessRecord[] {
  if (!Array.isArray(records)) invalid('records', records, 'must be an array of access records');
  // The common case (records Candor itself built) passes a quick structural check; anything else
  // goes through the schema, which names what is wrong. (Holes are records too: undefined.)
  let valid = true;
  for (let i = 0; i < records.length && valid; i++) valid = looksValid(records[i]);
  if (valid) return records as AccessRecord[];
  return Array.from(records as unknown[], (record, i) => {
    const result = AccessRecord.safeParse(record);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const at = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`));
    return invalid(`records[${i}]${at.join('')}`, record, issue?.message ?? 'invalid record');
  });
}

const OUTCOMES = new Set(['sent', 'held_back', 'looked_up', 'explained']);
const KEYS = new Set([
  'id',
  'subject',
  'at',
  'accessor',
  'purpose',
  'dataCategories',
  'evidence',
  'outcome',
  'heldBackBecause',
  'decisionId',
]);
const text = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;
const dotted = (v: unknown) => isDottedId(v);

/**
 * Frozen parts already found valid, one set per check: records Candor builds share their accessor
 * and lists, so each is checked once. Only a frozen object whose every own property is a plain
 * value (no getter, no hole) is remembered: it cannot change after its check.
 */
const validAccessors = /* @__PURE__ */ new WeakSet<object>();
const validCategories = /* @__PURE__ */ new WeakSet<object>();
const validEvidence = /* @__PURE__ */ new WeakSet<object>();

function checked(
  value: unknown,
  check: (value: unknown) => boolean,
  valid: WeakSet<object>,
): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (valid.has(value)) return true;
  if (!check(value)) return false;
  if (Object.isFrozen(value) && plainValues(value)) valid.add(value);
  return true;
}

/** Whether every own property of `value` is a data property, and an array has no holes. */
function plainValues(value: object): boolean {
  const descriptors = Object.getOwnPropertyDescriptors(value);
  for (const key in descriptors)
    if (!('value' in (descriptors[key] as PropertyDescriptor))) return false;
  return !Array.isArray(value) || Object.keys(value).length === value.length;
}

/** Every index of `v` (holes included, which read as undefined) passes `test`. */
function each(v: readonly unknown[], test: (item: unknown) => boolean): boolean {
  for (let i = 0; i < v.length; i++) if (!test(v[i])) return false;
  return true;
}
const categoriesLookValid = (v: unknown) => Array.isArray(v) && v.length > 0 && each(v, dotted);
const evidenceLooksValid = (v: unknown) => Array.isArray(v) && each(v, (e) => text(e, 200));

function accessorLooksValid(value: unknown): boolean {
  const a = value as Record<string, unknown>;
  if (!text(a.id, 200)) return false;
  const accessorKeys = Object.keys(a).length;
  if (a.kind === 'rule') {
    const v = a.version;
    if (
      accessorKeys !== 3 ||
      !((Number.isInteger(v) && (v as number) >= 0) || text(v, Number.POSITIVE_INFINITY))
    )
      return false;
  } else if (a.kind === 'model') {
    if (
      accessorKeys !== (a.version === undefined ? 2 : 3) ||
      (a.version !== undefined && !text(a.version, 100))
    )
      return false;
  } else if (a.kind !== 'feature' && a.kind !== 'staff') return false;
  else if (accessorKeys !== 2) return false;
  return true;
}

/** A fast, strict structural check agreeing with the {@link AccessRecord} schema (tested). */
function looksValid(value: unknown): boolean {
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.getPrototypeOf(value) !== Object.prototype
  )
    return false;
  const r = value as Record<string, unknown>;
  for (const key in r) if (!KEYS.has(key) || r[key] === undefined) return false;
  if (!checked(r.accessor, accessorLooksValid, validAccessors)) return false;
  const categories = r.dataCategories;
  const evidence = r.evidence;
  return (
    text(r.id, 200) &&
    typeof r.subject === 'string' &&
    r.subject.length > 0 &&
    r.subject.length <= 256 &&
    Number.isInteger(r.at) &&
    (r.at as number) >= 0 &&
    (r.at as number) <= MAX_INSTANT &&
    dotted(r.purpose) &&
    checked(categories, categoriesLookValid, validCategories) &&
    checked(evidence, evidenceLooksValid, validEvidence) &&
    OUTCOMES.has(r.outcome as string) &&
    (r.heldBackBecause === undefined || text(r.heldBackBecause, 100)) &&
    (r.decisionId === undefined || text(r.decisionId, 200))
  );
}

/**
 * Validates an {@link AccessQuery}. Throws `core/invalid_input` naming the field (a `from` after
 * `to` included).
 *
 * @example
 * checkAccessQuery({ subject: 'cus_1', from: 2, to: 1 }); // throws at 'query.to'
 */
export function checkAccessQuery(query: unknown): AccessQuery {
  if (typeof query !== 'object' || query === null) invalid('query', query, 'must be an object');
  const q = query as Record<string, unknown>;
  if (typeof q.subject !== 'string' || q.subject.length === 0)
    invalid('query.subject', q.subject, 'must be a non-empty string');
  for (const field of ['from', 'to'] as const) {
    const t = q[field];
    if (t !== undefined && !isEpochMillis(t))
      invalid(`query.${field}`, t, 'must be a time in whole epoch milliseconds');
  }
  if (typeof q.from === 'number' && typeof q.to === 'number' && q.from > q.to)
    invalid('query.to', q.to, 'must not be before query.from');
  if (q.purpose !== undefined && !isDottedId(q.purpose))
    invalid('query.purpose', q.purpose, 'must be a purpose id');
  if (q.limit !== undefined && (!Number.isSafeInteger(q.limit) || (q.limit as number) < 0))
    invalid('query.limit', q.limit, 'must be an integer ≥ 0');
  return q as unknown as AccessQuery;
}

/**
 * Validates an {@link AccessRetention} and returns, for a purpose, how long its records are kept
 * (the most specific `byPurpose` entry that covers it, else `defaultMs`). Throws
 * `core/invalid_input` for a retention that is not a positive number of milliseconds.
 *
 * @example
 * const keep = retentionFor(retention);
 * keep('service.fraud_protection.cards'); // the 'service.fraud_protection' setting
 */
export function retentionFor(retention: unknown): (purpose: PurposeId) => number {
  if (typeof retention !== 'object' || retention === null)
    invalid('retention', retention, 'must be an object');
  const r = retention as { defaultMs?: unknown; byPurpose?: unknown };
  const positive = (path: string, ms: unknown): number => {
    if (!isEpochMillis(ms) || ms <= 0)
      invalid(path, ms, 'must be a positive whole number of milliseconds, at most MAX_INSTANT');
    return ms;
  };
  const fallback = positive('retention.defaultMs', r.defaultMs);
  const byPurpose = r.byPurpose ?? {};
  if (typeof byPurpose !== 'object' || byPurpose === null)
    invalid('retention.byPurpose', byPurpose, 'must be an object');
  const entries = Object.entries(byPurpose).map(([purpose, ms]) => {
    if (!isDottedId(purpose))
      invalid(`retention.byPurpose.${purpose}`, purpose, 'must be a purpose id');
    return [purpose, positive(`retention.byPurpose.${purpose}`, ms)] as const;
  });
  // Most specific first: the longest id that covers the purpose wins.
  entries.sort((a, b) => b[0].length - a[0].length);
  return (purpose) => {
    for (const [id, ms] of entries)
      if (purpose === id || (purpose.startsWith(id) && purpose.charCodeAt(id.length) === 46))
        return ms;
    return fallback;
  };
}

/**
 * Validates a purge's `now` (whole epoch milliseconds) and `retention`, and returns how long a
 * purpose's records are kept (see {@link retentionFor}). Throws `core/invalid_input` naming the
 * field.
 *
 * @example
 * const keep = checkAccessPurge(clock.now(), { defaultMs: DEFAULT_ACCESS_RETENTION_MS });
 */
export function checkAccessPurge(now: unknown, retention: unknown): (purpose: PurposeId) => number {
  if (!isEpochMillis(now)) invalid('now', now, 'must be a time in whole epoch milliseconds');
  return retentionFor(retention);
}

/**
 * The one call an app makes when a person looks a customer up (a support agent opening their
 * profile): it records who (a pseudonymous staff id), why (the purpose), and exactly which data
 * categories and fields were shown. Resolves the stored record.
 *
 * @example
 * await recordStaffLookup(log, {
 *   subject: 'cus_1', staffId: 'agent_7f3a', purpose: 'service.support',
 *   dataCategories: ['user.financial.card'], evidence: ['card.status'], at: Date.now(),
 * });
 */
export async function recordStaffLookup(
  log: AccessLog,
  lookup: {
    readonly subject: SubjectId;
    readonly staffId: string;
    readonly purpose: PurposeId;
    readonly dataCategories: readonly DataCategoryId[];
    readonly evidence: readonly string[];
    readonly at: Instant;
  },
): Promise<AccessRecord> {
  if (typeof log !== 'object' || log === null || typeof log.append !== 'function')
    invalid('log', log, 'must be an AccessLog');
  if (typeof lookup !== 'object' || lookup === null) invalid('lookup', lookup, 'must be an object');
  const record = {
    id: accessRecordId(lookup.at),
    subject: lookup.subject,
    at: lookup.at,
    accessor: { kind: 'staff' as const, id: lookup.staffId },
    purpose: lookup.purpose,
    dataCategories: lookup.dataCategories,
    evidence: lookup.evidence,
    outcome: 'looked_up' as const,
  };
  const [valid] = checkAccessRecords([record]);
  await log.append([valid as AccessRecord]);
  return valid as AccessRecord;
}

let sequence = 0;

/**
 * A new access-record id (`acc_` + time + counter + random): unique enough for one log.
 *
 * @example
 * accessRecordId(Date.now()); // 'acc_mx91pf5t_1_k3j9x2'
 */
export function accessRecordId(at: Instant): string {
  const time = typeof at === 'number' && Number.isFinite(at) ? Math.trunc(at).toString(36) : '0';
  sequence = (sequence + 1) % 1_679_616;
  return `acc_${time}_${sequence.toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
