import { DataCategoryId, Instant, JsonValue, SubjectId, zodToCandorError } from '@candor/core';
import * as z from 'zod/mini';
import { requireArray, requireObject, requireString } from './errors';
import { canonical } from './store';

/*
 * A correction of one fact the company holds about a customer, as an append-only log of events
 * (`opened`, then `accepted` or `rejected`), and its state as a pure fold of them.
 */

const id = /* @__PURE__ */ (() => z.string().check(z.minLength(1), z.maxLength(200)))();
const words = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/**
 * One event in a correction's life: `opened` names the fact (path, data category, the value held
 * and the value the customer proposes); `accepted` (optionally with a reason) or `rejected` (with
 * a reason in plain words) decides it. Append-only: nothing is ever rewritten.
 *
 * @example
 * const event = CorrectionEvent.parse({ type: 'rejected', correctionId: 'c-1', subject: 'cus_1',
 *   reason: 'Your bank still reports this card as active.', at: 1_780_000_000_000 });
 */
export const CorrectionEvent = /* @__PURE__ */ (() =>
  z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('opened'),
      correctionId: id,
      subject: SubjectId,
      path: id,
      category: DataCategoryId,
      current: JsonValue,
      proposed: JsonValue,
      note: z.optional(z.string().check(z.maxLength(2000))),
      at: Instant,
    }),
    z.strictObject({
      type: z.literal('accepted'),
      correctionId: id,
      subject: SubjectId,
      reason: z.optional(words(500)),
      at: Instant,
    }),
    z.strictObject({
      type: z.literal('rejected'),
      correctionId: id,
      subject: SubjectId,
      reason: words(500),
      at: Instant,
    }),
  ]))();
/** One event in a correction's life. */
export type CorrectionEvent = z.infer<typeof CorrectionEvent>;

/**
 * Where a correction stands: `open` until someone decides it, then `accepted` or `rejected`.
 *
 * @example
 * const label: Record<CorrectionStatus, string> = { open: 'We are looking into it', accepted: 'Corrected', rejected: 'Not changed' };
 */
export type CorrectionStatus = 'open' | 'accepted' | 'rejected';

/**
 * A correction as the customer sees it: the fact it names, what they proposed, its status, the
 * reason given, and when it was opened and decided.
 *
 * @example
 * for (const c of desk.corrections('cus_1')) console.log(c.status, c.reason ?? '');
 */
export interface Correction {
  readonly id: string;
  readonly subject: SubjectId;
  readonly path: string;
  readonly category: string;
  readonly current: JsonValue;
  readonly proposed: JsonValue;
  readonly note: string | null;
  readonly status: CorrectionStatus;
  /** Why it was accepted or rejected, in plain words (`null` while open, or accepted without one). */
  readonly reason: string | null;
  readonly openedAt: Instant;
  /** When it was accepted or rejected (`null` while open). */
  readonly decidedAt: Instant | null;
}

/** Orders decisions: the earliest wins; on a tie, by canonical content (any order, same answer). */
function earlier(a: CorrectionEvent, b: CorrectionEvent): boolean {
  return a.at !== b.at ? a.at < b.at : canonical(a) < canonical(b);
}

/**
 * The state of one correction from its events, in any order: `null` until its `opened` event is
 * among them. The earliest decision stands (a desk never records a second one; two instances
 * deciding at once still agree on which one counts). Events of other corrections are ignored.
 *
 * @example
 * const state = foldCorrection('c-1', await store.read('cus_1'));
 */
export function foldCorrection(
  correctionId: string,
  events: readonly CorrectionEvent[],
): Correction | null {
  requireString(correctionId, 'correctionId');
  checkEvents(events);
  let opened: Extract<CorrectionEvent, { type: 'opened' }> | undefined;
  let decision: Exclude<CorrectionEvent, { type: 'opened' }> | undefined;
  for (const event of events) {
    if (event.correctionId !== correctionId) continue;
    if (event.type === 'opened') {
      if (opened === undefined || earlier(event, opened)) opened = event;
    } else if (decision === undefined || earlier(event, decision)) decision = event;
  }
  if (opened === undefined) return null;
  return {
    id: opened.correctionId,
    subject: opened.subject,
    path: opened.path,
    category: opened.category,
    current: opened.current,
    proposed: opened.proposed,
    note: opened.note ?? null,
    status: decision?.type ?? 'open',
    reason: decision?.reason ?? null,
    openedAt: opened.at,
    decidedAt: decision?.at ?? null,
  };
}

/**
 * Every correction in a log, oldest opened first.
 *
 * @example
 * const list = foldCorrections(await store.read('cus_1'));
 */
export function foldCorrections(events: readonly CorrectionEvent[]): Correction[] {
  checkEvents(events);
  const ids = new Set<string>();
  for (const event of events) ids.add(event.correctionId);
  const out: Correction[] = [];
  for (const correctionId of ids) {
    const state = foldCorrection(correctionId, events);
    if (state !== null) out.push(state);
  }
  return out.sort((a, b) => a.openedAt - b.openedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Throws `feedback/invalid_event` unless `events` is an array of objects. */
function checkEvents(events: readonly CorrectionEvent[]): void {
  requireArray(events, 'events');
  for (let i = 0; i < events.length; i++)
    requireObject(events[i], `events[${i}]`, 'feedback/invalid_event');
}

/**
 * Validates a {@link CorrectionEvent}; throws `feedback/invalid_event` naming the path.
 *
 * @example
 * const event = parseCorrectionEvent(JSON.parse(row));
 */
export function parseCorrectionEvent(input: unknown): CorrectionEvent {
  const result = CorrectionEvent.safeParse(input);
  if (!result.success)
    throw zodToCandorError('feedback/invalid_event', result.error, input, 'correction');
  return result.data;
}
