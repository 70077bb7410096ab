/**
 * A lone UTF-16 surrogate: half of a pair (an emoji's, say) without the other half. With the `u`
 * flag a whole pair is one code point outside this range, so only a lone half matches (what
 * `String.prototype.isWellFormed` tells, which ES2022 runtimes and older browsers lack).
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * What keeps `text` from being stored as it is, or `undefined`: a NUL character or a lone UTF-16
 * surrogate (`"\ud800"` in JSON). No text a customer types holds one, PostgreSQL stores neither,
 * and a driver would turn a lone surrogate into another character.
 *
 * @example
 * unstorableText('a\u0000b'); // 'holds a NUL character (\\u0000)'
 * unstorableText('ok 👍'); // undefined
 */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'holds a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'holds a lone UTF-16 surrogate (half of a character)';
  return undefined;
}
