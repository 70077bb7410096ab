import { expect, it } from 'vitest';
import { runReadmeExamples } from '../../../test-utils/readme.ts';

it('runs the README examples as a user would', async () => {
  const [proposal, dsa, audit, access] = await runReadmeExamples(
    new URL('../README.md', import.meta.url).pathname,
  );
  expect(proposal?.logs).toEqual([
    'Because our systems used your card details (June 30, 2026) and your purchase history (5).',
    'Our systems checked your purchase history (5): it is more than 2.',
    'You would not have received this email if your card details had not been before July 1, 2026.',
    'Sie sehen diese E-Mail zum Thema Kartenablauf, weil unsere automatisierten Systeme Ihre Kartendaten und Ihre Kaufhistorie für proaktive Servicenachrichten verwendet haben.',
    'fact: consent_not_allowed, reason: evidence_withheld',
    'false',
  ]);
  expect(dsa?.logs).toEqual([
    '## How our systems decide which messages you get',
    '1. Suspicious payment alert: for protecting you from fraud, using your transactions. Relative importance: high (67%).\n' +
      '2. Card expiry reminder: for proactive service messages, using your card details. Relative importance: medium (33%).',
  ]);
  expect(audit?.logs).toEqual(['candor.explain/standard de 64', 'true']);
  expect(access?.logs).toEqual([
    'When we used your data\n\nEach time our systems or our staff used your data, newest first.\n\n' +
      'Dec 3\n- Dec 3: our automated rules checked your booked trips for proactive service messages. Nothing was sent.',
  ]);
});
