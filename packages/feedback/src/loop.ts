import { type SuppressionQuery, systemClock } from '@candor/core';
import { emit, flush, listen } from './announce';
import { admit, applyBatch, assertSame, commit, DUPLICATE, prepareBatch } from './apply';
import { budgetOf, budgetReasonAt } from './budget';
import { memoFor, NOT_SUPPRESSED } from './check-memo';
import { type FeedbackLoopOptions, resolveLoopConfig } from './config';
import { commitDecision, decisionOf, orphans, prepareDecision } from './decisions';
import { feedbackError, requireFunction, requireNumber, requireString } from './errors';
import { findPage, PAGE, scoreAt } from './fatigue';
import { checkProblem, followStore, heldBack, hydrate, stopFollowing, viewStatus } from './follow';
import { guardKey, liftPause, pauseVerdict, ruleHealth } from './guardrails';
import { checkSuppressionLift, isSameLift, liftEventOf, reasonLifted } from './lift-suppression';
import { answerNothingSuppressed } from './nothing-suppressed';
import { createPrepare } from './prepare';
import { maybeCheckpoint } from './replay';
import type { FeedbackEvent } from './schema';
import { type AppendResult, createMemoryFeedbackStore, type GuardrailResume } from './store';
import { stateOf } from './subjects';
import { activeReasons, strongestSuppression } from './suppressions';
import type { BatchIngestResult, FeedbackLoop } from './types';
import { checkDecisionEntry, checkFeedbackEvent } from './validate';
import { createView } from './view';

/**
 * Creates the feedback loop: the `SuppressionSource` a rule engine consults, fed by feedback
 * events. Suppressions are scoped (item, rule, topic and its children, channel, all), expire,
 * escalate (repeated "not interested" on a topic mutes it), and are permanent for `stop_this`,
 * `unsubscribed` and `complained`; `too_frequent` and `intrusive` lower the subject's budget;
 * `wrong_data` opens a correction request; guardrails pause rules whose intrusive or complaint
 * rate is confidently too high. Every accepted event applies to the very next `check()`.
 *
 * @example
 * const loop = createFeedbackLoop({ clock });
 * loop.apply({ idempotencyKey: 'fb-1', kind: 'not_interested', decisionId: 'd-1', subject: 'cus_1',
 *   ruleId: 'travel-offer', topic: 'offers.travel', channel: 'push', at: clock.now(), scope: 'topic' });
 * loop.check({ subject: 'cus_1', ruleId: 'other', topic: 'offers.travel.hotels', channel: 'email', at: clock.now() }).suppressed; // true
 */
export function createFeedbackLoop(options: FeedbackLoopOptions = {}): FeedbackLoop {
  // The parts: settings, the view (per-subject state and the global parts), and the follower of
  // the store's feed. The methods check arguments, persist, apply and announce.
  const config = resolveLoopConfig(options);
  const store = options.store ?? createMemoryFeedbackStore();
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function')
    throw feedbackError('feedback/invalid_option', 'clock: must be a Clock', {
      path: 'clock',
      value: clock,
    });
  const view = createView(config);
  const { subjects, guardrails, decisions, accepted, seen, announcer } = view;
  const follower = followStore(view, store, clock, options.store != null);
  const critical = config.critical;
  const cache = view.cache;
  if (cache !== null && typeof store.readEventsOf !== 'function') {
    throw feedbackError(
      'feedback/invalid_option',
      'cache: the store must offer readEventsOf to read customers one by one',
      { path: 'options.cache', value: options.cache },
    );
  }
  /** Throws unless `subject` is held (with a subject cache). */
  const requireHeld = (subject: string): void => {
    if (cache !== null && !subjects.numbers.has(subject)) {
      throw feedbackError(
        'feedback/not_prepared',
        `subject "${subject}" is not prepared: call prepare() first`,
        { path: 'subject', value: subject },
      );
    }
  };
  /** Throws for calls that need every customer's feedback in memory (with a subject cache). */
  const requireWhole = (call: string): void => {
    if (cache !== null) {
      throw feedbackError(
        'feedback/unsupported',
        `${call} needs the whole feedback history in memory; this loop holds only prepared customers and no decisions (cache.maxSubjects); read the store instead`,
        { path: call, value: config.maxSubjects },
      );
    }
  };

  const loop: FeedbackLoop = {
    check(query) {
      checkQuery(query);
      // Feedback never silences a message that protects the customer; only consent can.
      if (query.critical === true || critical?.(query) === true) return NOT_SUPPRESSED;
      const problem = checkProblem(follower, query.subject);
      if (problem !== null) return heldBack(query, problem);
      // A held subject's own part (suppressions, then budget) is memoized; pauses are read now
      // (with none at all, the memo is the verdict).
      const memo = memoFor(subjects, query);
      if (memo !== undefined)
        return guardrails.paused.size === 0 || memo.muted
          ? memo.verdict
          : (pauseVerdict(guardrails, query) ?? memo.verdict);
      const n = subjects.numbers.get(query.subject);
      if (n === undefined && cache !== null) return heldBack(query, 'not_loaded');
      const muted = n === undefined ? null : strongestSuppression(subjects.states[n], query);
      if (muted !== null) return { suppressed: true, reason: muted.reason };
      const paused = pauseVerdict(guardrails, query);
      if (paused !== null) return paused;
      const reason = budgetReasonAt(subjects, n, query.channel, query.at);
      return reason === null ? NOT_SUPPRESSED : { suppressed: true, reason };
    },
    nothingSuppressed: answerNothingSuppressed(subjects, follower, guardrails, cache !== null),
    async submit(input) {
      const event = checkFeedbackEvent(input);
      const previous = seen.get(event.idempotencyKey);
      if (previous !== undefined) {
        assertSame(previous, event);
        return DUPLICATE;
      }
      admit(view, event, clock.now());
      follower.writing.add(event.idempotencyKey);
      let stored: AppendResult;
      try {
        stored = await store.appendEvents([event]);
      } catch (error) {
        // Failed after all, though read back from the store meanwhile: it is stored, so applied.
        if (cache?.skipped.delete(event.idempotencyKey) === true) {
          commit(view, event, decisionOf(decisions, event), clock.now());
        }
        throw error;
      } finally {
        follower.writing.delete(event.idempotencyKey);
      }
      if (cache !== null) {
        // Read back from the store while it was being stored: applied here, not there.
        const skipped = cache.skipped.delete(event.idempotencyKey);
        const duplicate = stored.appended.length === 0;
        if (duplicate && !skipped) return DUPLICATE;
        const result = commit(view, event, decisionOf(decisions, event), clock.now());
        if (follower.feed != null && !skipped) cache.applied.add(event.idempotencyKey);
        maybeCheckpoint(view, store, follower.logs);
        return duplicate ? DUPLICATE : result;
      }
      // Another submit of the same key may have been applied while this one was being stored.
      if (seen.has(event.idempotencyKey)) return DUPLICATE;
      return commit(view, event, decisionOf(decisions, event), clock.now());
    },
    async lift(input) {
      const lift = checkSuppressionLift(input);
      const previous = seen.get(lift.idempotencyKey);
      if (previous !== undefined) {
        if (isSameLift(previous, lift)) return DUPLICATE;
        throw feedbackError(
          'feedback/idempotency_conflict',
          `idempotency key "${lift.idempotencyKey}" was used for a different event`,
          { path: 'lift.idempotencyKey', value: lift.idempotencyKey },
        );
      }
      requireHeld(lift.subject);
      const at = lift.at ?? clock.now();
      const reason = reasonLifted(activeReasons(stateOf(subjects, lift.subject), at), lift);
      const source =
        reason?.feedbackId === undefined
          ? undefined
          : await sourceEvent(reason.feedbackId, lift.subject);
      const event = source === undefined ? null : liftEventOf(lift, source, at);
      if (event === null) {
        throw feedbackError(
          'feedback/unknown_suppression',
          `lift: "${lift.subject}" has no active ${lift.scope} suppression of "${lift.target}"`,
          { path: 'lift.target', value: lift.target },
        );
      }
      return loop.submit(event);
    },
    apply(input) {
      requireWhole('apply()');
      const event = checkFeedbackEvent(input);
      const previous = seen.get(event.idempotencyKey);
      if (previous !== undefined) {
        assertSame(previous, event);
        return DUPLICATE;
      }
      const now = clock.now();
      return commit(view, event, admit(view, event, now), now);
    },
    async submitMany(inputs) {
      const batch = prepareBatch(view, inputs, false, clock.now());
      for (const event of batch) follower.writing.add(event.idempotencyKey);
      let stored: AppendResult = NOTHING_STORED;
      try {
        if (batch.length > 0) stored = await store.appendEvents(batch);
      } catch (error) {
        // Failed after all, though read back from the store meanwhile: it is stored, so applied.
        const read = batch.filter((event) => cache?.skipped.delete(event.idempotencyKey) === true);
        if (read.length > 0) applyBatch(view, read, 0, clock.now());
        throw error;
      } finally {
        for (const event of batch) follower.writing.delete(event.idempotencyKey);
      }
      if (cache !== null) return applyStored(batch, stored, inputs.length);
      // Another write may have applied some of these keys while the batch was being stored.
      let applied = batch;
      for (let i = 0; i < batch.length; i++) {
        if (seen.has((batch[i] as FeedbackEvent).idempotencyKey)) {
          applied = batch.filter((event) => !seen.has(event.idempotencyKey));
          break;
        }
      }
      for (const event of applied) seen.set(event.idempotencyKey, event);
      return applyBatch(view, applied, inputs.length - applied.length, clock.now());
    },
    applyMany(inputs) {
      requireWhole('applyMany()');
      const now = clock.now();
      const fresh = prepareBatch(view, inputs, true, now);
      return applyBatch(view, fresh, inputs.length - fresh.length, now);
    },
    async logDecision(input) {
      if (cache !== null) {
        // Stored for learning and audits; a loop with a subject cache does not hold decisions.
        await store.appendDecisions([checkDecisionEntry(input)]);
        return;
      }
      const entry = prepareDecision(decisions, accepted, input);
      if (entry === null) return;
      await store.appendDecisions([entry]);
      commitDecision(decisions, accepted, announcer, entry);
    },
    applyDecision(input) {
      requireWhole('applyDecision()');
      const entry = prepareDecision(decisions, accepted, input);
      if (entry !== null) commitDecision(decisions, accepted, announcer, entry);
    },
    hydrate() {
      return hydrate(follower);
    },
    prepare: createPrepare(follower),
    suppressions(subject, at = clock.now()) {
      requireString(subject, 'subject');
      requireNumber(at, 'at');
      requireHeld(subject);
      return activeReasons(stateOf(subjects, subject), at);
    },
    budget(subject, channel, at = clock.now()) {
      checkSubjectChannel(subject, channel, at);
      requireHeld(subject);
      return budgetOf(subjects, subject, channel, at);
    },
    fatigue(subject, channel, at = clock.now()) {
      checkSubjectChannel(subject, channel, at);
      requireHeld(subject);
      const n = subjects.numbers.get(subject);
      return n === undefined
        ? 0
        : scoreAt(subjects.fatigue, findPage(subjects.fatigue, channel, n), n & (PAGE - 1), at);
    },
    ruleHealth(ruleId, variantId) {
      checkRuleVariant(ruleId, variantId);
      return ruleHealth(guardrails, ruleId, variantId ?? null);
    },
    isPaused(ruleId, variantId) {
      checkRuleVariant(ruleId, variantId);
      const paused = guardrails.paused;
      return (
        paused.has(ruleId) || (variantId !== undefined && paused.has(guardKey(ruleId, variantId)))
      );
    },
    pauses() {
      return [...guardrails.paused.values()];
    },
    async resume(ruleId, variantId) {
      checkRuleVariant(ruleId, variantId);
      const variant = variantId ?? null;
      const key = guardKey(ruleId, variant);
      const pause = guardrails.paused.get(key);
      if (pause === undefined) return;
      // Counts restart after now, or after the latest event applied if later.
      const resume: GuardrailResume = {
        ruleId,
        variantId: variant,
        at: Math.max(clock.now(), view.latestAt),
      };
      liftPause(guardrails, ruleId, variant, resume.at);
      emit(announcer, { type: 'rule_resumed', ruleId, variantId: variant }, false);
      flush(announcer);
      if (store.appendResumes === undefined) return;
      try {
        await store.appendResumes([resume]);
      } catch (error) {
        // Not stored: the pause stands, as it would after a restart.
        if (!guardrails.paused.has(key)) guardrails.paused.set(key, pause);
        throw error;
      }
    },
    orphans() {
      requireWhole('orphans()');
      return orphans(decisions, accepted);
    },
    corrections(subject) {
      if (subject === undefined) requireWhole('corrections()');
      else {
        requireString(subject, 'subject');
        requireHeld(subject);
      }
      const list = view.corrections;
      return subject === undefined ? [...list] : list.filter((c) => c.subject === subject);
    },
    events() {
      requireWhole('events()');
      return accepted;
    },
    subscribe(listener) {
      requireFunction(listener, 'listener');
      return listen(announcer, listener);
    },
    viewStatus(subject) {
      requireString(subject, 'subject');
      const status = viewStatus(follower, subject);
      return status === 'ready' && cache !== null && !subjects.numbers.has(subject)
        ? 'not_loaded'
        : status;
    },
    close() {
      stopFollowing(follower);
    },
  };
  return loop;

  /** The feedback event stored under `key` (read from the store when the view keeps no history). */
  async function sourceEvent(key: string, subject: string): Promise<FeedbackEvent | undefined> {
    const held = seen.get(key);
    if (held !== undefined || cache === null || store.readEventsOf === undefined) return held;
    const stored = await store.readEventsOf([subject]);
    return stored.find((row) => row.event.idempotencyKey === key)?.event;
  }

  /** With a subject cache: applies what the store appended of a submitted batch. */
  function applyStored(
    batch: readonly FeedbackEvent[],
    stored: AppendResult,
    inputs: number,
  ): BatchIngestResult {
    // Applied here: what it appended, and what was read back from the store while it wrote.
    const appended = new Set(stored.appended);
    const fresh: FeedbackEvent[] = [];
    for (const event of batch) {
      const key = event.idempotencyKey;
      const skipped = cache?.skipped.delete(key) === true;
      if (!skipped && !appended.has(key)) continue;
      fresh.push(event);
      if (!skipped && follower.feed != null) cache?.applied.add(key);
    }
    const result = applyBatch(view, fresh, inputs - appended.size, clock.now());
    maybeCheckpoint(view, store, follower.logs);
    return fresh.length === appended.size ? result : { ...result, accepted: appended.size };
  }
}

const NOTHING_STORED: AppendResult = /* @__PURE__ */ Object.freeze({
  appended: [],
  duplicates: [],
});

function checkQuery(query: SuppressionQuery): void {
  if (
    typeof query !== 'object' ||
    query === null ||
    typeof query.subject !== 'string' ||
    typeof query.ruleId !== 'string' ||
    typeof query.topic !== 'string' ||
    typeof query.channel !== 'string' ||
    !Number.isInteger(query.at)
  ) {
    throw feedbackError(
      'feedback/invalid_event',
      'check: expected { subject, ruleId, topic, channel, at } with at in epoch ms',
      { path: 'query', value: query },
    );
  }
}

function checkSubjectChannel(subject: unknown, channel: unknown, at: unknown): void {
  requireString(subject, 'subject');
  requireString(channel, 'channel');
  requireNumber(at, 'at');
}

function checkRuleVariant(ruleId: unknown, variantId: unknown): void {
  requireString(ruleId, 'ruleId');
  if (variantId !== undefined && variantId !== null) requireString(variantId, 'variantId');
}
