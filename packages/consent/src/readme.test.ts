import { expect, it } from 'vitest';
import { runReadmeExamples } from '../../../test-utils/readme.ts';

it('runs the README example as a user would', async () => {
  const [example, categories, exchange, context, instances, cached, client] =
    await runReadmeExamples(new URL('../README.md', import.meta.url).pathname);
  expect(example?.logs).toEqual([
    'default_opt_in_required',
    'changed: given',
    'true Granted via preference_center on 2026-05-03 (notice 2026-05)',
    'changed: withdrawn',
    'false (withdrawn)',
    'a day ago: true',
    '["ads.targeted: never_asked"]',
    'true',
    'KI-CR-v1.1.0 Marketing emails',
    'true',
    'missing_entries',
  ]);
  expect(categories?.logs).toEqual([
    'false withdrawn user.behavior.purchase_history',
    'true',
    'true',
    '["user.behavior.purchase_history"]',
  ]);
  expect(exchange?.logs).toEqual([
    '{"id":"tips-discount","version":"2026-05"}',
    '["user.behavior.purchase_history"] 10% off your next order',
    '2026-05',
  ]);
  expect(context?.logs).toEqual(['true not_personal', 'false']);
  expect(instances?.logs).toEqual(['not_loaded', 'false']);
  expect(cached?.logs).toEqual(['not_loaded', 'true true', 'true not_loaded']);
  expect(client?.logs).toEqual([
    'no_snapshot',
    'false',
    'analytics_storage denied',
    'analytics_storage granted',
    'true',
    'analytics_storage denied',
    'choice_pending',
    'analytics_storage denied',
    'false',
  ]);
});
