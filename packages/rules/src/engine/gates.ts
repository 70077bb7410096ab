import type { ConsentVerdict, SuppressionSource } from '@candor/core';
import type { CompiledRule, Slots } from '../compile/types';
import type { GateName } from '../outcome';
import type { Reservation, ScheduleEntry, StateLimit } from '../state';
import { quietUntil, startOfLocalDay, startOfNextLocalDay } from '../time';
import { decide } from './consent';
import type { EngineCore } from './core';
import type { EvalContext } from './eval-context';
import { suppression } from './suppression';

// Each gate reports its suppression into `ctx.outcomes` and returns a falsy value, or records
// itself in `passed` and returns what later gates need. They run in order, as plain calls (a
// list of gate functions would make every call site megamorphic on the hot path).

/**
 * @internal Gates 1–8 for one triggered rule: it ends as a suppression in `ctx.outcomes`, or in
 * `ctx.pending`, waiting for the conflicts gate.
 */
export function evaluateRule(core: EngineCore, ctx: EvalContext, rule: CompiledRule): void {
  const passed: GateName[] = [];
  const verdict = consentGate(core, ctx, rule, passed);
  if (verdict === null) return;
  if (!suppressionsGate(core, ctx, rule, passed)) return;
  if (!pauseGate(core, ctx, rule, passed)) return;
  const slots = conditionsGate(core, ctx, rule, passed);
  if (slots === null) return;
  const state = capsGate(core, ctx, rule, passed);
  if (state === null) return;
  if (!cooldownGate(core, ctx, rule, passed, state.limits)) return;
  const bypassed = quietHoursGate(core, ctx, rule, passed);
  if (bypassed === null) return;
  const dedup = dedupGate(core, ctx, rule, passed, slots);
  if (dedup === false) return;
  const { at, subject, event } = ctx;
  const id = `${rule.id}@${rule.rule.version}:${subject}:${event.id}`;
  ctx.pending.push({
    rule,
    slots,
    passed,
    bypassed,
    verdict,
    reservation: { id, subject, at, keys: state.keys, limits: state.limits, dedup },
  });
}

/** 1. Consent, before any fact is read. */
function consentGate(
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
  passed: GateName[],
): ConsentVerdict | null {
  const verdict = decide(core.consent, rule, ctx.subject, ctx.at, ctx.verdicts);
  if (!verdict.allowed) {
    ctx.outcomes.push(
      suppression(
        rule,
        ctx.event,
        'consent',
        verdict.reasons.map((r) => r.detail).join('; ') || `no consent for ${rule.rule.purpose}`,
        passed,
        { consent: verdict },
      ),
    );
    return null;
  }
  passed.push('consent');
  return verdict;
}

/** 2. The customer's suppressions (a failing source suppresses). */
function suppressionsGate(
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
  passed: GateName[],
): boolean {
  const suppressions = core.suppressions;
  if (suppressions) {
    const { at, subject } = ctx;
    const action = rule.rule.action;
    let v: ReturnType<SuppressionSource['check']>;
    try {
      v = suppressions.check({
        subject,
        ruleId: rule.id,
        topic: action.topic,
        channel: action.channel,
        at,
        critical: rule.urgency === 'critical',
      });
    } catch (error) {
      v = {
        suppressed: true,
        reason: {
          code: 'source_error',
          scope: 'all',
          target: '*',
          since: at,
          until: null,
          detail: `the suppression source failed: ${(error as Error)?.message ?? error}`,
        },
      };
    }
    if (v.suppressed) {
      ctx.outcomes.push(
        suppression(rule, ctx.event, 'suppressed', v.reason.detail, passed, {
          suppression: v.reason,
        }),
      );
      return false;
    }
  }
  passed.push('suppressions');
  return true;
}

/** 3. Pause / kill switch (and, for non-critical rules, pauses this view may have missed). */
function pauseGate(
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
  passed: GateName[],
): boolean {
  const at = ctx.at;
  const pause =
    core.view.pause(rule.id, at) ??
    (rule.urgency === 'critical' ? null : core.pauses.missed(rule.id, at));
  if (pause !== null) {
    ctx.outcomes.push(
      suppression(rule, ctx.event, 'paused', `paused: ${pause.reason}`, passed, {
        pause,
        retryAt: pause.until,
      }),
    );
    return false;
  }
  passed.push('pause');
  return true;
}

/** 4. Conditions, over facts of the rule's declared categories only. */
function conditionsGate(
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
  passed: GateName[],
): Slots | null {
  const slots = ctx.slotsFor(rule);
  core.windows.fill(core.view, rule, slots, ctx.subject, ctx.at);
  const result = rule.fn(slots.values);
  if (result !== 1) {
    const insufficient = result === 2;
    ctx.outcomes.push(
      suppression(
        rule,
        ctx.event,
        insufficient ? 'insufficient_data' : 'conditions_not_met',
        insufficient
          ? "a fact the conditions need is missing or not readable under the rule's categories"
          : 'the conditions did not hold',
        passed,
        core.traceAll ? { trace: core.set.trace(rule, slots, core.redact) } : {},
      ),
    );
    return null;
  }
  passed.push('conditions');
  return slots;
}

/** 5. Caps: the fire keys the rule counts against, and the limits its reservation checks. */
function capsGate(
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
  passed: GateName[],
): { keys: string[]; limits: StateLimit[] } | null {
  const { at, subject, timeZone, tzValid } = ctx;
  const action = rule.rule.action;
  const view = core.view;
  const limits: StateLimit[] = [];
  const ruleKey = `rule:${rule.id}:${subject}`;
  const keys = [
    ruleKey,
    `channel:${action.channel}:${subject}`,
    `topic:${action.topic}:${subject}`,
  ];
  let capProblem: string | null = null;
  for (const cap of rule.caps) {
    const key =
      cap.scope === 'rule'
        ? ruleKey
        : cap.scope === 'channel'
          ? (keys[1] as string)
          : (keys[2] as string);
    if (cap.windowMs === 'calendar_day') {
      if (!tzValid) {
        capProblem = `a calendar-day cap needs the customer's time zone; ${JSON.stringify(timeZone ?? null)} is missing or invalid`;
        break;
      }
      limits.push({
        gate: 'cap',
        key,
        max: cap.limit,
        since: startOfLocalDay(at, timeZone as string),
      });
    } else limits.push({ gate: 'cap', key, max: cap.limit, since: at - cap.windowMs + 1 });
  }
  if (capProblem !== null) {
    ctx.outcomes.push(suppression(rule, ctx.event, 'cap', capProblem, passed, { retryAt: null }));
    return null;
  }
  const capped = limits.find((l) => view.count(l.key, l.since).count >= l.max);
  if (capped) {
    const { oldestAt } = view.count(capped.key, capped.since);
    const cap = rule.caps[limits.indexOf(capped)];
    const retryAt =
      cap?.windowMs === 'calendar_day'
        ? startOfNextLocalDay(at, timeZone as string)
        : oldestAt + (cap?.windowMs as number);
    ctx.outcomes.push(
      suppression(
        rule,
        ctx.event,
        'cap',
        `cap of ${capped.max} per ${cap?.windowMs === 'calendar_day' ? 'calendar day' : `${cap?.windowMs} ms`} on this ${cap?.scope} reached`,
        passed,
        { retryAt },
      ),
    );
    return null;
  }
  passed.push('caps');
  return { keys, limits };
}

/** 6. Cooldown: one fire per cooldown window (a limit of one, added to `limits`). */
function cooldownGate(
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
  passed: GateName[],
  limits: StateLimit[],
): boolean {
  if (rule.cooldownMs !== null) {
    const { at, subject } = ctx;
    const limit: StateLimit = {
      gate: 'cooldown',
      key: `rule:${rule.id}:${subject}`,
      max: 1,
      since: at - rule.cooldownMs + 1,
    };
    const { count, oldestAt } = core.view.count(limit.key, limit.since);
    if (count >= 1) {
      ctx.outcomes.push(
        suppression(
          rule,
          ctx.event,
          'cooldown',
          `fired ${at - oldestAt} ms ago; cooldown is ${rule.cooldownMs} ms`,
          passed,
          {
            retryAt: oldestAt + rule.cooldownMs,
          },
        ),
      );
      return false;
    }
    limits.push(limit);
  }
  passed.push('cooldown');
  return true;
}

/**
 * 7. Quiet hours: a fire in them is deferred to their end (a `deferred` schedule entry); critical
 * rules bypass them. Returns the gates bypassed.
 */
function quietHoursGate(
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
  passed: GateName[],
): GateName[] | null {
  const { at, subject, timeZone, event } = ctx;
  const bypassed: GateName[] = [];
  const quiet = rule.quiet ?? core.defaultQuiet;
  if (quiet !== null) {
    if (rule.urgency === 'critical') bypassed.push('quiet_hours');
    else if (!ctx.tzValid) {
      ctx.outcomes.push(
        suppression(
          rule,
          event,
          'quiet_hours',
          `quiet hours apply but the time zone ${JSON.stringify(timeZone ?? null)} is missing or invalid, so they cannot be ruled out`,
          passed,
          { retryAt: null },
        ),
      );
      return null;
    } else {
      const until = quietUntil(at, timeZone as string, quiet.start, quiet.end);
      if (until !== null) {
        ctx.outcomes.push(
          suppression(rule, event, 'quiet_hours', `quiet hours in ${timeZone}; deferred`, passed, {
            retryAt: until,
          }),
        );
        const entry: ScheduleEntry = {
          key: `deferred:${rule.id}:${subject}:${event.id}`,
          kind: 'deferred',
          ruleId: rule.id,
          subject,
          dueAt: until,
          event,
        };
        core.view.putSchedule(entry);
        ctx.scheduleOps.push({ put: entry });
        return null;
      }
    }
  }
  passed.push('quiet_hours');
  return bypassed;
}

/** 8. Dedup: the rendered key must not be live; returns it (null: the rule has none). */
function dedupGate(
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
  passed: GateName[],
  slots: Slots,
): Reservation['dedup'] | false {
  const { at, subject, event } = ctx;
  let dedup: Reservation['dedup'] = null;
  if (rule.dedup !== null) {
    let key = `${rule.id}:`;
    let missing = false;
    for (const part of rule.dedup.parts) {
      if (typeof part === 'string') key += part;
      else if ('special' in part) key += part.special === 'subject' ? subject : event.type;
      else {
        const v = slots.values[part.slot];
        if (v === undefined) missing = true;
        else key += typeof v === 'string' ? v : JSON.stringify(v);
      }
    }
    if (missing) {
      ctx.outcomes.push(
        suppression(
          rule,
          event,
          'insufficient_data',
          'a fact the dedup key needs is missing',
          passed,
        ),
      );
      return false;
    }
    const until = core.view.dedupUntil(key, at);
    if (until !== null) {
      ctx.outcomes.push(
        suppression(rule, event, 'duplicate', `already proposed under dedup key ${key}`, passed, {
          retryAt: until,
        }),
      );
      return false;
    }
    dedup = { key, expiresAt: at + rule.dedup.ttlMs };
  }
  passed.push('dedup');
  return dedup;
}
