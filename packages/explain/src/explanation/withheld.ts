import type { CompiledCatalog } from '../catalog';
import type { WithheldItem, WithheldReason } from '../types';

/**
 * The sentences that say how much was withheld and why (counts only, never what).
 *
 * @example
 * withheldText(withheld, catalog); // ['One piece of information is not shown because …']
 */
export function withheldText(
  withheld: readonly WithheldItem[],
  catalog: CompiledCatalog,
): string[] {
  const text: string[] = [];
  const count = (why: WithheldReason, kind: 'fact' | 'reason') =>
    withheld.filter((w) => w.kind === kind && w.reason === why).length;
  const consentCount = count('consent_not_allowed', 'fact');
  const sensitiveCount = count('sensitive_category', 'fact');
  const reasonCount = count('evidence_withheld', 'reason');
  if (consentCount > 0) text.push(catalog.format('withheld.consent', { count: consentCount }));
  if (sensitiveCount > 0)
    text.push(catalog.format('withheld.sensitive', { count: sensitiveCount }));
  if (reasonCount > 0) text.push(catalog.format('withheld.reasons', { count: reasonCount }));
  return text;
}

/**
 * How many reasons were withheld (their evidence was).
 *
 * @example
 * withheldReasons([{ kind: 'reason', reasonId: 'r1', reason: 'evidence_withheld' }]); // 1
 */
export function withheldReasons(withheld: readonly WithheldItem[]): number {
  let count = 0;
  for (const item of withheld) if (item.kind === 'reason') count++;
  return count;
}
