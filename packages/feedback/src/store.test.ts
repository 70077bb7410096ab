import { describe, expect, it } from 'vitest';
import type { FeedbackEvent } from './schema';
import { createMemoryFeedbackStore, eventFingerprint } from './store';

const event = (key: string, subject = 'cus_1', at = 0): FeedbackEvent => ({
  idempotencyKey: key,
  kind: 'delivered',
  decisionId: `d-${key}`,
  subject,
  ruleId: 'r',
  topic: 'billing',
  channel: 'email',
  at,
});

describe('createMemoryFeedbackStore', () => {
  it('appends idempotently and reads in order, by subject, time and page', async () => {
    const store = createMemoryFeedbackStore();
    expect(await store.appendEvents([event('a'), event('b', 'cus_2', 5)])).toEqual({
      appended: ['a', 'b'],
      duplicates: [],
    });
    expect(await store.appendEvents([event('a'), event('c', 'cus_1', 9)])).toEqual({
      appended: ['c'],
      duplicates: ['a'],
    });
    const all = await store.readEvents();
    expect(all.map((r) => [r.seq, r.event.idempotencyKey])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect((await store.readEvents({ subject: 'cus_1' })).map((r) => r.seq)).toEqual([1, 3]);
    expect((await store.readEvents({ afterSeq: 1, limit: 1 })).map((r) => r.seq)).toEqual([2]);
    expect((await store.readEvents({ since: 5 })).map((r) => r.seq)).toEqual([2, 3]);
  });

  it('rejects a reused key with different content, writing nothing of the batch', async () => {
    const store = createMemoryFeedbackStore();
    await store.appendEvents([event('a')]);
    await expect(
      store.appendEvents([event('z'), { ...event('a'), kind: 'clicked' }]),
    ).rejects.toMatchObject({
      code: 'feedback/idempotency_conflict',
    });
    expect((await store.readEvents()).length).toBe(1);
  });

  it('stores decisions idempotently by decision id', async () => {
    const store = createMemoryFeedbackStore();
    const d = {
      decisionId: 'd1',
      subject: 'cus_1',
      ruleId: 'r',
      topic: 'billing',
      channel: 'email',
      at: 0,
    };
    await store.appendDecisions([d]);
    expect(await store.appendDecisions([{ ...d }])).toEqual({ appended: [], duplicates: ['d1'] });
    await expect(store.appendDecisions([{ ...d, subject: 'cus_2' }])).rejects.toMatchObject({
      code: 'feedback/idempotency_conflict',
    });
    expect((await store.readDecisions()).map((r) => r.entry.decisionId)).toEqual(['d1']);
  });

  it('fingerprints ignore key order and undefined fields', () => {
    expect(eventFingerprint({ ...event('a'), scope: undefined })).toBe(
      eventFingerprint(event('a')),
    );
    expect(eventFingerprint(event('a'))).not.toBe(eventFingerprint(event('b')));
  });
});
