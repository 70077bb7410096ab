import type { ConsentVerdict } from '@candor/core';
import type { ScheduleEntry } from '../state';
import { isValidTimeZone, relativeDue, toTime } from '../time';
import type { RuleEvent } from '../types';
import { answerField, correlationOf, isAnswered } from './absence';
import { decide } from './consent';
import type { EngineCore } from './core';
import type { ScheduleOp } from './eval-context';

/**
 * @internal Plans the timed rules an event concerns: a relative trigger is (re)scheduled at its
 * offset from the fact's instant (dropped without consent, or once passed; left as it is by an
 * event older than the one it rests on). An absence deadline starts on its `after` event unless
 * an `expect` event with the same correlation, at or after it, was already seen (events arrive
 * late), and an `expect` event clears it. Returns the answers the event leaves for absence rules
 * (with consent), to keep among the customer's past events: null when it leaves none.
 */
export function planTimed(
  core: EngineCore,
  event: RuleEvent,
  scheduleOps: ScheduleOp[],
): Record<string, string> | null {
  const { set, view } = core;
  if (set.timed.length === 0) return null;
  let answers: Record<string, string> | null = null;
  const subject = event.subject;
  const verdicts: (ConsentVerdict | undefined)[] = new Array(core.rules.consentKeys);
  const tz = isValidTimeZone(event.timeZone) ? event.timeZone : undefined;
  for (const rule of set.timed) {
    const trigger = rule.rule.trigger;
    if (trigger.type === 'relative') {
      if (trigger.events !== undefined && !trigger.events.includes(event.type)) continue;
      const slot = rule.triggerSlots[0] as number;
      const key = `relative:${rule.id}:${subject}`;
      // An event older than the one the plan rests on arrived late: it says nothing newer.
      const planned = view.getSchedule(key);
      if (planned !== undefined && planned.event.at > event.at) continue;
      const remove = () => {
        if (view.removeSchedule(key)) scheduleOps.push({ remove: key });
      };
      // Reading the fact needs consent; without it the plan is dropped.
      const slots = set.resolve(event.facts, event.at, rule);
      const value = slots.values[slot];
      if (value === undefined) continue;
      if (!decide(core, rule, subject, event.at, verdicts).allowed) {
        remove();
        continue;
      }
      if (rule.atMinutes !== undefined && tz === undefined) {
        remove();
        continue;
      }
      let due = relativeDue(value, rule.offsetMs, rule.atMinutes, tz);
      const base = toTime(value);
      if (due === undefined || base === undefined || (due < event.at && base <= event.at)) {
        remove();
        continue;
      }
      if (due < event.at) due = event.at;
      const entry: ScheduleEntry = {
        key,
        kind: 'relative',
        ruleId: rule.id,
        subject,
        dueAt: due,
        event,
      };
      view.putSchedule(entry);
      scheduleOps.push({ put: entry });
    } else if (trigger.type === 'absence') {
      if (event.type !== trigger.after && event.type !== trigger.expect) continue;
      const slots = set.resolve(event.facts, event.at, rule);
      const correlation = correlationOf(rule, slots);
      if (correlation === null) continue;
      const key = `absence:${rule.id}:${subject}:${correlation}`;
      const planned = view.getSchedule(key);
      if (event.type === trigger.expect) {
        // An answer to an `after` event at or before it (with a store, the view holds the
        // customer's deadlines as the store had them; one planned elsewhere since is dropped when
        // due, answered).
        if (planned !== undefined && planned.event.at <= event.at) {
          view.removeSchedule(key);
          scheduleOps.push({ remove: key });
        }
        // Kept (with consent) for an `after` event that arrives late, and for the deadline's
        // check when due.
        if (decide(core, rule, subject, event.at, verdicts).allowed) {
          answers ??= {};
          answers[answerField(rule.id)] = correlation;
        }
        continue;
      }
      // An `after` event older than the one the deadline rests on arrived late: it says nothing
      // newer.
      if (planned !== undefined && planned.event.at > event.at) continue;
      // Answered already, or no consent: no deadline (and none planned before stays).
      if (
        isAnswered(view, subject, rule, correlation, event.at) ||
        !decide(core, rule, subject, event.at, verdicts).allowed
      ) {
        if (view.removeSchedule(key)) scheduleOps.push({ remove: key });
        continue;
      }
      // From the instant in the `from` fact (due no earlier than this event), or from the event.
      let start = event.at;
      if (rule.fromSlot !== undefined) {
        const from = toTime(slots.values[rule.fromSlot]);
        if (from === undefined) continue;
        start = Math.max(from, event.at - rule.withinMs);
      }
      const entry: ScheduleEntry = {
        key,
        kind: 'absence',
        ruleId: rule.id,
        subject,
        dueAt: start + rule.withinMs,
        event,
      };
      view.putSchedule(entry);
      scheduleOps.push({ put: entry });
    }
  }
  return answers;
}
