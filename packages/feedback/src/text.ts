import type { Instant, SuppressionScope } from '@candor/core';
import type { FeedbackKind } from './kinds';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Days already formatted: suppressions in one batch name few distinct days. */
const days = new Map<number, string>();

/** `3 May 2026` (UTC): a day an English fallback text can name. */
export function day(at: Instant): string {
  const n = Math.floor(at / 86_400_000);
  let text = days.get(n);
  if (text === undefined) {
    const date = new Date(at);
    text = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
    if (days.size >= 4096) days.clear();
    days.set(n, text);
  }
  return text;
}

const CHOICES: Record<FeedbackKind, string> = {
  helpful: 'you chose "helpful"',
  not_relevant: 'you chose "not relevant"',
  not_interested: 'you chose "not interested"',
  too_frequent: 'you chose "too frequent"',
  intrusive: 'you said a message felt intrusive',
  wrong_data: 'you reported wrong data',
  stop_this: 'you chose "stop this"',
  lifted: 'you lifted a mute',
  delivered: 'a message was delivered',
  opened: 'you opened a message',
  clicked: 'you clicked a message',
  dismissed: 'you dismissed a message',
  ignored: 'you ignored a message',
  converted: 'you acted on a message',
  unsubscribed: 'you unsubscribed',
  complained: 'you reported a message as unwanted',
};

/**
 * What a scope covers, in words a customer reads: `messages on this topic`. The topic or channel
 * itself is the suppression's `target`, an id for the app to name in its own words.
 */
export function scopeText(scope: SuppressionScope): string {
  switch (scope) {
    case 'item':
      return 'this item';
    case 'rule':
      return 'messages like this one';
    case 'topic':
      return 'messages on this topic';
    case 'channel':
      return 'messages on this channel';
    default:
      return 'proactive messages';
  }
}

/** English fallback text for a suppression caused by feedback. */
export function suppressionDetail(
  kind: FeedbackKind,
  scope: SuppressionScope,
  since: Instant,
  until: Instant | null,
): string {
  const what = kind === 'wrong_data' ? `Paused ${scopeText(scope)}` : `No ${scopeText(scope)}`;
  return `${what} because ${CHOICES[kind]} on ${day(since)}${until === null ? '' : ` (until ${day(until)})`}`;
}

/** English fallback text for a lowered budget. */
export function budgetDetail(kind: FeedbackKind, scope: SuppressionScope, since: Instant): string {
  return `Fewer ${scopeText(scope)} because ${CHOICES[kind]} on ${day(since)}`;
}
