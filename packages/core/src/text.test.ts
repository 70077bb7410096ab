import { describe, expect, it } from 'vitest';
import { unstorableText } from './text';

describe('unstorableText', () => {
  it('names a NUL character or half of a character, and takes whole characters', () => {
    expect(unstorableText('a\u0000b')).toBe('holds a NUL character (\\u0000)');
    expect(unstorableText('bad \ud800 thing')).toBe(
      'holds a lone UTF-16 surrogate (half of a character)',
    );
    expect(unstorableText('\udc00')).toBe('holds a lone UTF-16 surrogate (half of a character)');
    expect(unstorableText('Grüße 👍 „ok“')).toBeUndefined();
  });
});
