import {
  applyConsentChoice,
  buildConsentSnapshot,
  type ChoiceContext,
  type ConsentManager,
  consentJsonSchema,
} from '@candor/consent';
import { CandorError, isCandorError } from '@candor/core';
import * as z from 'zod/mini';
import { json } from '../respond';
import type { Route } from '../route';

/** Any JSON object: `applyConsentChoice` validates the choice itself, naming the bad field. */
const AnyObject = /* @__PURE__ */ (() => z.looseObject({}))();

/**
 * The customer's consent as the browser client uses it: `GET /consent` (a snapshot of their
 * verdicts, `@candor/consent`'s `ConsentSnapshot`) and `POST /consent/choices` (a
 * `ConsentChoice` with its idempotency key, recorded in the ledger by `applyConsentChoice`; a
 * replay returns the same record, the key with another choice is a 409).
 *
 * @example
 * const routes = consentRoutes({ consent: manager, choices: { surface: 'web.privacy' }, snapshot: { ttl: 60_000 } });
 */
export function consentRoutes<P extends string>(ports: {
  readonly consent: ConsentManager<P>;
  readonly choices: Omit<ChoiceContext, 'snapshot'>;
  readonly snapshot: { readonly ttl?: number };
}): Route[] {
  const { consent, choices, snapshot } = ports;
  return [
    {
      method: 'GET',
      path: '/consent',
      operationId: 'getConsentSnapshot',
      summary: 'The customer’s consent verdicts, for the browser client to decide from',
      responses: {
        200: {
          description: 'A consent snapshot, valid until `validUntil`',
          schema: () => consentJsonSchema('ConsentSnapshot'),
        },
      },
      async handle({ subject }) {
        await consent.prepare(subject);
        return json(200, buildConsentSnapshot(consent, subject, snapshot));
      },
    },
    {
      method: 'POST',
      path: '/consent/choices',
      operationId: 'postConsentChoice',
      summary: 'Record a choice (grant, refuse or withdraw) under its idempotency key',
      body: AnyObject,
      bodySchema: () => consentJsonSchema('ConsentChoice'),
      responses: {
        200: {
          description:
            'The ledger record (a replay: the same one, `duplicate: true`) and a new snapshot',
          schema: () => consentJsonSchema('ConsentChoiceResult'),
        },
      },
      async handle({ subject, body }) {
        const choice = await body(AnyObject);
        await consent.prepare(subject);
        try {
          const result = await applyConsentChoice(
            consent,
            subject,
            choice as unknown as Parameters<typeof applyConsentChoice<P>>[2],
            { ...choices, snapshot },
          );
          return json(200, result);
        } catch (error) {
          throw relativeToBody(error);
        }
      },
    },
  ];
}

/** A choice error's path relative to the body (`purpose`, not `choice.purpose`). */
function relativeToBody(error: unknown): unknown {
  if (!isCandorError(error) || typeof error.details.path !== 'string') return error;
  if (!error.details.path.startsWith('choice.')) return error;
  const path = error.details.path.slice('choice.'.length);
  return new CandorError(error.code, error.message.replace(/^choice\./, ''), {
    ...error.details,
    path,
  });
}
