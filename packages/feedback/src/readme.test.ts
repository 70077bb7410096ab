import { expect, it } from 'vitest';
import { runReadmeExamples } from '../../../test-utils/readme.ts';

it('runs the README example as a user would', async () => {
  const [example] = await runReadmeExamples(new URL('../README.md', import.meta.url).pathname);
  expect(example?.logs).toEqual([
    'No messages on this topic because you chose "not interested" on 3 May 2026 (until 1 Aug 2026)',
    'email budget: 2 per week',
    'correction to route: I cancelled that trip',
    'reward for long_email: -0.5',
    'control efficacy: 1',
  ]);
});

it('runs the bounded-cache example as a user would', async () => {
  const [, cache] = await runReadmeExamples(new URL('../README.md', import.meta.url).pathname);
  expect(cache?.logs).toEqual(['not_loaded', 'not_interested false', 'false not_loaded']);
});

it('runs the corrections example as a user would', async () => {
  const [, , corrections] = await runReadmeExamples(
    new URL('../README.md', import.meta.url).pathname,
  );
  expect(corrections?.logs).toEqual([
    'feedback/unknown_fact input.path',
    'feedback/invalid_transition',
    'accepted We updated your country. ES',
    'ES stated customer_correction',
  ]);
});

it('runs the unmute example as a user would', async () => {
  const [, , , unmute] = await runReadmeExamples(new URL('../README.md', import.meta.url).pathname);
  expect(unmute?.logs).toEqual([
    'topic offers.deals true',
    '0 false',
    'feedback/unknown_suppression',
  ]);
});
