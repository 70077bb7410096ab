import type { Outcome } from '../outcome';
import type { EngineCore } from './core';
import type { Run } from './eval-context';

/**
 * @internal Confirms an evaluation with the state store: the past event and the schedule changes
 * are written (idempotent: a retry writes them again harmlessly), then each proposal's
 * reservation is made there (the authority across instances; one another instance beat becomes
 * a suppression, and its local reservation is released). So a write that fails leaves no fire
 * recorded for a proposal never returned.
 */
export async function persist(core: EngineCore, r: Run): Promise<Outcome[]> {
  const { store, view } = core;
  if (store === undefined) return r.outcomes;
  if (r.past !== null) await store.appendEvent(r.past);
  for (const op of r.scheduleOps) {
    if ('put' in op) await store.putSchedule(op.put);
    else await store.removeSchedule(op.remove);
  }
  const out: Outcome[] = [];
  for (let i = 0; i < r.outcomes.length; i++) {
    const o = r.outcomes[i] as Outcome;
    const reservation = o.kind === 'proposal' ? r.reservations[i] : undefined;
    if (o.kind !== 'proposal' || reservation === undefined) {
      out.push(o);
      continue;
    }
    const result = await store.reserve(reservation);
    if (result.ok) out.push(o);
    else {
      view.release(reservation.id);
      out.push({
        kind: 'suppression',
        ruleId: o.ruleId,
        ruleVersion: o.ruleVersion,
        eventId: o.eventId,
        subject: o.subject,
        at: o.at,
        reason: result.failed === 'dedup' ? 'duplicate' : result.limit.gate,
        detail:
          result.failed === 'dedup'
            ? 'another instance already proposed this (dedup key)'
            : `another instance reached the ${result.limit.gate} first`,
        gatesPassed: o.gatesPassed.filter(
          (g) =>
            g !== 'conflicts' &&
            g !== 'dedup' &&
            g !== 'caps' &&
            g !== 'cooldown' &&
            g !== 'quiet_hours',
        ),
        retryAt: result.failed === 'dedup' ? result.expiresAt : null,
      });
    }
  }
  return out;
}
