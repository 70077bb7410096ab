import type { ConsentGate } from '@candor/core';
import type { Explainer } from '@candor/explain';
import type { DecisionLookup } from '../options';
import { json } from '../respond';
import type { Route } from '../route';
import { ExplanationQuery } from '../schemas';
import { ownDecision } from './decisions';

/**
 * `GET /decisions/{decisionId}/explanation`: why the customer got one of their messages, in
 * their language, against their consent now, with the controls it offers. When the explainer's
 * evidence-age policy blocks it (`explain/stale_evidence`) the answer is 410 `http/gone`, in
 * words, not a 500.
 *
 * @example
 * const routes = explanationRoutes({ explainer, decisions, consent: manager });
 */
export function explanationRoutes(ports: {
  readonly explainer: Explainer;
  readonly decisions: DecisionLookup;
  readonly consent: ConsentGate;
}): Route[] {
  const { explainer, decisions, consent } = ports;
  return [
    {
      method: 'GET',
      path: '/decisions/{decisionId}/explanation',
      operationId: 'explainDecision',
      summary: 'Why the customer got this message, and the controls it offers',
      query: ExplanationQuery,
      responses: {
        200: { description: 'The explanation: clauses, data used, controls, withheld' },
        410: {
          description: 'The message can no longer be explained: the data behind it is too old',
          schema: () => ({ $ref: '#/components/schemas/Error' }),
        },
      },
      async handle({ subject, params, query }) {
        const { layer, locale } = query(ExplanationQuery);
        const record = await ownDecision(decisions, subject, params.decisionId as string);
        await consent.prepare?.([subject]);
        const explanation = explainer.explain(record, {
          consent,
          ...(layer === undefined ? {} : { layer }),
          ...(locale === undefined ? {} : { locale }),
        });
        return json(200, explanation);
      },
    },
  ];
}
