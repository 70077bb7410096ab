/**
 * Finds machine words in customer-facing text: dotted or snake_case ids and field paths
 * (`user.financial.card`, `weather_service`, `card.expiresAt`), camelCase names
 * (`homeCountry`), operator names (`lessThan`, `gte`, `withinLast`), rule syntax (`{ fact }`,
 * JSON arrays, `count(…)`), and any of `ids` given (kebab-case rule ids such as
 * `storm-rebooking`, which look like words to the patterns above).
 */

const PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['dotted or snake_case id', /(?<![\p{L}\d])\p{L}[\p{L}\d]*(?:[._]\p{L}[\p{L}\d]*)+/gu],
  ['camelCase name', /(?<![\p{L}\d])\p{Ll}+\p{Lu}[\p{L}\d]*/gu],
  [
    'operator name',
    /(?<![\p{L}\d])(?:eq|neq|gte?|lte?|notIn|notContains|doesNotContain|lessThan\w*|greaterThan\w*|notEqual|withinLast|daysUntil|startsWith|notExists)(?![\p{L}\d])/gu,
  ],
  [
    'rule syntax',
    /[{}]|(?<![\p{L}\d])(?:fact:|(?:count|sum)\()|\[\s*"|"\s*\]|=>|[!=]=|\[redacted\]/gu,
  ],
];

/** The text a reader sees in a rendering: markup, link targets and URLs removed. */
export function visibleText(rendered: string, format: 'text' | 'markdown' | 'html'): string {
  let text = rendered;
  if (format === 'html')
    text = text
      .replace(/<[^>]*>/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  if (format === 'markdown') text = text.replace(/\]\([^)]*\)/g, ']').replace(/\\(.)/g, '$1');
  return text.replace(/https?:\/\/\S+|\(\/[^)\s]*\)|: \/\S*/g, ' ');
}

/** Every machine word in `text`, with what kind it is (empty when the text is clean). */
export function machineWords(text: string, ids: readonly string[] = []): string[] {
  const found: string[] = [];
  for (const [kind, pattern] of PATTERNS)
    for (const match of text.matchAll(pattern)) found.push(`${kind}: ${match[0]}`);
  for (const id of ids) {
    const at = text.indexOf(id);
    if (
      at !== -1 &&
      !/[\p{L}\d]/u.test(text[at - 1] ?? '') &&
      !/[\p{L}\d]/u.test(text[at + id.length] ?? '')
    )
      found.push(`id: ${id}`);
  }
  return found;
}
