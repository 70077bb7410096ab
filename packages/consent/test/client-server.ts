import { createVirtualClock, duration } from '@candor/core';
import { applyConsentChoice } from '../src/choice';
import type { ChoiceStorage } from '../src/client-storage';
import type { ConsentChoice } from '../src/contract';
import { createConsentManager } from '../src/manager';
import { buildConsentSnapshot } from '../src/snapshot';
import { purposes, type TestPurpose } from './fixtures';

export const START = Date.parse('2026-05-01T09:00:00Z');

/**
 * A real server for client tests: a manager, `load` and `send` as an app would wire them over
 * HTTP (JSON both ways), switches to take the network down, lose answers or answer without a
 * snapshot, and a log of what reached it.
 */
export function testServer(jurisdiction = 'FR') {
  const clock = createVirtualClock(START);
  const manager = createConsentManager({ purposes, clock, jurisdiction });
  const net = { up: true, loseAnswers: false, bare: false };
  const reached: string[] = [];
  const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value));
  return {
    clock,
    manager,
    net,
    reached,
    snapshot: (ttl = 5 * duration.minute) => wire(buildConsentSnapshot(manager, 'cus_1', { ttl })),
    load: async () => {
      if (!net.up) throw new TypeError('Failed to fetch');
      return wire(buildConsentSnapshot(manager, 'cus_1'));
    },
    send: async (choice: ConsentChoice<TestPurpose>) => {
      if (!net.up) throw new TypeError('Failed to fetch');
      reached.push(choice.key);
      const result = await applyConsentChoice(manager, 'cus_1', wire(choice));
      if (net.loseAnswers) throw new TypeError('network connection lost');
      if (net.bare) {
        const { snapshot: _snapshot, ...bare } = result;
        return wire(bare);
      }
      return wire(result);
    },
    entries: () => manager.entries('cus_1'),
  };
}

/** An in-memory `localStorage`. */
export function memoryStorage(): ChoiceStorage & { readonly data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => {
      data.set(key, value);
    },
  };
}
