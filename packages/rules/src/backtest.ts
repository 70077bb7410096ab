import {
  type ConsentGate,
  createVirtualClock,
  type DataCategoryId,
  type Instant,
  type SuppressionSource,
} from '@candor/core';
import type { CompiledRuleSet } from './compile/types';
import { createRuleEngine } from './engine';
import { requireArray, requireObject, rulesError } from './errors';
import type { Outcome, SuppressionCode } from './outcome';
import type { QuietHours, Rule, RuleEvent } from './types';

/**
 * Options of {@link backtest}: the rule set, a recorded event log, and the gates to replay with.
 *
 * @example
 * const options: BacktestOptions = { rules, events: log, consent: gate };
 */
export interface BacktestOptions {
  readonly rules: readonly Rule[] | CompiledRuleSet;
  readonly events: readonly RuleEvent[];
  readonly consent: ConsentGate;
  readonly suppressions?: SuppressionSource;
  readonly quietHours?: QuietHours;
  readonly channelBudgets?: Readonly<Record<string, number>>;
  readonly redact?: readonly DataCategoryId[];
  /** Run scheduled evaluations up to this instant (default: the last event's time). */
  readonly until?: Instant;
}

/**
 * What one rule did in a backtest: how often it fired and why it did not.
 *
 * @example
 * report.rules['card-expiry']?.suppressed.quiet_hours; // 3
 */
export interface RuleReport {
  readonly ruleId: string;
  fired: number;
  readonly suppressed: Partial<Record<SuppressionCode, number>>;
}

/**
 * A backtest's result: per-rule counts and every outcome in replay order.
 *
 * @example
 * console.log(report.rules['storm-rebooking']?.fired);
 */
export interface BacktestReport {
  readonly from: Instant | null;
  readonly to: Instant | null;
  readonly events: number;
  readonly rules: Readonly<Record<string, RuleReport>>;
  readonly outcomes: readonly Outcome[];
}

/**
 * One (event, rule) whose result differs between two backtests: `fired`, a suppression code, or
 * `absent` (the rule did not exist or was not triggered).
 *
 * @example
 * const change: BacktestChange = { eventId: 'evt_1', ruleId: 'x', subject: 'cus_1', before: 'fired', after: 'cap' };
 */
export interface BacktestChange {
  readonly eventId: string;
  readonly ruleId: string;
  readonly subject: string;
  readonly before: 'fired' | SuppressionCode | 'absent';
  readonly after: 'fired' | SuppressionCode | 'absent';
}

/**
 * The difference between two backtests on the same log: per-rule fire counts and every changed
 * (event, rule) result.
 *
 * @example
 * const diff = diffBacktests(backtest({ ...opts, rules: v1 }), backtest({ ...opts, rules: v2 }));
 */
export interface BacktestDiff {
  readonly rules: ReadonlyArray<{ ruleId: string; firedBefore: number; firedAfter: number }>;
  readonly changes: readonly BacktestChange[];
}

/**
 * Replays a recorded event log on a virtual clock through a fresh engine (in-memory state) and
 * reports, per rule, what would have fired or been suppressed and why — including scheduled
 * (time-relative, absence, deferred) evaluations, run at their due times.
 *
 * @example
 * const report = backtest({ rules, events: log, consent: gate });
 * console.log(report.rules['sizing-guide']);
 */
export function backtest(options: BacktestOptions): BacktestReport {
  requireObject(options, 'options');
  if (!Array.isArray(options.events))
    throw rulesError(
      'rules/invalid_event',
      'events must be an array',
      undefined,
      'events',
      options.events,
    );
  if (typeof options.consent?.decide !== 'function')
    throw rulesError(
      'rules/invalid_rule',
      'a ConsentGate is required',
      undefined,
      'options.consent',
      options.consent,
    );
  const events = [...options.events].sort((a, b) => a.at - b.at);
  const first = events[0]?.at ?? null;
  const clock = createVirtualClock(first ?? 0);
  const engine = createRuleEngine({
    rules: options.rules,
    // "Now" is the replayed instant: the engine's check of current consent asks as of it.
    consent: {
      decide: (query) =>
        options.consent.decide(query.at === undefined ? { ...query, at: clock.now() } : query),
    },
    clock,
    ...(options.suppressions ? { suppressions: options.suppressions } : {}),
    ...(options.quietHours ? { quietHours: options.quietHours } : {}),
    ...(options.channelBudgets ? { channelBudgets: options.channelBudgets } : {}),
    ...(options.redact ? { redact: options.redact } : {}),
  });
  const outcomes: Outcome[] = [];
  const drain = (upTo: Instant) => {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = engine.nextDueAt();
      if (next === null || next > upTo) return;
      if (next > clock.now()) clock.set(next);
      outcomes.push(...engine.runDue(next));
    }
  };
  for (const event of events) {
    drain(event.at);
    if (event.at > clock.now()) clock.set(event.at);
    outcomes.push(...engine.evaluate(event));
  }
  const to = options.until ?? events[events.length - 1]?.at ?? null;
  if (to !== null) drain(to);
  const rules: Record<string, RuleReport> = {};
  for (const rule of engine.rules.rules)
    rules[rule.id] = { ruleId: rule.id, fired: 0, suppressed: {} };
  for (const o of outcomes) {
    const report = rules[o.ruleId] as RuleReport;
    if (o.kind === 'proposal') report.fired++;
    else report.suppressed[o.reason] = (report.suppressed[o.reason] ?? 0) + 1;
  }
  return { from: first, to, events: events.length, rules, outcomes };
}

function checkReport(report: BacktestReport, path: string): void {
  requireObject(report, path);
  requireArray(report.outcomes, `${path}.outcomes`);
  requireObject(report.rules, `${path}.rules`);
}

/**
 * Compares two backtests of the same event log (e.g. two versions of a rule set).
 *
 * @example
 * for (const c of diffBacktests(before, after).changes) console.log(c.ruleId, c.before, '→', c.after);
 */
export function diffBacktests(before: BacktestReport, after: BacktestReport): BacktestDiff {
  checkReport(before, 'before');
  checkReport(after, 'after');
  const key = (o: Outcome) => `${o.eventId}\u0000${o.ruleId}`;
  const result = (o: Outcome) => (o.kind === 'proposal' ? 'fired' : o.reason);
  const a = new Map(before.outcomes.map((o) => [key(o), o]));
  const b = new Map(after.outcomes.map((o) => [key(o), o]));
  const changes: BacktestChange[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    const rx = x ? result(x) : 'absent';
    const ry = y ? result(y) : 'absent';
    if (rx === ry) continue;
    const o = (x ?? y) as Outcome;
    changes.push({
      eventId: o.eventId,
      ruleId: o.ruleId,
      subject: o.subject,
      before: rx,
      after: ry,
    });
  }
  const ids = [...new Set([...Object.keys(before.rules), ...Object.keys(after.rules)])].sort();
  return {
    rules: ids.map((ruleId) => ({
      ruleId,
      firedBefore: before.rules[ruleId]?.fired ?? 0,
      firedAfter: after.rules[ruleId]?.fired ?? 0,
    })),
    changes,
  };
}
