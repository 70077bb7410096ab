import type { SuppressionQuery, SuppressionReason, SuppressionVerdict } from '@candor/core';
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

/**
 * One subject's verdict for one query shape, valid for `from ≤ at - memoBase < until`: the
 * subject's own part of `check()` (a suppression, else the budget). It is itself the verdict
 * `check()` returns (frozen; only `suppressed` and `reason` are visible), so a hit reads one object.
 *
 * @example
 * const memo = memoFor(subjects, query);
 * memo?.muted ? memo.verdict : pauseVerdict(guardrails, query) ?? memo?.verdict;
 */
export class CheckMemo {
  readonly suppressed: boolean;
  readonly reason: SuppressionReason | null;
  readonly #ruleId: string;
  readonly #topic: string;
  readonly #channel: string;
  readonly #itemKey: string | undefined;
  readonly #from: number;
  readonly #until: number;
  readonly #muted: boolean;
  /** The subject's next memo. */
  #next: CheckMemo | undefined = undefined;

  constructor(
    query: SuppressionQuery,
    from: number,
    until: number,
    muted: boolean,
    reason: SuppressionReason | null,
  ) {
    this.suppressed = reason !== null;
    this.reason = reason;
    this.#ruleId = query.ruleId;
    this.#topic = query.topic;
    this.#channel = query.channel;
    this.#itemKey = query.itemKey;
    this.#from = from;
    this.#until = until;
    this.#muted = muted;
    Object.freeze(this);
  }

  /** This memo as the verdict it is (`suppressed` is true exactly when there is a `reason`). */
  get verdict(): SuppressionVerdict {
    return this as unknown as SuppressionVerdict;
  }

  /** Whether a suppression of the subject holds the query back (a pause cannot matter then). */
  get muted(): boolean {
    return this.#muted;
  }

  /** The subject's next memo. */
  get next(): CheckMemo | undefined {
    return this.#next;
  }

  set next(memo: CheckMemo | undefined) {
    this.#next = memo;
  }

  /** Whether it answers `query` at `d` ms from the base. */
  answers(query: SuppressionQuery, d: number): boolean {
    return (
      d < this.#until &&
      d >= this.#from &&
      this.#ruleId === query.ruleId &&
      this.#topic === query.topic &&
      this.#channel === query.channel &&
      this.#itemKey === query.itemKey
    );
  }

  /** Whether it answers the same rule, topic, channel and item as `other`. */
  sameQuery(other: CheckMemo): boolean {
    return (
      this.#ruleId === other.#ruleId &&
      this.#topic === other.#topic &&
      this.#channel === other.#channel &&
      this.#itemKey === other.#itemKey
    );
  }
}

/**
 * The memo answering `query`, computed (and kept) when none holds at `query.at`; `undefined` when
 * the subject is not held or the instant is too far from the epoch to memoize.
 *
 * @example
 * const memo = memoFor(subjects, query);
 * const verdict = memo ?? computeAfresh();
 */
export function memoFor(subjects: Subjects, query: SuppressionQuery): CheckMemo | undefined {
  const at = query.at;
  const d = at - subjects.memoBase;
  for (let m = subjects.memos.get(query.subject); m !== undefined; m = m.next) {
    if (m.answers(query, d)) return m;
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
  let reason = strongest === null ? null : strongest.reason;
  if (strongest === null) {
    reason = budgetReasonAt(subjects, n, query.channel, at);
    budgetSpan(subjects, n, query.channel, at, reason !== null, span);
    // A reason dated at the check itself (fatigue, the cross-channel cap) holds for it alone.
    if (reason !== null && reason.since === at) {
      span.from = at;
      span.until = at + 1;
    }
  }
  // Relative to the base, rounded up (checks are at whole ms) and narrowed to the reach.
  const base = subjects.memoBase;
  const memo = new CheckMemo(
    query,
    Math.max(-REACH, Math.ceil(span.from - base)) | 0,
    Math.min(REACH, Math.ceil(span.until - base)) | 0,
    strongest !== null,
    reason,
  );
  // Kept first; an older memo of the same query, and those beyond the bound, are dropped.
  let kept = 1;
  let last = memo;
  const first = subjects.memos.get(query.subject);
  for (let m = first; m !== undefined && kept < MEMOS_PER_SUBJECT; m = m.next) {
    if (m.sameQuery(memo)) continue;
    last.next = m;
    last = m;
    kept++;
  }
  last.next = undefined;
  subjects.memos.set(query.subject, memo);
  return memo;
}
