import { describe, expect, it } from 'vitest';
import { CandorError, isCandorError } from './errors';

describe('CandorError', () => {
  it('carries a code, details and cause', () => {
    const cause = new Error('disk');
    const error = new CandorError('core/invalid_input', 'bad', { path: 'a', value: 1 }, { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('core/invalid_input');
    expect(error.details).toEqual({ path: 'a', value: 1 });
    expect(error.cause).toBe(cause);
  });

  it('is recognised by shape across bundles, and by code', () => {
    const foreign = {
      name: 'CandorError',
      code: 'consent/stale_sequence',
      details: {},
      message: 'x',
    };
    expect(isCandorError(foreign)).toBe(true);
    expect(isCandorError(foreign, 'consent/stale_sequence')).toBe(true);
    expect(isCandorError(foreign, 'core/invalid_id')).toBe(false);
    expect(isCandorError(new Error('x'))).toBe(false);
    expect(isCandorError(null)).toBe(false);
  });
});
