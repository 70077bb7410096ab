import { type Instant, isDottedId, type SuppressionScope } from '@candor/core';
import { feedbackError } from './errors';
import {
  type FeedbackKind,
  feedbackKinds,
  isPermanentKind,
  isScopedKind,
  MAX_MUTE_MS,
} from './kinds';
import type { DecisionEntry, FeedbackEvent } from './schema';

const KINDS = /* @__PURE__ */ new Set<string>(feedbackKinds);
/** Core's `SuppressionScope` values, listed here so this validator loads no schema (see its test). */
const SCOPES = /* @__PURE__ */ new Set<string>([
  'item',
  'rule',
  'topic',
  'channel',
  'all',
] satisfies readonly SuppressionScope[]);
/** Keys both formats share (a switch on interned keys: no hashing on the hot path). */
function isCommonKey(key: string): boolean {
  switch (key) {
    case 'decisionId':
    case 'subject':
    case 'ruleId':
    case 'variantId':
    case 'topic':
    case 'channel':
    case 'at':
      return true;
    default:
      return false;
  }
}

function isEventKey(key: string): boolean {
  switch (key) {
    case 'idempotencyKey':
    case 'kind':
    case 'scope':
    case 'durationMs':
    case 'itemKey':
    case 'value':
    case 'critical':
    case 'note':
      return true;
    default:
      return isCommonKey(key);
  }
}

function isDecisionKey(key: string): boolean {
  return key === 'propensity' || isCommonKey(key);
}

/** Topics already seen valid, so the regex runs once per topic, not once per event. */
const validTopics = new Set<string>();

function isTopic(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (validTopics.has(value)) return true;
  if (!isDottedId(value)) return false;
  if (validTopics.size >= 4096) validTopics.clear();
  validTopics.add(value);
  return true;
}

function invalid(root: string, key: string, value: unknown, expected: string): never {
  throw feedbackError('feedback/invalid_event', `${root}.${key}: ${expected}`, {
    path: `${root}.${key}`,
    value,
  });
}

/*
 * The helpers take the value, not the record and a key: each call site then reads its field with
 * a named access the engine specializes, instead of one generic keyed read shared by all fields.
 */

function str(root: string, key: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    invalid(root, key, value, `expected a non-empty string of at most ${max} characters`);
  }
  return value;
}

function optStr(root: string, key: string, value: unknown, max: number): void {
  if (value !== undefined) str(root, key, value, max);
}

function instant(root: string, key: string, value: unknown): Instant {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    invalid(root, key, value, 'expected whole, non-negative epoch milliseconds');
  }
  return value;
}

function common(
  root: string,
  input: unknown,
  allowed: (key: string) => boolean,
): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw feedbackError('feedback/invalid_event', `${root}: expected an object`, {
      path: root,
      value: input,
    });
  }
  // A plain object's own fields only: fields it inherits (a class's, say) would be lost by a
  // store's JSON, so the event kept would not be the event checked.
  const proto = Object.getPrototypeOf(input);
  if (proto !== Object.prototype && proto !== null)
    throw feedbackError('feedback/invalid_event', `${root}: expected a plain object`, {
      path: root,
      value: input,
    });
  // A copy, read once: what is kept is what was checked, whatever the caller then does with its
  // own object. Every field is plain text, a number or a boolean.
  const record: Record<string, unknown> = { ...input };
  for (const key in record) {
    if (!allowed(key)) invalid(root, key, record[key], 'unknown key');
  }
  str(root, 'decisionId', record.decisionId, 200);
  str(root, 'subject', record.subject, 256);
  str(root, 'ruleId', record.ruleId, 200);
  optStr(root, 'variantId', record.variantId, 200);
  if (!isTopic(record.topic)) {
    invalid(root, 'topic', record.topic, 'expected a lower-case dot-separated topic id');
  }
  str(root, 'channel', record.channel, 100);
  instant(root, 'at', record.at);
  return record;
}

/**
 * Checks a feedback event without zod (the ingest hot path) and returns a copy of its own fields,
 * typed; throws the same typed errors `parseFeedbackEvent` reports. Agreement with the zod schema
 * is property-tested.
 *
 * @example
 * const event = checkFeedbackEvent(JSON.parse(body));
 */
export function checkFeedbackEvent(input: unknown, root = 'event'): FeedbackEvent {
  const record = common(root, input, isEventKey);
  str(root, 'idempotencyKey', record.idempotencyKey, 200);
  const kind = record.kind;
  if (typeof kind !== 'string' || !KINDS.has(kind)) {
    invalid(root, 'kind', kind, `expected one of ${feedbackKinds.join(', ')}`);
  }
  optStr(root, 'itemKey', record.itemKey, 200);
  if (record.note !== undefined && (typeof record.note !== 'string' || record.note.length > 2000)) {
    invalid(root, 'note', record.note, 'expected a string of at most 2000 characters');
  }
  if (record.critical !== undefined && typeof record.critical !== 'boolean') {
    invalid(root, 'critical', record.critical, 'expected a boolean');
  }
  const value = record.value;
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw feedbackError(
      'feedback/invalid_reward',
      `${root}.value: ${String(value)} must be a finite, non-negative number`,
      { path: `${root}.value`, value },
    );
  }
  const scope = record.scope;
  if (scope !== undefined) {
    if (typeof scope !== 'string' || !SCOPES.has(scope)) {
      throw feedbackError(
        'feedback/invalid_scope',
        `${root}.scope: ${JSON.stringify(scope)} is not one of item, rule, topic, channel, all`,
        { path: `${root}.scope`, value: scope },
      );
    }
    if (!isScopedKind(kind as FeedbackKind)) {
      throw feedbackError(
        'feedback/invalid_scope',
        `${root}.scope: "${kind}" feedback suppresses nothing, so it takes no scope`,
        { path: `${root}.scope`, value: scope },
      );
    }
    if (scope === 'item' && record.itemKey === undefined) {
      throw feedbackError(
        'feedback/invalid_scope',
        `${root}.scope: scope "item" needs an itemKey naming the item`,
        { path: `${root}.scope`, value: scope },
      );
    }
  }
  const durationMs = record.durationMs;
  if (durationMs !== undefined) {
    if (
      typeof durationMs !== 'number' ||
      !Number.isInteger(durationMs) ||
      durationMs <= 0 ||
      durationMs > MAX_MUTE_MS
    ) {
      throw feedbackError(
        'feedback/invalid_duration',
        `${root}.durationMs: ${String(durationMs)} must be a positive whole number of milliseconds, at most ten years`,
        { path: `${root}.durationMs`, value: durationMs },
      );
    }
    if (!isScopedKind(kind as FeedbackKind) || isPermanentKind(kind as FeedbackKind)) {
      throw feedbackError(
        'feedback/invalid_duration',
        `${root}.durationMs: "${kind}" feedback ${isPermanentKind(kind as FeedbackKind) ? 'is permanent for its scope' : 'suppresses nothing'}, so it takes no duration`,
        { path: `${root}.durationMs`, value: durationMs },
      );
    }
  }
  return record as unknown as FeedbackEvent;
}

/**
 * Checks a decision entry (what was sent, so feedback can be joined to it) without zod and returns
 * a copy of its own fields; throws `feedback/invalid_event` naming the path.
 *
 * @example
 * checkDecisionEntry({ decisionId: 'd1', subject: 'cus_1', ruleId: 'r', topic: 't', channel: 'email', at: 0 });
 */
export function checkDecisionEntry(input: unknown, root = 'decision'): DecisionEntry {
  const record = common(root, input, isDecisionKey);
  const p = record.propensity;
  if (p !== undefined && (typeof p !== 'number' || !(p > 0 && p <= 1))) {
    invalid(root, 'propensity', p, 'expected a probability in (0, 1]');
  }
  return record as unknown as DecisionEntry;
}
