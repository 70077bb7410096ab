import type { LedgerEntry } from '@candor/consent';
import { CandorError } from '@candor/core';

/** A row of `candor_consent_entries`, as the driver returns it. */
export interface EntryRow {
  subject: string;
  sequence: number;
  id: string;
  idempotency_key: string;
  recorded_at: string | number;
  event: string;
  hash_version: number;
  prev_hash: string;
  hash: string;
}

/** The columns an {@link EntryRow} is read from. */
export const ENTRY_COLUMNS =
  'subject, sequence, id, idempotency_key, recorded_at, event, hash_version, prev_hash, hash';

/** Strings longer than this are never shared (the longest usual one is a 64-digit hash). */
const SHARE_MAX_LENGTH = 96;
/** Distinct strings remembered before the pool starts again. */
const SHARE_MAX_STRINGS = 4096;

/**
 * Reads stored rows as ledger entries, every field exactly as stored, keeping less in memory:
 * the strings events repeat (kinds, methods, surfaces, purposes, categories, notice
 * references…) are held once per reader rather than once per entry, an entry's `subject` is the
 * string the caller asked for, and an entry whose `prevHash` equals the previous entry's `hash`
 * shares that string. Held strings are immutable, so nothing a caller sees changes; a subject
 * cache holding 100k subjects' entries just holds about a quarter less, and the garbage collector
 * has that much less to copy and mark.
 *
 * An event that is not JSON, or lacks the fields every decision reads (`kind`, `at`,
 * `purposes`), is a `consent/invalid_entry` naming the subject and sequence: the read fails as a
 * whole, so a view caches nothing of it.
 *
 * @example
 * const toEntry = createEntryReader();
 * let previous: LedgerEntry | undefined;
 * for (const row of rows) previous = toEntry(row, previous);
 */
export function createEntryReader(): (row: EntryRow, previous?: LedgerEntry) => LedgerEntry {
  let pool = new Map<string, string>();

  const share = (value: string): string => {
    if (value.length > SHARE_MAX_LENGTH) return value;
    const held = pool.get(value);
    if (held !== undefined) return held;
    if (pool.size >= SHARE_MAX_STRINGS) pool = new Map();
    pool.set(value, value);
    return value;
  };

  // Strings in the event, its arrays and its nested objects (actor, notice, signal, offer), in
  // place: the event was parsed for this entry alone. Own keys only: nothing inherited (say, from
  // a polluted prototype) is ever copied in.
  const shareAll = (record: Record<string, unknown>, depth: number): void => {
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (typeof value === 'string') record[key] = share(value);
      else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (typeof item === 'string') value[i] = share(item);
        }
      } else if (depth > 0 && typeof value === 'object' && value !== null)
        shareAll(value as Record<string, unknown>, depth - 1);
    }
  };

  return (row, previous) => {
    const subject = previous?.subject === row.subject ? previous.subject : row.subject;
    const sequence = Number(row.sequence);
    let event: unknown;
    try {
      event = JSON.parse(row.event);
    } catch (error) {
      throw malformed(subject, sequence, row.event, 'is not JSON', error);
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event))
      throw malformed(subject, sequence, row.event, 'is not an event object');
    const { kind, at, purposes } = event as Record<string, unknown>;
    if (typeof kind !== 'string' || typeof at !== 'number' || !Array.isArray(purposes))
      throw malformed(subject, sequence, row.event, 'lacks a kind, a time or its purposes');
    shareAll(event as Record<string, unknown>, 1);
    return {
      id: row.id,
      subject,
      sequence,
      idempotencyKey: row.idempotency_key,
      recordedAt: Number(row.recorded_at),
      event: event as LedgerEntry['event'],
      hashVersion: Number(row.hash_version),
      prevHash:
        previous?.subject === row.subject && previous.hash === row.prev_hash
          ? previous.hash
          : row.prev_hash,
      hash: row.hash,
    };
  };
}

function malformed(
  subject: string,
  sequence: number,
  text: string,
  problem: string,
  cause?: unknown,
): CandorError {
  return new CandorError(
    'consent/invalid_entry',
    `The stored event of ${subject} at sequence ${sequence} ${problem}`,
    {
      path: 'event',
      value: text.length > 200 ? `${text.slice(0, 200)}…` : text,
      subject,
      sequence,
    },
    cause === undefined ? undefined : { cause },
  );
}
