import { isCandorError } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalCopy, canonicalJson } from './canonical';
import type { ConsentEvent } from './events';
import {
  createMemoryLedgerStore,
  GENESIS_HASH,
  hashEntry,
  type LedgerEntry,
  nobleSha256Hex,
  sealEntry,
  sha256Hex,
  verifyChain,
} from './store';

const event = (over: Partial<ConsentEvent> = {}): ConsentEvent => ({
  kind: 'given',
  actor: { kind: 'subject' },
  purposes: ['marketing.email'],
  basis: 'consent',
  at: 1_780_000_000_000,
  method: 'banner',
  ...over,
});

async function chainOf(n: number, subject = 'cus_1') {
  const store = createMemoryLedgerStore();
  for (let i = 0; i < n; i++) {
    await store.append({
      subject,
      expectedSequence: i,
      idempotencyKey: `${subject}-${i}`,
      recordedAt: 1_780_000_000_000 + i,
      event: event({ at: 1_780_000_000_000 + i, kind: i % 2 ? 'withdrawn' : 'given' }),
    });
  }
  return { store, entries: await store.read(subject) };
}

describe('canonicalJson', () => {
  it('sorts keys, drops undefined and is independent of key order', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined })).toBe(
      '{"a":[true,null,"x"],"b":1}',
    );
    expect(canonicalJson({ x: { z: 1, y: 2 } })).toBe(canonicalJson({ x: { y: 2, z: 1 } }));
  });

  it('orders integer-like keys by code units too, and copies deeply (property)', () => {
    expect(canonicalJson({ b: 1, 10: 2, 9: 3 })).toBe('{"10":2,"9":3,"b":1}');
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { json, copy } = canonicalCopy(value);
        // Same text whatever the key order, and the copy re-serializes to it.
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(json);
        expect(canonicalJson(copy)).toBe(json);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects what JSON cannot carry, naming the path', () => {
    try {
      canonicalJson({ a: { b: Number.NaN } });
      expect.unreachable();
    } catch (error) {
      expect(isCandorError(error, 'consent/invalid_event')).toBe(true);
      expect((error as { details: { path: string } }).details.path).toBe('(root).a.b');
    }
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/plain objects/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined/);
  });
});

describe('sha256Hex', () => {
  it('gives the same digest natively and in pure JavaScript, for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(sha256Hex(text)).toBe(nobleSha256Hex(text));
      }),
      { numRuns: 30 },
    );
    expect(sha256Hex('lone \uD800 surrogate')).toBe(nobleSha256Hex('lone \uD800 surrogate'));
    expect(nobleSha256Hex('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  }, 20_000);
});

describe('sealEntry / hashEntry', () => {
  it('hashes with SHA-256 over the canonical content and derives the id', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const entry = sealEntry(
      { subject: 's', sequence: 1, idempotencyKey: 'k', recordedAt: 5, event: event() },
      GENESIS_HASH,
    );
    expect(entry.hash).toBe(hashEntry(entry));
    expect(entry.id).toBe(`cr_${entry.hash.slice(0, 32)}`);
    expect(entry.prevHash).toBe(GENESIS_HASH);
  });
});

describe('createMemoryLedgerStore', () => {
  it('chains entries per subject and reads them back in order', async () => {
    const { store, entries } = await chainOf(3);
    expect(entries.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    expect(verifyChain(entries)).toEqual({ valid: true, entries: 3, headHash: entries[2]?.hash });
    expect(await store.head('cus_1')).toEqual({ sequence: 3, hash: entries[2]?.hash });
    expect(await store.head('nobody')).toBeNull();
    expect((await store.read('cus_1', { afterSequence: 2 })).map((e) => e.sequence)).toEqual([3]);
  });

  it('rejects a stale expected sequence and writes nothing', async () => {
    const { store } = await chainOf(2);
    const attempt = store.append({
      subject: 'cus_1',
      expectedSequence: 1,
      idempotencyKey: 'late',
      recordedAt: 1,
      event: event(),
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'consent/stale_sequence',
      details: { path: 'expectedSequence', value: 1, actual: 2 },
    });
    expect(await store.read('cus_1')).toHaveLength(2);
    expect(await store.findByIdempotencyKey('late')).toBeNull();
  });

  it('returns the original entry for a retried idempotency key, without a duplicate', async () => {
    const store = createMemoryLedgerStore();
    const request = {
      subject: 'cus_1',
      expectedSequence: 0,
      idempotencyKey: 'grant-1',
      recordedAt: 10,
      event: event(),
    };
    const first = await store.append(request);
    const retry = await store.append({ ...request, recordedAt: 99 });
    expect(first.duplicate).toBe(false);
    expect(retry).toEqual({ entry: first.entry, duplicate: true });
    expect(await store.read('cus_1')).toHaveLength(1);
    expect(await store.findByIdempotencyKey('grant-1')).toEqual(first.entry);
    await expect(store.append({ ...request, subject: 'cus_2' })).rejects.toMatchObject({
      code: 'consent/idempotency_conflict',
    });
  });

  it('lets exactly one of two concurrent writers with the same expected sequence win', async () => {
    const store = createMemoryLedgerStore();
    const results = await Promise.allSettled(
      ['a', 'b'].map((key) =>
        store.append({
          subject: 's',
          expectedSequence: 0,
          idempotencyKey: key,
          recordedAt: 1,
          event: event(),
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(verifyChain(await store.read('s')).valid).toBe(true);
  });

  it('iterates every subject in sequence order for hydration', async () => {
    const store = createMemoryLedgerStore();
    for (const [i, subject] of ['a', 'b', 'a'].entries()) {
      const head = await store.head(subject);
      await store.append({
        subject,
        expectedSequence: head?.sequence ?? 0,
        idempotencyKey: `k${i}`,
        recordedAt: i,
        event: event(),
      });
    }
    const seen: string[] = [];
    for await (const entry of store.entries()) seen.push(`${entry.subject}${entry.sequence}`);
    expect(seen).toEqual(['a1', 'a2', 'b1']);
  });

  it('keeps a canonical copy: mutating the caller event afterwards changes nothing', async () => {
    const store = createMemoryLedgerStore();
    const mine = { ...event(), purposes: ['marketing.email'] };
    await store.append({
      subject: 's',
      expectedSequence: 0,
      idempotencyKey: 'k',
      recordedAt: 1,
      event: mine,
    });
    mine.purposes.push('analytics');
    const [stored] = await store.read('s');
    expect(stored?.event.purposes).toEqual(['marketing.email']);
    expect(verifyChain(await store.read('s')).valid).toBe(true);
  });
});

describe('verifyChain', () => {
  it('names the first tampered entry, whatever field changed (property)', async () => {
    const { entries } = await chainOf(6);
    const tamperings: Array<(e: LedgerEntry) => LedgerEntry> = [
      (e) => ({ ...e, event: { ...e.event, purposes: ['analytics'] } }),
      (e) => ({
        ...e,
        event: { ...e.event, kind: 'given' === e.event.kind ? 'refused' : 'given' },
      }),
      (e) => ({ ...e, recordedAt: e.recordedAt + 1 }),
      (e) => ({ ...e, event: { ...e.event, at: e.event.at - 1000 } }),
      (e) => ({ ...e, idempotencyKey: `${e.idempotencyKey}x` }),
      (e) => ({ ...e, prevHash: 'f'.repeat(64) }),
      (e) => ({ ...e, sequence: e.sequence + 10 }),
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: entries.length - 1 }),
        fc.integer({ min: 0, max: tamperings.length - 1 }),
        (index, which) => {
          const copy = entries.slice();
          copy[index] = tamperings[which]!(copy[index]!);
          const result = verifyChain(copy);
          expect(result.valid).toBe(false);
          if (!result.valid) {
            expect(result.index).toBe(index);
            expect(result.entryId).toBe(entries[index]?.id);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('detects a removed entry as a break at the next one', async () => {
    const { entries } = await chainOf(4);
    const result = verifyChain([entries[0]!, entries[2]!, entries[3]!]);
    expect(result).toMatchObject({ valid: false, index: 1, problem: 'sequence_gap' });
  });
});
