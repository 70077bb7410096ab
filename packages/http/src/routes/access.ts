import { type AccessLog, duration } from '@candor/core';
import type { Explainer } from '@candor/explain';
import { json } from '../respond';
import type { Route } from '../route';
import { AccessQueryParams } from '../schemas';

/**
 * `GET /access`: how the customer's data was used over the last `days` (default 90), grouped by
 * day and purpose in words they understand.
 *
 * @example
 * const routes = accessRoutes({ explainer, accessLog, now: () => clock.now() });
 */
export function accessRoutes(ports: {
  readonly explainer: Explainer;
  readonly accessLog: AccessLog;
  readonly now: () => number;
}): Route[] {
  const { explainer, accessLog, now } = ports;
  return [
    {
      method: 'GET',
      path: '/access',
      operationId: 'readAccessHistory',
      summary: "How the customer's data was used, day by day",
      query: AccessQueryParams,
      responses: { 200: { description: 'The access history page' } },
      async handle({ subject, query }) {
        const { days = 90, locale, timeZone } = query(AccessQueryParams);
        const page = await explainer.readAccessHistory(
          accessLog,
          { subject, from: now() - days * duration.day },
          {
            ...(locale === undefined ? {} : { locale }),
            ...(timeZone === undefined ? {} : { timeZone }),
          },
        );
        return json(200, page);
      },
    },
  ];
}
