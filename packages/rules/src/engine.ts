import {
  type Action,
  type ConsentVerdict,
  type Fact,
  type Instant,
  isWithin,
  type JsonValue,
  type Reason,
  type SubjectId,
  type SuppressionSource,
  systemClock,
} from '@candor/core';
import { compileRules } from './compile';
import type { CompiledRule, CompiledRuleSet, Slots, TraceNode, WindowSlot } from './compile/types';
import { checkEvent, checkFacts } from './engine/check-event';
import { closedVerdict } from './engine/consent';
import { findNode, OP_TEXT, REDACTED, show, windowLabel } from './engine/explain';
import { hash } from './engine/hash';
import type { FactRequest, RuleEngine, RuleEngineOptions } from './engine/types';
import { requireNumber, requireObject, requireString, rulesError } from './errors';
import type { GateName, Outcome, Proposal, Suppression, SuppressionCode } from './outcome';
import { followPauses } from './pauses';
import {
  type PastEvent,
  type Pause,
  type Reservation,
  type ScheduleEntry,
  type StateLimit,
  StateView,
} from './state';
import {
  isValidTimeZone,
  parseClock,
  quietUntil,
  relativeDue,
  startOfLocalDay,
  startOfNextLocalDay,
  toTime,
} from './time';
import type { Rule, RuleEvent } from './types';

/**
 * Creates the rule engine. Gates run in this order for every triggered rule: consent (the rule's
 * purpose and data categories, before any fact is read) → suppressions → pause/kill switch →
 * conditions → caps → cooldown → quiet hours (critical urgency may bypass; an invalid time zone
 * never fails open) → dedup → conflicts (exclusion groups and channel budgets: highest priority,
 * then specificity, then id).
 *
 * @example
 * const engine = createRuleEngine({ rules: [cardExpiry], consent: gate, clock });
 * for (const outcome of engine.evaluate(event)) console.log(outcome.kind, outcome.ruleId);
 */
export function createRuleEngine(options: RuleEngineOptions): RuleEngine {
  requireObject(options, 'options');
  const set: CompiledRuleSet = Array.isArray(options.rules)
    ? compileRules(options.rules as readonly Rule[])
    : (options.rules as CompiledRuleSet);
  if (typeof options.consent?.decide !== 'function')
    throw rulesError(
      'rules/invalid_rule',
      'a ConsentGate is required',
      undefined,
      'options.consent',
      options.consent,
    );
  const consent = options.consent;
  const suppressions = options.suppressions;
  const store = options.state;
  const clock = options.clock ?? systemClock;
  const view = new StateView();
  const pauses = followPauses(store, view);
  const traceAll = (options.trace ?? 'all') === 'all';
  const budgets = options.channelBudgets ?? {};
  const defaultQuiet = options.quietHours
    ? { start: parseClock(options.quietHours.start), end: parseClock(options.quietHours.end) }
    : null;
  if (defaultQuiet && (defaultQuiet.start === undefined || defaultQuiet.end === undefined))
    throw rulesError(
      'rules/invalid_rule',
      'quiet hours must be HH:MM',
      undefined,
      'options.quietHours',
      options.quietHours,
    );
  const redactOption = options.redact ?? [];
  const redact =
    typeof redactOption === 'function'
      ? redactOption
      : (category: string) => redactOption.some((r) => isWithin(category, r));
  // Which event types feed windows, and which paths each keeps.
  const windowFields = new Map<string, Set<string>>();
  for (const w of set.windows) {
    const fields = windowFields.get(w.spec.event) ?? new Set<string>();
    if (w.spec.field) fields.add(w.spec.field);
    for (const p of Object.keys(w.spec.where ?? {})) fields.add(p);
    windowFields.set(w.spec.event, fields);
  }
  let retention = 2 * 86_400_000;
  for (const w of set.windows) retention = Math.max(retention, w.withinMs);
  for (const r of set.rules) {
    for (const c of r.caps)
      if (c.windowMs !== 'calendar_day') retention = Math.max(retention, c.windowMs);
    if (r.cooldownMs !== null) retention = Math.max(retention, r.cooldownMs);
  }
  let evaluations = 0;

  const readPath = (facts: readonly Fact[], path: string): JsonValue | undefined => {
    let best: Fact | undefined;
    for (const f of facts) {
      if (
        (path === f.path || path.startsWith(`${f.path}.`)) &&
        (best === undefined || f.path.length > best.path.length)
      )
        best = f;
    }
    if (best === undefined) return undefined;
    let v: unknown = best.value;
    const rest = path === best.path ? [] : path.slice(best.path.length + 1).split('.');
    for (const seg of rest) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
      v = (v as Record<string, unknown>)[seg];
    }
    return v as JsonValue;
  };

  const pastEventOf = (event: RuleEvent): PastEvent | null => {
    const fields = windowFields.get(event.type);
    if (fields === undefined) return null;
    const out: Record<string, JsonValue> = {};
    for (const p of fields) {
      const v = readPath(event.facts, p);
      if (v !== undefined) out[p] = v;
    }
    return { id: event.id, subject: event.subject, type: event.type, at: event.at, fields: out };
  };

  const aggregate = (w: WindowSlot, subject: SubjectId, now: Instant): number => {
    const events = view.events(subject);
    const since = now - w.withinMs;
    const where = w.spec.where ? Object.entries(w.spec.where) : [];
    let total = 0;
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i] as PastEvent;
      if (e.at <= since) break;
      if (e.at > now || e.type !== w.spec.event) continue;
      if (!where.every(([k, v]) => e.fields[k] === v)) continue;
      if (w.spec.agg === 'count') total++;
      else {
        const x = e.fields[w.spec.field as string];
        if (typeof x === 'number') total += x;
      }
    }
    return total;
  };

  // A critical rule's action says so, so that an explanation offers no mute for it.
  const criticalActions = new WeakMap<CompiledRule, Action>();
  const actionOf = (rule: CompiledRule): Action => {
    if (rule.urgency !== 'critical') return rule.rule.action;
    let action = criticalActions.get(rule);
    if (action === undefined) {
      action = Object.freeze({ ...rule.rule.action, critical: true });
      criticalActions.set(rule, action);
    }
    return action;
  };

  /** One question to the gate, as of `at` or (undefined) now; anything but a verdict denies. */
  const ask = (rule: CompiledRule, subject: SubjectId, at: Instant | undefined): ConsentVerdict => {
    const { purpose, dataCategories } = rule.rule;
    try {
      const verdict =
        at === undefined
          ? consent.decide({ subject, purpose, dataCategories })
          : consent.decide({ subject, purpose, dataCategories, at });
      if (
        typeof verdict !== 'object' ||
        verdict === null ||
        (verdict.allowed !== true && verdict.allowed !== false)
      )
        return closedVerdict(purpose, 'the consent gate returned no verdict');
      return verdict;
    } catch (error) {
      return closedVerdict(
        purpose,
        `the consent gate failed: ${(error as Error)?.message ?? error}`,
      );
    }
  };

  /**
   * Consent as of the event and as of now, both required: an event that waited in a queue (or
   * is retried, or backfilled) past a withdrawal is held back. The event-time verdict is the one
   * a proposal carries when both allow.
   */
  const decide = (
    rule: CompiledRule,
    subject: SubjectId,
    at: Instant,
    cache: Map<string, ConsentVerdict>,
  ) => {
    const key = `${rule.rule.purpose}|${rule.signature}`;
    let verdict = cache.get(key);
    if (verdict === undefined) {
      verdict = ask(rule, subject, at);
      if (verdict.allowed) {
        const now = ask(rule, subject, undefined);
        if (!now.allowed) verdict = now;
      }
      cache.set(key, verdict);
    }
    return verdict;
  };

  interface Pending {
    rule: CompiledRule;
    slots: Slots;
    passed: GateName[];
    bypassed: GateName[];
    reservation: Reservation;
    verdict: ConsentVerdict;
  }

  interface Run {
    outcomes: Outcome[];
    reservations: Map<Proposal, Reservation>;
    scheduleOps: Array<{ put: ScheduleEntry } | { remove: string }>;
    past: PastEvent | null;
  }

  const suppression = (
    rule: CompiledRule,
    event: RuleEvent,
    reason: SuppressionCode,
    detail: string,
    passed: readonly GateName[],
    extra: Partial<Suppression> = {},
  ): Suppression => ({
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
  });

  const fillWindows = (rule: CompiledRule, slots: Slots, subject: SubjectId, now: Instant) => {
    for (const w of set.windows) {
      if (rule.slots.includes(w.slot) && slots.values[w.slot] === undefined)
        slots.values[w.slot] = aggregate(w, subject, now);
    }
  };

  const buildProposal = (p: Pending, event: RuleEvent): Proposal => {
    const { rule, slots } = p;
    const trace = set.trace(rule, slots, redact);
    const evidence: Fact[] = [];
    const byPath = new Map<string, string>();
    const reasons: Reason[] = [];
    const derived = {
      source: 'candor.rules',
      kind: 'derived' as const,
      observedAt: event.at,
      party: 'first' as const,
    };
    const addFact = (
      path: string,
      category: string,
      value: JsonValue,
      source: Fact | undefined,
    ): string => {
      let id = byPath.get(path);
      if (id === undefined) {
        id = `f${evidence.length + 1}`;
        byPath.set(path, id);
        evidence.push({
          id,
          path,
          category,
          value,
          provenance: source ? source.provenance : derived,
        });
      }
      return id;
    };
    const annotate = (node: TraceNode, negated: boolean): TraceNode => {
      if (node.kind === 'fact' || node.kind === 'window') {
        const cnode = findNode(rule, rule.prefix + node.path);
        const cnodeSlot = cnode?.slot;
        const raw = cnodeSlot === undefined ? undefined : slots.values[cnodeSlot];
        if (raw === undefined || node.category === undefined) return node;
        const path =
          node.kind === 'window'
            ? windowLabel(rule, rule.prefix + node.path)
            : (node.fact as string);
        const id = addFact(
          path,
          node.category,
          raw as JsonValue,
          node.kind === 'fact' ? slots.sources[cnodeSlot as number] : undefined,
        );
        // A `{ fact }` right-hand side is evidence too: the decision used its value.
        const ids = [id];
        const refSlot = cnode?.refSlot;
        const refSource = refSlot === undefined ? undefined : slots.sources[refSlot];
        const refRaw = refSlot === undefined ? undefined : slots.values[refSlot];
        if (refSource !== undefined && refRaw !== undefined && cnode?.refFact !== undefined)
          ids.push(addFact(cnode.refFact, refSource.category, refRaw as JsonValue, refSource));
        const useful = negated ? node.outcome === 'fail' : node.outcome === 'pass';
        if (useful) {
          const shown = redact(node.category) ? REDACTED : (raw as JsonValue);
          reasons.push({
            id: `r${reasons.length + 1}`,
            code: negated ? 'condition_not' : 'condition',
            text: `${negated ? 'not: ' : ''}${path} ${OP_TEXT[node.op as string] ?? node.op}${node.op === 'exists' ? '' : ` ${show(node.expected)}`}`,
            evidence: ids,
            params: {
              fact: path,
              op: node.op as string,
              ...(node.expected === undefined ? {} : { expected: node.expected }),
              actual: shown,
            },
          });
        }
        return { ...node, evidence: id };
      }
      if (node.outcome !== 'pass' && !negated) return node;
      const children = (node.children ?? []).map((c) =>
        annotate(c, node.kind === 'not' ? !negated : negated),
      );
      return { ...node, children };
    };
    const annotated = annotate(trace, false);
    // A rule whose decision rests on no condition (e.g. a relative trigger) cites its trigger fact.
    for (const slot of rule.triggerSlots) {
      const raw = slots.values[slot];
      const source = slots.sources[slot];
      const path = set.slotPaths[slot];
      if (raw === undefined || source === undefined || path === null || path === undefined)
        continue;
      const id = addFact(path, source.category, raw as JsonValue, source);
      reasons.push({
        id: `r${reasons.length + 1}`,
        code: 'trigger',
        text: `triggered by ${path}`,
        evidence: [id],
        params: { fact: path, actual: redact(source.category) ? REDACTED : (raw as JsonValue) },
      });
    }
    if (reasons.length === 0) {
      const id = addFact(
        'event.type',
        rule.rule.dataCategories[0] as string,
        event.type,
        undefined,
      );
      reasons.push({
        id: 'r1',
        code: 'trigger',
        text: `triggered by a ${event.type} event`,
        evidence: [id],
      });
    }
    const categories = new Set<string>(rule.rule.dataCategories);
    for (const f of evidence) categories.add(f.category);
    const idempotencyKey = `${rule.id}@${rule.rule.version}:${event.subject}:${event.id}`;
    return {
      kind: 'proposal',
      id: `prop_${hash(idempotencyKey)}`,
      subject: event.subject,
      at: event.at,
      source: { kind: 'rule', id: rule.id, version: rule.rule.version },
      action: actionOf(rule),
      purpose: rule.rule.purpose,
      dataCategories: [...categories],
      reasons,
      evidence,
      consent: [p.verdict],
      ruleId: rule.id,
      ruleVersion: rule.rule.version,
      eventId: event.id,
      idempotencyKey,
      priority: rule.priority,
      urgency: rule.urgency,
      gatesPassed: [...p.passed, 'conflicts'],
      bypassed: p.bypassed,
      trace: annotated,
    };
  };

  const run = (
    event: RuleEvent,
    candidates: readonly CompiledRule[],
    scheduleOps: Run['scheduleOps'],
  ): Run => {
    const at = event.at;
    const subject = event.subject;
    const timeZone = event.timeZone;
    const tzValid = isValidTimeZone(timeZone);
    const verdicts = new Map<string, ConsentVerdict>();
    const slotsFor = set.resolver(event.facts, at);
    const outcomes: Outcome[] = [];
    const pending: Pending[] = [];
    for (const rule of candidates) {
      const passed: GateName[] = [];
      const action = rule.rule.action;
      // 1. consent, before any fact is read
      const verdict = decide(rule, subject, at, verdicts);
      if (!verdict.allowed) {
        outcomes.push(
          suppression(
            rule,
            event,
            'consent',
            verdict.reasons.map((r) => r.detail).join('; ') ||
              `no consent for ${rule.rule.purpose}`,
            passed,
            { consent: verdict },
          ),
        );
        continue;
      }
      passed.push('consent');
      // 2. the customer's suppressions
      if (suppressions) {
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
          outcomes.push(
            suppression(rule, event, 'suppressed', v.reason.detail, passed, {
              suppression: v.reason,
            }),
          );
          continue;
        }
      }
      passed.push('suppressions');
      // 3. pause / kill switch (and, for non-critical rules, pauses this view may have missed)
      const pause =
        view.pause(rule.id, at) ??
        (rule.urgency === 'critical' ? null : pauses.missed(rule.id, at));
      if (pause !== null) {
        outcomes.push(
          suppression(rule, event, 'paused', `paused: ${pause.reason}`, passed, {
            pause,
            retryAt: pause.until,
          }),
        );
        continue;
      }
      passed.push('pause');
      // 4. conditions, over facts of the rule's declared categories only
      const slots = slotsFor(rule);
      fillWindows(rule, slots, subject, at);
      const result = rule.fn(slots.values);
      if (result !== 1) {
        const insufficient = result === 2;
        outcomes.push(
          suppression(
            rule,
            event,
            insufficient ? 'insufficient_data' : 'conditions_not_met',
            insufficient
              ? "a fact the conditions need is missing or not readable under the rule's categories"
              : 'the conditions did not hold',
            passed,
            traceAll ? { trace: set.trace(rule, slots, redact) } : {},
          ),
        );
        continue;
      }
      passed.push('conditions');
      // 5. caps
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
        outcomes.push(suppression(rule, event, 'cap', capProblem, passed, { retryAt: null }));
        continue;
      }
      const capped = limits.find((l) => view.count(l.key, l.since).count >= l.max);
      if (capped) {
        const { oldestAt } = view.count(capped.key, capped.since);
        const cap = rule.caps[limits.indexOf(capped)];
        const retryAt =
          cap?.windowMs === 'calendar_day'
            ? startOfNextLocalDay(at, timeZone as string)
            : oldestAt + (cap?.windowMs as number);
        outcomes.push(
          suppression(
            rule,
            event,
            'cap',
            `cap of ${capped.max} per ${cap?.windowMs === 'calendar_day' ? 'calendar day' : `${cap?.windowMs} ms`} on this ${cap?.scope} reached`,
            passed,
            { retryAt },
          ),
        );
        continue;
      }
      passed.push('caps');
      // 6. cooldown
      if (rule.cooldownMs !== null) {
        const limit: StateLimit = {
          gate: 'cooldown',
          key: ruleKey,
          max: 1,
          since: at - rule.cooldownMs + 1,
        };
        const { count, oldestAt } = view.count(limit.key, limit.since);
        if (count >= 1) {
          outcomes.push(
            suppression(
              rule,
              event,
              'cooldown',
              `fired ${at - oldestAt} ms ago; cooldown is ${rule.cooldownMs} ms`,
              passed,
              {
                retryAt: oldestAt + rule.cooldownMs,
              },
            ),
          );
          continue;
        }
        limits.push(limit);
      }
      passed.push('cooldown');
      // 7. quiet hours
      const bypassed: GateName[] = [];
      const quiet = rule.quiet ?? (defaultQuiet as { start: number; end: number } | null);
      if (quiet !== null) {
        if (rule.urgency === 'critical') bypassed.push('quiet_hours');
        else if (!tzValid) {
          outcomes.push(
            suppression(
              rule,
              event,
              'quiet_hours',
              `quiet hours apply but the time zone ${JSON.stringify(timeZone ?? null)} is missing or invalid, so they cannot be ruled out`,
              passed,
              { retryAt: null },
            ),
          );
          continue;
        } else {
          const until = quietUntil(at, timeZone as string, quiet.start, quiet.end);
          if (until !== null) {
            outcomes.push(
              suppression(
                rule,
                event,
                'quiet_hours',
                `quiet hours in ${timeZone}; deferred`,
                passed,
                { retryAt: until },
              ),
            );
            const entry: ScheduleEntry = {
              key: `deferred:${rule.id}:${subject}:${event.id}`,
              kind: 'deferred',
              ruleId: rule.id,
              subject,
              dueAt: until,
              event,
            };
            view.putSchedule(entry);
            scheduleOps.push({ put: entry });
            continue;
          }
        }
      }
      passed.push('quiet_hours');
      // 8. dedup
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
          outcomes.push(
            suppression(
              rule,
              event,
              'insufficient_data',
              'a fact the dedup key needs is missing',
              passed,
            ),
          );
          continue;
        }
        const until = view.dedupUntil(key, at);
        if (until !== null) {
          outcomes.push(
            suppression(
              rule,
              event,
              'duplicate',
              `already proposed under dedup key ${key}`,
              passed,
              { retryAt: until },
            ),
          );
          continue;
        }
        dedup = { key, expiresAt: at + rule.dedup.ttlMs };
      }
      passed.push('dedup');
      const id = `${rule.id}@${rule.rule.version}:${subject}:${event.id}`;
      pending.push({
        rule,
        slots,
        passed,
        bypassed,
        verdict,
        reservation: { id, subject, at, keys, limits, dedup },
      });
    }
    // 9. conflicts: exclusion groups and channel budgets
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
      const budget = budgets[channel];
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
      const r = view.reserve(p.reservation);
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
      const proposal = buildProposal(p, event);
      reservations.set(proposal, p.reservation);
      outcomes.push(proposal);
    }
    // Outcomes in rule-set order, whatever gate decided them.
    outcomes.sort((a, b) => (set.get(a.ruleId)?.order ?? 0) - (set.get(b.ruleId)?.order ?? 0));
    return { outcomes, reservations, scheduleOps, past: null };
  };

  const plan = (event: RuleEvent, scheduleOps: Run['scheduleOps']): void => {
    const subject = event.subject;
    const verdicts = new Map<string, ConsentVerdict>();
    const tz = isValidTimeZone(event.timeZone) ? event.timeZone : undefined;
    for (const rule of set.timed) {
      const trigger = rule.rule.trigger;
      if (trigger.type === 'relative') {
        if (trigger.events !== undefined && !trigger.events.includes(event.type)) continue;
        const slot = rule.triggerSlots[0] as number;
        const key = `relative:${rule.id}:${subject}`;
        const remove = () => {
          if (view.removeSchedule(key)) scheduleOps.push({ remove: key });
        };
        // Reading the fact needs consent; without it the plan is dropped.
        const slots = set.resolve(event.facts, event.at, rule);
        const value = slots.values[slot];
        if (value === undefined) continue;
        if (!decide(rule, subject, event.at, verdicts).allowed) {
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
        const correlation = rule.triggerSlots.map((s) => slots.values[s]);
        if (correlation.some((v) => v === undefined)) continue;
        const key = `absence:${rule.id}:${subject}:${hash(JSON.stringify(correlation))}`;
        if (event.type === trigger.expect) {
          if (view.removeSchedule(key)) scheduleOps.push({ remove: key });
          continue;
        }
        if (!decide(rule, subject, event.at, verdicts).allowed) continue;
        const entry: ScheduleEntry = {
          key,
          kind: 'absence',
          ruleId: rule.id,
          subject,
          dueAt: event.at + rule.withinMs,
          event,
        };
        view.putSchedule(entry);
        scheduleOps.push({ put: entry });
      }
    }
  };

  const evaluateEvent = (event: RuleEvent): Run => {
    checkEvent(event);
    if (++evaluations % 1024 === 0) view.prune(event.at - retention);
    const past = pastEventOf(event);
    if (past !== null) view.appendEvent(past);
    const scheduleOps: Run['scheduleOps'] = [];
    plan(event, scheduleOps);
    const result = run(event, set.candidates(event.type), scheduleOps);
    return { ...result, past };
  };

  const dueEvent = (entry: ScheduleEntry, now: Instant): RuleEvent => ({
    ...entry.event,
    id: `${entry.event.id}:${entry.kind}@${entry.dueAt}`,
    at: now,
  });

  const runEntries = (entries: readonly ScheduleEntry[], now: Instant): Run => {
    const outcomes: Outcome[] = [];
    const reservations = new Map<Proposal, Reservation>();
    const scheduleOps: Run['scheduleOps'] = [];
    for (const entry of entries) {
      const rule = set.get(entry.ruleId);
      if (rule === undefined) continue;
      const r = run(dueEvent(entry, Math.max(now, entry.dueAt)), [rule], scheduleOps);
      outcomes.push(...r.outcomes);
      for (const [p, res] of r.reservations) reservations.set(p, res);
    }
    return { outcomes, reservations, scheduleOps, past: null };
  };

  const persist = async (r: Run): Promise<Outcome[]> => {
    if (store === undefined) return r.outcomes;
    const out: Outcome[] = [];
    for (const o of r.outcomes) {
      const reservation = o.kind === 'proposal' ? r.reservations.get(o) : undefined;
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
    if (r.past !== null) await store.appendEvent(r.past);
    for (const op of r.scheduleOps) {
      if ('put' in op) await store.putSchedule(op.put);
      else await store.removeSchedule(op.remove);
    }
    return out;
  };

  /** plan → fetch → evaluate → persist, for one event whose customer is held. */
  async function processEvent(event: RuleEvent): Promise<Outcome[]> {
    const request = planFacts(event);
    let full = event;
    if (options.facts && request.paths.length > 0) {
      const extra = await options.facts.fetch(request);
      if (!Array.isArray(extra))
        throw rulesError(
          'rules/invalid_event',
          'the fact provider must return an array of facts',
          undefined,
          'facts',
          extra,
        );
      checkFacts(extra, 'fetched');
      full = { ...event, facts: [...event.facts, ...extra] };
    }
    if (store) view.hydrate(await store.load(event.subject, event.at - retention));
    return persist(evaluateEvent(full));
  }

  // With a state store the store is the authority: a customer's rule state is held only while
  // one of their events (or due entries) is being processed, so memory does not grow with them.
  const holders = new Map<SubjectId, number>();
  async function holding<T>(subjects: readonly SubjectId[], run: () => Promise<T>): Promise<T> {
    for (const s of subjects) holders.set(s, (holders.get(s) ?? 0) + 1);
    try {
      await prepare(subjects);
      return await run();
    } finally {
      for (const s of subjects) {
        const left = (holders.get(s) ?? 1) - 1;
        if (left > 0) holders.set(s, left);
        else {
          holders.delete(s);
          if (store) view.forget(s);
        }
      }
    }
  }

  /** Lets the consent gate and the suppression source read these customers, if they need to. */
  async function prepare(subjects: readonly SubjectId[]): Promise<void> {
    if (subjects.length === 0) return;
    await Promise.all([consent.prepare?.(subjects), suppressions?.prepare?.(subjects)]);
  }

  async function hydrate(): Promise<void> {
    if (store === undefined) return;
    // Listening first: a pause made while they are read is announced, not lost.
    await store.feed?.ready();
    view.replacePauses(await store.listPauses());
    for (const s of await store.listSchedules()) view.putSchedule(s);
    pauses.markLoaded();
  }

  const planFacts = (event: RuleEvent): FactRequest => {
    checkEvent(event);
    const verdicts = new Map<string, ConsentVerdict>();
    const paths = new Set<string>();
    const categories = new Set<string>();
    const have = (p: string) => event.facts.some((f) => p === f.path || p.startsWith(`${f.path}.`));
    const rules = [...set.candidates(event.type), ...set.timed];
    for (const rule of rules) {
      if (!decide(rule, event.subject, event.at, verdicts).allowed) continue;
      let needed = false;
      for (const p of rule.paths) {
        if (!have(p)) {
          paths.add(p);
          needed = true;
        }
      }
      if (needed) for (const c of rule.rule.dataCategories) categories.add(c);
    }
    return { subject: event.subject, event, paths: [...paths], dataCategories: [...categories] };
  };

  return {
    rules: set,
    evaluate: (event) => evaluateEvent(event).outcomes,
    plan: planFacts,
    async process(event) {
      await pauses.loaded(hydrate);
      checkEvent(event);
      return holding([event.subject], () => processEvent(event));
    },
    due(now = clock.now()) {
      requireNumber(now, 'now');
      return view.schedules().filter((e) => e.dueAt <= now);
    },
    nextDueAt: () => view.schedules()[0]?.dueAt ?? null,
    runDue(now = clock.now()) {
      requireNumber(now, 'now');
      return runEntries(view.takeDue(now, Number.MAX_SAFE_INTEGER), now).outcomes;
    },
    async processDue(now = clock.now()) {
      requireNumber(now, 'now');
      if (store === undefined)
        return runEntries(view.takeDue(now, Number.MAX_SAFE_INTEGER), now).outcomes;
      await pauses.loaded(hydrate);
      const entries = await store.takeDue(now, 1_000);
      for (const e of entries) view.removeSchedule(e.key);
      const subjects = [...new Set(entries.map((e) => e.subject))];
      return holding(subjects, async () => {
        for (const subject of subjects) view.hydrate(await store.load(subject, now - retention));
        return persist(runEntries(entries, now));
      });
    },
    async pause(ruleId, pauseOptions) {
      requireString(ruleId, 'ruleId');
      if (ruleId !== '*' && set.get(ruleId) === undefined)
        throw rulesError(
          'rules/unknown_rule',
          `no rule "${ruleId}" to pause`,
          ruleId,
          'ruleId',
          ruleId,
        );
      if (typeof pauseOptions?.reason !== 'string' || pauseOptions.reason.length === 0)
        throw rulesError(
          'rules/invalid_rule',
          'a pause needs a reason',
          ruleId,
          'options.reason',
          pauseOptions?.reason,
        );
      const pause: Pause = {
        ruleId,
        reason: pauseOptions.reason,
        since: clock.now(),
        until: pauseOptions.until ?? null,
        by: pauseOptions.by ?? 'operator',
      };
      view.setPause(ruleId, pause);
      if (store) await pauses.writing(ruleId, () => store.setPause(ruleId, pause));
    },
    async resume(ruleId) {
      requireString(ruleId, 'ruleId');
      view.setPause(ruleId, null);
      if (store) await pauses.writing(ruleId, () => store.setPause(ruleId, null));
    },
    pauses: () => view.pauses(),
    hydrate,
    viewStatus: () => pauses.status(),
    close: () => pauses.close(),
  };
}
