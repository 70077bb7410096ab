import { invalidInput } from './errors';

/**
 * A readability score: Flesch reading ease for English (0–100+, higher is easier; 60–70 is plain
 * English) or the first Wiener Sachtextformel for German (a school grade, 4–15; lower is
 * easier), with the counts it rests on.
 *
 * @example
 * const score: Readability = readability('Your card expires soon.', 'en');
 */
export interface Readability {
  readonly formula: 'flesch' | 'wstf';
  readonly score: number;
  readonly sentences: number;
  readonly words: number;
  readonly syllables: number;
}

const WORD = /\p{L}[\p{L}\p{M}'’-]*/gu;

/** English syllables, by the usual vowel-group heuristic (silent final e, -es, -ed). */
function syllablesEn(word: string): number {
  let w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (w.length === 0) return 0;
  if (w.length <= 3) return 1;
  w = w.replace(/(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$/, '').replace(/^y/, '');
  const groups = w.match(/[aeiouy]{1,2}/g);
  return Math.max(1, groups?.length ?? 0);
}

/** German syllables: vowel groups, with diphthongs and long vowels (ei, ie, au, eu, äu) as one. */
function syllablesDe(word: string): number {
  const w = word.toLowerCase().replace(/[^a-zäöüß]/g, '');
  if (w.length === 0) return 0;
  const groups = w.match(/ei|ie|ai|au|eu|äu|aa|ee|oo|[aeiouyäöü]/g);
  return Math.max(1, groups?.length ?? 0);
}

const LETTER = /\p{L}/u;
const END_EN = /[.!?]+(?=\s|$)|\n+/;
// In German a full stop after a number before a month is an ordinal ("16. Dezember"), no ending.
const END_DE =
  /(?<!\d)[.!?]+(?=\s|$)|\.(?!\s+(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b)(?=\s|$)|[!?]+(?=\s|$)|\n+/;

function sentencesOf(text: string, german: boolean): string[] {
  return text
    .split(german ? END_DE : END_EN)
    .map((s) => s.trim())
    .filter((s) => LETTER.test(s));
}

/**
 * Scores `text` for readability: Flesch reading ease for English (`en…`), the first Wiener
 * Sachtextformel for German (`de…`). Small and dependency-free: syllables are counted by
 * heuristic, a line or a full stop ends a sentence, and numbers are not words. Use it to check
 * your catalogs and labels (the built-in ones keep each demo story's standard layer at ≥ 60
 * Flesch in English and ≤ 9 WSTF in German).
 *
 * @example
 * readability('You got this email because your card expires soon.', 'en').score; // ≈ 87
 */
export function readability(text: string, locale: string): Readability {
  if (typeof text !== 'string') invalidInput('text', text, 'must be a string');
  if (typeof locale !== 'string') invalidInput('locale', locale, 'must be a locale such as "en"');
  const german = locale.toLowerCase().startsWith('de');
  const sentences = sentencesOf(text, german);
  let words = 0;
  let syllables = 0;
  let polysyllables = 0;
  let monosyllables = 0;
  let long = 0;
  for (const sentence of sentences)
    for (const match of sentence.matchAll(WORD)) {
      const word = match[0].replace(/['’-]+$/, '');
      const count = german ? syllablesDe(word) : syllablesEn(word);
      words++;
      syllables += count;
      if (count >= 3) polysyllables++;
      if (count === 1) monosyllables++;
      if (word.replace(/[^\p{L}]/gu, '').length > 6) long++;
    }
  const n = Math.max(words, 1);
  const s = Math.max(sentences.length, 1);
  const score = german
    ? 0.1935 * ((100 * polysyllables) / n) +
      0.1672 * (words / s) +
      0.1297 * ((100 * long) / n) -
      0.0327 * ((100 * monosyllables) / n) -
      0.875
    : 206.835 - 1.015 * (words / s) - 84.6 * (syllables / n);
  return {
    formula: german ? 'wstf' : 'flesch',
    score: Math.round(score * 10) / 10,
    sentences: sentences.length,
    words,
    syllables,
  };
}
