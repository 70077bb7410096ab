import type { Instant, SubjectId } from '@candor/core';
import type { CompiledRule, Slots } from '../compile/types';
import type { StateView } from '../state';
import { hash } from './hash';

/**
 * @internal What an absence rule's `after` and `expect` events share, as a hash of the values of
 * its `correlate` facts in the event's `slots` (null when the event lacks one): the part of the rule's schedule key, and
 * the answer an `expect` event leaves among the customer's past events.
 */
export function correlationOf(rule: CompiledRule, slots: Slots): string | null {
  const correlation = rule.triggerSlots.map((s) => slots.values[s]);
  if (correlation.some((v) => v === undefined)) return null;
  return hash(JSON.stringify(correlation));
}

/**
 * @internal The past-event field in which an `expect` event keeps its answer to absence rule
 * `ruleId` (the correlation's hash, not its values). No fact path holds a colon, so no window
 * reads it.
 */
export const answerField = (ruleId: string): string => `absence:${ruleId}`;

/**
 * @internal Whether `subject`'s past events (as far as the view holds them: the rule set's
 * retention, at least the longest absence wait) hold an answer to absence rule `rule` for
 * `correlation`, from an `expect` event at or after `since` (its `after` event's instant): the
 * answer counts in whichever order the two events were processed.
 */
export function isAnswered(
  view: StateView,
  subject: SubjectId,
  rule: CompiledRule,
  correlation: string,
  since: Instant,
): boolean {
  const trigger = rule.rule.trigger;
  if (trigger.type !== 'absence') return false;
  const field = answerField(rule.id);
  const events = view.events(subject);
  // Kept oldest first: the answers at or after `since` are the last ones.
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e === undefined || e.at < since) break;
    if (
      e.type === trigger.expect &&
      Object.hasOwn(e.fields, field) &&
      e.fields[field] === correlation
    )
      return true;
  }
  return false;
}
