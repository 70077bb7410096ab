import type { CompiledRule } from '../compile/types';
import type { GateName, Suppression, SuppressionCode } from '../outcome';
import type { RuleEvent } from '../types';

/** @internal The suppression a gate reports for `rule`, with the gates it passed before. */
export function suppression(
  rule: CompiledRule,
  event: RuleEvent,
  reason: SuppressionCode,
  detail: string,
  passed: readonly GateName[],
  extra: Partial<Suppression> = {},
): Suppression {
  return {
    kind: 'suppression',
    ruleId: rule.id,
    ruleVersion: rule.rule.version,
    eventId: event.id,
    subject: event.subject,
    at: event.at,
    reason,
    detail,
    gatesPassed: [...passed],
    ...extra,
  };
}
