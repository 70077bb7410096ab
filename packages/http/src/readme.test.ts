import { expect, it } from 'vitest';
import { runReadmeExamples } from '../../../test-utils/readme.ts';

it('runs the README example as a user would', async () => {
  const [example] = await runReadmeExamples(new URL('../README.md', import.meta.url).pathname);
  expect(example?.logs).toEqual([
    '200 false',
    '200 true',
    'true',
    '403 http/forbidden_subject',
    '403 http/forbidden_origin',
    '1',
  ]);
});
