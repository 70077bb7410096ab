import { canonicalJson, type SubjectId, sha256Hex } from '@candor/core';
import { categoriesOf } from './category-input';
import { boolean, enforce, integer, object, oneOf, optional, string } from './check';
import type { ConsentChoice, ConsentChoiceAction, ConsentChoiceResult } from './contract';
import { fail, needObject, requireSubject } from './errors';
import type { ConsentEvent, ConsentEventKind, ConsentMethod } from './events';
import { sameChoice } from './same-choice';
import { buildConsentSnapshot, type SnapshotOptions } from './snapshot';
import { stateOfManager } from './state';
import { throwIdempotencyConflict } from './store';
import type { ConsentManager } from './types';

/**
 * What the server knows about a posted {@link ConsentChoice} that the browser does not say: how
 * it was collected (unless the choice names `banner` or `preference_center`; default
 * `preference_center`), where, the UI version and jurisdiction, how old a device time may be to
 * be recorded as the time of the choice, and the options of the snapshot returned with the result
 * (`false`: none).
 *
 * @example
 * const context: ChoiceContext = { surface: 'web.settings', jurisdiction: 'FR' };
 */
export interface ChoiceContext {
  readonly method?: ConsentMethod;
  readonly surface?: string;
  readonly uiVersion?: string;
  readonly jurisdiction?: string;
  /** Oldest device time recorded as the choice's time, in ms (default 30 days); else now. */
  readonly maxAge?: number;
  readonly snapshot?: SnapshotOptions | false;
}

const KIND: Record<ConsentChoiceAction, ConsentEventKind> = {
  grant: 'given',
  refuse: 'refused',
  withdraw: 'withdrawn',
  object: 'objected',
};
const METHOD = { banner: 1, preference_center: 1 };
const DEFAULT_MAX_AGE = 30 * 24 * 60 * 60_000;

const choiceShape = /* @__PURE__ */ object<ConsentChoice>({
  key: string(200),
  purpose: string(256),
  action: oneOf(/* @__PURE__ */ Object.keys(KIND)),
  dataCategories: optional((value) =>
    Array.isArray(value) ? undefined : ['', value, 'must be an array'],
  ),
  notice: optional(
    object<{ id: string; version: string }>({ id: string(200), version: string(100) }),
  ),
  confirmed: optional(boolean),
  method: optional(oneOf(/* @__PURE__ */ Object.keys(METHOD))),
  chosenAt: integer(0),
});

/**
 * Records a choice a browser posted for `subject` (always the server's own, from the session:
 * the choice names none) in the manager's ledger under the choice's idempotency key, and returns
 * the record and a snapshot that reflects it. The choice's key is the customer's own: it is
 * recorded scoped to `subject` ({@link choiceLedgerKey}), so another customer's choice under the
 * same key is theirs. A replay of the same key with the same choice writes nothing and returns
 * the same record (`duplicate: true`); the same key with a different choice rejects
 * `consent/idempotency_conflict`. The device time is
 * recorded as the time of the choice when it is neither in the future nor older than
 * `context.maxAge`; else the server's time is. Rejects, naming the field under `choice`,
 * `consent/invalid_event` for a malformed choice, `consent/invalid_purpose` for an unknown
 * purpose, `consent/invalid_category` for a category it does not declare and
 * `consent/invalid_notice` for an unknown notice; nothing is written then.
 *
 * @example
 * const result = await applyConsentChoice(manager, session.subject, await request.json());
 * return Response.json(result);
 */
export async function applyConsentChoice<P extends string>(
  manager: ConsentManager<P>,
  subject: SubjectId,
  choice: ConsentChoice<P>,
  context: ChoiceContext = {},
): Promise<ConsentChoiceResult<P>> {
  const state = stateOfManager(manager, 'manager');
  requireSubject(subject);
  needObject(context, 'context');
  needObject(choice, 'choice', 'consent/invalid_event');
  enforce(choiceShape, choice, 'choice', 'consent/invalid_event');
  const { key, purpose, action, notice } = choice;
  if (!state.registry.has(purpose)) {
    fail(
      'consent/invalid_purpose',
      'choice.purpose',
      purpose,
      `${JSON.stringify(purpose)} is not declared`,
    );
  }
  const kind = KIND[action];
  const dataCategories = categoriesOf(
    state.registry,
    kind,
    [purpose],
    choice.dataCategories,
    'choice.dataCategories',
  );
  if (
    notice !== undefined &&
    !state.notices.some(
      (n) => n.id === notice.id && n.version === notice.version && n.purposes.includes(purpose),
    )
  ) {
    fail(
      'consent/invalid_notice',
      'choice.notice',
      notice,
      `version ${notice.version} of ${notice.id} is not a notice of ${purpose}`,
    );
  }
  if (choice.confirmed === true && action !== 'grant') {
    fail('consent/invalid_event', 'choice.confirmed', true, 'only a grant can be confirmed');
  }
  const maxAge = context.maxAge ?? DEFAULT_MAX_AGE;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    fail('core/invalid_input', 'context.maxAge', maxAge, 'must be whole milliseconds ≥ 0');
  }
  const snapshotOptions = context.snapshot ?? {};

  const expected = {
    kind,
    purpose,
    dataCategories,
    notice,
    confirmed: choice.confirmed === true,
    method: choice.method,
  };
  const answer = (
    entry: { id: string; sequence: number; subject: SubjectId; event: ConsentEvent },
    duplicate: boolean,
  ): ConsentChoiceResult<P> => {
    if (duplicate) {
      if (entry.subject !== subject) throwIdempotencyConflict(key, entry.subject);
      if (!sameAsChoice(entry.event, expected)) {
        fail(
          'consent/idempotency_conflict',
          'choice.key',
          key,
          'was already used for a different choice',
        );
      }
    }
    const result = { key, recordId: entry.id, sequence: entry.sequence, duplicate };
    return snapshotOptions === false
      ? result
      : { ...result, snapshot: buildConsentSnapshot(manager, subject, snapshotOptions) };
  };

  const ledgerKey = choiceLedgerKey(subject, key);
  const stored = await state.store.findByIdempotencyKey(ledgerKey);
  if (stored !== null) return answer(stored, true);
  const now = state.clock.now();
  const at = choice.chosenAt <= now && now - choice.chosenAt <= maxAge ? choice.chosenAt : now;
  const input = {
    subject,
    purposes: purpose,
    ...(dataCategories === undefined ? {} : { dataCategories }),
    ...(notice === undefined ? {} : { notice }),
    idempotencyKey: ledgerKey,
    at,
    method: choice.method ?? context.method ?? 'preference_center',
    ...(context.surface === undefined ? {} : { surface: context.surface }),
    ...(context.uiVersion === undefined ? {} : { uiVersion: context.uiVersion }),
    ...(context.jurisdiction === undefined ? {} : { jurisdiction: context.jurisdiction }),
  };
  const change =
    action === 'grant'
      ? await manager.grant({ ...input, confirmed: choice.confirmed === true })
      : await manager[action](input);
  return answer(change.entry, change.duplicate);
}

/**
 * The idempotency key {@link applyConsentChoice} records a choice under: the choice's key scoped
 * to the customer, so two customers' keys never collide (a customer's key cannot hold back
 * another's choice, nor tell them it was used). Find a choice's ledger entry with it.
 *
 * @example
 * manager.entries('cus_1').find((e) => e.idempotencyKey === choiceLedgerKey('cus_1', choice.key));
 */
export function choiceLedgerKey(subject: SubjectId, key: string): string {
  return `choice:${sha256Hex(canonicalJson([subject, key]))}`;
}

/**
 * The stored event says what the choice says: the same choice (see `sameChoice`), under the same
 * notice, confirmation and method where the choice names them.
 */
function sameAsChoice(
  event: ConsentEvent,
  expected: {
    kind: ConsentEventKind;
    purpose: string;
    dataCategories: readonly string[] | undefined;
    notice: { readonly id: string; readonly version: string } | undefined;
    confirmed: boolean;
    method: string | undefined;
  },
): boolean {
  const { kind, purpose, dataCategories, notice, confirmed, method } = expected;
  return (
    sameChoice(event, { kind, purposes: [purpose], dataCategories }) &&
    (notice === undefined ||
      (event.notice?.id === notice.id && event.notice.version === notice.version)) &&
    (event.confirmed === true) === confirmed &&
    (method === undefined || event.method === method)
  );
}
