import type { SubjectId } from '@candor/core';
import { buildEvent, changeKeys, gpcKeys, grantKeys } from './change-event';
import { resolveConfig } from './config';
import { createDecide } from './decide';
import { fail, needObject, needType, requireSubject } from './errors';
import type { ConsentEventKind } from './events';
import { follow, problemWith, recheck, unfollow } from './follow';
import { exportHistory, importRecords, load, refresh, verify } from './ledger-io';
import { currentNotice, needsPrompt } from './prompts';
import { attachState, createState } from './state';
import { prepare } from './subject-cache';
import type { ConsentChange, ConsentManager, ConsentManagerOptions, GrantInput } from './types';
import { write } from './writer';

/**
 * Creates a consent manager. Call `await manager.load()` before use when the store already holds
 * entries (or use {@link openConsentManager}). Throws `consent/invalid_notice` or
 * `consent/invalid_policy` for bad options, `consent/invalid_purpose` when `purposes` is not a
 * registry and `core/invalid_input` naming the field for any other option of the wrong type (or
 * an unknown option). Every method rejects a bad argument the same way (a typed error naming it,
 * never a `TypeError`).
 *
 * The manager is composed of parts, each in its own module, all handed one state object (`state.ts`):
 * the checked options (`config.ts`), the view of each subject (`subject-view.ts`), following the
 * store's feed (`follow.ts`), `decide()` and its caches (`decide.ts`), the subject cache
 * (`subject-cache.ts`), writes (`writer.ts`), events built from inputs (`change-event.ts`), the
 * ledger's reads and imports (`ledger-io.ts`) and prompts (`prompts.ts`).
 *
 * @example
 * const manager = createConsentManager({ purposes, notices, jurisdiction: 'FR', clock });
 */
export function createConsentManager<P extends string>(
  options: ConsentManagerOptions<P>,
): ConsentManager<P> {
  const state = createState(resolveConfig(options));
  follow(state);
  const decide = createDecide(state);

  const change =
    (kind: ConsentEventKind) =>
    (input: GrantInput<P>): Promise<ConsentChange> => {
      try {
        const keys = kind === 'given' ? grantKeys : changeKeys;
        const { event, key } = buildEvent(state, kind, input, keys, {
          confirmed: input?.confirmed === true,
          ...(kind === 'given' && input?.offer !== undefined ? { offer: input.offer } : {}),
        });
        return write(state, input.subject, event, key);
      } catch (error) {
        return Promise.reject(error);
      }
    };

  const prepareSubjects = (subjects: SubjectId | readonly SubjectId[]) => prepare(state, subjects);

  const manager: ConsentManager<P> = {
    purposes: state.registry,
    notices: state.notices,
    gate: { decide, prepare: prepareSubjects },
    load: (loadOptions) => load(state, loadOptions),
    prepare: prepareSubjects,
    refresh: (subject) => refresh(state, subject),
    decide,
    grant: change('given'),
    refuse: change('refused'),
    withdraw: change('withdrawn'),
    object: change('objected'),
    revoke: change('revoked'),
    renew: change('renewed'),
    expire: change('expired'),
    noticeShown: change('notice_shown'),
    async observeGpc(input) {
      needObject(input, 'input', 'consent/invalid_event');
      const held = state.subjects.get(input.subject);
      if (typeof input.gpc !== 'boolean') {
        fail('consent/invalid_event', 'input.gpc', input.gpc, 'must be a boolean');
      }
      if ((held?.gpc ?? false) === input.gpc) return null;
      const { event, key } = buildEvent(state, 'signal_observed', input, gpcKeys, {
        gpc: input.gpc,
      });
      return write(state, input.subject, event, key);
    },
    import: (records) => importRecords(state, records),
    onChange(listener) {
      needType(listener, 'function', 'listener');
      state.listeners.add(listener);
      return () => {
        state.listeners.delete(listener);
      };
    },
    verify: (subject) => verify(state, subject),
    needsPrompt: (subject, promptOptions) => needsPrompt(state, subject, promptOptions),
    currentNotice: (purpose, at) => currentNotice(state, purpose, at),
    exportHistory: (subject, options) => exportHistory(state, decide, subject, options),
    entries(subject) {
      requireSubject(subject);
      return state.subjects.get(subject)?.entries.slice() ?? [];
    },
    viewStatus(subject) {
      requireSubject(subject);
      recheck(state);
      return problemWith(state, state.subjects.get(subject)) ?? 'ready';
    },
    close: () => unfollow(state),
  };
  attachState(manager, state);
  return manager;
}

/**
 * Creates a consent manager and hydrates it from its store (verifying every chain).
 *
 * @example
 * const manager = await openConsentManager({ purposes, store: postgresLedgerStore });
 */
export async function openConsentManager<P extends string>(
  options: ConsentManagerOptions<P>,
): Promise<ConsentManager<P>> {
  const manager = createConsentManager(options);
  await manager.load();
  return manager;
}
