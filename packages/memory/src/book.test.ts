import {
  type AccessRecord,
  type ConsentGate,
  createMemoryAccessLog,
  createVirtualClock,
  duration,
  isWithin,
} from '@candor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInMemoryStore, createMemoryBook, type MemoryInput } from './index';

const T0 = Date.parse('2026-05-03T10:00:00Z');
const rule = { kind: 'rule', id: 'storm-warning', version: 2 } as const;
const agent = { kind: 'staff', id: 'agent_7f3a' } as const;

/** A gate that allows purposes × categories from a list ('*' = any), and says what it was asked. */
function gate(allow: readonly (readonly [string, string])[]): ConsentGate & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    decide(q) {
      const category = q.dataCategories[0] ?? '';
      asked.push(`${q.purpose}|${category}`);
      const allowed = allow.some(
        ([p, c]) => (p === '*' || isWithin(q.purpose, p)) && (c === '*' || isWithin(category, c)),
      );
      return {
        allowed,
        purpose: q.purpose,
        status: allowed ? 'granted' : 'refused',
        basis: 'consent',
        reasons: [],
        recordIds: [],
        noticeVersion: null,
        expiresAt: null,
      };
    },
  };
}

const reason = (over: Partial<MemoryInput> = {}): MemoryInput => ({
  subject: 'cus_ana',
  content: { kind: 'stated_reason', reason: 'preparing for a trek in the Alps in June' },
  category: 'user.behavior.purchase_reason',
  provenance: { source: 'checkout', kind: 'stated', observedAt: T0, party: 'first' },
  purposes: ['service.proactive_support'],
  about: { type: 'order', id: 'ord_123', label: 'hiking boots' },
  ...over,
});

const complaint = (over: Partial<MemoryInput> = {}): MemoryInput => ({
  subject: 'cus_ana',
  content: { kind: 'complaint', summary: 'card blocked in error', status: 'open' },
  category: 'user.support.complaints',
  provenance: { source: 'support desk', kind: 'stated', observedAt: T0, party: 'first' },
  purposes: ['service.support'],
  ...over,
});

function setup(allow: readonly (readonly [string, string])[] = [['*', '*']]) {
  const clock = createVirtualClock(T0);
  const accessLog = createMemoryAccessLog();
  const consent = gate(allow);
  const store = createInMemoryStore();
  const book = createMemoryBook({ consent, accessLog, clock, store });
  return { clock, accessLog, consent, store, book };
}

describe('recall', () => {
  it('returns facts with their provenance, and records exactly what it returned', async () => {
    const { book, accessLog, clock } = setup();
    const memory = await book.remember(reason());
    clock.advance(duration.day);
    const result = await book.recall('cus_ana', {
      purpose: 'service.proactive_support',
      accessor: rule,
    });
    expect(result.facts).toEqual([
      {
        id: memory.id,
        path: 'memory.stated_reason.ord_123',
        category: 'user.behavior.purchase_reason',
        value: 'preparing for a trek in the Alps in June',
        provenance: { source: 'checkout', kind: 'stated', observedAt: T0, party: 'first' },
      },
    ]);
    const [record] = await accessLog.query({ subject: 'cus_ana' });
    expect(record).toMatchObject({
      accessor: rule,
      purpose: 'service.proactive_support',
      dataCategories: ['user.behavior.purchase_reason'],
      evidence: ['memory.stated_reason.ord_123'],
      outcome: 'looked_up',
    });
  });

  it('returns nothing consent denies, and records nothing when nothing was read', async () => {
    const { book, accessLog } = setup([['service', 'user.support']]);
    await book.remember(reason());
    const result = await book.recall('cus_ana', {
      purpose: 'service.proactive_support',
      accessor: rule,
    });
    expect(result.facts).toEqual([]);
    expect(result.withheld).toEqual([{ why: 'consent', count: 1 }]);
    expect(await accessLog.query({ subject: 'cus_ana' })).toEqual([]);
  });

  it('serves a past instant only where consent allows it then and now, judged and recorded now', async () => {
    const clock = createVirtualClock(T0);
    const accessLog = createMemoryAccessLog();
    const allowAll = gate([['*', '*']]);
    let withdrawnAt = Number.POSITIVE_INFINITY;
    const consent: ConsentGate = {
      decide: (q) => ({ ...allowAll.decide(q), allowed: (q.at ?? clock.now()) < withdrawnAt }),
    };
    const book = createMemoryBook({ consent, accessLog, clock });
    await book.remember(reason({ retainUntil: T0 + 10 * duration.day }));
    clock.advance(duration.day);
    // A rule's event of long ago, evaluated now.
    const ask = { purpose: 'service.proactive_support', accessor: rule, at: T0 + 1 } as const;
    expect((await book.recall('cus_ana', ask)).memories).toHaveLength(1);
    expect((await accessLog.query({ subject: 'cus_ana' })).map((r) => r.at)).toEqual([clock.now()]);
    withdrawnAt = clock.now();
    clock.advance(duration.hour);
    const withdrawn = await book.recall('cus_ana', ask);
    expect(withdrawn.memories).toEqual([]);
    expect(withdrawn.withheld).toEqual([{ why: 'consent', count: 1 }]);
    withdrawnAt = Number.POSITIVE_INFINITY;
    clock.advance(10 * duration.day);
    expect((await book.recall('cus_ana', ask)).withheld).toEqual([{ why: 'expired', count: 1 }]);
  });

  it('leaves out what does not serve the purpose, what expired, and stale inferences', async () => {
    const { book, clock } = setup();
    await book.remember(reason({ purposes: ['marketing'] }));
    await book.remember(
      reason({ about: { type: 'order', id: 'ord_2' }, retainUntil: T0 + duration.day }),
    );
    await book.remember(
      reason({
        about: { type: 'order', id: 'ord_3' },
        provenance: { source: 'recs model', kind: 'inferred', observedAt: T0, party: 'first' },
        confidence: 0.9,
      }),
    );
    const ask = () =>
      book.recall('cus_ana', { purpose: 'service.proactive_support', accessor: rule });
    expect((await ask()).facts.map((f) => f.path)).toEqual([
      'memory.stated_reason.ord_2',
      'memory.stated_reason.ord_3',
    ]);
    clock.advance(120 * duration.day); // 0.9 · 2^(−120/90) ≈ 0.36 < 0.5, and ord_2's retention ended
    const later = await ask();
    expect(later.facts).toEqual([]);
    expect(later.withheld).toEqual(
      expect.arrayContaining([
        { why: 'not_for_purpose', count: 1 },
        { why: 'expired', count: 1 },
        { why: 'stale', count: 1 },
      ]),
    );
  });

  it('never forgets an open complaint or case for a service purpose, whatever its retention (property)', async () => {
    const memory = fc.record({
      kind: fc.constantFrom('complaint', 'support_case', 'stated_reason', 'preference'),
      open: fc.boolean(),
      purpose: fc.constantFrom('service.support', 'marketing', 'service.proactive_support'),
      retention: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
      inferred: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(memory, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 400 }),
        fc.constantFrom('service.support', 'service.proactive_support', 'service'),
        async (memories, days, purpose) => {
          const { book, clock } = setup();
          const open: string[] = [];
          for (const [i, m] of memories.entries()) {
            const content =
              m.kind === 'complaint' || m.kind === 'support_case'
                ? {
                    kind: m.kind,
                    summary: `problem ${i}`,
                    ...(m.open ? { status: 'open' } : { status: 'resolved', resolvedAt: T0 }),
                  }
                : m.kind === 'preference'
                  ? { kind: m.kind, key: `k${i}`, value: 'x' }
                  : { kind: m.kind, reason: `reason ${i}` };
            const stored = await book.remember({
              ...reason({ about: { type: 'order', id: `o${i}` } }),
              content: content as MemoryInput['content'],
              purposes: [m.purpose],
              ...(m.retention === undefined
                ? {}
                : { retainUntil: T0 + m.retention * duration.day }),
              ...(m.inferred
                ? {
                    provenance: {
                      source: 'model',
                      kind: 'inferred',
                      observedAt: T0,
                      party: 'first',
                    },
                    confidence: 0.6,
                  }
                : {}),
            } as MemoryInput);
            if ((m.kind === 'complaint' || m.kind === 'support_case') && m.open)
              open.push(stored.id);
          }
          clock.advance(days * duration.day);
          const { memories: recalled } = await book.recall('cus_ana', { purpose, accessor: agent });
          for (const id of open) expect(recalled.map((r) => r.id)).toContain(id);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('records exactly the categories and paths it returned (property)', async () => {
    const categories = [
      'user.behavior.purchase_reason',
      'user.preferences.travel',
      'user.support.cases',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ category: fc.constantFrom(...categories), allowed: fc.boolean() }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (specs) => {
          const allow = specs.filter((s) => s.allowed).map((s) => ['*', s.category] as const);
          const { book, accessLog } = setup(allow);
          for (const [i, s] of specs.entries())
            await book.remember(
              reason({ category: s.category, about: { type: 'order', id: `o${i}` } }),
            );
          const { facts } = await book.recall('cus_ana', {
            purpose: 'service.proactive_support',
            accessor: rule,
          });
          const records: AccessRecord[] = [...(await accessLog.query({ subject: 'cus_ana' }))];
          if (facts.length === 0) expect(records).toEqual([]);
          else {
            expect(records).toHaveLength(1);
            expect(new Set(records[0]?.dataCategories)).toEqual(
              new Set(facts.map((f) => f.category)),
            );
            expect(records[0]?.evidence).toEqual(facts.map((f) => f.path));
            for (const c of records[0]?.dataCategories ?? [])
              expect(allow.some(([, allowed]) => allowed === c)).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('waits for the access record in strict mode, and otherwise reports a failing log', async () => {
    const failing = {
      append: async () => {
        throw new Error('log down');
      },
      query: async () => [],
      purge: async () => 0,
    };
    const errors: unknown[] = [];
    const lenient = createMemoryBook({
      consent: gate([['*', '*']]),
      accessLog: failing,
      onAccessLogError: (e) => errors.push(e),
    });
    await lenient.remember(reason());
    expect(
      (await lenient.recall('cus_ana', { purpose: 'service.proactive_support', accessor: rule }))
        .facts,
    ).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(errors).toHaveLength(1);
    const strict = createMemoryBook({
      consent: gate([['*', '*']]),
      accessLog: failing,
      strictAccessLog: true,
    });
    await strict.remember(reason());
    await expect(
      strict.recall('cus_ana', { purpose: 'service.proactive_support', accessor: rule }),
    ).rejects.toThrow('log down');
  });
});

describe('quality of what is remembered', () => {
  it("a customer's correction supersedes the old memory: kept in history, never recalled", async () => {
    const { book } = setup();
    const old = await book.remember(reason());
    const fixed = await book.correct('cus_ana', old.id, {
      kind: 'stated_reason',
      reason: 'a gift for my brother',
    });
    expect(fixed).toMatchObject({ supersedes: old.id, status: 'active' });
    const { facts } = await book.recall('cus_ana', {
      purpose: 'service.proactive_support',
      accessor: rule,
    });
    expect(facts.map((f) => f.value)).toEqual(['a gift for my brother']);
    const mine = await book.list('cus_ana');
    expect(mine.superseded.map((m) => [m.id, m.supersededBy])).toEqual([[old.id, fixed.id]]);
    await expect(
      book.correct('cus_ana', old.id, { kind: 'stated_reason', reason: 'again' }),
    ).rejects.toMatchObject({ code: 'memory/not_allowed' });
  });

  it('flags contradictions between active memories instead of picking one', async () => {
    const { book } = setup();
    const seat = (value: string) =>
      reason({
        content: { kind: 'preference', key: 'seat', value },
        about: undefined,
        category: 'user.preferences.travel',
      });
    const a = await book.remember(seat('window'));
    const b = await book.remember(seat('aisle'));
    await book.remember(seat('Window'));
    const mine = await book.list('cus_ana');
    expect(mine.contradictions).toEqual(expect.arrayContaining([[a.id, b.id]]));
    const recalled = await book.recall('cus_ana', {
      purpose: 'service.proactive_support',
      accessor: rule,
    });
    expect(recalled.facts).toEqual([]);
    expect(recalled.withheld).toEqual([{ why: 'contradicted', count: 3 }]);
    const brief = await book.brief('cus_ana', {
      purpose: 'service.proactive_support',
      accessor: agent,
    });
    expect(brief.toClarify.map(([x, y]) => [x.summary, y.summary])).toContainEqual([
      'window',
      'aisle',
    ]);
  });

  it('asks staff to clarify only disagreements it may recall, and records what it showed', async () => {
    const { book, clock, accessLog } = setup();
    const meal = (value: string, retainUntil?: number) =>
      reason({
        content: { kind: 'preference', key: 'meal', value },
        about: undefined,
        category: 'user.preferences.travel',
        ...(retainUntil === undefined ? {} : { retainUntil }),
      });
    await book.remember(meal('vegetarian', T0 + duration.day));
    await book.remember(meal('vegan'));
    const ask = { purpose: 'service.proactive_support', accessor: agent } as const;
    const brief = await book.brief('cus_ana', ask);
    expect(brief.toClarify.map(([x, y]) => [x.summary, y.summary])).toEqual([
      ['vegetarian', 'vegan'],
    ]);
    const [record] = await accessLog.query({ subject: 'cus_ana' });
    expect(record?.evidence).toEqual(['memory.preference.meal', 'memory.preference.meal']);
    // Once one side is past its retention, there is nothing to clarify, and nothing was read.
    clock.advance(2 * duration.day);
    const later = await book.brief('cus_ana', ask);
    expect(later.toClarify).toEqual([]);
    expect(later.withheld).toEqual([
      { why: 'expired', count: 1 },
      { why: 'contradicted', count: 1 },
    ]);
    expect(await accessLog.query({ subject: 'cus_ana' })).toHaveLength(1);
  });

  it('erasure leaves a tombstone and nothing recallable, for every version of the memory', async () => {
    const { book, store } = setup();
    const old = await book.remember(reason());
    const fixed = await book.correct('cus_ana', old.id, {
      kind: 'stated_reason',
      reason: 'a gift',
    });
    const tombstones = await book.erase('cus_ana', fixed.id);
    expect(tombstones.map((t) => t.id).sort()).toEqual([old.id, fixed.id].sort());
    expect(
      (await book.recall('cus_ana', { purpose: 'service.proactive_support', accessor: rule }))
        .facts,
    ).toEqual([]);
    const stored = JSON.stringify(await store.read('cus_ana'));
    expect(stored).not.toContain('trek');
    expect(stored).not.toContain('a gift');
    expect((await book.list('cus_ana')).erased).toHaveLength(2);
  });
});

describe('a brief for staff', () => {
  it('puts open complaints and cases first, then recently resolved problems, with source and date', async () => {
    const { book, clock } = setup();
    await book.remember(reason());
    const blocked = await book.remember(complaint());
    await book.remember(
      complaint({ content: { kind: 'support_case', summary: 'address change', status: 'open' } }),
    );
    clock.advance(duration.day);
    await book.resolve('cus_ana', blocked.id, { resolution: 'unblocked, with an apology' });
    await book.remember(
      complaint({ content: { kind: 'complaint', summary: 'late refund', status: 'open' } }),
    );
    const brief = await book.brief('cus_ana', { purpose: 'service.support', accessor: agent });
    expect(brief.openComplaints.map((i) => i.summary)).toEqual(['late refund']);
    expect(brief.openCases.map((i) => i.summary)).toEqual(['address change']);
    expect(brief.recentlyResolved).toEqual([
      expect.objectContaining({
        summary: 'card blocked in error',
        resolution: 'unblocked, with an apology',
        source: 'support desk',
        how: 'stated',
        at: T0,
      }),
    ]);
    // The trek is for proactive support, not for support conversations: not in this brief.
    expect(brief.statedReasons).toEqual([]);
  });
});

describe('bad input is refused before anything is written', () => {
  it.each([
    ['an unknown kind', { content: { kind: 'wish', text: 'x' } }, 'input.content.kind'],
    ['a malformed category', { category: 'User Card' }, 'input.category'],
    ['a malformed purpose', { purposes: ['Marketing!'] }, 'input.purposes[0]'],
    ['a retention in the past', { retainUntil: T0 - 1 }, 'input.retainUntil'],
    ['an unknown field', { mood: 'happy' }, 'input.mood'],
    [
      'a resolved complaint without the time it was',
      { content: { kind: 'complaint', summary: 'card blocked', status: 'resolved' } },
      'input.content.resolvedAt',
    ],
    [
      'an open complaint with a resolution',
      { content: { kind: 'complaint', summary: 'card blocked', status: 'open', resolution: 'x' } },
      'input.content.resolution',
    ],
  ])('%s', async (_, over, path) => {
    const { book, store } = setup();
    await expect(book.remember({ ...reason(), ...over } as never)).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: expect.objectContaining({ path }),
    });
    expect(await store.read('cus_ana')).toEqual([]);
  });

  it('says what is wrong, not "Invalid input"', async () => {
    const { book } = setup();
    await expect(book.remember({ ...reason(), mood: 'happy' } as never)).rejects.toThrow(
      'input.mood: unknown field "mood"',
    );
    await expect(book.remember(reason({ purposes: [] }))).rejects.toThrow(
      'input.purposes: must not be empty',
    );
  });

  it('a correction cannot close a complaint: only resolve() does, and it stays remembered', async () => {
    const { book } = setup();
    const open = await book.remember(complaint());
    await expect(
      book.correct('cus_ana', open.id, {
        kind: 'complaint',
        summary: 'card blocked in error',
        status: 'resolved',
        resolvedAt: T0,
      }),
    ).rejects.toMatchObject({ code: 'memory/invalid_input', details: { path: 'content.status' } });
    const corrected = await book.correct('cus_ana', open.id, {
      kind: 'complaint',
      summary: 'card blocked twice in error',
      status: 'open',
    });
    expect(corrected.content).toMatchObject({ status: 'open' });
  });

  it.each([
    ['a malformed purpose', { purpose: 'Support!' }, 'options.purpose'],
    ['a time that is not a number', { at: 'yesterday' }, 'options.at'],
    ['a time before 1970', { at: -1 }, 'options.at'],
    // Each would make a recall its access record cannot hold: refused before anything is read.
    ['a decision id that is a number', { decisionId: 42 }, 'options.decisionId'],
    ['an empty decision id', { decisionId: '' }, 'options.decisionId'],
    ['a decision id of null', { decisionId: null }, 'options.decisionId'],
    ['a decision id over 200 characters', { decisionId: 'd'.repeat(201) }, 'options.decisionId'],
    ['a decision id holding a NUL', { decisionId: 'd\u0000' }, 'options.decisionId'],
    ['a decision id holding half a character', { decisionId: 'd\ud800' }, 'options.decisionId'],
  ])('a recall with %s', async (_, over, path) => {
    const { book, accessLog } = setup();
    await book.remember(reason());
    const ask = { purpose: 'service.proactive_support', accessor: rule, ...over };
    for (const call of [book.recall, book.brief])
      await expect(call('cus_ana', ask as never)).rejects.toMatchObject({
        code: 'memory/invalid_input',
        details: expect.objectContaining({ path }),
      });
    expect(await accessLog.query({ subject: 'cus_ana' })).toEqual([]);
  });

  it("a correction of a memory that does not exist, or is another customer's", async () => {
    const { book, store } = setup();
    const ben = await book.remember(reason({ subject: 'cus_ben' }));
    for (const id of ['mem_nope', ben.id]) {
      await expect(
        book.correct('cus_ana', id, { kind: 'stated_reason', reason: 'x' }),
      ).rejects.toMatchObject({ code: 'memory/not_found', details: { path: 'memoryId' } });
    }
    expect(await store.read('cus_ana')).toEqual([]);
    await expect(book.erase('cus_ana', ben.id)).rejects.toMatchObject({ code: 'memory/not_found' });
    expect(await store.read('cus_ben')).toHaveLength(1);
  });

  it("the store refuses to file one customer's memory or tombstone under another", async () => {
    const { book, store } = setup();
    const ben = await book.remember(reason({ subject: 'cus_ben' }));
    await expect(store.append('cus_ana', [{ type: 'memory', memory: ben }])).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: { path: 'entries[0].memory.subject', value: 'cus_ben' },
    });
    const tombstone = {
      id: ben.id,
      subject: 'cus_ben',
      kind: ben.kind,
      erasedAt: T0,
      reason: 'customer_request' as const,
    };
    await expect(store.erase('cus_ana', [ben.id], [tombstone])).rejects.toMatchObject({
      code: 'memory/invalid_input',
      details: { path: 'tombstones[0].subject' },
    });
    expect(await store.read('cus_ana')).toEqual([]);
    expect(await store.read('cus_ben')).toHaveLength(1);
  });
});
