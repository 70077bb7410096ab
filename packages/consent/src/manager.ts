import type { ConsentQuery } from '@candor/core';
import { buildEvent } from './change-event';
import { createChangeListeners } from './change-listeners';
import { resolveConfig } from './config';
import { createDecide } from './decide';
import { fail, needObject, needType, requireSubject } from './errors';
import type { ConsentEventKind } from './events';
import { createFollower, problemWith } from './follow';
import { createLedgerIo } from './ledger-io';
import { currentNotice, needsPrompt } from './prompts';
import { createSubjectCache } from './subject-cache';
import { createSubjectViews } from './subject-view';
import type { ChangeInput, ConsentChange, ConsentManager, ConsentManagerOptions } from './types';
import { createWriter } from './writer';

/**
 * Creates a consent manager. Call `await manager.load()` before use when the store already holds
 * entries (or use {@link openConsentManager}). Throws `consent/invalid_notice` or
 * `consent/invalid_policy` for bad options, `consent/invalid_purpose` when `purposes` is not a
 * registry and `core/invalid_input` naming the field for any other option of the wrong type.
 * Every method rejects a bad argument the same way (a typed error naming it, never a `TypeError`).
 *
 * The manager is composed of parts, each in its own module: the checked options (`config.ts`),
 * the view of each subject (`subject-view.ts`), following the store's feed (`follow.ts`),
 * `decide()` and its caches (`decide.ts`), the bounded subject cache (`subject-cache.ts`), the
 * writer with its per-subject queue (`writer.ts`), building events from inputs
 * (`change-event.ts`), the ledger's reads and imports (`ledger-io.ts`) and prompts (`prompts.ts`).
 *
 * @example
 * const manager = createConsentManager({ purposes, notices, jurisdiction: 'FR', clock });
 */
export function createConsentManager<P extends string>(
  options: ConsentManagerOptions<P>,
): ConsentManager<P> {
  const config = resolveConfig(options);
  const listeners = createChangeListeners();
  const views = createSubjectViews(config, {
    notify: listeners.notify,
    reread: (state) => follower.reread(state),
  });
  const follower = createFollower(config, views);
  const decide = createDecide(config, views, follower);
  const cache = createSubjectCache(config, views, follower);
  const write = createWriter(config, views, follower, {
    notify: listeners.notify,
    evict: () => cache.evict(),
  });
  const io = createLedgerIo(config, views, follower, { write, decide });

  const change =
    (kind: ConsentEventKind) =>
    (input: ChangeInput<P> & { readonly confirmed?: boolean }): Promise<ConsentChange> => {
      try {
        const { event, key } = buildEvent(config, views.subjects, kind, input, {
          confirmed: input?.confirmed === true,
        });
        return write(input.subject, event, key);
      } catch (error) {
        return Promise.reject(error);
      }
    };

  const manager: ConsentManager<P> = {
    purposes: config.registry,
    notices: config.notices,
    gate: { decide: (query) => decide(query as ConsentQuery), prepare: cache.prepare },
    load: io.load,
    prepare: cache.prepare,
    refresh: io.refresh,
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
      const state = views.subjects.get(input.subject);
      if (typeof input.gpc !== 'boolean') {
        fail('consent/invalid_event', 'input.gpc', input.gpc, 'must be a boolean');
      }
      if ((state?.gpc ?? false) === input.gpc) return null;
      const { event, key } = buildEvent(config, views.subjects, 'signal_observed', input, {
        gpc: input.gpc,
      });
      return write(input.subject, event, key);
    },
    import: io.import,
    onChange(listener) {
      needType(listener, 'function', 'listener');
      return listeners.add(listener);
    },
    verify: io.verify,
    needsPrompt: (subject, promptOptions) =>
      needsPrompt(config, follower.state, views.subjects, subject, promptOptions),
    currentNotice: (purpose, at) => currentNotice(config, purpose, at),
    exportHistory: io.exportHistory,
    entries(subject) {
      requireSubject(subject);
      return views.subjects.get(subject)?.entries.slice() ?? [];
    },
    viewStatus(subject) {
      requireSubject(subject);
      follower.recheck();
      return problemWith(follower.state, views.subjects.get(subject)) ?? 'ready';
    },
    close: follower.close,
  };
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
