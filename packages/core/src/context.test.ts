import { describe, expect, it } from 'vitest';
import { contextCategories, isContextCategory } from './context';

describe('context categories', () => {
  it('are the time, a coarse region, a device class, the weather and public events', () => {
    expect(contextCategories).toEqual([
      'context.time',
      'context.region',
      'context.device',
      'context.weather',
      'context.events',
    ]);
    expect(Object.isFrozen(contextCategories)).toBe(true);
  });

  it('include their children, and nothing personal or made up', () => {
    expect(isContextCategory('context.region.country')).toBe(true);
    expect(isContextCategory('context.weather')).toBe(true);
    for (const other of [
      'context',
      'context.wether',
      'context.weatherman',
      'user.location.approximate',
      'user.travel.itinerary',
      42,
      null,
      undefined,
    ])
      expect(isContextCategory(other)).toBe(false);
  });
});
