import { createHash } from 'node:crypto';
import { isCandorError } from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalCopy, canonicalJson, sortedEventCopy } from './canonical';
import type { ConsentEvent } from './events';
import {
  createMemoryLedgerStore,
  GENESIS_HASH,
  hashEntry,
  hashedContent,
  type LedgerEntry,
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

  it('renders numbers, escapes and awkward keys exactly as the first release did (pinned)', () => {
    const weird: Record<string, unknown> = { b: 1, 10: 2, 9: 3 };
    Object.defineProperty(weird, '__proto__', {
      value: { z: -0, y: 1e21, x: 0.1, w: 5e-7 },
      enumerable: true,
    });
    expect(canonicalJson(weird)).toBe(
      '{"10":2,"9":3,"__proto__":{"w":5e-7,"x":0.1,"y":1e+21,"z":0},"b":1}',
    );
    expect(
      canonicalJson({
        '\ud800': '\udfff',
        '\u00e9': 'e',
        e: '\u0000\u001f\u007f',
        E: [null, true, false, -1.5, {}],
      }),
    ).toBe(
      '{"E":[null,true,false,-1.5,{}],"e":"\\u0000\\u001f\u007f","\u00e9":"e","\\ud800":"\\udfff"}',
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

/** The event's canonical copy and JSON the way `sealEntry` makes them: fast path, else generic. */
function canonicalEventCopy(event: ConsentEvent): { json: string; copy: ConsentEvent } {
  const copy = sortedEventCopy(event);
  return copy === undefined ? canonicalCopy(event) : { json: JSON.stringify(copy), copy };
}

describe('canonicalEventCopy', () => {
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const eventLike = fc.record(
    {
      kind: fc.oneof(fc.constantFrom('given', 'withdrawn'), text),
      actor: fc.oneof(
        fc.record({ kind: text, id: maybe(text) }, { requiredKeys: ['kind'] }),
        fc.jsonValue(),
      ),
      purposes: fc.oneof(fc.array(text, { maxLength: 3 }), fc.jsonValue()),
      basis: maybe(fc.oneof(text, fc.jsonValue())),
      at: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
      method: text,
      surface: maybe(text),
      uiVersion: maybe(text),
      jurisdiction: maybe(text),
      expiresAt: maybe(fc.oneof(fc.integer(), fc.double({ noNaN: true }))),
      reason: maybe(text),
      confirmed: maybe(fc.oneof(fc.boolean(), fc.jsonValue())),
      notice: maybe(
        fc.oneof(
          fc.record({ id: text, version: text, contentHash: text }),
          fc.record({ id: text, version: text, contentHash: text, extra: fc.jsonValue() }),
        ),
      ),
      signal: maybe(fc.oneof(fc.record({ gpc: fc.boolean() }), fc.jsonValue())),
      extra: fc.jsonValue(),
    },
    { requiredKeys: ['kind', 'actor', 'purposes', 'at', 'method'] },
  );

  it('gives exactly the generic bytes and copy, for any event-like object (property)', () => {
    fc.assert(
      fc.property(eventLike, (value) => {
        const event = value as unknown as ConsentEvent;
        let generic: { json: string; copy: ConsentEvent } | Error;
        try {
          generic = canonicalCopy(event);
        } catch (error) {
          generic = error as Error;
        }
        if (generic instanceof Error) {
          expect(() => canonicalEventCopy(event)).toThrow(generic.message);
          return;
        }
        const fast = canonicalEventCopy(event);
        expect(fast.json).toBe(generic.json);
        expect(JSON.stringify(fast.copy)).toBe(JSON.stringify(generic.copy));
        expect(fast.copy).not.toBe(event);
        // A sealed entry hashes the generic canonical bytes of its whole content.
        const fields = {
          subject: 's\u00e9',
          sequence: 2,
          idempotencyKey: 'k"1',
          recordedAt: 7,
          event,
        };
        const entry = sealEntry(fields, 'f'.repeat(64));
        expect(entry.hash).toBe(sha256Hex(canonicalJson(hashedContent(entry))));
        expect(canonicalJson(entry.event)).toBe(generic.json);
      }),
      { numRuns: 300 },
    );
  });

  it('copies the documented shape deeply and rejects holes like the generic path', () => {
    const mine = event({ notice: { id: 'n', version: '1', contentHash: 'ab' } });
    const { copy } = canonicalEventCopy(mine);
    expect(copy.notice).not.toBe(mine.notice);
    expect(copy.purposes).not.toBe(mine.purposes);
    expect(copy.actor).not.toBe(mine.actor);
    const holes = event({ purposes: new Array(2) });
    expect(() => canonicalEventCopy(holes)).toThrow(/cannot be stored/);
    expect(() => canonicalCopy(holes)).toThrow(/cannot be stored/);
  });
});

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it('gives the digest of UTF-8 text, for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(sha256Hex(text)).toBe(reference(text));
      }),
      { numRuns: 30 },
    );
    expect(sha256Hex('lone \uD800 surrogate')).toBe(reference('lone \uD800 surrogate'));
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  }, 20_000);
});

describe('sealEntry / hashEntry', () => {
  it('keeps the hashed bytes of existing ledgers: pinned hashes never change', () => {
    // Sealed with the first release; a stored ledger only verifies if these stay byte-identical.
    const first = sealEntry(
      {
        subject: 'cus_ünï',
        sequence: 1,
        idempotencyKey: 'k-1',
        recordedAt: 1_780_000_000_005,
        event: {
          kind: 'given',
          actor: { kind: 'subject' },
          purposes: ['marketing.email', 'ads.targeted'],
          basis: 'consent',
          at: 1_780_000_000_000,
          method: 'preference_center',
          surface: 'web.settings',
          uiVersion: '4.2.0',
          jurisdiction: 'FR',
          expiresAt: 1_811_536_000_000,
          reason: 'café "quoted" \u2028 \n',
          notice: { id: 'marketing', version: '2026-05', contentHash: 'ab'.repeat(32) },
          confirmed: true,
        },
      },
      GENESIS_HASH,
    );
    expect(first.hash).toBe('3ff437849b1a7f6e7878ffc8178676f582012b552d0fff24fbdfae37f80b771c');
    expect(first.id).toBe('cr_3ff437849b1a7f6e7878ffc8178676f5');
    const second = sealEntry(
      {
        subject: 'cus_ünï',
        sequence: 2,
        idempotencyKey: 'k-2',
        recordedAt: 1_780_000_000_006,
        event: {
          kind: 'signal_observed',
          actor: { kind: 'subject' },
          purposes: [],
          at: 1_780_000_000_006,
          method: 'gpc',
          signal: { gpc: true },
        },
      },
      first.hash,
    );
    expect(second.hash).toBe('af6145dd44caea162537b833207e4133f0670a87aeb90a4763fb7ddb04a894ed');
    // The same bytes by hand: sorted keys, no whitespace, SHA-256 by Node's own digest.
    expect(
      reference(
        `{"event":{"actor":{"kind":"subject"},"at":1780000000006,"kind":"signal_observed","method":"gpc","purposes":[],"signal":{"gpc":true}},"idempotencyKey":"k-2","prevHash":"${first.hash}","recordedAt":1780000000006,"sequence":2,"subject":"cus_ünï","v":1}`,
      ),
    ).toBe(second.hash);
    expect(verifyChain([first, second]).valid).toBe(true);
  });

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

  it('tells a chain that lost its newest entries from a whole one, given an anchor (property)', async () => {
    const { entries } = await chainOf(6);
    await fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), (at, kept) => {
        const anchor = { sequence: at, hash: entries[at - 1]!.hash };
        const result = verifyChain(entries.slice(0, kept), { anchors: [anchor] });
        if (kept >= at) expect(result.valid).toBe(true);
        else
          expect(result).toMatchObject({
            valid: false,
            problem: 'missing_entries',
            index: kept,
            sequence: kept + 1,
            entryId: entries[at - 1]!.id,
          });
      }),
    );
  });

  it('tells another chain in the anchored place, and refuses a malformed anchor by name', async () => {
    const { entries } = await chainOf(3);
    // The same customer's chain rewritten from its second entry on (each entry sealed anew).
    const { store } = await chainOf(1);
    for (let i = 1; i < 3; i++)
      await store.append({
        subject: 'cus_1',
        expectedSequence: i,
        idempotencyKey: `rewritten-${i}`,
        recordedAt: 1_780_000_000_100 + i,
        event: event({ at: 1_780_000_000_100 + i }),
      });
    const rewritten = await store.read('cus_1');
    expect(verifyChain(rewritten).valid).toBe(true);
    expect(
      verifyChain(rewritten, { anchors: [{ sequence: 2, hash: entries[1]!.hash }] }),
    ).toMatchObject({ valid: false, problem: 'anchor_mismatch', index: 1, sequence: 2 });
    expect(
      verifyChain(rewritten, { anchors: [{ sequence: 1, hash: entries[0]!.hash }] }).valid,
    ).toBe(true);
    for (const [anchors, path] of [
      ['x', 'options.anchors'],
      [[null], 'options.anchors[0]'],
      [[{ sequence: 0, hash: entries[0]!.hash }], 'options.anchors[0].sequence'],
      [[{ sequence: 1, hash: 'abc' }], 'options.anchors[0].hash'],
    ] as const) {
      try {
        verifyChain(entries, { anchors: anchors as never });
        expect.unreachable();
      } catch (error) {
        expect(isCandorError(error) && error.details?.path).toBe(path);
      }
    }
  });
});
