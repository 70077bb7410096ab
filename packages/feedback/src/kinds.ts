import type { SuppressionScope } from '@candor/core';

/**
 * What a customer can say about a message: `helpful`, `not_relevant`, `not_interested`,
 * `too_frequent`, `intrusive` ("creepy"), `wrong_data` and `stop_this`; and `lifted`, which
 * undoes their own mutes of one scope (an "Unmute" button).
 *
 * @example
 * explicitFeedbackKinds.includes('too_frequent'); // true
 */
export const explicitFeedbackKinds = /* @__PURE__ */ Object.freeze([
  'helpful',
  'not_relevant',
  'not_interested',
  'too_frequent',
  'intrusive',
  'wrong_data',
  'stop_this',
  'lifted',
] as const);

/**
 * What delivery and behaviour report without the customer saying anything: `delivered`, `opened`,
 * `clicked`, `dismissed`, `ignored` (no reaction within a window), `converted`, `unsubscribed`
 * and `complained` (e.g. a spam report).
 *
 * @example
 * implicitFeedbackKinds.includes('ignored'); // true
 */
export const implicitFeedbackKinds = /* @__PURE__ */ Object.freeze([
  'delivered',
  'opened',
  'clicked',
  'dismissed',
  'ignored',
  'converted',
  'unsubscribed',
  'complained',
] as const);

/** An explicit feedback kind. */
export type ExplicitFeedbackKind = (typeof explicitFeedbackKinds)[number];
/** An implicit feedback kind. */
export type ImplicitFeedbackKind = (typeof implicitFeedbackKinds)[number];
/** Any feedback kind, explicit or implicit. */
export type FeedbackKind = ExplicitFeedbackKind | ImplicitFeedbackKind;

/**
 * Every feedback kind, explicit first.
 *
 * @example
 * feedbackKinds.length; // 16
 */
export const feedbackKinds = /* @__PURE__ */ (() =>
  Object.freeze([...explicitFeedbackKinds, ...implicitFeedbackKinds] as const))();

/** Kinds whose effect is a suppression and that may therefore carry a `scope`. */
const SCOPED: Partial<Record<FeedbackKind, true>> = {
  not_relevant: true,
  not_interested: true,
  too_frequent: true,
  intrusive: true,
  wrong_data: true,
  stop_this: true,
  unsubscribed: true,
  complained: true,
  lifted: true,
};

/** Kinds that are permanent for their scope: a `durationMs` is refused. */
const PERMANENT: Partial<Record<FeedbackKind, true>> = {
  stop_this: true,
  unsubscribed: true,
  complained: true,
  lifted: true,
};

/**
 * True when feedback of `kind` suppresses something and may carry a `scope` (every explicit kind
 * but `helpful`, plus `unsubscribed` and `complained`).
 *
 * @example
 * isScopedKind('not_interested'); // true
 * isScopedKind('clicked');        // false
 */
export function isScopedKind(kind: FeedbackKind): boolean {
  return typeof kind === 'string' && SCOPED[kind] === true;
}

/**
 * True when feedback of `kind` is permanent for its scope (`stop_this`, `unsubscribed`,
 * `complained`, and `lifted`: a lift lasts until the customer mutes again) and so takes no
 * `durationMs`.
 *
 * @example
 * isPermanentKind('stop_this'); // true
 */
export function isPermanentKind(kind: FeedbackKind): boolean {
  return typeof kind === 'string' && PERMANENT[kind] === true;
}

/**
 * The scope a scoped kind reaches when the event names none: `not_relevant` and `wrong_data` →
 * the item (or the rule when there is no `itemKey`), `not_interested` → the topic, `too_frequent`,
 * `unsubscribed` and `complained` → the channel, `intrusive` and `stop_this` → the rule, `lifted`
 * → the topic. `null` for kinds that suppress nothing.
 *
 * @example
 * defaultScope('not_interested', false); // 'topic'
 */
export function defaultScope(kind: FeedbackKind, hasItemKey: boolean): SuppressionScope | null {
  switch (kind) {
    case 'not_relevant':
    case 'wrong_data':
      return hasItemKey ? 'item' : 'rule';
    case 'not_interested':
    case 'lifted':
      return 'topic';
    case 'too_frequent':
    case 'unsubscribed':
    case 'complained':
      return 'channel';
    case 'intrusive':
    case 'stop_this':
      return 'rule';
    default:
      return null;
  }
}

/**
 * The longest a customer's timed mute lasts: ten years (longer ones would end past the dates
 * `Date` can show).
 *
 * @example
 * if (durationMs > MAX_MUTE_MS) refuse();
 */
export const MAX_MUTE_MS = 10 * 365 * 86_400_000;
