import { describe, expect, it } from 'vitest';
import { machineWords, visibleText } from '../test/machine-words';
import {
  proseOf,
  stories,
  storyClock,
  storyConsent,
  storyFacts,
  storyIds,
  storyMessages,
} from '../test/stories';
import { createExplainer } from './explainer';
import { readability } from './readability';
import { render, renderText } from './render';
import type { ExplanationLayer } from './types';

const explainer = createExplainer({
  clock: storyClock,
  facts: storyFacts,
  messages: storyMessages,
  policy: { manageUrl: '/privacy', changeUrls: { bySource: { billing: '/settings/billing' } } },
});
const layers: readonly ExplanationLayer[] = ['short', 'standard', 'detailed'];
const locales = ['en', 'de'] as const;
/** Ids that read like words to the patterns (kebab-case rule ids), checked by name. */
const ids = storyIds.filter((id) => /[-._]|[a-z][A-Z]/.test(id));
const cases = Object.keys(stories).flatMap((story) =>
  locales.flatMap((locale) => layers.map((layer) => [story, locale, layer] as const)),
);

describe('the demo stories, in every layer, locale and format', () => {
  it.each(cases)('%s, %s, %s: no machine words in what customers read', (story, locale, layer) => {
    const e = explainer.explain(stories[story]!, { consent: storyConsent, layer, locale });
    for (const format of ['text', 'markdown', 'html'] as const) {
      const text = visibleText(render(e, format), format);
      expect(machineWords(text, ids), `${format}:\n${text}`).toEqual([]);
    }
    // JSON keeps the ids: apps and operators need them.
    expect(render(e, 'json')).toContain(stories[story]!.evidence[0]!.path);
    expect(e.warnings).toEqual([]);
  });

  it('catches what the issue quoted, so the check above can fail', () => {
    for (const quoted of [
      'Our systems checked your booked trips (severe): it is not fact: account.homeCountry.',
      'it is before fact: subscription.renewsAt',
      'Decided by an automated rule (storm-rebooking, version 1)',
      'Source: weather_service',
      'expiresAt lessThan 3',
    ])
      expect(machineWords(quoted, ids)).not.toEqual([]);
  });
});

describe('readability of the standard layer', () => {
  it.each(Object.keys(stories))('%s: Flesch ≥ 60 in English, WSTF ≤ 9 in German', (story) => {
    for (const locale of locales) {
      const e = explainer.explain(stories[story]!, {
        consent: storyConsent,
        layer: 'standard',
        locale,
      });
      const score = readability(proseOf(e), locale);
      if (locale === 'en') expect(score.score, proseOf(e)).toBeGreaterThanOrEqual(60);
      else expect(score.score, proseOf(e)).toBeLessThanOrEqual(9);
    }
  });
});

describe('layers differ the way the issue defines them', () => {
  it.each(cases.filter(([, , layer]) => layer === 'short'))(
    '%s, %s: short is one sentence, read in five seconds',
    (story, locale) => {
      const e = explainer.explain(stories[story]!, {
        consent: storyConsent,
        layer: 'short',
        locale,
      });
      const score = readability(e.summary, locale);
      expect(score.sentences).toBe(1);
      expect(score.words).toBeLessThanOrEqual(25);
      const text = renderText(e);
      for (const heading of Object.values(e.headings)) expect(text).not.toContain(heading);
      for (const d of e.dataUsed) expect(text).not.toContain(d.text);
      expect(text).not.toContain(e.purpose.text);
    },
  );

  it.each(Object.keys(stories).flatMap((s) => locales.map((l) => [s, l] as const)))(
    '%s, %s: standard adds the data in plain words and the choices; detailed adds every condition, provenance, timeline, rule and notice',
    (story, locale) => {
      const at = (layer: ExplanationLayer) =>
        explainer.explain(stories[story]!, { consent: storyConsent, layer, locale });
      const [short, standard, detailed] = [at('short'), at('standard'), at('detailed')];
      const shortText = renderText(short);
      const standardText = renderText(standard);
      const detailedText = renderText(detailed);
      // Standard: the short sentence (with the topic), data in plain words, purpose, choices.
      const opening = short.summary
        .replace(/[.]$/, '')
        .split(/ (?:because|partly because|denn) |: /)[1]!;
      expect(standard.summary).toContain(opening);
      for (const d of standard.dataUsed) expect(standardText).toContain(d.text);
      expect(standardText).toContain(standard.purpose.text);
      expect(standardText).toContain(standard.counterfactual);
      for (const c of standard.controls) expect(standardText).toContain(c.label);
      expect(standardText).not.toContain(standard.headings.reasons);
      expect(standard.decision.text).toBeNull();
      expect(standardText.length).toBeGreaterThan(shortText.length * 3);
      // Detailed: every line of standard, and every condition, source, date, rule and notice.
      for (const line of standardText.split('\n'))
        if (!standard.dataUsed.some((d) => line.slice(2).startsWith(d.text)))
          expect(detailedText).toContain(line);
      expect(detailedText).toContain(detailed.headings.reasons);
      for (const r of detailed.reasons) expect(detailedText).toContain(r.clauses[0]!.text);
      for (const d of detailed.dataUsed) {
        expect(d.text).toContain(
          standard.dataUsed.find((s) => s.factId === d.factId)!.text.replace(/\.$/, ''),
        );
        expect(d.text).toMatch(
          locale === 'en' ? /Recorded on December 4, 2026/ : /Erfasst am 4\. Dezember 2026/,
        );
      }
      const ruleName =
        storyMessages[locale].labels.rules[story as keyof typeof storyMessages.en.labels.rules];
      expect(detailed.decision.text).toContain(ruleName);
      expect(detailed.decision.text).toContain(locale === 'en' ? 'version 1' : 'Version 1');
      expect(detailed.decision.text).toContain(
        locale === 'en'
          ? 'version 3 of our privacy notice'
          : 'Version 3 unserer Datenschutzhinweise',
      );
    },
  );
});

describe('what the issue asked for, story by story', () => {
  const say = (story: string, locale: 'en' | 'de', layer: ExplanationLayer = 'detailed') =>
    explainer.explain(stories[story]!, { consent: storyConsent, layer, locale });

  it('a comparison of two facts names both, with their values', () => {
    expect(say('card-expiry-renewal', 'en', 'short').summary).toBe(
      'You got this email because your card’s expiry date is December 16, 2026, before your plan’s renewal date (December 29, 2026).',
    );
    expect(say('card-expiry-renewal', 'de', 'short').summary).toBe(
      'Sie erhalten diese E-Mail, denn das Ablaufdatum Ihrer Karte ist der 16. Dezember 2026, also früher als die Verlängerung Ihres Abos (29. Dezember 2026).',
    );
    expect(say('suspicious-charge', 'en').reasons[1]?.clauses[0]).toEqual({
      text: 'The country of the payment is Ukraine, not your home country (Portugal).',
      evidence: ['f2', 'f3'],
    });
    expect(say('suspicious-charge', 'de').reasons[1]?.clauses[0]?.text).toBe(
      'Das Land der Zahlung ist die Ukraine und nicht Ihr Heimatland (Portugal).',
    );
  });

  it('a long set names the value seen among the ones it shows, and says how many more', () => {
    const storm = stories['storm-rebooking']!;
    const [first, ...rest] = storm.reasons;
    const levels = [...Array.from({ length: 10 }, (_, i) => `level ${i + 1}`), 'high', 'severe'];
    const record = {
      ...storm,
      reasons: [{ ...first!, params: { ...first!.params, expected: levels } }, ...rest],
    };
    const explain = (locale: 'en' | 'de') =>
      explainer.explain(record, { consent: storyConsent, locale }).reasons[0]?.clauses[0]?.text;
    expect(explain('en')).toBe(
      'The storm risk at your connecting airport is severe (our systems look for level 1, level 2, level 3, level 4, level 5, level 6, level 7, level 8, severe, or 3 other values).',
    );
    expect(explain('de')).toContain('level 8, sehr hoch oder 3 weitere Werte).');
  });

  it('facts speak for themselves: money, durations, enumerations, places', () => {
    const fraud = say('suspicious-charge', 'de');
    expect(fraud.reasons[0]?.clauses[0]?.text).toBe(
      'Die Höhe der Zahlung ist 950\u00a0€, also mehr als 500\u00a0€.',
    );
    const storm = say('storm-rebooking', 'en');
    expect(storm.reasons.map((r) => r.clauses[0]?.text)).toEqual([
      'The storm risk at your connecting airport is severe (our systems look for high or severe).',
      'Your time to change planes is 55 minutes, less than 2 hours.',
    ]);
    expect(storm.counterfactual).toBe(
      'You would not have got this notification if the storm risk at your connecting airport had not been high or severe.',
    );
  });

  it('the storm forecast is context from a partner, not “your booked trips”', () => {
    for (const layer of layers) {
      const storm = say('storm-rebooking', 'en', layer);
      expect(storm.summary).not.toContain('booked trips');
      for (const d of storm.dataUsed) expect(d.text).not.toContain('booked trips');
    }
    expect(say('storm-rebooking', 'en', 'standard').dataUsed[0]?.text).toBe(
      'The storm risk at your connecting airport: severe (estimated; source: a weather service, a partner).',
    );
    // A forecast is not the customer's to correct.
    expect(
      say('storm-rebooking', 'en').controls.filter((c) => c.kind === 'correct_data'),
    ).toMatchObject([{ factId: 'f2', label: 'Correct your time to change planes' }]);
  });

  it('German labels stand in the right case and number', () => {
    const fraud = say('suspicious-charge', 'de');
    const labels = fraud.controls.map((c) => c.label);
    expect(labels).toContain(
      'Widerspruch einlegen: Ihre ungefähren Standortdaten nicht mehr für Ihren Schutz vor Betrug verwenden',
    );
    expect(labels).toContain('Ihr Heimatland korrigieren');
    expect(labels).toContain(
      'Der Verwendung Ihrer Daten für Ihren Schutz vor Betrug widersprechen',
    );
    expect(fraud.purpose.text).toBe(
      'Wir nutzen Ihre Daten für Ihren Schutz vor Betrug. Grundlage ist unser berechtigtes Interesse.',
    );
  });
});
