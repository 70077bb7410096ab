import type { SuppressionQuery, SuppressionVerdict } from '@candor/core';
import { budgetReasonAt, budgetSpan } from './budget';
import { wholeSpan } from './span';
import type { Subjects } from './subjects';
import { stateSpan, strongestSuppression } from './suppressions';

/*
 * check()'s memo: what a held subject's own feedback answers for one rule, topic, channel and
 * item, kept with the instants it holds for (until a suppression starts or ends, a delivery enters
 * or leaves the window, fatigue lets one more message through, a lift). A repeated check is then a
 * lookup and two comparisons. Applying any event to the subject, or dropping it, drops its memos
 * (`subjects.ts`); pauses are global and read on every check, so none is memoized.
 */

/** The verdict of nothing held back (shared, frozen). */
export const NOT_SUPPRESSED: SuppressionVerdict = /* @__PURE__ */ Object.freeze({
  suppressed: false,
  reason: null,
});

/** Memos kept per subject (the most recently computed first). */
const MEMOS_PER_SUBJECT = 8;
/** Checks further from the epoch than this (about 35,000 years) are computed every time. */
const FARTHEST = 2 ** 50;
/**
 * Memo spans are kept relative to a base instant (`subjects.memoBase`), within this many ms of it
 * (about 12 days), as small integers the engine keeps inline rather than as boxed numbers.
 */
const REACH = 2 ** 30 - 1;

/** One subject's verdicts for one query shape, valid for `from ≤ at - memoBase < until`. */
export interface CheckMemo {
  readonly ruleId: string;
  readonly topic: string;
  readonly channel: string;
  readonly itemKey: string | undefined;
  readonly from: number;
  readonly until: number;
  /** The subject's suppression holding the query back, or `null`. */
  readonly muted: SuppressionVerdict | null;
  /** The budget verdict (read when nothing is muted and the rule is not paused). */
  readonly budget: SuppressionVerdict;
  /** The subject's next memo. */
  next: CheckMemo | undefined;
}

/**
 * The memo answering `query`, computed (and kept) when none holds at `query.at`; `undefined` when
 * the subject is not held or the instant is too far from the epoch to memoize.
 *
 * @example
 * const memo = memoFor(subjects, query);
 * const verdict = memo?.muted ?? memo?.budget;
 */
export function memoFor(subjects: Subjects, query: SuppressionQuery): CheckMemo | undefined {
  const at = query.at;
  const d = at - subjects.memoBase;
  for (let m = subjects.memos.get(query.subject); m !== undefined; m = m.next) {
    if (
      d < m.until &&
      d >= m.from &&
      m.ruleId === query.ruleId &&
      m.topic === query.topic &&
      m.channel === query.channel &&
      m.itemKey === query.itemKey
    ) {
      return m;
    }
  }
  const n = subjects.numbers.get(query.subject);
  if (n === undefined || at > FARTHEST || at < -FARTHEST || d < -REACH / 2) return undefined;
  if (!(d <= REACH / 2)) {
    // The first check, or time moved on: a new base, and the memos kept against the old one go.
    subjects.memos.clear();
    subjects.memoBase = at;
  }
  return remember(subjects, n, query);
}

/** Computes the verdicts for `query` and the span they hold for, and keeps them first. */
function remember(subjects: Subjects, n: number, query: SuppressionQuery): CheckMemo {
  const at = query.at;
  const state = subjects.states[n];
  const span = wholeSpan();
  stateSpan(state, query, span);
  const strongest = strongestSuppression(state, query);
  let budget = NOT_SUPPRESSED;
  if (strongest === null) {
    const reason = budgetReasonAt(subjects, n, query.channel, at);
    budgetSpan(subjects, n, query.channel, at, reason !== null, span);
    if (reason !== null) {
      budget = Object.freeze({ suppressed: true, reason });
      // A reason dated at the check itself (fatigue, the cross-channel cap) holds for it alone.
      if (reason.since === at) {
        span.from = at;
        span.until = at + 1;
      }
    }
  }
  // Relative to the base, rounded up (checks are at whole ms) and narrowed to the reach.
  const base = subjects.memoBase;
  const memo: CheckMemo = {
    ruleId: query.ruleId,
    topic: query.topic,
    channel: query.channel,
    itemKey: query.itemKey,
    from: Math.max(-REACH, Math.ceil(span.from - base)) | 0,
    until: Math.min(REACH, Math.ceil(span.until - base)) | 0,
    muted:
      strongest === null ? null : Object.freeze({ suppressed: true, reason: strongest.reason }),
    budget,
    next: undefined,
  };
  // Kept first; an older memo of the same query, and those beyond the bound, are dropped.
  let kept = 1;
  let last = memo;
  const first = subjects.memos.get(query.subject);
  for (let m = first; m !== undefined && kept < MEMOS_PER_SUBJECT; m = m.next) {
    if (
      m.ruleId === memo.ruleId &&
      m.topic === memo.topic &&
      m.channel === memo.channel &&
      m.itemKey === memo.itemKey
    ) {
      continue;
    }
    last.next = m;
    last = m;
    kept++;
  }
  last.next = undefined;
  subjects.memos.set(query.subject, memo);
  return memo;
}
