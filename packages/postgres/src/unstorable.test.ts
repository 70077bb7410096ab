import { definePurposes, openConsentManager } from '@candor/consent';
import { createVirtualClock } from '@candor/core';
import { createFeedbackLoop } from '@candor/feedback';
import { createMemoryBook } from '@candor/memory';
import { describe, expect, it } from 'vitest';
import { createPostgresLedgerStore } from './consent';
import { driverCases, useTestDatabases } from './drivers.test-helpers';
import { createPostgresFeedbackStore } from './feedback';
import { createPostgresMemoryStore } from './memory';
import { createPostgresRuleStateStore } from './rules';

const refused = expect.objectContaining({
  code: 'postgres/invalid_input',
  details: expect.objectContaining({ path: 'params' }),
  message: expect.stringContaining('cannot store'),
});
const purposes = definePurposes({
  'service.support': { title: 'Support', bases: ['consent'], categories: ['user.support'] },
});

describe.each(driverCases)('a character PostgreSQL cannot store, on $name', ({ kind, skip }) => {
  const database = useTestDatabases(kind);

  it.skipIf(skip).each([
    ['a NUL character', '\u0000'],
    ['half of a character (a lone surrogate)', '\ud800'],
  ])(
    '%s is refused as invalid input by every store, and nothing is written',
    async (_name, bad) => {
      const db = await database();
      const clock = createVirtualClock('2026-05-03T10:00:00Z');
      const store = createPostgresLedgerStore(db);
      const consent = await openConsentManager({ purposes, clock, jurisdiction: 'FR', store });
      await consent.grant({ subject: 'cus_1', purposes: 'service.support' });
      await consent.grant({ subject: 'cus_2', purposes: 'service.support' });
      // Appended in one turn, so in one batch: another customer's withdrawal still lands.
      const [bad1, good2] = await Promise.allSettled([
        consent.withdraw({ subject: 'cus_1', purposes: 'service.support', surface: `web${bad}` }),
        consent.withdraw({ subject: 'cus_2', purposes: 'service.support' }),
      ]);
      expect(bad1).toEqual({ status: 'rejected', reason: refused });
      expect(good2.status).toBe('fulfilled');
      expect((await store.head('cus_1'))?.sequence).toBe(1);
      expect((await store.head('cus_2'))?.sequence).toBe(2);

      const loop = createFeedbackLoop({ clock, store: createPostgresFeedbackStore(db) });
      await loop.hydrate();
      const feedback = {
        decisionId: 'd-1',
        subject: 'cus_1',
        ruleId: 'r',
        topic: 'offers',
        channel: 'email',
      };
      const at = clock.now();
      await expect(
        loop.submit({
          ...feedback,
          idempotencyKey: 'f-1',
          kind: 'not_interested',
          at,
          note: `x${bad}`,
        }),
      ).rejects.toEqual(refused);
      const { decisionId: _, ...query } = feedback;
      expect(loop.check({ ...query, at }).suppressed).toBe(false);

      const book = createMemoryBook({
        consent: consent.gate,
        clock,
        store: createPostgresMemoryStore(db),
      });
      await expect(
        book.remember({
          subject: 'cus_1',
          content: { kind: 'stated_reason', reason: `trek${bad}` },
          category: 'user.support',
          provenance: { source: 'checkout', kind: 'stated', observedAt: at, party: 'first' },
          purposes: ['service.support'],
        }),
      ).rejects.toEqual(refused);
    },
  );

  it.skipIf(skip)(
    'texts that differ only in half a character (customer ids, dedup keys) are refused, not stored as one',
    async () => {
      const db = await database();
      const clock = createVirtualClock('2026-05-03T10:00:00Z');
      const store = createPostgresLedgerStore(db);
      const consent = await openConsentManager({ purposes, clock, jurisdiction: 'FR', store });
      // The drivers would send both as `cus_\ufffd`: one customer's grant would be the other's.
      for (const subject of ['cus_\ud800', 'cus_\udbff'])
        await expect(consent.grant({ subject, purposes: 'service.support' })).rejects.toEqual(
          refused,
        );
      expect(await store.head('cus_\ufffd')).toBeNull();

      const loop = createFeedbackLoop({ clock, store: createPostgresFeedbackStore(db) });
      await loop.hydrate();
      const at = clock.now();
      await expect(
        loop.submit({
          idempotencyKey: 'f-1',
          kind: 'stop_this',
          decisionId: 'd-1',
          subject: 'cus_\ud800',
          ruleId: 'r',
          topic: 'offers',
          channel: 'email',
          at,
        }),
      ).rejects.toEqual(refused);

      // A dedup key rendered from a fact holding half a character: stored as U+FFFD, another
      // value's key would be taken for it and that message held back as a duplicate.
      const rules = createPostgresRuleStateStore(db);
      const reservation = (id: string, key: string) => ({
        id,
        subject: 'cus_1',
        at,
        keys: [`rule:r:cus_1`],
        limits: [],
        dedup: { key, expiresAt: at + 86_400_000 },
      });
      await expect(rules.reserve(reservation('r1', 'r:cus_1:\ud800'))).rejects.toEqual(refused);
      // However deep in a list it sits.
      await expect(db.driver.query('select $1::text[] as a', [[['a\ud800']]])).rejects.toEqual(
        refused,
      );
      expect(await rules.reserve(reservation('r2', 'r:cus_1:\ufffd'))).toEqual({
        ok: true,
        replay: false,
      });
    },
  );
});
