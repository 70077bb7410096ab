import { CandorError, createVirtualClock, duration } from '@candor/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryStorage, START, testServer } from '../test/client-server';
import type { TestPurpose } from '../test/fixtures';
import { type ConsentClientOptions, createConsentClient } from './client-core';
import { parseChoiceResult, parseConsentSnapshot } from './client-parse';

const tick = async () => {
  for (let i = 0; i < 50; i++) await Promise.resolve();
};

type Options = ConsentClientOptions<TestPurpose>;

function setup(
  options: Omit<Partial<Options>, 'load'> & { load?: Options['load'] | undefined } = {},
) {
  const server = testServer();
  const device = createVirtualClock(START + 7 * duration.second); // a device clock that is off
  const window = new EventTarget();
  const send = vi.fn(server.send);
  const client = createConsentClient<TestPurpose>({
    load: server.load,
    send,
    clock: device,
    window: window as never,
    navigator: {},
    ...options,
  } as Options);
  return { server, device, window, send, client };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createConsentClient: deciding', () => {
  it('fails closed until a snapshot arrives, then answers as the server', async () => {
    const { server, client } = setup({ load: undefined });
    expect(client.decide({ purpose: 'marketing.direct_li' })).toMatchObject({
      allowed: false,
      status: 'unknown',
      reason: 'no_snapshot',
    });
    await server.manager.grant({ subject: 'cus_1', purposes: 'analytics.measurement' });
    expect(client.setSnapshot(server.snapshot())).toBe(true);
    expect(client.decide({ purpose: 'marketing.direct_li' })).toMatchObject({
      allowed: true,
      reason: 'legitimate_interest',
    });
    expect(client.has('analytics.measurement', ['user.behavior'])).toBe(true);
    expect(client.has('marketing.email')).toBe(false);
    expect(client.decide({ purpose: 'marketing.sms' as TestPurpose })).toMatchObject({
      allowed: false,
      reason: 'unknown_purpose',
    });
    expect(
      client.decide({ purpose: 'analytics.measurement', dataCategories: ['user.health'] }),
    ).toMatchObject({ allowed: false, reason: 'category_not_declared' });
  });

  it('answers a repeated question from memory, yet notices the caller changing its array', async () => {
    const { server, client } = setup({ load: undefined });
    await server.manager.grant({ subject: 'cus_1', purposes: 'analytics.measurement' });
    client.setSnapshot(server.snapshot());
    const categories = ['user.behavior'];
    const query = { purpose: 'analytics.measurement' as const, dataCategories: categories };
    const first = client.decide(query);
    expect(first.allowed).toBe(true);
    expect(client.decide(query)).toBe(first);
    categories[0] = 'user.health';
    expect(client.decide(query)).toMatchObject({ allowed: false, reason: 'category_not_declared' });
    categories[0] = 'user.behavior';
    categories.push('user.health');
    expect(client.decide(query).allowed).toBe(false);
    expect(Object.isFrozen(client.decide({ purpose: 'analytics.measurement' }))).toBe(true);
    // Not a purpose id: denied as unknown, never answered from another question's memory.
    expect(client.decide({ purpose: 7 as never })).toMatchObject({ reason: 'unknown_purpose' });
    expect(() => client.decide(null as never)).toThrow(
      expect.objectContaining({
        code: 'core/invalid_input',
        details: expect.objectContaining({ path: 'query' }),
      }),
    );
  });

  it('loads its first snapshot by itself and denies once it expires, telling subscribers', async () => {
    const { server, device, client } = setup();
    await tick();
    expect(client.snapshot?.seq).toBe(0);
    expect(client.has('marketing.direct_li')).toBe(true);
    await server.manager.grant({ subject: 'cus_1', purposes: 'analytics.measurement' });
    await client.refresh();
    expect(client.has('analytics.measurement')).toBe(true);
    const heard = vi.fn();
    client.subscribe(heard);
    server.net.up = false; // the refresh before expiry fails
    device.advance(5 * duration.minute);
    await tick();
    expect(client.decide({ purpose: 'analytics.measurement' })).toMatchObject({
      allowed: false,
      reason: 'snapshot_expired',
    });
    expect(client.consentMode().analytics_storage).toBe('denied');
    vi.advanceTimersByTime(5 * duration.minute);
    expect(heard).toHaveBeenCalled();
    server.net.up = true;
    await client.refresh();
    expect(client.has('analytics.measurement')).toBe(true);
  });

  it('rejects a malformed snapshot with a typed error naming the field, and keeps failing closed', async () => {
    const { server, client } = setup({ load: undefined });
    const good = server.snapshot();
    const verdict = good.purposes['marketing.direct_li'].verdict;
    const cases: [unknown, string][] = [
      [null, 'snapshot'],
      [[], 'snapshot'],
      [{ ...good, v: 2 }, 'snapshot.v'],
      [{ ...good, seq: -1 }, 'snapshot.seq'],
      [{ ...good, validUntil: good.issuedAt - 1 }, 'snapshot.validUntil'],
      [{ ...good, gpc: 'no' }, 'snapshot.gpc'],
      [
        { ...good, consentMode: { ...good.consentMode, ad_storage: 'maybe' } },
        'snapshot.consentMode.ad_storage',
      ],
      [{ ...good, purposes: null }, 'snapshot.purposes'],
      [
        {
          ...good,
          purposes: {
            ...good.purposes,
            'marketing.direct_li': {
              ...good.purposes['marketing.direct_li'],
              verdict: { ...verdict, allowed: 'yes' },
            },
          },
        },
        'snapshot.purposes.marketing.direct_li.verdict.allowed',
      ],
      [
        {
          ...good,
          purposes: {
            ...good.purposes,
            'marketing.direct_li': {
              ...good.purposes['marketing.direct_li'],
              categories: { 'user.contact.address': { choice: { ...verdict, expiresAt: 'soon' } } },
            },
          },
        },
        'snapshot.purposes.marketing.direct_li.categories.user.contact.address.choice.expiresAt',
      ],
    ];
    for (const [value, path] of cases) {
      expect(() => client.setSnapshot(value), path).toThrow(
        expect.objectContaining({
          code: 'consent/invalid_snapshot',
          details: expect.objectContaining({ path }),
        }),
      );
      expect(client.error).toBeInstanceOf(CandorError);
      expect(client.has('marketing.direct_li')).toBe(false);
    }
    expect(parseConsentSnapshot(good)).toBe(good);
    const loaded = setup({ load: async () => ({ ...good, v: 2 }) }).client;
    await expect(loaded.refresh()).rejects.toThrow(
      expect.objectContaining({ code: 'consent/invalid_snapshot' }),
    );
    expect(loaded.decide({ purpose: 'marketing.direct_li' }).reason).toBe('no_snapshot');
  });

  it('checks the server’s answer to a choice', () => {
    const choice = { key: 'k', purpose: 'a.b', action: 'grant', chosenAt: 1 } as const;
    const cases: [unknown, string][] = [
      [null, 'result'],
      [{ key: 'other', sequence: 1 }, 'result.key'],
      [{ key: 'k', sequence: 0 }, 'result.sequence'],
      [{ key: 'k', sequence: 1, snapshot: { v: 1 } }, 'snapshot.seq'],
    ];
    for (const [value, path] of cases) {
      expect(() => parseChoiceResult(value, choice)).toThrow(
        expect.objectContaining({
          code: 'consent/invalid_snapshot',
          details: expect.objectContaining({ path }),
        }),
      );
    }
    expect(() => parseChoiceResult({ key: 'k', sequence: 1 }, null as never)).toThrow(
      expect.objectContaining({
        code: 'core/invalid_input',
        details: expect.objectContaining({ path: 'choice' }),
      }),
    );
    expect(parseChoiceResult({ key: 'k', sequence: 1 }, choice)).toEqual({ key: 'k', sequence: 1 });
  });

  it('rejects bad options and arguments with typed errors', () => {
    const send = async () => ({});
    expect(() => createConsentClient(null as never)).toThrow(
      expect.objectContaining({ code: 'core/invalid_input' }),
    );
    expect(() => createConsentClient({} as never)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'options.send' }) }),
    );
    expect(() => createConsentClient({ send, load: 'x' } as never)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'options.load' }) }),
    );
    const client = createConsentClient({ send, window: new EventTarget() as never });
    expect(() => client.withdraw('' as never)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'purpose' }) }),
    );
    expect(() => client.withdraw('a.b', { dataCategories: [] })).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ path: 'options.dataCategories' }),
      }),
    );
    expect(() => client.decide(null as never)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'query' }) }),
    );
    expect(() => client.decide({ purpose: 'a.b', dataCategories: 'user.x' as never })).toThrow(
      expect.objectContaining({ code: 'core/invalid_input' }),
    );
    expect(() => client.subscribe('x' as never)).toThrow(
      expect.objectContaining({ code: 'core/invalid_input' }),
    );
    return expect(client.refresh()).rejects.toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'options.load' }) }),
    );
  });
});

describe('createConsentClient: choices', () => {
  it('a withdrawal denies the very next decision, before the server confirms it', async () => {
    const { server, client } = setup();
    await server.manager.grant({ subject: 'cus_1', purposes: 'marketing' });
    await server.manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
    await client.refresh();
    expect(client.has('marketing.email')).toBe(true);
    let release = () => {};
    server.net.up = true;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = setup({
      send: async (choice) => {
        await gate;
        return server.send(choice);
      },
      load: server.load,
      snapshot: server.snapshot(),
    });
    const done = slow.client.withdraw('marketing'); // the parent purpose: covers its children
    expect(
      slow.client.decide({ purpose: 'marketing.email', dataCategories: ['user.contact.email'] }),
    ).toMatchObject({
      allowed: false,
      status: 'withdrawn',
      reason: 'choice_pending',
    });
    expect(slow.client.consentMode().ad_user_data).toBe('denied');
    expect(slow.client.pending).toHaveLength(1);
    release();
    const result = await done;
    expect(result).toMatchObject({ sequence: 3, duplicate: false });
    expect(slow.client.pending).toHaveLength(0);
    expect(slow.client.decide({ purpose: 'marketing.email' })).toMatchObject({
      allowed: false,
      reason: 'withdrawn',
    });
    expect(
      server.manager.decide({ subject: 'cus_1', purpose: 'marketing.email', dataCategories: [] })
        .allowed,
    ).toBe(false);
  });

  it('a grant takes effect only when the server confirms it', async () => {
    const { server, client } = setup();
    await tick();
    server.net.up = false;
    const granted = client.grant('analytics.measurement');
    await tick();
    expect(client.has('analytics.measurement')).toBe(false);
    expect(client.error).toBeInstanceOf(TypeError);
    server.net.up = true;
    await client.flush();
    await expect(granted).resolves.toMatchObject({ sequence: 1 });
    expect(client.has('analytics.measurement')).toBe(true);
    expect(client.consentMode().analytics_storage).toBe('granted');
    expect(client.error).toBeUndefined();
  });

  it('queues choices offline, retries with backoff, and delivers each exactly once after reconnect', async () => {
    const { server, window, send, client } = setup();
    await tick();
    server.net.up = false;
    void client.withdraw('ads.targeted').catch(() => {});
    void client.grant('analytics.measurement').catch(() => {});
    await tick();
    expect(send).toHaveBeenCalledTimes(1); // one at a time, oldest first
    vi.advanceTimersByTime(1000);
    await tick();
    vi.advanceTimersByTime(2000);
    await tick();
    expect(send).toHaveBeenCalledTimes(3);
    vi.advanceTimersByTime(3999);
    await tick();
    expect(send).toHaveBeenCalledTimes(3); // backoff doubled: the next try is at 4 s
    server.net.up = true;
    window.dispatchEvent(new Event('online'));
    await tick();
    await client.flush();
    expect(server.entries().map((e) => e.event.kind)).toEqual(['withdrawn', 'given']);
    expect(new Set(server.reached).size).toBe(2);
    expect(server.reached).toHaveLength(2);
    vi.advanceTimersByTime(10 * duration.minute);
    await tick();
    expect(server.reached).toHaveLength(2);
    expect(client.pending).toEqual([]);
  });

  it('a lost answer is retried under the same key and stored once', async () => {
    const { server, client } = setup();
    await tick();
    server.net.loseAnswers = true;
    const done = client.withdraw('ads.targeted');
    await tick();
    server.net.loseAnswers = false;
    vi.advanceTimersByTime(1000);
    await expect(done).resolves.toMatchObject({ duplicate: true, sequence: 1 });
    expect(server.reached).toHaveLength(2);
    expect(new Set(server.reached).size).toBe(1);
    expect(server.entries()).toHaveLength(1);
  });

  it('replays the queue after a reload from storage, still denying until it is delivered', async () => {
    const storage = memoryStorage();
    const first = setup({ storage });
    await first.server.manager.grant({ subject: 'cus_1', purposes: 'ads.targeted' });
    await tick();
    first.server.net.up = false;
    void first.client
      .withdraw('ads.targeted', { dataCategories: ['user.location'] })
      .catch(() => {});
    await tick();
    first.client.close();
    // The page reloads; the server is reachable again but never got the withdrawal.
    first.server.net.up = true;
    const second = createConsentClient<TestPurpose>({
      snapshot: first.server.snapshot(),
      send: first.send,
      storage,
      window: new EventTarget() as never,
      navigator: {},
    });
    expect(second.pending).toHaveLength(1);
    expect(second.has('ads.targeted', ['user.location.approximate'])).toBe(false);
    expect(second.has('ads.targeted', ['user.behavior'])).toBe(true);
    await second.flush();
    expect(first.server.entries().map((e) => e.event.kind)).toEqual(['given', 'withdrawn']);
    expect(second.has('ads.targeted', ['user.location.approximate'])).toBe(false);
    const third = createConsentClient<TestPurpose>({
      send: first.send,
      storage,
      window: new EventTarget() as never,
    });
    expect(third.pending).toEqual([]);
    await third.flush();
    expect(first.server.reached).toHaveLength(1);
  });

  it('a snapshot older than a confirmed withdrawal never allows again', async () => {
    const { server, client } = setup({ load: undefined });
    await server.manager.grant({ subject: 'cus_1', purposes: 'analytics.measurement' });
    const before = server.snapshot();
    client.setSnapshot(before);
    await client.withdraw('analytics.measurement');
    expect(client.has('analytics.measurement')).toBe(false);
    // The same old snapshot arriving late is ignored; one re-issued later by an instance that has
    // not seen the withdrawal is used, but the withdrawal stays in force over it.
    expect(client.setSnapshot(before)).toBe(false);
    expect(
      client.setSnapshot({
        ...before,
        issuedAt: before.issuedAt + 1,
        validUntil: before.validUntil + 1,
      }),
    ).toBe(false);
    const plain = setup({
      load: undefined,
      send: (choice) => {
        server.net.bare = true;
        return server.send(choice);
      },
    });
    plain.client.setSnapshot(server.snapshot());
    await server.manager.grant({ subject: 'cus_1', purposes: 'analytics.measurement' });
    const lagging = server.snapshot();
    plain.client.setSnapshot(lagging);
    expect(plain.client.has('analytics.measurement')).toBe(true);
    await plain.client.withdraw('analytics.measurement');
    expect(plain.client.setSnapshot({ ...lagging, issuedAt: lagging.issuedAt + 1 })).toBe(true);
    expect(plain.client.decide({ purpose: 'analytics.measurement' })).toMatchObject({
      allowed: false,
      reason: 'choice_pending',
    });
    plain.client.setSnapshot(server.snapshot());
    expect(plain.client.decide({ purpose: 'analytics.measurement' })).toMatchObject({
      allowed: false,
      reason: 'withdrawn',
    });
  });

  it('a choice the server rejects for good is dropped and its promise rejects', async () => {
    const { client } = setup({
      send: async () => {
        throw new CandorError('consent/invalid_purpose', 'choice.purpose: not declared', {});
      },
    });
    await tick();
    await expect(client.withdraw('analytics.measurement')).rejects.toThrow(
      expect.objectContaining({ code: 'consent/invalid_purpose' }),
    );
    expect(client.pending).toEqual([]);
  });

  it('cites the notice in force and the device time, and notifies subscribers', async () => {
    const { server, client, send, device } = setup();
    await tick();
    const heard = vi.fn();
    const stop = client.subscribe(heard);
    await client.grant('marketing.email', { method: 'banner' });
    expect(send.mock.calls[0]?.[0]).toMatchObject({
      purpose: 'marketing.email',
      action: 'grant',
      method: 'banner',
      chosenAt: device.now(),
    });
    expect(heard.mock.calls.length).toBeGreaterThanOrEqual(2);
    stop();
    heard.mockClear();
    await client.withdraw('marketing.email'); // queued just as the grant's run ends
    expect(heard).not.toHaveBeenCalled();
    expect(server.entries()).toHaveLength(2);
  });
});

describe('createConsentClient: GPC and Consent Mode', () => {
  it('honours the browser’s GPC signal at once for the purposes it opts out of', async () => {
    const server = testServer('US-CA');
    await server.manager.grant({ subject: 'cus_1', purposes: 'ads.targeted' });
    const snapshot = server.snapshot();
    const options = { snapshot, send: server.send, window: new EventTarget() as never };
    const plain = createConsentClient<TestPurpose>({ ...options, navigator: {} });
    expect(plain.has('ads.targeted')).toBe(true);
    expect(plain.consentMode()).toMatchObject({
      ad_storage: 'granted',
      ad_personalization: 'granted',
    });
    const gpc = createConsentClient<TestPurpose>({
      ...options,
      navigator: { globalPrivacyControl: true },
    });
    expect(gpc.gpc).toBe(true);
    expect(gpc.decide({ purpose: 'ads.targeted' })).toMatchObject({
      allowed: false,
      status: 'opted_out',
      reason: 'gpc_opt_out',
    });
    expect(gpc.has('analytics.measurement')).toBe(plain.has('analytics.measurement'));
    expect(gpc.consentMode()).toMatchObject({ ad_storage: 'denied', ad_personalization: 'denied' });
    // Once the server has seen the signal, the snapshot says so itself.
    await server.manager.observeGpc({ subject: 'cus_1', gpc: true });
    gpc.setSnapshot(server.snapshot());
    expect(gpc.decide({ purpose: 'ads.targeted' })).toMatchObject({
      allowed: false,
      reason: 'gpc_opt_out',
    });
  });
});
