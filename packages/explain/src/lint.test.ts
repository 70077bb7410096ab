import { describe, expect, it } from 'vitest';
import { de } from './catalogs/de';
import { en } from './catalogs/en';
import { lintCatalog } from './lint';

const lint = (locale: string, text: string) =>
  lintCatalog({ locale, messages: { summary: text } }).map((f) => f.rule);

describe('lintCatalog', () => {
  it('passes the built-in catalogs', () => {
    expect(lintCatalog(en)).toEqual([]);
    expect(lintCatalog(de)).toEqual([]);
  });

  it.each([
    ['en', 'We know you love hiking gear', ['en/we-know', 'en/you-love']],
    ['en', 'Hand-picked just for you', ['en/just-for-you']],
    ['en', 'We noticed you were browsing', ['en/we-noticed']],
    ['en', "I thought you'd like this", ['en/human']],
    ['en', 'Our team chose this', ['en/human']],
    ['en', 'The best deals, guaranteed', ['en/superlative']],
    ['en-GB', 'You would love this', ['en/you-love']],
    ['de', 'Wir wissen, was Ihnen gefällt', ['de/wir-wissen', 'de/sie-lieben']],
    ['de', 'Nur für Sie ausgewählt', ['de/nur-fuer-sie']],
    ['de', 'Ich dachte, das passt', ['de/mensch']],
    ['de', 'Garantiert die besten Preise', ['de/superlativ']],
    ['en', 'We remember you love the mountains', ['en/you-love', 'en/we-remember']],
    ['en', 'We will never forget your last trip', ['en/we-remember']],
    ['en', 'As your friend, here is a tip', ['en/friend']],
    ['en', 'Welcome back, friend! We missed you', ['en/friend']],
    ['de', 'Wir erinnern uns an Ihre letzte Reise', ['de/erinnern']],
    ['de', 'Als Ihr Freund empfehlen wir das', ['de/freund']],
  ])('%s: rejects "%s"', (locale, text, rules) => {
    expect(lint(locale, text)).toEqual(rules);
  });

  it.each([
    ['en', 'Our systems used your purchase history.'],
    ['en', 'Our automated systems checked your card details.'],
    ['de', 'Unsere Systeme haben Ihre Kaufhistorie verwendet.'],
    ['de', 'Sie hätten diese Nachricht nicht erhalten.'],
    // Citing what the customer told us, and when, is not feigned familiarity.
    ['en', 'You told us on 3 May this was for a trek.'],
    ['en', 'We remember it because you told us on 3 May.'],
    ['de', 'Sie haben uns am 3. Mai gesagt, dass dies für eine Wanderung war.'],
  ])('%s: accepts plain "%s"', (locale, text) => {
    expect(lint(locale, text)).toEqual([]);
  });

  it('applies rules only to their locales', () => {
    expect(lint('fr', 'We know you love it')).toEqual([]);
  });
});

describe('lintCatalog reads a message as each of its choices renders it', () => {
  it.each([
    ['en', 'We {n, plural, one {know} other {know}} what you need', 'en/we-know', 'We know'],
    [
      'en',
      '{kind, select, trip {Picked just} other {Chosen just}} for you',
      'en/just-for-you',
      'just for you',
    ],
    [
      'en',
      '{a, select, x {Hello} other {We}} {b, select, y {see} other {know}} it',
      'en/we-know',
      'We know',
    ],
    [
      'de',
      'Wir {n, plural, one {wissen} other {wissen}}, was passt',
      'de/wir-wissen',
      'Wir wissen',
    ],
  ])('%s: rejects "%s"', (locale, text, rule, match) => {
    expect(lintCatalog({ locale, messages: { summary: text } })).toEqual([
      expect.objectContaining({ rule, path: 'messages.summary', match }),
    ]);
  });

  it('finds a phrase split across a choice among many combined choices', () => {
    // Five choices of four options each: 1,024 renderings, each choice read in turn.
    const choice = (name: string) => `{${name}, select, a {x} b {y} c {z} other {w}}`;
    const text = `${['a', 'b', 'c', 'd'].map(choice).join(' ')} We {e, select, a {see} other {know}}`;
    expect(lint('en', text)).toEqual(['en/we-know']);
  });

  it('passes choices that read plainly, and text that is not ICU', () => {
    expect(lint('en', 'Our systems used {count, plural, one {# fact} other {# facts}}.')).toEqual(
      [],
    );
    expect(lint('en', 'A { stray brace')).toEqual([]);
  });
});
