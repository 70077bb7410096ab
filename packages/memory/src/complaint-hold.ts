import {
  type Accessor,
  isWithin,
  type PurposeId,
  type SubjectId,
  type SuppressionQuery,
  type SuppressionSource,
  type SuppressionVerdict,
} from '@candor/core';
import type { MemoryBook } from './book';
import { fail } from './errors';

/**
 * Options of {@link holdWhileComplaintOpen}.
 *
 * @example
 * const options: ComplaintHoldOptions = { topics: ['offers'], purpose: 'service.support', accessor };
 */
export interface ComplaintHoldOptions {
  /** Topics held back while a complaint is open (and their children): offers, marketing. */
  readonly topics: readonly string[];
  /** The purpose the complaints are recalled for (a service purpose, so open ones are included). */
  readonly purpose: PurposeId;
  /** Who recalls them, for the customer's access record. */
  readonly accessor: Accessor;
  /** What the customer reads (default: offers wait until the complaint is resolved). */
  readonly detail?: string;
  /** The suppression source this one adds to (feedback's, usually); its verdict comes first. */
  readonly inner?: SuppressionSource;
  /** Customers whose complaint state is kept between `prepare` calls (default 10,000). */
  readonly maxSubjects?: number;
}

const DETAIL = 'a complaint is open, so offers wait until it is resolved';

/**
 * A {@link SuppressionSource} that holds the given topics back while the customer has an open
 * complaint: being pitched an offer in the middle of a complaint spends trust. `prepare` recalls
 * each customer's complaints (one recall each, on their access record); a customer not prepared,
 * whose recall failed, or for whom consent kept memories back, is held back too (`not_loaded`),
 * so nothing is sent on a guess. What `prepare` found holds until the next `prepare` (the rules
 * engine's `process()` prepares before each evaluation). Critical messages and topics outside
 * `topics` pass to `inner` unchanged.
 *
 * @example
 * const suppressions = holdWhileComplaintOpen(book, {
 *   topics: ['offers'], purpose: 'service.support', accessor: { kind: 'feature', id: 'offers-hold' },
 *   inner: feedback,
 * });
 * createRuleEngine({ rules, consent, suppressions }); // process() prepares it
 */
export function holdWhileComplaintOpen(
  book: MemoryBook,
  options: ComplaintHoldOptions,
): Required<SuppressionSource> {
  if (typeof book?.recall !== 'function')
    fail('memory/invalid_input', 'book', book, 'must be a MemoryBook');
  const { topics, purpose, accessor, inner } = options ?? ({} as ComplaintHoldOptions);
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string'))
    fail('memory/invalid_input', 'options.topics', topics, 'must list at least one topic');
  const max = options.maxSubjects ?? 10_000;
  if (!Number.isInteger(max) || max < 1)
    fail('memory/invalid_input', 'options.maxSubjects', max, 'must be a positive integer');
  const detail = options.detail ?? DETAIL;
  /** Whether each prepared customer has an open complaint, oldest prepared first. */
  const open = new Map<SubjectId, boolean>();
  const held = (code: string, at: number, why: string): SuppressionVerdict => ({
    suppressed: true,
    reason: {
      code,
      scope: 'topic',
      target: topics.join(', '),
      since: at,
      until: null,
      detail: why,
    },
  });
  return {
    async prepare(subjects) {
      if (!Array.isArray(subjects) || !subjects.every((s) => typeof s === 'string' && s !== ''))
        fail('memory/invalid_input', 'subjects', subjects, 'must be an array of subject ids');
      await Promise.all([
        inner?.prepare?.(subjects),
        ...subjects.map(async (subject) => {
          open.delete(subject);
          const { memories, withheld } = await book.recall(subject, { purpose, accessor });
          const complaint = memories.some(
            (m) => m.content.kind === 'complaint' && m.content.status === 'open',
          );
          // Consent kept some memories back: an open complaint may be among them, so this
          // customer stays unchecked (held back) rather than "no complaint".
          if (!complaint && withheld.some((w) => w.why === 'consent')) return;
          open.set(subject, complaint);
          if (open.size > max) open.delete(open.keys().next().value as SubjectId);
        }),
      ]);
    },
    nothingSuppressed(subject, at) {
      // Only a customer checked and found without an open complaint, whom `inner` holds nothing
      // back from either (an inner source that cannot say so is asked rule by rule).
      if (open.get(subject) !== false) return false;
      return inner === undefined || inner.nothingSuppressed?.(subject, at) === true;
    },
    check(query) {
      checkQuery(query);
      const verdict = inner ? inner.check(query) : ({ suppressed: false, reason: null } as const);
      if (verdict.suppressed || query.critical) return verdict;
      if (!topics.some((t) => isWithin(query.topic, t))) return verdict;
      const state = open.get(query.subject);
      if (state === undefined)
        return held('not_loaded', query.at, 'we have not checked for an open complaint yet');
      return state ? held('open_complaint', query.at, detail) : verdict;
    },
  };
}

/** Throws `memory/invalid_input` naming the first malformed field of a suppression query. */
function checkQuery(query: SuppressionQuery): void {
  if (typeof query !== 'object' || query === null)
    fail('memory/invalid_input', 'query', query, 'must be { subject, topic, at, … }');
  if (typeof query.subject !== 'string' || query.subject === '')
    fail('memory/invalid_input', 'query.subject', query.subject, 'must be a subject id');
  if (typeof query.topic !== 'string')
    fail('memory/invalid_input', 'query.topic', query.topic, 'must be a topic');
  if (!Number.isSafeInteger(query.at))
    fail('memory/invalid_input', 'query.at', query.at, 'must be epoch milliseconds');
}
