import { type ConsentController, type ConsentManager, createReceipt } from '@candor/consent';
import { type AccessLog, coreJsonSchema } from '@candor/core';
import { json } from '../respond';
import type { Route } from '../route';

/**
 * The customer's consent records: `GET /consent/export` (everything held about their consent,
 * for an access request: the ledger, its chain check, current verdicts and, with an access log,
 * every use of their data) and, given a controller, `GET /consent/receipts` (a receipt per
 * ledger entry).
 *
 * @example
 * const routes = consentRecordRoutes({ consent: manager, controller, accessLog });
 */
export function consentRecordRoutes<P extends string>(ports: {
  readonly consent: ConsentManager<P>;
  readonly controller: ConsentController | undefined;
  readonly accessLog: AccessLog | undefined;
}): Route[] {
  const { consent, controller, accessLog } = ports;
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/consent/export',
      operationId: 'exportConsent',
      summary: 'Everything held about the customer’s consent, as one JSON document',
      responses: {
        200: {
          description: 'The ledger, its chain check and current verdicts',
          schema: () => ({
            type: 'object',
            properties: {
              subject: { type: 'string' },
              exportedAt: { type: 'string' },
              chain: { type: 'object' },
              entries: { type: 'array', items: { type: 'object' } },
              current: { type: 'array', items: coreJsonSchema('ConsentVerdict') },
              categories: { type: 'array', items: { type: 'object' } },
              access: { type: 'array', items: { type: 'object' } },
            },
            required: ['subject', 'exportedAt', 'chain', 'entries', 'current', 'categories'],
          }),
        },
      },
      async handle({ subject }) {
        await consent.prepare(subject);
        const history = await consent.exportHistory(
          subject,
          accessLog === undefined ? {} : { accessLog },
        );
        return json(200, history, {
          'content-disposition': 'attachment; filename="consent-export.json"',
        });
      },
    },
  ];
  if (controller !== undefined)
    routes.push({
      method: 'GET',
      path: '/consent/receipts',
      operationId: 'listReceipts',
      summary: 'A consent receipt for each choice on record',
      responses: {
        200: {
          description: 'Receipts (Kantara v1.1 fields, ISO/IEC TS 27560 structure), oldest first',
          schema: () => ({
            type: 'object',
            properties: { receipts: { type: 'array', items: { type: 'object' } } },
            required: ['receipts'],
          }),
        },
      },
      async handle({ subject }) {
        await consent.prepare(subject);
        const receipts = consent.entries(subject).map((entry) =>
          createReceipt(entry, {
            purposes: consent.purposes,
            notices: consent.notices,
            controller,
          }),
        );
        return json(200, { receipts });
      },
    });
  return routes;
}
