import { describe, expect, it } from 'vitest';
import {
  createLocalChangeFeed,
  type FeedNotice,
  isSensitiveCategory,
  sensitiveCategories,
} from './index';

describe('createLocalChangeFeed', () => {
  it('tells every listener at once, in order, until they stop listening', async () => {
    const feed = createLocalChangeFeed();
    await feed.ready();
    const heard: string[] = [];
    const stopA = feed.subscribe((n) => heard.push(`a:${n.type}`));
    feed.subscribe((n) => heard.push(`b:${n.type}`));
    const change: FeedNotice = {
      type: 'change',
      change: { stream: 'consent', subject: 'cus_1', sequence: 1, key: 'k1' },
    };
    feed.announce(change);
    stopA();
    feed.announce({ type: 'fresh' });
    expect(heard).toEqual(['a:change', 'b:change', 'b:fresh']);
    expect(feed.fresh).toBe(true);
  });

  it('keeps telling the others when one listener throws, and rethrows its error later', async () => {
    const feed = createLocalChangeFeed();
    const heard: string[] = [];
    feed.subscribe(() => {
      throw new Error('listener broke');
    });
    feed.subscribe((n) => heard.push(n.type));
    const errors: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (fn) =>
      original(() => {
        try {
          fn();
        } catch (error) {
          errors.push(error);
        }
      });
    try {
      feed.announce({ type: 'stale', detail: 'test' });
      await Promise.resolve();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(heard).toEqual(['stale']);
    expect(errors).toHaveLength(1);
  });

  it('rejects a listener that is not a function and a notice of no known type', () => {
    const feed = createLocalChangeFeed();
    expect(() => feed.subscribe(null as never)).toThrow(
      expect.objectContaining({
        code: 'core/invalid_input',
        details: expect.objectContaining({ path: 'listener' }),
      }),
    );
    expect(() => feed.announce({ type: 'nope' } as never)).toThrow(
      expect.objectContaining({
        code: 'core/invalid_input',
        details: expect.objectContaining({ path: 'notice' }),
      }),
    );
  });
});

describe('sensitive categories', () => {
  it('are one list: every Art. 9 category, government ids and account credentials, and their children', () => {
    for (const c of [
      'user.health',
      'user.government_id',
      'user.financial.account_credentials',
      'user.criminal',
      'user.sex_life',
    ])
      expect(sensitiveCategories).toContain(c);
    expect(isSensitiveCategory('user.health.condition')).toBe(true);
    expect(isSensitiveCategory('user.financial.account_credentials.password')).toBe(true);
    expect(isSensitiveCategory('user.financial.card')).toBe(false);
    expect(isSensitiveCategory('user.healthy_habits')).toBe(false);
  });

  it("take the app's extra categories and answer false for what is not a string", () => {
    expect(isSensitiveCategory('user.children.age', ['user.children'])).toBe(true);
    expect(isSensitiveCategory('user.children.age')).toBe(false);
    expect(isSensitiveCategory(42)).toBe(false);
    expect(isSensitiveCategory(null)).toBe(false);
    expect(() => isSensitiveCategory('user.health', 'user.x' as never)).toThrow(
      expect.objectContaining({ code: 'core/invalid_input' }),
    );
  });
});
