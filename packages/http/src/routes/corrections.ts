import { canonicalJson, isCandorError } from '@candor/core';
import type { CorrectionDesk } from '@candor/feedback';
import { httpError } from '../errors';
import type { IdempotencyCache } from '../idempotency';
import { json } from '../respond';
import type { Route } from '../route';
import { CorrectionBody } from '../schemas';
import { scopedKey } from './feedback';

/**
 * `GET /corrections` (the corrections the customer asked for, each with its status and, once
 * decided, the reason) and `POST /corrections` (ask for one: the fact held about them and the
 * value they say is right).
 *
 * @example
 * const routes = correctionRoutes({ corrections: desk, idempotency });
 */
export function correctionRoutes(ports: {
  readonly corrections: CorrectionDesk;
  readonly idempotency: IdempotencyCache;
}): Route[] {
  const { corrections, idempotency } = ports;
  return [
    {
      method: 'GET',
      path: '/corrections',
      operationId: 'listCorrections',
      summary: 'The corrections the customer asked for, and what became of them',
      responses: { 200: { description: 'Each correction: open, accepted or rejected (why)' } },
      async handle({ subject }) {
        return json(200, { corrections: await corrections.corrections(subject) });
      },
    },
    {
      method: 'POST',
      path: '/corrections',
      operationId: 'openCorrection',
      summary: 'Ask for a correction of data held about the customer',
      body: CorrectionBody,
      responses: {
        200: { description: 'Opened (or a replay of the same request): the correction' },
      },
      async handle({ subject, body }) {
        const input = await body(CorrectionBody);
        // The key, scoped to the customer, is the correction's id: a retry opens nothing new.
        const id = scopedKey('correction', subject, input.idempotencyKey);
        const { path, proposed, note } = input;
        const asked = { path, proposed, ...(note === undefined ? {} : { note }) };
        const reply = await idempotency.once(id, canonicalJson(asked), async () => ({
          correction: await open(corrections, { id, subject, ...asked } as OpenInput),
        }));
        return json(200, reply);
      },
    },
  ];
}

/** What the desk's `open` takes. */
type OpenInput = Parameters<CorrectionDesk['open']>[0];

/**
 * Opens the correction, in the body's words: a fact not held is 404 (`path`), and what the
 * desk refuses names the body's field (`proposed`), not the desk's (`input.proposed`).
 */
async function open(
  desk: CorrectionDesk,
  input: OpenInput,
): Promise<Awaited<ReturnType<CorrectionDesk['open']>>> {
  try {
    return await desk.open(input);
  } catch (error) {
    if (isCandorError(error, 'feedback/unknown_fact'))
      throw httpError('http/not_found', 'We hold no such data about you', { path: 'path' });
    const path = isCandorError(error, 'feedback/invalid_event') ? error.details.path : undefined;
    if (typeof path === 'string' && path.startsWith('input.'))
      throw httpError('http/invalid_body', (error as Error).message.replace(/^input\./, ''), {
        path: path.slice('input.'.length),
      });
    throw error;
  }
}
