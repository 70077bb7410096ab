import type { FeedNotice } from '@candor/core';
import { describe, expect, it } from 'vitest';
import type { CandorDriver, ListenSession } from './driver';
import { createPostgresChangeFeed } from './feed';

// The change feed against a scripted connection: what it reads when, and what it announces.

const tables = { changes: 'changes', counter: 'counter' };
type Row = { position: number; stream: string; subject: string; sequence: number; key: null };
const change = (position: number): Row => ({
  position,
  stream: 'consent.ledger',
  subject: `cus_${position}`,
  sequence: 1,
  key: null,
});

/** Waits until `done()` holds (checked every 10 ms), failing after `ms`: timers run late on a busy machine. */
async function until(done: () => boolean, ms = 4_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A driver whose one listening connection answers from `rows`, as `answer` lets it. */
function scriptedDriver(rows: Row[], answer: (sql: string) => Promise<void> = async () => {}) {
  let notify: (payload: string) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const session: ListenSession = {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      await answer(sql);
      if (sql.includes('counter')) return [{ last: rows.length }] as T[];
      const after = Number(params?.[0] ?? 0);
      return rows.filter((r) => r.position > after) as T[];
    },
    close: async () => {},
  };
  const driver = {
    kind: 'postgres',
    listen: async (
      _channel: string,
      onNotify: (payload: string) => void,
      onError: (error: unknown) => void,
    ) => {
      notify = onNotify;
      fail = onError;
      return session;
    },
  } as unknown as CandorDriver;
  return {
    driver,
    notify: (payload: string) => notify(payload),
    cut: () => fail(new Error('connection terminated')),
  };
}

describe('the change feed as it starts', () => {
  it('announces nothing committed before it started, even when notified while starting', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => change(i + 1));
    let release: () => void = () => {};
    let first = true;
    const { driver, notify } = scriptedDriver(rows, (sql) => {
      if (!sql.includes('counter') || !first) return Promise.resolve();
      first = false;
      // The counter read waits; a notification arrives meanwhile.
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const feed = createPostgresChangeFeed(driver, 's', tables, { staleAfterMs: 1_000 });
    const heard: FeedNotice[] = [];
    feed.subscribe((n) => heard.push(n));
    await new Promise((resolve) => setTimeout(resolve, 0));
    notify('s');
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    await feed.ready();
    rows.push(change(51));
    notify('s');
    await until(() => feed.position === 51);
    const changes = heard.filter((n) => n.type === 'change');
    expect(changes.map((n) => n.type === 'change' && n.change.subject)).toEqual(['cus_51']);
    expect(feed.position).toBe(51);
    await feed.close();
  });

  it('is stale the moment its connection is lost, not only once the bound has passed', async () => {
    const { driver, cut } = scriptedDriver([]);
    const feed = createPostgresChangeFeed(driver, 's', tables, {
      staleAfterMs: 60_000,
      reconnectDelayMs: 50,
    });
    const heard: string[] = [];
    feed.subscribe((n) => heard.push(n.type));
    await feed.ready();
    expect(feed.fresh).toBe(true);
    cut();
    expect(feed.fresh).toBe(false);
    expect(heard).toContain('stale');
    // Reconnected and caught up: fresh again.
    await until(() => feed.fresh);
    await feed.close();
  });

  it('gives up a connection that stops answering and goes stale, instead of waiting for ever', async () => {
    let hang = false;
    const { driver } = scriptedDriver([], (sql) =>
      hang && !sql.includes('counter') ? new Promise<void>(() => {}) : Promise.resolve(),
    );
    let listens = 0;
    const listen = driver.listen.bind(driver);
    (driver as { listen: CandorDriver['listen'] }).listen = (...args) => {
      listens++;
      return listen(...args);
    };
    const feed = createPostgresChangeFeed(driver, 's', tables, {
      staleAfterMs: 100,
      heartbeatMs: 20,
      reconnectDelayMs: 10,
    });
    await feed.ready();
    expect(listens).toBe(1);
    hang = true;
    // The silent connection is given up (the feed goes stale) and another one opened.
    await until(() => !feed.fresh && listens > 1);
    hang = false;
    // Answering again, it is fresh.
    await until(() => feed.fresh);
    await feed.close();
  });
});
