import type { Proposal } from '../outcome';
import type { Reservation } from '../state';
import { buildProposal } from './build-proposal';
import type { EngineCore } from './core';
import type { EvalContext } from './eval-context';
import { suppression } from './suppression';

/**
 * @internal 9. Conflicts, over every pending rule at once: in rank order (priority, then
 * specificity, then id), a rule loses to a higher-ranked one of its exclusion group, to its
 * channel's budget, or to a reservation (cap, cooldown, dedup) a higher-ranked rule took on this
 * event; the others become proposals. Returns each proposal's reservation.
 */
export function resolveConflicts(core: EngineCore, ctx: EvalContext): Map<Proposal, Reservation> {
  const { event, outcomes, pending } = ctx;
  pending.sort(
    (a, b) =>
      b.rule.priority - a.rule.priority ||
      b.rule.specificity - a.rule.specificity ||
      (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0),
  );
  const groups = new Map<string, string>();
  const perChannel = new Map<string, string[]>();
  const reservations = new Map<Proposal, Reservation>();
  for (const p of pending) {
    const group = p.rule.rule.exclusionGroup;
    const channel = p.rule.rule.action.channel;
    if (group !== undefined && groups.has(group)) {
      outcomes.push(
        suppression(
          p.rule,
          event,
          'conflict',
          `exclusion group "${group}" went to a higher-ranked rule`,
          p.passed,
          { winner: groups.get(group) as string },
        ),
      );
      continue;
    }
    const budget = core.budgets[channel];
    const used = perChannel.get(channel) ?? [];
    if (budget !== undefined && used.length >= budget) {
      outcomes.push(
        suppression(
          p.rule,
          event,
          'conflict',
          `channel "${channel}" allows ${budget} proposal(s) per event`,
          p.passed,
          { winner: used[used.length - 1] as string },
        ),
      );
      continue;
    }
    const r = core.view.reserve(p.reservation);
    if (!r.ok) {
      outcomes.push(
        r.failed === 'dedup'
          ? suppression(
              p.rule,
              event,
              'duplicate',
              'a duplicate was proposed for this event',
              p.passed,
              { retryAt: r.expiresAt },
            )
          : suppression(
              p.rule,
              event,
              r.limit.gate,
              `${r.limit.gate} reached by another rule on this event`,
              p.passed,
              { retryAt: null },
            ),
      );
      continue;
    }
    if (group !== undefined) groups.set(group, p.rule.id);
    perChannel.set(channel, [...used, p.rule.id]);
    const proposal = buildProposal(core, p, event);
    reservations.set(proposal, p.reservation);
    outcomes.push(proposal);
  }
  return reservations;
}
