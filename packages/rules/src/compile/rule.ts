import { isContextCategory, isDottedId } from '@candor/core';
import { rulesError } from '../errors';
import { parseClock } from '../time';
import type { Rule, Urgency } from '../types';
import { checkDuration, checkEventTypes, checkPath, failRule, rejectUnknownKeys } from './checks';
import { compileCondition } from './conditions';
import { type Ctx, createCtx } from './context';
import { run, T } from './program';
import type { CompiledRule, KeyPart } from './types';
import { isJson, isObject } from './values';

const RULE_KEYS = new Set([
  'id',
  'version',
  'description',
  'purpose',
  'dataCategories',
  'trigger',
  'conditions',
  'action',
  'change',
  'priority',
  'urgency',
  'caps',
  'cooldown',
  'dedup',
  'exclusionGroup',
  'quietHours',
  'contextual',
]);
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/;

const URGENCIES = new Set(['low', 'normal', 'high', 'critical']);

/**
 * @internal Runs on one rule every check `compileRules` runs on each of its rules (the same walk:
 * compiling is validating), naming paths from `at` (`rule` for `parseRule`). Throws the first
 * problem as a `rules/*` CandorError.
 *
 * @example
 * checkRule(JSON.parse(text), 'rule'); // throws rules/unsafe_path at 'rule.conditions.fact', …
 */
export function checkRule(rule: unknown, at: string): void {
  let slots = 0;
  const next = () => ++slots;
  compileOne(rule as Rule, at, 0, createCtx(next, next));
}

const CHANGE_KEYS = new Set(['type', 'purpose', 'undoWithin']);

/** Checks a rule's `change` (`{ type, purpose, undoWithin }`); returns its undo window in ms. */
function checkChange(change: unknown, id: string, at: string): number {
  if (!isObject(change))
    return failRule(id, at, 'change', 'must be { type, purpose, undoWithin }', change);
  rejectUnknownKeys(change, CHANGE_KEYS, id, `${at}.change`);
  if (!isDottedId(change.type))
    failRule(id, at, 'change.type', 'must be a change type such as "booking.rebook"', change.type);
  if (!isDottedId(change.purpose))
    failRule(
      id,
      at,
      'change.purpose',
      'must be a purpose id such as "service.automatic_changes"',
      change.purpose,
    );
  return checkDuration(change.undoWithin, id, `${at}.change.undoWithin`);
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

export function compileOne(rule: Rule, at: string, order: number, ctx: Ctx): CompiledRule {
  const slotOf = ctx.slotOf;
  if (!isObject(rule))
    throw rulesError('rules/invalid_rule', 'a rule must be an object', undefined, at, rule);
  const r = rule as unknown as Record<string, unknown>;
  const id = r.id;
  if (typeof id !== 'string' || !RULE_ID.test(id))
    throw rulesError(
      'rules/invalid_rule',
      'id must be 1–200 characters of letters, digits and _.:@/- starting with a letter or digit',
      undefined,
      `${at}.id`,
      id,
    );
  rejectUnknownKeys(r, RULE_KEYS, id, at);
  const version = r.version;
  if (
    !(typeof version === 'number' && Number.isSafeInteger(version) && version >= 0) &&
    !(typeof version === 'string' && version.length > 0 && version.length <= 100)
  )
    failRule(id, at, 'version', 'must be a whole number ≥ 0 or a non-empty string', version);
  if (
    r.description !== undefined &&
    (typeof r.description !== 'string' || r.description.length > 2_000)
  )
    failRule(id, at, 'description', 'must be a string of at most 2,000 characters', r.description);
  if (!isDottedId(r.purpose))
    failRule(
      id,
      at,
      'purpose',
      'must be a purpose id such as "service.proactive_support"',
      r.purpose,
    );
  const categories = r.dataCategories;
  if (!Array.isArray(categories) || categories.length === 0 || categories.length > 64)
    failRule(
      id,
      at,
      'dataCategories',
      'must list the 1 to 64 data categories the rule reads',
      categories,
    );
  for (let k = 0; k < (categories as unknown[]).length; k++) {
    const cat = (categories as unknown[])[k];
    if (!isDottedId(cat))
      failRule(
        id,
        at,
        `dataCategories[${k}]`,
        'must be a data category id such as "user.financial.card"',
        cat,
      );
  }
  // Action
  const action = r.action;
  if (!isObject(action)) return failRule(id, at, 'action', 'must be an object', action);
  rejectUnknownKeys(action, ACTION_KEYS, id, `${at}.action`);
  if (typeof action.type !== 'string' || action.type.length === 0 || action.type.length > 100)
    failRule(id, at, 'action.type', 'must be a string of 1 to 100 characters', action.type);
  if (
    typeof action.channel !== 'string' ||
    action.channel.length === 0 ||
    action.channel.length > 100
  )
    failRule(id, at, 'action.channel', 'must be a string of 1 to 100 characters', action.channel);
  if (!isDottedId(action.topic))
    failRule(
      id,
      at,
      'action.topic',
      'must be a topic id such as "billing.card_expiry"',
      action.topic,
    );
  if (
    action.templateKey !== undefined &&
    (typeof action.templateKey !== 'string' ||
      action.templateKey.length === 0 ||
      action.templateKey.length > 200)
  )
    failRule(
      id,
      at,
      'action.templateKey',
      'must be a string of 1 to 200 characters',
      action.templateKey,
    );
  if (action.params !== undefined && (!isObject(action.params) || !isJson(action.params)))
    failRule(id, at, 'action.params', 'must be a JSON object', action.params);
  if (action.critical !== undefined && typeof action.critical !== 'boolean')
    failRule(id, at, 'action.critical', 'must be true or false', action.critical);
  if (r.change !== undefined) checkChange(r.change, id, at);
  // Priority, urgency
  // Absent means the default; null is a value, and a wrong one (as the schema says).
  const priority = r.priority === undefined ? 0 : r.priority;
  if (
    typeof priority !== 'number' ||
    !Number.isSafeInteger(priority) ||
    Math.abs(priority) > 1_000_000
  )
    failRule(
      id,
      at,
      'priority',
      'must be a whole number between -1,000,000 and 1,000,000',
      priority,
    );
  const urgency = r.urgency === undefined ? 'normal' : r.urgency;
  if (typeof urgency !== 'string' || !URGENCIES.has(urgency))
    failRule(id, at, 'urgency', 'must be low, normal, high or critical', urgency);
  // Caps, cooldown, dedup, quiet hours, exclusion group
  const caps: Array<{
    limit: number;
    windowMs: number | 'calendar_day';
    scope: 'rule' | 'channel' | 'topic';
  }> = [];
  if (r.caps !== undefined) {
    if (!Array.isArray(r.caps) || r.caps.length > 8)
      failRule(id, at, 'caps', 'must be an array of at most 8 caps', r.caps);
    for (let k = 0; k < (r.caps as unknown[]).length; k++) {
      const cap = (r.caps as unknown[])[k];
      if (!isObject(cap)) return failRule(id, at, `caps[${k}]`, 'must be an object', cap);
      rejectUnknownKeys(cap, CAP_KEYS, id, `${at}.caps[${k}]`);
      if (
        typeof cap.limit !== 'number' ||
        !Number.isInteger(cap.limit) ||
        cap.limit < 1 ||
        cap.limit > 1_000_000
      )
        failRule(
          id,
          at,
          `caps[${k}].limit`,
          'must be a whole number from 1 to 1,000,000',
          cap.limit,
        );
      const windowMs =
        cap.window === 'calendar_day'
          ? 'calendar_day'
          : checkDuration(cap.window, id, `${at}.caps[${k}].window`);
      if (cap.scope !== 'rule' && cap.scope !== 'channel' && cap.scope !== 'topic')
        failRule(id, at, `caps[${k}].scope`, 'must be rule, channel or topic', cap.scope);
      caps.push({ limit: cap.limit as number, windowMs, scope: cap.scope as 'rule' });
    }
  }
  const cooldownMs =
    r.cooldown === undefined ? null : checkDuration(r.cooldown, id, `${at}.cooldown`);
  let dedup: CompiledRule['dedup'] = null;
  // Paths read outside the conditions (dedup key, trigger), in order of first use.
  const readPaths: string[] = [];
  if (r.dedup !== undefined) {
    const d = r.dedup;
    if (!isObject(d)) return failRule(id, at, 'dedup', 'must be { key, ttl }', d);
    rejectUnknownKeys(d, DEDUP_KEYS, id, `${at}.dedup`);
    if (typeof d.key !== 'string' || d.key.length === 0 || d.key.length > 500)
      failRule(id, at, 'dedup.key', 'must be a template of 1 to 500 characters', d.key);
    const ttlMs = checkDuration(d.ttl, id, `${at}.dedup.ttl`);
    const parts: KeyPart[] = [];
    const template = d.key as string;
    let last = 0;
    for (const m of template.matchAll(PLACEHOLDER)) {
      if ((m.index as number) > last) parts.push(template.slice(last, m.index));
      const name = m[1] as string;
      if (name === 'subject' || name === 'event.type') parts.push({ special: name });
      else {
        const p = checkPath(name, id, `${at}.dedup.key`);
        if (!readPaths.includes(p)) readPaths.push(p);
        parts.push({ slot: slotOf(p) });
      }
      last = (m.index as number) + m[0].length;
    }
    if (last < template.length) parts.push(template.slice(last));
    dedup = { parts, ttlMs };
  }
  if (
    r.exclusionGroup !== undefined &&
    (typeof r.exclusionGroup !== 'string' ||
      r.exclusionGroup.length === 0 ||
      r.exclusionGroup.length > 200)
  )
    failRule(id, at, 'exclusionGroup', 'must be a string of 1 to 200 characters', r.exclusionGroup);
  let quiet: CompiledRule['quiet'] = null;
  if (r.quietHours !== undefined) {
    const q = r.quietHours;
    if (!isObject(q)) return failRule(id, at, 'quietHours', 'must be { start, end }', q);
    const start = parseClock(q.start);
    const end = parseClock(q.end);
    if (start === undefined) failRule(id, at, 'quietHours.start', 'must be HH:MM', q.start);
    if (end === undefined) failRule(id, at, 'quietHours.end', 'must be HH:MM', q.end);
    if (start === end) failRule(id, at, 'quietHours.end', SAME_QUIET, q.end);
    rejectUnknownKeys(q, QUIET_KEYS, id, `${at}.quietHours`);
    quiet = { start: start as number, end: end as number };
  }
  // Trigger
  const trigger = r.trigger;
  if (!isObject(trigger)) return failRule(id, at, 'trigger', 'must be an object', trigger);
  const triggerSlots: number[] = [];
  let offsetMs = 0;
  let atMinutes: number | undefined;
  let withinMs = 0;
  let fromSlot: number | undefined;
  if (trigger.type === 'event') {
    rejectUnknownKeys(trigger, EVENT_TRIGGER_KEYS, id, `${at}.trigger`);
    checkEventTypes(trigger.events, id, `${at}.trigger.events`, true);
  } else if (trigger.type === 'relative') {
    rejectUnknownKeys(trigger, RELATIVE_TRIGGER_KEYS, id, `${at}.trigger`);
    const p = checkPath(trigger.fact, id, `${at}.trigger.fact`);
    if (!readPaths.includes(p)) readPaths.push(p);
    triggerSlots.push(slotOf(p));
    offsetMs = checkDuration(trigger.offset, id, `${at}.trigger.offset`, true);
    if (trigger.at !== undefined) {
      atMinutes = parseClock(trigger.at);
      if (atMinutes === undefined)
        failRule(id, at, 'trigger.at', 'must be a local time HH:MM', trigger.at);
    }
    if (trigger.events !== undefined)
      checkEventTypes(trigger.events, id, `${at}.trigger.events`, false);
  } else if (trigger.type === 'absence') {
    rejectUnknownKeys(trigger, ABSENCE_TRIGGER_KEYS, id, `${at}.trigger`);
    checkEventTypes([trigger.after], id, `${at}.trigger.after`, false);
    checkEventTypes([trigger.expect], id, `${at}.trigger.expect`, false);
    withinMs = checkDuration(trigger.within, id, `${at}.trigger.within`);
    if (trigger.from !== undefined) {
      const p = checkPath(trigger.from, id, `${at}.trigger.from`);
      if (!readPaths.includes(p)) readPaths.push(p);
      fromSlot = slotOf(p);
    }
    if (trigger.correlate !== undefined) {
      if (!Array.isArray(trigger.correlate) || trigger.correlate.length > 4)
        failRule(id, at, 'trigger.correlate', 'must list at most 4 fact paths', trigger.correlate);
      (trigger.correlate as unknown[]).forEach((p, k) => {
        const path = checkPath(p, id, `${at}.trigger.correlate[${k}]`);
        if (!readPaths.includes(path)) readPaths.push(path);
        triggerSlots.push(slotOf(path));
      });
    }
  } else {
    failRule(id, at, 'trigger.type', 'must be "event", "relative" or "absence"', trigger.type);
  }
  // Conditions: one walk validates, lowers, and collects what the rule reads.
  ctx.ruleId = id;
  ctx.categories = categories as string[];
  ctx.nodes = 0;
  ctx.leaves = 0;
  ctx.ancestors.length = 0;
  // Collected in scratch arrays, then copied at their exact size (a pushed array keeps spare room).
  const slots = ctx.slots;
  const paths = ctx.paths;
  slots.length = 0;
  paths.length = 0;
  for (let i = 0; i < triggerSlots.length; i++)
    if (!slots.includes(triggerSlots[i] as number)) slots.push(triggerSlots[i] as number);
  const rootNode =
    r.conditions === undefined ? null : compileCondition(r.conditions, `${at}.conditions`, 1, ctx);
  const rootProgram = rootNode === null ? null : rootNode.p;
  for (let i = 0; i < readPaths.length; i++)
    if (!paths.includes(readPaths[i] as string)) paths.push(readPaths[i] as string);
  const compiled: CompiledRule = {
    rule,
    id,
    order,
    specificity: ctx.leaves,
    priority: priority as number,
    urgency: urgency as Urgency,
    paths: paths.slice(),
    root: rootNode,
    fn: rootProgram ? (s: unknown[]) => run(rootProgram, s) : () => T,
    program: rootProgram,
    slots: slots.slice(),
    signature: signatureOf(categories as string[]),
    sigIndex: 0,
    caps,
    cooldownMs,
    contextual: null,
    fallback: false,
    dedup,
    quiet,
    triggerSlots,
    offsetMs,
    atMinutes,
    withinMs,
    fromSlot,
    prefix: `${at}.`,
  };
  if (r.contextual !== undefined)
    (compiled as { contextual: CompiledRule | null }).contextual = compileFallback(r, id, at, ctx);
  return compiled;
}

/**
 * A rule's contextual fallback, compiled as a rule of its own: the rule's id, purpose, trigger,
 * priority, urgency, caps, cooldown and quiet hours, with the fallback's context categories,
 * conditions and action (no dedup key: it may name personal facts). Its categories must all be
 * context categories, so its view of an event's facts holds nothing personal.
 */
function compileFallback(
  r: Record<string, unknown>,
  id: string,
  at: string,
  ctx: Ctx,
): CompiledRule {
  const c = r.contextual;
  if (!isObject(c))
    return failRule(id, at, 'contextual', 'must be { dataCategories, conditions?, action }', c);
  rejectUnknownKeys(c, CONTEXTUAL_KEYS, id, `${at}.contextual`);
  if ((r.trigger as { type?: unknown }).type !== 'event')
    failRule(id, at, 'contextual', 'a contextual fallback needs an event trigger', c);
  const categories = c.dataCategories;
  if (!Array.isArray(categories) || categories.length === 0 || categories.length > 16)
    failRule(
      id,
      at,
      'contextual.dataCategories',
      'must list the 1 to 16 context categories the fallback reads',
      categories,
    );
  (categories as unknown[]).forEach((category, k) => {
    if (!isContextCategory(category))
      failRule(
        id,
        at,
        `contextual.dataCategories[${k}]`,
        'must be a context category such as "context.weather" (a fallback never reads personal data)',
        category,
      );
  });
  const fallback: Record<string, unknown> = {
    id,
    version: r.version,
    purpose: r.purpose,
    dataCategories: categories,
    trigger: r.trigger,
    action: c.action,
  };
  for (const key of INHERITED) if (r[key] !== undefined) fallback[key] = r[key];
  if (c.conditions !== undefined) fallback.conditions = c.conditions;
  const compiled = compileOne(fallback as unknown as Rule, `${at}.contextual`, 0, ctx);
  (compiled as { fallback: boolean }).fallback = true;
  return compiled;
}

const CONTEXTUAL_KEYS = ['dataCategories', 'conditions', 'action'];
/** Quiet hours that start when they end would hold no time at all. */
export const SAME_QUIET = 'must differ from start (the same time would mean no quiet hours)';

/** What a fallback takes over from its rule. */
const INHERITED = ['priority', 'urgency', 'caps', 'cooldown', 'exclusionGroup', 'quietHours'];

/** The rule's data categories as one key: sorted, deduplicated, comma-joined. */
function signatureOf(categories: readonly string[]): string {
  if (categories.length === 1) return categories[0] as string;
  return [...new Set(categories)].sort().join(',');
}

const ACTION_KEYS = ['type', 'channel', 'topic', 'templateKey', 'params', 'critical'];
const CAP_KEYS = ['limit', 'window', 'scope'];
const DEDUP_KEYS = ['key', 'ttl'];
const QUIET_KEYS = ['start', 'end'];
const EVENT_TRIGGER_KEYS = ['type', 'events'];
const RELATIVE_TRIGGER_KEYS = ['type', 'fact', 'offset', 'at', 'events'];
const ABSENCE_TRIGGER_KEYS = ['type', 'after', 'expect', 'within', 'from', 'correlate'];
