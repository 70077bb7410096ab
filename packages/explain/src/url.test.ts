import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cardExpiryProposal, clock, fakeGate } from '../test/fixtures';
import { createExplainer } from './explainer';
import { isSafeUrl } from './policy';
import { render } from './render';
import type { Explanation } from './types';

const BASE = 'https://app.example/base/';

const accepted: readonly string[] = [
  'https://example.com/settings',
  'http://example.com',
  'HTTPS://Example.com/Privacy?tab=cards&x=1#top',
  'https://example.com:8443/privacy',
  'https://example.com/login?next=%2Fprivacy',
  'https://exämple.com/einstellungen',
  '/privacy',
  '/',
  '/settings/billing?tab=cards',
  '/einstellungen/straße',
  '/a/../b',
];

const rejected: ReadonlyArray<readonly [string, string]> = [
  ['javascript:alert(1)', 'script scheme'],
  ['JaVaScRiPt:alert(1)', 'script scheme, mixed case'],
  [' javascript:alert(1)', 'leading space (the parser strips it)'],
  ['\u0001javascript:alert(1)', 'leading C0 control (the parser strips it)'],
  ['java\tscript:alert(1)', 'tab inside the scheme (the parser removes it)'],
  ['java\nscript:alert(1)', 'newline inside the scheme'],
  ['&#106;avascript:alert(1)', 'numeric character reference'],
  ['javascript&colon;alert(1)', 'named character reference'],
  ['data:text/html,<b>x</b>', 'data scheme'],
  ['vbscript:msgbox(1)', 'vbscript scheme'],
  ['ftp://example.com/file', 'another scheme'],
  ['//evil.example', 'protocol-relative'],
  ['/\\evil.example', 'slash then backslash: another origin in browsers'],
  ['\\\\evil.example', 'two backslashes'],
  ['\\/evil.example', 'backslash then slash'],
  ['/\t/evil.example', 'tab between slashes (removed: //evil.example)'],
  ['/\n/evil.example', 'newline between slashes'],
  ['/%5Cevil.example', 'percent-encoded backslash in the path'],
  ['/%2F/evil.example', 'percent-encoded slash in the path'],
  ['/&#47;evil.example', 'entity slash (Markdown decodes it: //evil.example)'],
  ['https:evil.example', 'http(s) scheme without slashes'],
  ['https:/evil.example', 'http(s) scheme with one slash'],
  ['https:///evil.example', 'three slashes (the parser skips the extra one)'],
  ['https://', 'no host'],
  ['https://app.example@evil.example/', 'user info hiding the real host'],
  ['https://example.com\\@evil.example', 'backslash in the authority'],
  ['https://example.com /x', 'space'],
  ['https://example.com/x ', 'trailing space (the parser strips it)'],
  ['https://example.com/\u0000', 'NUL'],
  ['https://example.com/\u200Bx', 'zero-width space'],
  ['https://example.com/\u202Eevil', 'bidi override'],
  ['/privacy\u2028', 'line separator'],
  ['/privacy\u00A0', 'no-break space'],
  ['https://example.com/"onmouseover="x', 'quote'],
  ['privacy', 'relative path without a leading slash'],
  ['?tab=1', 'query only'],
  ['#top', 'fragment only'],
  ['', 'empty'],
  [`https://example.com/${'a'.repeat(2_000)}`, 'longer than 2,000 characters'],
];

describe('isSafeUrl follows how browsers parse URLs', () => {
  it.each(accepted)('accepts %j', (url) => {
    expect(isSafeUrl(url)).toBe(true);
  });

  it.each(rejected)('rejects %j (%s)', (url) => {
    expect(isSafeUrl(url)).toBe(false);
  });

  it('property: whatever it accepts resolves to http(s), and a path stays on the same origin', () => {
    const piece = fc.constantFrom(
      ...['/', '\\', ':', '.', '@', '%', '2F', '5c', '#', '?', '&', ';', '&#', 'a', 'evil', 'x'],
      ...['https:', 'http:', 'javascript:', 'HTTP://', '\t', '\n', '\r', ' ', '\u0000', '\f'],
      ...['\u00A0', '\u200B', '\u3000', '\uFEFF', 'é', '\uD800', '%09', '%00', '\u001F', '\u007F'],
    );
    const prefix = fc.constantFrom('', '/', '//', '/\\', 'https://', 'http://', 'https:', '\\');
    const candidate = fc.oneof(
      fc.tuple(prefix, fc.array(piece, { maxLength: 12 })).map(([p, rest]) => p + rest.join('')),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.webPath().map((p) => `/${p}`),
      fc.string({ unit: 'binary', maxLength: 30 }),
    );
    let acceptedCount = 0;
    fc.assert(
      fc.property(candidate, (s) => {
        if (!isSafeUrl(s)) return;
        acceptedCount++;
        const url = new URL(s, BASE);
        expect(['http:', 'https:']).toContain(url.protocol);
        if (s.startsWith('/')) expect(url.origin).toBe('https://app.example');
        else expect(new URL(s).protocol).toMatch(/^https?:$/);
      }),
      { numRuns: 3_000 },
    );
    // The property is not vacuous: plenty of candidates were accepted.
    expect(acceptedCount).toBeGreaterThan(300);
  });

  it('a link from a hand-made explanation with such a URL is never rendered', () => {
    const explainer = createExplainer({ clock });
    const explanation = explainer.explain(cardExpiryProposal(), { consent: fakeGate() });
    for (const [url] of rejected) {
      const forged: Explanation = {
        ...explanation,
        controls: explanation.controls.map((c) => (c.kind === 'manage_all' ? { ...c, url } : c)),
      };
      const manage = forged.controls.find((c) => c.kind === 'manage_all')!;
      expect(render(forged, 'text').split('\n')).toContain(`- ${manage.label}`);
      expect(render(forged, 'markdown')).not.toContain('](');
      expect(render(forged, 'html')).toContain(
        `<button type="button" data-candor-control="manage_all" data-kind="manage_all">`,
      );
    }
  });

  it('the policy refuses such URLs up front, naming the field', () => {
    for (const [url] of rejected)
      expect(() => createExplainer({ policy: { manageUrl: url } })).toThrowError(
        expect.objectContaining({
          code: 'explain/invalid_input',
          details: expect.objectContaining({ path: 'policy.manageUrl' }),
        }),
      );
  });
});
