import type { Clock, ConsentGate, SuppressionSource } from '@candor/core';
import type { CompiledRuleSet } from '../compile/types';
import type { PauseFollower } from '../pauses';
import type { RuleStateStore, StateView } from '../state';
import type { AccessRecording } from './access';
import type { ChangeActing } from './changes';
import type { RuleTable } from './rule-table';
import type { FactProvider } from './types';
import type { EventWindows } from './windows';

/**
 * @internal What an engine holds for its lifetime, created once from its options and passed to
 * every part explicitly: the compiled rules, the ports, the in-memory state view, and the resolved
 * options.
 */
export interface EngineCore {
  readonly set: CompiledRuleSet;
  /** What is worked out once per rule (consent keys, conflict ranks, id prefixes). */
  readonly rules: RuleTable;
  readonly consent: ConsentGate;
  /** The engine's clock: a message goes out now, whenever its event happened. */
  readonly clock: Clock;
  readonly suppressions: SuppressionSource | undefined;
  readonly store: RuleStateStore | undefined;
  readonly facts: FactProvider | undefined;
  readonly view: StateView;
  readonly pauses: PauseFollower;
  readonly windows: EventWindows;
  /** Traces for every evaluated rule (`all`), or only for proposals. */
  readonly traceAll: boolean;
  readonly budgets: Readonly<Record<string, number>>;
  /** Default quiet hours (minutes of the local day) for rules that set none. */
  readonly defaultQuiet: { readonly start: number; readonly end: number } | null;
  /** Whether a category's actual values must not show in traces and reasons. */
  readonly redact: (category: string) => boolean;
  /** Where reads of customers' data are recorded (`accessLog`), or null. */
  readonly access: AccessRecording | null;
  /** How rules with a `change` act: the app's change port, the change log, the clock. */
  readonly changes: ChangeActing;
  /** Evaluations so far (the view is pruned every 1,024). */
  evaluations: number;
}
