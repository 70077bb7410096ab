import { expect, it } from 'vitest';
import { runReadmeExamples } from '../../../test-utils/readme.ts';

it('runs the README example as a user would', async () => {
  const [example, hold, sliced] = await runReadmeExamples(
    new URL('../README.md', import.meta.url).pathname,
  );
  expect(example?.logs).toEqual([
    'memory.stated_reason.ord_123: preparing for a trek in the Alps in June (stated)',
    'looked_up user.behavior.purchase_reason',
    '0 [{"why":"consent","count":1}]',
  ]);
  expect(hold?.logs).toEqual(['a complaint is open, so offers wait until it is resolved', 'false']);
  expect(sliced?.logs).toEqual([
    'marketing service.support !must_remember',
    'service service.proactive_support !must_remember',
    'm2 of 2',
  ]);
});
