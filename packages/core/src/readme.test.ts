import { expect, it } from 'vitest';
import { runReadmeExamples } from '../../../test-utils/readme.ts';

it('runs the README example as a user would', async () => {
  const [example, batch] = await runReadmeExamples(
    new URL('../README.md', import.meta.url).pathname,
  );
  expect(example?.logs).toEqual([
    'true',
    'true false',
    'rejected Marketing Emails',
    '1 reason resting on card.expiresAt',
  ]);
  expect(batch?.logs).toEqual([
    'acc_card-expiry_evt_1 held_back conditions_not_met',
    '["sent","held_back","held_back"]',
  ]);
});
