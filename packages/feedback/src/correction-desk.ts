import {
  type Clock,
  type Fact,
  JsonValue,
  type SubjectId,
  systemClock,
  zodToCandorError,
} from '@candor/core';
import {
  type Correction,
  type CorrectionEvent,
  foldCorrection,
  foldCorrections,
  parseCorrectionEvent,
} from './correction';
import { type CorrectionStore, createMemoryCorrectionStore } from './correction-store';
import { feedbackError, requireFunction, requireObject, requireString } from './errors';
import { canonical } from './store';

/**
 * What a correction desk needs: the facts the company holds about a customer right now (what a
 * correction may name), where to keep the events, and a clock.
 *
 * @example
 * createCorrectionDesk({ facts: (subject) => profile.factsOf(subject), clock });
 */
export interface CorrectionDeskOptions {
  /** The facts held about a customer now; a correction must name one of them. */
  facts(subject: SubjectId): readonly Fact[] | Promise<readonly Fact[]>;
  /**
   * The app's own check of a proposed value (after the desk's: the kind of value held, no
   * control characters): what is wrong with it, in the customer's words, or null when it may be
   * proposed. Default: anything of the kind held.
   *
   * @example
   * check: (held, proposed) => (held.path === 'account.homeCountry' && !isCountry(proposed) ? 'must be a country' : null)
   */
  check?(held: Fact, proposed: JsonValue): string | null;
  /** Default: a new in-memory store. */
  readonly store?: CorrectionStore;
  readonly clock?: Clock;
}

/**
 * A customer's request to correct one fact: its id (the idempotency key: the same id again is
 * the same correction), the fact's path, the value they say is right, and their words.
 *
 * @example
 * await desk.open({ id: 'c-1', subject: 'cus_1', path: 'account.homeCountry', proposed: 'ES' });
 */
export interface OpenCorrectionInput {
  readonly id: string;
  readonly subject: SubjectId;
  readonly path: string;
  readonly proposed: JsonValue;
  readonly note?: string;
}

/**
 * A decision on a correction: which one (customer and id), and why, in plain words (required to
 * reject, optional to accept).
 *
 * @example
 * await desk.reject({ subject: 'cus_1', id: 'c-1', reason: 'Your bank still reports this card.' });
 */
export interface DecideCorrectionInput {
  readonly subject: SubjectId;
  readonly id: string;
  readonly reason?: string;
}

/**
 * Corrections with a lifecycle: a customer opens one on a fact held about them, someone accepts
 * or rejects it with a reason, and the customer sees where it stands. Every step is an event
 * appended to the store; repeating a step is harmless.
 *
 * @example
 * const desk = createCorrectionDesk({ facts });
 * const opened = await desk.open({ id: 'c-1', subject: 'cus_1', path: 'account.homeCountry', proposed: 'ES' });
 * await desk.accept({ subject: 'cus_1', id: opened.id, reason: 'Thanks, we updated it.' });
 */
export interface CorrectionDesk {
  /**
   * Opens a correction of a fact held about the customer; returns it (`open`). Throws
   * `feedback/unknown_fact` when no such fact is held, `feedback/invalid_event` for bad input or
   * a proposed value equal to the held one, `feedback/idempotency_conflict` when the id was used
   * for a different correction. Nothing is written when it throws.
   */
  open(input: OpenCorrectionInput): Promise<Correction>;
  /**
   * Accepts an open correction (again: returns it unchanged). Throws
   * `feedback/unknown_correction` or, when it was rejected, `feedback/invalid_transition`.
   */
  accept(input: DecideCorrectionInput): Promise<Correction>;
  /**
   * Rejects an open correction with a reason (again: returns it unchanged). Throws
   * `feedback/unknown_correction` or, when it was accepted, `feedback/invalid_transition`.
   */
  reject(input: DecideCorrectionInput & { readonly reason: string }): Promise<Correction>;
  /** A customer's corrections, oldest first, each with its status, reason and times. */
  corrections(subject: SubjectId): Promise<readonly Correction[]>;
}

/**
 * Creates a {@link CorrectionDesk} over a {@link CorrectionStore}. Writes go one at a time, so
 * two decisions on one correction in this process never both count.
 *
 * @example
 * const desk = createCorrectionDesk({ facts: (subject) => heldFacts(subject), clock });
 */
export function createCorrectionDesk(options: CorrectionDeskOptions): CorrectionDesk {
  requireObject(options, 'options');
  requireFunction(options.facts, 'options.facts');
  if (options.check !== undefined) requireFunction(options.check, 'options.check');
  const store = options.store ?? createMemoryCorrectionStore();
  const clock = options.clock ?? systemClock;
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs writes one after another (a failed one does not stop the next). */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const append = async (event: CorrectionEvent): Promise<Correction> => {
    await store.append([parseCorrectionEvent(event)]);
    return foldCorrection(event.correctionId, await store.read(event.subject)) as Correction;
  };

  const decide = async (
    input: DecideCorrectionInput,
    type: 'accepted' | 'rejected',
  ): Promise<Correction> => {
    requireObject(input, 'input', 'feedback/invalid_event');
    requireString(input.subject, 'input.subject');
    requireString(input.id, 'input.id');
    if (input.reason !== undefined || type === 'rejected') {
      requireString(input.reason, 'input.reason');
      if ((input.reason as string).trim() === '')
        throw feedbackError('feedback/invalid_event', 'input.reason: say why, in plain words', {
          path: 'input.reason',
          value: input.reason,
        });
    }
    return serial(async () => {
      const state = foldCorrection(input.id, await store.read(input.subject));
      if (state === null)
        throw feedbackError(
          'feedback/unknown_correction',
          `correction "${input.id}" of ${input.subject} was never opened`,
          { path: 'input.id', value: input.id },
        );
      if (state.status === type) return state;
      if (state.status !== 'open')
        throw feedbackError(
          'feedback/invalid_transition',
          `correction "${input.id}" was already ${state.status}; it cannot be ${type}`,
          { path: 'input.id', value: input.id },
        );
      return append({
        type,
        correctionId: input.id,
        subject: input.subject,
        at: clock.now(),
        ...(input.reason === undefined ? {} : { reason: input.reason.trim() }),
      } as CorrectionEvent);
    });
  };

  return {
    async open(input) {
      requireObject(input, 'input', 'feedback/invalid_event');
      requireString(input.id, 'input.id');
      requireString(input.subject, 'input.subject');
      requireString(input.path, 'input.path');
      if (input.note !== undefined) requireString(input.note, 'input.note');
      const proposed = JsonValue.safeParse(input.proposed);
      if (!proposed.success)
        throw zodToCandorError(
          'feedback/invalid_event',
          proposed.error,
          input.proposed,
          'input.proposed',
        );
      refuseControls(proposed.data, 'input.proposed', CONTROLS);
      if (input.note !== undefined) refuseControls(input.note, 'input.note', CONTROLS_BUT_LINES);
      return serial(async () => {
        const held = (await options.facts(input.subject)).find((f) => f.path === input.path);
        if (held === undefined)
          throw feedbackError(
            'feedback/unknown_fact',
            `no fact "${input.path}" is held about ${input.subject}`,
            { path: 'input.path', value: input.path },
          );
        const events = await store.read(input.subject);
        const existing = foldCorrection(input.id, events);
        const note = input.note?.trim();
        if (existing !== null) {
          if (
            existing.path !== input.path ||
            canonical(existing.proposed) !== canonical(proposed.data) ||
            (existing.note ?? undefined) !== (note || undefined)
          )
            throw feedbackError(
              'feedback/idempotency_conflict',
              `correction "${input.id}" was opened for something else`,
              { path: 'input.id', value: input.id },
            );
          return existing;
        }
        if (canonical(held.value) === canonical(proposed.data))
          throw feedbackError(
            'feedback/invalid_event',
            `input.proposed: the value proposed for "${input.path}" is the one already held`,
            { path: 'input.proposed', value: input.proposed },
          );
        // The same kind of value as the one held (or nothing, to say it should not be held):
        // what exactly it may be is for whoever decides the correction.
        const kind = kindOf(held.value);
        if (held.value !== null && proposed.data !== null && kindOf(proposed.data) !== kind)
          throw feedbackError(
            'feedback/invalid_event',
            `input.proposed: must be ${kind}, as the value held for "${input.path}" is`,
            { path: 'input.proposed', value: input.proposed },
          );
        const problem = options.check?.(held, proposed.data) ?? null;
        if (problem !== null)
          throw feedbackError('feedback/invalid_event', `input.proposed: ${problem}`, {
            path: 'input.proposed',
            value: input.proposed,
          });
        return append({
          type: 'opened',
          correctionId: input.id,
          subject: input.subject,
          path: held.path,
          category: held.category,
          current: held.value,
          proposed: proposed.data,
          ...(note ? { note } : {}),
          at: clock.now(),
        });
      });
    },
    accept(input) {
      return decide(input, 'accepted');
    },
    reject(input) {
      return decide(input, 'rejected');
    },
    async corrections(subject) {
      requireString(subject, 'subject');
      return foldCorrections(await store.read(subject));
    },
  };
}

/** Control characters and bidirectional overrides, which no corrected value holds. */
const CONTROLS = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
/** The same but tabs and line breaks, which a note may hold. */
const CONTROLS_BUT_LINES = /(?![\t\n\r])[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

/** Throws `feedback/invalid_event` at `path` when a string in `value` holds one of `controls`. */
function refuseControls(value: JsonValue, path: string, controls: RegExp): void {
  if (hasControls(value, controls))
    throw feedbackError('feedback/invalid_event', `${path}: must not hold control characters`, {
      path,
      value,
    });
}

function hasControls(value: JsonValue, controls: RegExp): boolean {
  if (typeof value === 'string') return controls.test(value);
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((item) => hasControls(item, controls));
}

/** A value's kind, in words: a correction proposes one of the kind held. */
function kindOf(value: JsonValue): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'yes or no';
    default:
      return 'a set of fields';
  }
}
