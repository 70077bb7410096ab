import { expect, it } from 'vitest';
import { runReadmeExamples } from '../../../test-utils/readme.ts';

it('runs the README example as a user would (embedded PGlite)', { timeout: 120_000 }, async () => {
  const [example, partitioned, access, changes] = await runReadmeExamples(
    new URL('../README.md', import.meta.url).pathname,
  );
  expect(example?.logs).toEqual([
    'false withdrawn',
    '{"valid":true,"subjects":1,"entries":2}',
    'true',
  ]);
  expect(partitioned?.logs).toEqual(['cus_a a1 a2 a3', 'cus_b b1 b2', 'cus_c c1 c2']);
  // The marketing read is past its 30 days and purged; the service read is kept.
  expect(access?.logs).toEqual(['purged 1', 'acc_1', '2026-12-02 service.proactive_support ×1']);
  expect(changes?.logs).toEqual(['performed then undone', 'accepted 2028-03-31']);
});
