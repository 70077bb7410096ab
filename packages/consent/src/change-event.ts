import type { Clock, SubjectId } from '@candor/core';
import { canonicalJson } from './canonical';
import { categoriesOf } from './category-input';
import { type Check, enforce, noUnknownKeys } from './check';
import { type Fields, fail, needObject } from './errors';
import type { ConsentEvent, ConsentEventKind, NoticeRef } from './events';
import { consentEventKinds } from './events';
import { currentNoticeFor, noticeRef } from './notices';
import { resolveOffer } from './offers';
import type { PurposeRegistry } from './purposes';
import type { ManagerState } from './state';
import { sha256Hex } from './store';
import type { ChangeDetails, ChangeInput, ConsentManager, GrantInput, ImportRecord } from './types';
import { validateEvent } from './validate-event';

/**
 * What turning a write's input into a ledger event reads: the registry, the notices, the
 * defaults, the clock, the key generator, and the subjects held (for their last jurisdiction).
 */
export type EventContext<P extends string> = Pick<
  ManagerState<P>,
  | 'registry'
  | 'notices'
  | 'offers'
  | 'language'
  | 'defaultJurisdiction'
  | 'clock'
  | 'generateKey'
  | 'subjects'
>;

const detailFields: Fields<ChangeDetails> = {
  method: 1,
  surface: 1,
  uiVersion: 1,
  jurisdiction: 1,
  expiresAt: 1,
  reason: 1,
  actor: 1,
  notice: 1,
  idempotencyKey: 1,
  at: 1,
};
/** Every field of a write's input (`refuse`, `withdraw`, …): anything else is rejected. */
export const changeFields: Fields<ChangeInput<string>> = /* @__PURE__ */ (() => ({
  ...detailFields,
  subject: 1,
  purposes: 1,
  dataCategories: 1,
}))();
/** Every field of a grant's input (a change that may be `confirmed`). */
export const grantFields: Fields<GrantInput<string>> = /* @__PURE__ */ (() => ({
  ...changeFields,
  confirmed: 1,
  offer: 1,
}))();
/** Every field of `observeGpc`'s input (no purposes, no notice: a signal is about neither). */
export const gpcFields: Fields<Parameters<ConsentManager<string>['observeGpc']>[0]> =
  /* @__PURE__ */ (() => {
    const { notice: _notice, ...signalDetailFields } = detailFields;
    return { ...signalDetailFields, subject: 1, gpc: 1 };
  })();
/** Every field of an {@link ImportRecord}. */
export const importFields: Fields<ImportRecord<string>> = /* @__PURE__ */ (() => ({
  ...detailFields,
  subject: 1,
  kind: 1,
  purposes: 1,
  dataCategories: 1,
  gpc: 1,
  confirmed: 1,
}))();

/** The checks of a change's, a grant's and a signal's input: no field but theirs. */
export const changeKeys: Check = /* @__PURE__ */ noUnknownKeys(changeFields);
export const grantKeys: Check = /* @__PURE__ */ noUnknownKeys(grantFields);
export const gpcKeys: Check = /* @__PURE__ */ noUnknownKeys(gpcFields);
const importKeys = /* @__PURE__ */ noUnknownKeys(importFields);
const noticeLookupKeys = /* @__PURE__ */ noUnknownKeys({ id: 1, version: 1 });

/** A built event and the idempotency key to write it under. */
export interface BuiltEvent {
  readonly event: ConsentEvent;
  readonly key: string;
}

/**
 * The default idempotency keys: time, a per-manager counter and randomness.
 *
 * @example
 * const generateKey = defaultKeyGenerator(systemClock);
 * generateKey(); // 'ck_mabc12_0_k3j9x0qa'
 */
export function defaultKeyGenerator(clock: Clock): () => string {
  let counter = 0;
  return () =>
    `ck_${clock.now().toString(36)}_${(counter++).toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
}

function purposeList<P extends string>(
  registry: PurposeRegistry<P>,
  value: unknown,
  path: string,
  allowEmpty: boolean,
): P[] {
  const list = (typeof value === 'string' ? [value] : value) as unknown;
  if (!Array.isArray(list) || (!allowEmpty && list.length === 0)) {
    fail('consent/invalid_purpose', path, value, 'name at least one purpose');
  }
  list.forEach((p, i) => {
    if (!registry.has(p as string)) {
      fail('consent/invalid_purpose', `${path}[${i}]`, p, `${JSON.stringify(p)} is not declared`);
    }
  });
  return list as P[];
}

/**
 * Turns a write's input into the ledger event to append, filling in what the caller left out
 * (notice in force, expiry from the purposes, jurisdiction, method, actor) and validating it;
 * throws a typed error naming the field under `path`.
 *
 * @example
 * const { event, key } = buildEvent(state, 'withdrawn', input, changeKeys);
 */
export function buildEvent<P extends string>(
  context: EventContext<P>,
  kind: ConsentEventKind,
  input: ChangeDetails & {
    readonly subject: SubjectId;
    readonly purposes?: P | readonly P[];
    readonly dataCategories?: readonly string[];
  },
  keys: Check,
  extra: { readonly confirmed?: boolean; readonly gpc?: boolean; readonly offer?: unknown } = {},
  path = 'input',
): BuiltEvent {
  const { registry, notices } = context;
  needObject(input, path, 'consent/invalid_event');
  enforce(keys, input, path, 'consent/invalid_event');
  for (const flag of ['confirmed', 'gpc'] as const) {
    const value = (input as { confirmed?: unknown; gpc?: unknown })[flag];
    if (value !== undefined && typeof value !== 'boolean') {
      fail('consent/invalid_event', `${path}.${flag}`, value, 'must be a boolean');
    }
  }
  const now = context.clock.now();
  const purposes =
    kind === 'signal_observed'
      ? []
      : purposeList(registry, input.purposes, `${path}.purposes`, false);
  const dataCategories = categoriesOf(
    registry,
    kind,
    purposes,
    input.dataCategories,
    `${path}.dataCategories`,
  );
  const offer =
    extra.offer === undefined
      ? undefined
      : resolveOffer(context.offers, extra.offer, purposes, `${path}.offer`);
  const at = input.at ?? now;
  if (input.notice !== undefined && input.notice !== null && typeof input.notice !== 'object') {
    fail('consent/invalid_notice', `${path}.notice`, input.notice, 'must be a notice reference');
  }
  let notice: NoticeRef | undefined;
  // A full reference is checked with the event (validateEvent); a look-up here.
  if (input.notice && 'contentHash' in input.notice) notice = input.notice;
  else if (input.notice) {
    const wanted = input.notice;
    enforce(noticeLookupKeys, wanted, `${path}.notice`, 'consent/invalid_notice');
    const latest =
      wanted.version === undefined
        ? notices
            .filter((n) => n.id === wanted.id && n.effectiveAt <= at)
            .sort((a, b) => b.effectiveAt - a.effectiveAt)[0]
        : notices.find(
            (n) =>
              n.id === wanted.id &&
              n.version === wanted.version &&
              n.purposes.some((p) => purposes.includes(p)),
          );
    if (!latest) {
      fail(
        'consent/invalid_notice',
        `${path}.notice`,
        wanted,
        `${JSON.stringify(wanted.id)}${wanted.version ? ` version ${wanted.version}` : ''} is not declared`,
      );
    }
    notice = noticeRef(latest);
  } else if (kind !== 'revoked' && kind !== 'expired') {
    for (const id of purposes) {
      const current = currentNoticeFor(notices, id, at, context.language);
      if (current) {
        notice = noticeRef(current);
        break;
      }
    }
  }
  let expiresAt = input.expiresAt;
  if (expiresAt === undefined && (kind === 'given' || kind === 'renewed' || kind === 'refused')) {
    for (const id of purposes) {
      const def = registry.get(id);
      const life = kind === 'refused' ? def?.refusalExpiresIn : def?.expiresIn;
      if (life !== undefined)
        expiresAt = Math.min(expiresAt ?? Number.POSITIVE_INFINITY, at + life);
    }
  }
  const jurisdiction =
    input.jurisdiction ??
    context.subjects.get(input.subject)?.jurisdiction ??
    context.defaultJurisdiction;
  // Absent fields stay `undefined`: the sealed copy drops them, so the stored bytes are the same.
  const event = {
    kind,
    actor: input.actor ?? {
      kind: kind === 'revoked' ? 'company' : kind === 'expired' ? 'system' : 'subject',
    },
    purposes,
    dataCategories,
    offer,
    basis:
      kind === 'objected'
        ? 'legitimate_interest'
        : kind === 'signal_observed' || kind === 'notice_shown'
          ? undefined
          : 'consent',
    notice,
    at,
    method: input.method ?? (kind === 'signal_observed' ? 'gpc' : 'api'),
    surface: input.surface,
    uiVersion: input.uiVersion,
    jurisdiction,
    expiresAt,
    reason: input.reason,
    confirmed: extra.confirmed === true ? true : undefined,
    signal: extra.gpc === undefined ? undefined : { gpc: extra.gpc },
  } as ConsentEvent;
  validateEvent(input.subject, event, now, path);
  const key = input.idempotencyKey ?? context.generateKey();
  if (typeof key !== 'string' || key.length === 0) {
    fail('consent/invalid_event', `${path}.idempotencyKey`, key, 'must be a non-empty string');
  }
  return { event, key };
}

/**
 * The event an import record stands for (method `import` unless given), and its key: the
 * record's own, else one derived from its content, so re-running the same import writes nothing.
 *
 * @example
 * const { subject, event, key } = importedEvent(state, record, 'records[0]');
 */
export function importedEvent<P extends string>(
  context: EventContext<P>,
  record: ImportRecord<P>,
  path: string,
): BuiltEvent & { readonly subject: SubjectId } {
  if (typeof record === 'object' && record !== null) {
    enforce(importKeys, record, path, 'consent/invalid_event');
  }
  if (typeof record !== 'object' || record === null || !consentEventKinds.includes(record.kind)) {
    fail(
      'consent/invalid_event',
      `${path}.kind`,
      (record as { kind?: unknown } | null)?.kind,
      'not an event kind',
    );
  }
  if (record.kind === 'signal_observed' && typeof record.gpc !== 'boolean') {
    fail('consent/invalid_event', `${path}.gpc`, record.gpc, 'must be a boolean');
  }
  const { event } = buildEvent(
    context,
    record.kind,
    { ...record, method: record.method ?? 'import' },
    importKeys,
    {
      confirmed: record.confirmed === true,
      ...(record.kind === 'signal_observed' ? { gpc: record.gpc as boolean } : {}),
    },
    path,
  );
  return {
    subject: record.subject,
    event,
    key:
      record.idempotencyKey ??
      `import:${sha256Hex(canonicalJson({ subject: record.subject, event }))}`,
  };
}
