import type { ConsentVerdict, Instant, SuppressionSource } from '@candor/core';
import { run } from '../compile/program';
import type { CompiledRule, Slots, Tri } from '../compile/types';
import type { Suppression } from '../outcome';
import type { ScheduleEntry, StateLimit } from '../state';
import { quietUntil, startOfLocalDay, startOfNextLocalDay } from '../time';
import { RuleProposal } from './build-proposal';
import { decide } from './consent';
import type { EngineCore } from './core';
import type { EvalContext, Pending } from './eval-context';
import { INSUFFICIENT, NOT_MET, suppression, UnmetConditions } from './suppression';

// Each gate returns the suppression it reports, or null when the rule passes it. They run in
// order as plain calls (a list of gate functions would make each call site megamorphic on the
// hot path). Gates 1–4 run for every triggered rule; 5–8 only for rules whose conditions held.

/**
 * @internal Gates 1–8 for the triggered rule at `position`: it ends as a suppression in
 * `ctx.outcomes`, or in `ctx.pending`, waiting for the conflicts gate.
 */
export function evaluateRule(
  core: EngineCore,
  ctx: EvalContext,
  candidate: CompiledRule,
  position: number,
): void {
  let rule = candidate;
  let early = consentGate(core, ctx, rule);
  // Refused the purpose: the rule's contextual fallback, if it has one the gate allows, goes on
  // in its place (over context facts only); else the refusal stands.
  const contextual = rule.contextual;
  if (early !== null && contextual !== null && consentGate(core, ctx, contextual) === null) {
    rule = contextual;
    early = null;
  }
  early ??=
    suppressionsGate(core, ctx, rule) ??
    pauseGate(core, ctx, rule) ??
    conditionsGate(core, ctx, rule, position);
  if (early !== null) {
    ctx.outcomes[position] = early;
    return;
  }
  ctx.fire ??= `${ctx.subject}:${ctx.event.id}`;
  const table = core.rules;
  const id = table.reservationId(rule, ctx.fire);
  // Nothing after gate 4 can hold back a rule without caps, cooldown, quiet hours (its own or the
  // engine's), dedup key, exclusion group or channel budget whose fires no other rule counts: it
  // is proposed now, as the conflicts gate would propose it whatever else is pending.
  if (core.defaultQuiet === null && table.free(rule)) {
    const slots = ctx.slots as Slots;
    ctx.outcomes[position] = new RuleProposal(
      core,
      ctx.event,
      rule,
      slots,
      ctx.verdict as ConsentVerdict,
      id,
      null,
    );
    if (ctx.persisting)
      ctx.reservations[position] = {
        id,
        subject: ctx.subject,
        at: ctx.at,
        keys: fireKeys(rule, ctx.subject),
        limits: [],
        dedup: null,
      };
    return;
  }
  const p: Pending = {
    rule,
    position,
    rank: table.rank(rule),
    slots: ctx.slots as Slots,
    verdict: ctx.verdict as ConsentVerdict,
    id,
    keys: null,
    limits: null,
    bypassed: null,
    dedup: null,
    reservation: null,
    counted: false,
  };
  // Gates 5–8 only where there is something to check (a rule of none passes them all).
  if (core.defaultQuiet !== null || core.rules.limited(rule)) {
    const late =
      capsGate(core, ctx, p) ??
      cooldownGate(core, ctx, p) ??
      quietHoursGate(core, ctx, p) ??
      dedupGate(core, ctx, p);
    if (late !== null) {
      ctx.outcomes[position] = late;
      return;
    }
  }
  // The reservation: for the view where a cap, cooldown or dedup key will look for the fire, and
  // for the state store when the run is persisted.
  p.counted = p.limits !== null || p.dedup !== null || core.rules.firesCounted(rule);
  if (p.counted || ctx.persisting)
    p.reservation = {
      id: p.id,
      subject: ctx.subject,
      at: ctx.at,
      keys: keysOf(ctx, p),
      limits: p.limits ?? [],
      dedup: p.dedup,
    };
  ctx.pending.push(p);
}

/** The fire keys `rule` counts against for `subject`: its rule, channel and topic keys. */
function fireKeys(rule: CompiledRule, subject: string): readonly string[] {
  const action = rule.rule.action;
  return [
    `rule:${rule.id}:${subject}`,
    `channel:${action.channel}:${subject}`,
    `topic:${action.topic}:${subject}`,
  ];
}

/** The fire keys a pending rule counts against, made on first need. */
function keysOf(ctx: EvalContext, p: Pending): readonly string[] {
  p.keys ??= fireKeys(p.rule, ctx.subject);
  return p.keys;
}

/** 1. Consent, before any fact is read. */
function consentGate(core: EngineCore, ctx: EvalContext, rule: CompiledRule): Suppression | null {
  const verdict = decide(core, rule, ctx.subject, ctx.at, ctx.verdicts);
  ctx.verdict = verdict;
  if (verdict.allowed) return null;
  const event = ctx.event;
  return {
    kind: 'suppression',
    ruleId: rule.id,
    ruleVersion: rule.rule.version,
    eventId: event.id,
    subject: event.subject,
    at: event.at,
    reason: 'consent',
    detail:
      verdict.reasons.map((r) => r.detail).join('; ') || `no consent for ${rule.rule.purpose}`,
    gatesPassed: [],
    consent: verdict,
  };
}

/**
 * 2. The customer's suppressions, as of the event and as of now (a failing source suppresses):
 * a "stop this" given after the event happened holds back its late evaluation.
 */
function suppressionsGate(
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
): Suppression | null {
  const suppressions = core.suppressions;
  if (suppressions === undefined || ctx.unsuppressed) return null;
  let v = askSuppressions(suppressions, core, ctx, rule, ctx.at);
  if (!v.suppressed && ctx.now !== ctx.at)
    v = askSuppressions(suppressions, core, ctx, rule, ctx.now);
  if (!v.suppressed) return null;
  return suppression(rule, ctx.event, 'suppressed', v.reason.detail, 1, {
    suppression: v.reason,
  });
}

/** What the suppression source says of `rule` for the customer at `at`. */
function askSuppressions(
  suppressions: SuppressionSource,
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
  at: Instant,
): ReturnType<SuppressionSource['check']> {
  const table = core.rules;
  try {
    return suppressions.check({
      subject: ctx.subject,
      ruleId: rule.id,
      topic: table.topic(rule),
      channel: table.channel(rule),
      at,
      critical: rule.urgency === 'critical',
    });
  } catch (error) {
    return {
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
}

/**
 * 3. Pause / kill switch, as of the event and as of now (and, for non-critical rules, pauses this
 * view may have missed).
 */
function pauseGate(core: EngineCore, ctx: EvalContext, rule: CompiledRule): Suppression | null {
  if (ctx.unpaused) return null;
  const { at, now } = ctx;
  const pause =
    core.view.pause(rule.id, at) ??
    (now === at ? null : core.view.pause(rule.id, now)) ??
    (rule.urgency === 'critical' ? null : core.pauses.missed(rule.id, at));
  if (pause === null) return null;
  return suppression(rule, ctx.event, 'paused', `paused: ${pause.reason}`, 2, {
    pause,
    retryAt: pause.until,
  });
}

/**
 * 4. Conditions, over facts of the rule's declared categories only. A rule whose conditions did
 * not hold carries its trace, rendered when read (`trace: 'all'`, the default).
 */
function conditionsGate(
  core: EngineCore,
  ctx: EvalContext,
  rule: CompiledRule,
  position: number,
): Suppression | null {
  // A contextual fallback is no candidate of the match index: it is evaluated whole.
  const candidates = rule.fallback ? null : ctx.indexed;
  let result: Tri;
  let slots: Slots;
  // Whether every slot the rule reads is known to hold a value (so is every one it read).
  let full = false;
  if (candidates === null) {
    ctx.slotsFor ??= core.set.resolver(ctx.event.facts, ctx.at);
    slots = ctx.slotsFor(rule);
    core.windows.fill(core.view, rule, slots, ctx.subject, ctx.at);
    result = rule.fn(slots.values);
  } else {
    // As `match` decides: the shared index answers the gate leaves, the residual the rest.
    let scan = ctx.scan;
    if (scan === null) {
      scan = core.set.scan(ctx.event.facts, ctx.at, candidates);
      ctx.scan = scan;
    }
    slots = scan.view(rule);
    core.windows.fill(core.view, rule, slots, ctx.subject, ctx.at);
    const values = slots.values;
    if (scan.passes(position)) {
      const residual = scan.residual(position);
      result = residual === null ? 1 : run(residual, values);
    } else if (core.rules.decidedWhenPresent(rule) && core.rules.presentAt(rule.order, slots)) {
      // A gate leaf did not hold and no fact is missing: no leaf is unknown, so the rule is false.
      result = 0;
      full = true;
    } else result = rule.fn(values);
  }
  ctx.slots = slots;
  if (ctx.reads !== null) {
    ctx.ran = rule;
    ctx.ranResult = result;
    ctx.ranFull = full;
  }
  if (result === 1) return null;
  const insufficient = result === 2;
  if (core.traceAll)
    return new UnmetConditions(
      core.rules.tracedAt(rule.order),
      rule.id,
      core.rules.version(rule),
      ctx.event,
      insufficient,
      slots,
    );
  return suppression(
    rule,
    ctx.event,
    insufficient ? 'insufficient_data' : 'conditions_not_met',
    insufficient ? INSUFFICIENT : NOT_MET,
    3,
  );
}

/** 5. Caps: each cap is a limit the reservation checks, on the rule, channel or topic key. */
function capsGate(core: EngineCore, ctx: EvalContext, p: Pending): Suppression | null {
  const rule = p.rule;
  if (rule.caps.length === 0) return null;
  const { at, timeZone } = ctx;
  const keys = keysOf(ctx, p);
  const limits: StateLimit[] = [];
  for (const cap of rule.caps) {
    const key =
      cap.scope === 'rule'
        ? (keys[0] as string)
        : cap.scope === 'channel'
          ? (keys[1] as string)
          : (keys[2] as string);
    if (cap.windowMs === 'calendar_day') {
      if (!ctx.tzValid)
        return suppression(
          rule,
          ctx.event,
          'cap',
          `a calendar-day cap needs the customer's time zone; ${JSON.stringify(timeZone ?? null)} is missing or invalid`,
          4,
          { retryAt: null },
        );
      limits.push({
        gate: 'cap',
        key,
        max: cap.limit,
        since: startOfLocalDay(at, timeZone as string),
      });
    } else limits.push({ gate: 'cap', key, max: cap.limit, since: at - cap.windowMs + 1 });
  }
  p.limits = limits;
  const view = core.view;
  const capped = limits.find((l) => view.count(l.key, l.since).count >= l.max);
  if (capped === undefined) return null;
  const { oldestAt } = view.count(capped.key, capped.since);
  const cap = rule.caps[limits.indexOf(capped)];
  const retryAt =
    cap?.windowMs === 'calendar_day'
      ? startOfNextLocalDay(at, timeZone as string)
      : oldestAt + (cap?.windowMs as number);
  return suppression(
    rule,
    ctx.event,
    'cap',
    `cap of ${capped.max} per ${cap?.windowMs === 'calendar_day' ? 'calendar day' : `${cap?.windowMs} ms`} on this ${cap?.scope} reached`,
    4,
    { retryAt },
  );
}

/** 6. Cooldown: one fire per cooldown window (a limit of one on the rule key). */
function cooldownGate(core: EngineCore, ctx: EvalContext, p: Pending): Suppression | null {
  const rule = p.rule;
  const cooldownMs = rule.cooldownMs;
  if (cooldownMs === null) return null;
  const at = ctx.at;
  const limit: StateLimit = {
    gate: 'cooldown',
    key: keysOf(ctx, p)[0] as string,
    max: 1,
    since: at - cooldownMs + 1,
  };
  const { count, oldestAt } = core.view.count(limit.key, limit.since);
  if (count >= 1)
    return suppression(
      rule,
      ctx.event,
      'cooldown',
      `fired ${at - oldestAt} ms ago; cooldown is ${cooldownMs} ms`,
      5,
      { retryAt: oldestAt + cooldownMs },
    );
  if (p.limits === null) p.limits = [limit];
  else p.limits.push(limit);
  return null;
}

/**
 * 7. Quiet hours, as of when the message would go out: now (a backlog processed at 3 a.m. is
 * deferred, whenever its events happened), and the event's time too where it is stamped ahead of
 * the clock. A fire in them is deferred to their end (a `deferred` schedule entry); critical rules
 * bypass them.
 */
function quietHoursGate(core: EngineCore, ctx: EvalContext, p: Pending): Suppression | null {
  const rule = p.rule;
  const quiet = rule.quiet ?? core.defaultQuiet;
  if (quiet === null) return null;
  if (rule.urgency === 'critical') {
    p.bypassed = ['quiet_hours'];
    return null;
  }
  const { at, now, subject, timeZone, event } = ctx;
  if (!ctx.tzValid)
    return suppression(
      rule,
      event,
      'quiet_hours',
      `quiet hours apply but the time zone ${JSON.stringify(timeZone ?? null)} is missing or invalid, so they cannot be ruled out`,
      6,
      { retryAt: null },
    );
  const quietNow = quietUntil(now, timeZone as string, quiet.start, quiet.end);
  const quietAt = at > now ? quietUntil(at, timeZone as string, quiet.start, quiet.end) : null;
  if (quietNow === null && quietAt === null) return null;
  const until = Math.max(quietNow ?? at, quietAt ?? now);
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
  return suppression(rule, event, 'quiet_hours', `quiet hours in ${timeZone}; deferred`, 6, {
    retryAt: until,
  });
}

/** A fact value as part of a dedup key; undefined when missing or not plain data (a cycle). */
function keyText(value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** 8. Dedup: the rendered key must not be live. */
function dedupGate(core: EngineCore, ctx: EvalContext, p: Pending): Suppression | null {
  const rule = p.rule;
  if (rule.dedup === null) return null;
  const { at, subject, event } = ctx;
  const values = p.slots.values;
  let key = `${rule.id}:`;
  let missing = false;
  for (const part of rule.dedup.parts) {
    if (typeof part === 'string') key += part;
    else if ('special' in part) key += part.special === 'subject' ? subject : event.type;
    else {
      const text = keyText(values[part.slot]);
      if (text === undefined) missing = true;
      else key += text;
    }
  }
  if (missing)
    return suppression(
      rule,
      event,
      'insufficient_data',
      'a fact the dedup key needs is missing or not plain data',
      7,
    );
  const until = core.view.dedupUntil(key, at);
  // The detail names no value of the key: it may be one `redact` keeps out of sight.
  if (until !== null)
    return suppression(rule, event, 'duplicate', 'already proposed under the same dedup key', 7, {
      retryAt: until,
    });
  p.dedup = { key, expiresAt: at + rule.dedup.ttlMs };
  return null;
}
