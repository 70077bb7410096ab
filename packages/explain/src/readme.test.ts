import { expect, it } from 'vitest';
import { runReadmeExamples } from '../../../test-utils/readme.ts';

it('runs the README examples as a user would', async () => {
  const [proposal, exchange, contextual, dsa, audit, access, acted, brief] =
    await runReadmeExamples(new URL('../README.md', import.meta.url).pathname);
  expect(proposal?.logs).toEqual([
    'You got this email partly because your card’s expiry date is June 30, 2026, before July 1, 2026.',
    'The number of your orders in the last 90 days is 5, more than 2.',
    'You would not have got this email if your card’s expiry date had been on or after July 1, 2026.',
    'Ein Grund für diese E-Mail zum Thema „Kartenablauf“: Das Ablaufdatum Ihrer Karte ist der 30. Juni 2026, also vor dem 1. Juli 2026.',
    'fact: consent_not_allowed, reason: evidence_withheld',
    'false',
  ]);
  expect(exchange?.logs).toEqual([
    'We use your data for proactive service messages. You agreed to this. You share your card details; in return you get a reminder before your plan lapses.',
  ]);
  expect(contextual?.logs).toEqual([
    'You got this notification about travel disruptions based only on the time and your region, not on your history.',
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
  expect(acted?.logs).toEqual([
    'We moved you to an earlier flight on December 3, 2026 at 1:00 PM GMT+1 without waiting for your answer, because you allowed automatic changes to your bookings. You can undo this until December 3, 2026 at 5:00 PM GMT+1.',
    'undo_change Undo this change (possible until December 3, 2026 at 5:00 PM GMT+1)',
  ]);
  expect(brief?.logs).toEqual([
    'Before you talk to this customer\n\n' +
      'What our records say about this customer, open problems first. Each point says where it comes from and when, in words you can use with the customer.\n\n' +
      'Resolved in the last 6 months\n' +
      '- Her card was blocked in error on Nov 2; resolved the same day: unblocked, with an apology. Source: our support team.\n\n' +
      'Reasons the customer gave\n' +
      '- You told us on May 3 this was for “a trek in the Alps in June” (hiking boots). Source: at checkout.',
  ]);
});
