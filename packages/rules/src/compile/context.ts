import { linearMatcher, type Matcher } from '../regex';
import type { WindowSpec } from '../types';

/** Compile state: one per `compileRules` call, reset per rule (compiling allocates little). */
export interface Ctx {
  ruleId: string;
  readonly slotOf: (path: string) => number;
  readonly windowSlot: (spec: WindowSpec, category: string) => number;
  categories: readonly string[];
  nodes: number;
  /** Leaf conditions seen (the rule's specificity). */
  leaves: number;
  /** The condition objects being compiled, outermost first (a cycle meets itself here). */
  readonly ancestors: unknown[];
  /** Slots and fact paths the rule reads, in order of first use (scratch, reused per rule). */
  readonly slots: number[];
  readonly paths: string[];
  /** `matches` patterns compiled for the linear-time matcher, shared by equal pattern and flags. */
  readonly matcher: (pattern: string, flags: string) => Matcher | string;
}

/** Fresh compile state; `slotOf` and `windowSlot` number what the rules read. */
export function createCtx(slotOf: Ctx['slotOf'], windowSlot: Ctx['windowSlot']): Ctx {
  const matchers = new Map<string, Matcher | string>();
  return {
    ruleId: '',
    slotOf,
    windowSlot,
    categories: [],
    nodes: 0,
    leaves: 0,
    ancestors: [],
    slots: [],
    paths: [],
    matcher: (pattern, flags) => {
      const key = `${flags}/${pattern}`;
      let m = matchers.get(key);
      if (m === undefined) {
        m = linearMatcher(pattern, flags);
        matchers.set(key, m);
      }
      return m;
    },
  };
}
