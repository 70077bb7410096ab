import { isCandorError } from '@candor/core';
import { describe, expect, it } from 'vitest';
import { lintMessage } from './lint';

describe('lintMessage: what a rule sends, under the catalogs’ honesty rules', () => {
  it('finds feigned familiarity and unverifiable claims, naming the text', () => {
    const findings = lintMessage({
      locale: 'en',
      texts: { title: 'We missed you!', body: 'The best deal, hand-picked for you.' },
    });
    expect(findings.map((f) => [f.rule, f.path])).toEqual([
      ['en/friend', 'texts.title'],
      ['en/just-for-you', 'texts.body'],
      ['en/superlative', 'texts.body'],
    ]);
    expect(
      lintMessage({ locale: 'de-DE', texts: { body: 'Wir wissen, was Sie mögen.' } })[0]?.rule,
    ).toBe('de/wir-wissen');
    // No-break spaces read as spaces, and `de_DE` is German.
    expect(
      lintMessage({ locale: 'en', texts: { body: 'We\u00a0know you\u202flove this' } }).map(
        (f) => f.rule,
      ),
    ).toEqual(['en/we-know', 'en/you-love']);
    expect(
      lintMessage({ locale: 'de_DE', texts: { body: 'Wir wissen, was Sie mögen.' } })[0]?.rule,
    ).toBe('de/wir-wissen');
  });

  it('passes plain, checkable copy, and honours the rule options', () => {
    expect(
      lintMessage({
        locale: 'en',
        texts: { title: 'Your card expires before your renewal', body: 'Update it in one tap.' },
      }),
    ).toEqual([]);
    expect(
      lintMessage(
        { locale: 'en', texts: { body: 'Our best fares' } },
        { disable: ['en/superlative'] },
      ),
    ).toEqual([]);
  });

  it('refuses a malformed message with a typed error naming the field', () => {
    for (const [input, path] of [
      [null, 'message'],
      [{ locale: '', texts: {} }, 'message.locale'],
      [{ locale: 'en', texts: 'Hi' }, 'message.texts'],
      [{ locale: 'en', texts: { body: 42 } }, 'message.texts.body'],
    ] as const) {
      try {
        lintMessage(input as never);
        expect.unreachable();
      } catch (error) {
        expect(isCandorError(error, 'explain/invalid_input')).toBe(true);
        expect((error as { details: { path: string } }).details.path).toBe(path);
      }
    }
  });
});
