import type { CompiledRule } from './types';

/**
 * @internal The rules an event type triggers, found in O(1): rules listing the type, merged in
 * rule-set order with the rules listening to every event (`*`); `timed` holds the rules with a
 * relative or absence trigger (planned per event, not matched).
 */
export interface TriggerIndex {
  candidates(eventType: string): readonly CompiledRule[];
  readonly timed: readonly CompiledRule[];
}

/** @internal Indexes compiled rules by the event types that trigger them. */
export function indexTriggers(compiled: readonly CompiledRule[]): TriggerIndex {
  const byType = new Map<string, CompiledRule[]>();
  const wildcard: CompiledRule[] = [];
  const timed: CompiledRule[] = [];
  for (let r = 0; r < compiled.length; r++) {
    const c = compiled[r] as CompiledRule;
    const trigger = c.rule.trigger;
    if (trigger.type !== 'event') {
      timed.push(c);
      continue;
    }
    const events = trigger.events;
    for (let e = 0; e < events.length; e++) {
      const type = events[e] as string;
      if (events.indexOf(type) !== e) continue;
      if (type === '*') wildcard.push(c);
      else {
        const list = byType.get(type);
        if (list) list.push(c);
        else byType.set(type, [c]);
      }
    }
  }
  const merged = new Map<string, readonly CompiledRule[]>();
  for (const [type, list] of byType) {
    merged.set(
      type,
      wildcard.length === 0 ? list : [...list, ...wildcard].sort((a, b) => a.order - b.order),
    );
  }
  return { candidates: (type) => merged.get(type) ?? wildcard, timed };
}
