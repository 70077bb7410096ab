import type { Reservation, ReserveResult } from '../state';
import type { RuleEvent } from '../types';
import { RuleProposal } from './build-proposal';
import type { EngineCore } from './core';
import type { EvalContext, Pending } from './eval-context';
import { suppression } from './suppression';

const byRank = (a: Pending, b: Pending) => a.rank - b.rank;
const proposalOf = (core: EngineCore, event: RuleEvent, p: Pending) =>
  new RuleProposal(core, event, p.rule, p.slots, p.verdict, p.id, p.bypassed);
const GRANTED: ReserveResult = Object.freeze({ ok: true, replay: false });

/**
 * @internal 9. Conflicts, over every pending rule at once: in rank order (priority, then
 * specificity, then id), a rule loses to a higher-ranked one of its exclusion group, to its
 * channel's budget, or to a reservation (cap, cooldown, dedup) a higher-ranked rule took on this
 * event; the others become proposals, their reservations kept beside them (`ctx.reservations`).
 */
export function resolveConflicts(core: EngineCore, ctx: EvalContext): void {
  const { event, outcomes, pending, reservations } = ctx;
  if (pending.length === 0) return;
  // Rank order matters only where rules can take something from each other; where none can,
  // every pending rule is proposed.
  if (!contended(core, pending)) {
    for (const p of pending) {
      outcomes[p.position] = proposalOf(core, event, p);
      if (p.reservation !== null) reservations[p.position] = p.reservation;
    }
    return;
  }
  if (pending.length > 1) pending.sort(byRank);
  const groups = new Map<string, string>();
  const perChannel = new Map<string, string[]>();
  for (const p of pending) {
    const group = p.rule.rule.exclusionGroup;
    const channel = p.rule.rule.action.channel;
    if (group !== undefined && groups.has(group)) {
      outcomes[p.position] = suppression(
        p.rule,
        event,
        'conflict',
        `exclusion group "${group}" went to a higher-ranked rule`,
        8,
        { winner: groups.get(group) as string },
      );
      continue;
    }
    // Proposals per channel, counted only where a channel has a budget.
    const budget = core.budgets[channel];
    let used: string[] | undefined;
    if (budget !== undefined) {
      used = perChannel.get(channel);
      if (used === undefined) {
        used = [];
        perChannel.set(channel, used);
      }
    }
    if (budget !== undefined && (used as string[]).length >= budget) {
      outcomes[p.position] = suppression(
        p.rule,
        event,
        'conflict',
        `channel "${channel}" allows ${budget} proposal(s) per event`,
        8,
        { winner: (used as string[])[(used as string[]).length - 1] as string },
      );
      continue;
    }
    // The view records a fire only where a cap, cooldown or dedup key will look for it.
    const r = p.counted ? core.view.reserve(p.reservation as Reservation) : GRANTED;
    if (!r.ok) {
      outcomes[p.position] =
        r.failed === 'dedup'
          ? suppression(p.rule, event, 'duplicate', 'a duplicate was proposed for this event', 8, {
              retryAt: r.expiresAt,
            })
          : suppression(
              p.rule,
              event,
              r.limit.gate,
              `${r.limit.gate} reached by another rule on this event`,
              8,
              { retryAt: null },
            );
      continue;
    }
    if (group !== undefined) groups.set(group, p.rule.id);
    used?.push(p.rule.id);
    outcomes[p.position] = proposalOf(core, event, p);
    if (p.reservation !== null) reservations[p.position] = p.reservation;
  }
}

/**
 * Whether some pending rule can lose to another: it has an exclusion group, its channel a budget,
 * or its reservation a limit or a dedup key (which another rule's reservation may take first).
 */
function contended(core: EngineCore, pending: readonly Pending[]): boolean {
  const table = core.rules;
  for (let i = 0; i < pending.length; i++) {
    const p = pending[i] as Pending;
    if (p.counted || table.contends(p.rule)) return true;
  }
  return false;
}
