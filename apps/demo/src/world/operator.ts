import { duration } from '@candor/core';
import { computeTrustMetrics } from '@candor/feedback';
import { demoRules, ruleCopy } from '../rules';
import type {
  DemoService,
  DsaParameterView,
  LedgerStatusView,
  MetricsView,
  RuleView,
} from '../service';
import type { WorldContext } from './context';
import type { Inbox } from './inbox';

/**
 * The operator's side: each rule's health and pauses, trust metrics over time, the ledger's
 * integrity, and the DSA transparency page of the ranking parameters.
 */
export function operator(
  world: WorldContext,
  inbox: Inbox,
): Pick<DemoService, 'rules' | 'resumeRule' | 'metrics' | 'verifyLedger' | 'dsa'> {
  const { consent, feedback, engine, explainer } = world;
  return {
    rules: (): readonly RuleView[] =>
      demoRules.map((r) => {
        const health = feedback.ruleHealth(r.id);
        const loopPause = feedback.pauses().find((p) => p.ruleId === r.id) ?? null;
        const enginePause =
          engine.pauses().find((p) => p.ruleId === r.id || p.ruleId === '*') ?? null;
        const delivered = inbox.all().filter((m) => m.proposal.ruleId === r.id).length;
        const trials = health.rates.helpful.trials;
        return {
          id: r.id,
          title: ruleCopy[r.id]?.title ?? r.id,
          trigger: r.trigger.type === 'event' ? r.trigger.events.join(', ') : r.trigger.type,
          purpose: r.purpose,
          dataCategories: r.dataCategories,
          topic: r.action.topic,
          channel: r.action.channel,
          health: {
            delivered,
            helpfulRate: trials > 0 ? health.rates.helpful.rate : null,
            intrusiveRate: trials > 0 ? health.rates.intrusive.rate : null,
            status:
              enginePause !== null
                ? 'paused'
                : loopPause === null
                  ? 'active'
                  : r.urgency === 'critical'
                    ? 'flagged'
                    : 'paused',
            pausedReason: loopPause?.detail ?? enginePause?.reason ?? null,
          },
        };
      }),
    async resumeRule(ruleId) {
      if (!demoRules.some((r) => r.id === ruleId)) return false;
      await feedback.resume(ruleId);
      if (engine.pauses().some((p) => p.ruleId === ruleId)) await engine.resume(ruleId);
      return true;
    },
    metrics(): MetricsView {
      const { buckets, controlEfficacy } = computeTrustMetrics(feedback.events(), {
        bucketMs: duration.day,
      });
      const byStart = new Map<
        number,
        { n: number; helpful: number; intrusive: number; ni: number }
      >();
      for (const b of buckets) {
        const agg = byStart.get(b.bucketStart) ?? { n: 0, helpful: 0, intrusive: 0, ni: 0 };
        agg.n += b.exposures;
        agg.helpful += b.helpfulRate * b.exposures;
        agg.intrusive += b.intrusiveRate * b.exposures;
        agg.ni += b.notInterestedRate * b.exposures;
        byStart.set(b.bucketStart, agg);
      }
      const points = [...byStart.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([at, a]) => ({
          at,
          values: {
            messages: a.n,
            helpful_rate: a.n ? a.helpful / a.n : 0,
            intrusive_rate: a.n ? a.intrusive / a.n : 0,
            not_interested_rate: a.n ? a.ni / a.n : 0,
          },
        }));
      return {
        points,
        efficacy: controlEfficacy,
        corrections: feedback.corrections().map((c) => ({
          at: c.at,
          subject: c.subject,
          ruleId: c.ruleId,
          note: c.note ?? '',
        })),
      };
    },
    async verifyLedger(): Promise<LedgerStatusView> {
      const v = await consent.verify();
      return v.valid
        ? { ok: true, subjects: v.subjects, entries: v.entries, problems: [] }
        : {
            ok: false,
            subjects: v.subjects,
            entries: 0,
            problems: [`${v.subject}: entry ${v.entryId}: ${v.problem}`],
          };
    },
    dsa(): DsaParameterView {
      return explainer.transparencyPage({
        name: 'Proactive messages',
        version: '2026-06',
        parameters: demoRules.map((r) => ({
          id: r.id,
          label: ruleCopy[r.id]?.title,
          purpose: r.purpose,
          dataCategories: r.dataCategories,
          weight:
            r.urgency === 'critical' ? 4 : r.urgency === 'high' ? 3 : r.urgency === 'low' ? 1 : 2,
          topic: r.action.topic,
        })),
      });
    },
  };
}
