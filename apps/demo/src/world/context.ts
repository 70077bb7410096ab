import type { ConsentManager } from '@candor/consent';
import type { ChangeRecord, VirtualClock } from '@candor/core';
import type { Explainer } from '@candor/explain';
import type { FeedbackLoop } from '@candor/feedback';
import type { RuleEngine } from '@candor/rules';
import type { SeedCustomer } from '../catalog';
import type { DemoCorrections } from '../corrections';
import type { DemoMemory } from '../memory';
import type { DemoPurpose } from '../purposes';
import type { DemoStorage } from '../storage';

/**
 * The composed demo: the real packages over the demo's stores, and what every part of the service
 * shares. `world.ts` builds it once; each `world/*.ts` part reads it.
 */
export interface WorldContext {
  readonly storage: DemoStorage;
  /** Virtual, so the simulator can move time. */
  readonly clock: VirtualClock;
  /** Saves the clock, so the next run resumes where this one left it; called after each change. */
  readonly tick: () => Promise<void>;
  readonly consent: ConsentManager<DemoPurpose>;
  readonly feedback: FeedbackLoop;
  readonly explainer: Explainer;
  readonly engine: RuleEngine;
  readonly memory: DemoMemory;
  readonly corrections: DemoCorrections;
  readonly byId: ReadonlyMap<string, SeedCustomer>;
  /** Each customer's change records (performed, undone, expired), as last read. */
  readonly changeRecords: ReadonlyMap<string, readonly ChangeRecord[]>;
  /** Reads a customer's change records again (after every change). */
  readonly readChanges: (subject: string) => Promise<void>;
}
