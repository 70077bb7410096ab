import { expect, it } from 'vitest';
import { runReadmeExamples } from '../../../test-utils/readme.ts';

it('runs the README example with the four seed rules', async () => {
  const [example, access, acting, contextual, routing] = await runReadmeExamples(
    new URL('../README.md', import.meta.url).pathname,
  );
  expect(example?.logs).toEqual([
    'card reminder due 2026-06-23T08:00:00.000Z',
    'card-expiry: proposal',
    'storm-rebooking: flight.stormRisk is at least 0.7; flight.connection.minutes is below 90; flight.departsAt is after "2026-01-01T00:00:00Z"',
    'suspicious-charge: bypassed quiet_hours',
    'sizing-guide: conditions_not_met, count was 1',
    'sizing-guide: proposal',
    'sizing-guide: consent (withdrew service.proactive_support)',
  ]);
  expect(access?.logs).toEqual([
    'held_back conditions_not_met user.financial.payment_card card.daysLeft',
  ]);
  expect(acting?.logs).toEqual([
    'LH 1171 at 14:05 undo until 2026-12-03T14:00:00.000Z',
    'changeId: the time to undo this change ended at 2026-12-03T14:00:00.000Z',
    'performed then expired',
  ]);
  expect(contextual?.logs).toEqual(['storm-area weather.severity']);
  expect(routing?.logs).toEqual(['candor-events-7 candor-events-0 candor-events-7']);
});
