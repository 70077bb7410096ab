import { describe, expect, it } from 'vitest';
import { readability } from './readability';

describe('readability', () => {
  it('Flesch reading ease for English: plain text scores high, dense text low', () => {
    const plain = readability('The cat sat on the mat. It was warm.', 'en');
    expect(plain).toMatchObject({ formula: 'flesch', sentences: 2, words: 9, syllables: 9 });
    expect(plain.score).toBeGreaterThan(100);
    const dense = readability(
      'Notwithstanding organizational considerations, personalization infrastructure necessitates comprehensive consent verification.',
      'en-GB',
    );
    expect(dense.score).toBeLessThan(0);
  });

  it('counts English syllables the usual way', () => {
    const count = (word: string) => readability(`${word}.`, 'en').syllables;
    expect(count('card')).toBe(1);
    expect(count('expires')).toBe(2);
    expect(count('severe')).toBe(2);
    expect(count('information')).toBe(4);
    expect(count('notification')).toBe(5);
  });

  it('the Wiener Sachtextformel for German: a school grade, lower is easier', () => {
    const plain = readability('Die Karte läuft ab. Sie ist alt.', 'de');
    expect(plain).toMatchObject({ formula: 'wstf', sentences: 2, words: 7 });
    expect(plain.score).toBeLessThan(4);
    const dense = readability(
      'Die Datenschutzeinstellungen ermöglichen eine personalisierte Benachrichtigungsverwaltung.',
      'de-AT',
    );
    expect(dense.score).toBeGreaterThan(15);
  });

  it('does not end German sentences at ordinals in dates, nor count numbers as words', () => {
    const date = readability('Ihre Karte läuft am 16. Dezember 2026 ab.', 'de');
    expect(date.sentences).toBe(1);
    expect(date.words).toBe(6);
    expect(readability('Es sind 2. Dann 3.', 'de').sentences).toBe(2);
    expect(readability('', 'en')).toMatchObject({ sentences: 0, words: 0 });
  });

  it('treats each line as a sentence (lists, headings)', () => {
    expect(readability('Your choices\n- Stop using your data\n- Mute these', 'en').sentences).toBe(
      3,
    );
  });
});
