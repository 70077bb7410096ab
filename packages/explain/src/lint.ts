import type { MessageCatalog } from './catalog';
import { invalidInput, isPlainRecord } from './errors';
import { renderings } from './lint-renderings';

/**
 * One lint rule over catalog text: a `pattern` that must not occur in messages or labels of the
 * listed `locales` (language prefixes such as `en`, or `*` for all).
 *
 * @example
 * const rule: CatalogLintRule = { id: 'no-amazing', kind: 'unverifiable', locales: ['en'], pattern: /\bamazing\b/i, hint: 'say what happened instead' };
 */
export interface CatalogLintRule {
  readonly id: string;
  /** What the rule guards against: `faux_familiarity`, `unverifiable`, or your own kind. */
  readonly kind: string;
  readonly locales: readonly string[];
  readonly pattern: RegExp;
  /** How to phrase it instead. */
  readonly hint: string;
}

/**
 * A lint violation: which rule, where (`messages.summary` or `labels.topics.x`), and the text.
 *
 * @example
 * for (const f of lintCatalog(catalog)) console.warn(`${f.path}: ${f.hint}`);
 */
export interface LintFinding {
  readonly rule: string;
  readonly kind: string;
  readonly locale: string;
  readonly path: string;
  readonly match: string;
  readonly hint: string;
}

/**
 * Options for the catalog lint: replace the rules, add some, or switch some off by id.
 *
 * @example
 * createExplainer({ lint: { disable: ['en/superlative'], extraRules: [myRule] } });
 */
export interface CatalogLintOptions {
  /** Replaces {@link defaultLintRules}. */
  readonly rules?: readonly CatalogLintRule[];
  /** Added to the rules in force. */
  readonly extraRules?: readonly CatalogLintRule[];
  /** Rule ids to skip. */
  readonly disable?: readonly string[];
}

const familiar = 'faux_familiarity';
const unverifiable = 'unverifiable';
const plainHint = 'say plainly that our systems used data, and which';

/**
 * The built-in lint rules for English and German: no faked familiarity ("we know you love",
 * "just for you", "we noticed", "we remember you" without citing what the customer told us,
 * "as your friend", a first-person "I", "our team"), and no unverifiable claims
 * ("guaranteed", "perfect", "best", "always").
 *
 * @example
 * defaultLintRules.map((r) => r.id);
 */
export const defaultLintRules: readonly CatalogLintRule[] = /* @__PURE__ */ Object.freeze([
  { id: 'en/we-know', kind: familiar, locales: ['en'], pattern: /\bwe know\b/i, hint: plainHint },
  {
    id: 'en/you-love',
    kind: familiar,
    locales: ['en'],
    pattern: /\byou(?:['’]d| would| really)? (?:love|adore|enjoy)\b/i,
    hint: 'do not claim to know what the customer feels',
  },
  {
    id: 'en/just-for-you',
    kind: familiar,
    locales: ['en'],
    pattern: /\b(?:just|especially|only) for you\b|\bhand-?picked\b|\bpersonally\b/i,
    hint: 'do not imply a person chose this',
  },
  {
    id: 'en/we-noticed',
    kind: familiar,
    locales: ['en'],
    pattern: /\bwe(?:['’]ve| have)? (?:noticed|saw|remembered|thought|figured|realized)\b/i,
    hint: plainHint,
  },
  {
    id: 'en/we-remember',
    kind: familiar,
    locales: ['en'],
    pattern:
      /\bwe(?:['’]ll| will| always| still)? remember\b(?![^.!?]*\btold us\b)|\bwe(?:['’]ll| will)? never forget\b/i,
    hint: 'cite the source and the date instead: “You told us on 3 May …”',
  },
  {
    id: 'en/friend',
    kind: familiar,
    locales: ['en'],
    pattern:
      /\b(?:as|like) (?:your|a|an old) (?:friend|buddy|pal)\b|\bold friends?\b|\bwe(?:['’]ve| have)? missed you\b|\bwelcome back,? (?:friend|buddy)\b/i,
    hint: 'do not feign a personal relationship',
  },
  {
    id: 'en/human',
    kind: familiar,
    locales: ['en'],
    pattern: /\bI(?:['’]m|['’]ve)?\b(?![-.])|\b[Oo]ur team\b|\b[Ss]omeone\b/,
    hint: 'automated decisions must not imply a person',
  },
  {
    id: 'en/superlative',
    kind: unverifiable,
    locales: ['en'],
    pattern:
      /\b(?:guarantee[ds]?|perfect(?:ly)?|best|always|definitely|certainly|100 ?%|everyone|proven)\b/i,
    hint: 'state only what can be checked',
  },
  {
    id: 'de/wir-wissen',
    kind: familiar,
    locales: ['de'],
    pattern: /\bwir wissen\b/i,
    hint: plainHint,
  },
  {
    id: 'de/sie-lieben',
    kind: familiar,
    locales: ['de'],
    pattern: /\b(?:Sie lieben|du liebst|Ihnen gefällt|dir gefällt)\b/i,
    hint: 'do not claim to know what the customer feels',
  },
  {
    id: 'de/nur-fuer-sie',
    kind: familiar,
    locales: ['de'],
    pattern: /\b(?:nur|extra|speziell) für (?:Sie|dich)\b|\bhandverlesen|\bpersönlich für\b/i,
    hint: 'do not imply a person chose this',
  },
  {
    id: 'de/bemerkt',
    kind: familiar,
    locales: ['de'],
    pattern: /\bwir haben (?:bemerkt|gesehen|gedacht|uns gemerkt)\b/i,
    hint: plainHint,
  },
  {
    id: 'de/erinnern',
    kind: familiar,
    locales: ['de'],
    pattern:
      /\bwir erinnern uns\b(?![^.!?]*\bgesagt\b)|\bwir (?:vergessen|vergaßen) (?:nie|niemals)\b/i,
    hint: 'Quelle und Datum nennen: „Sie haben uns am 3. Mai gesagt …“',
  },
  {
    id: 'de/freund',
    kind: familiar,
    locales: ['de'],
    pattern:
      /\b(?:als|wie) (?:Ihr|dein|ein alter|eine alte) (?:Freund|Freundin|Kumpel)\b|\balte Freunde\b|\bwir haben (?:Sie|dich) vermisst\b/i,
    hint: 'do not feign a personal relationship',
  },
  {
    id: 'de/mensch',
    kind: familiar,
    locales: ['de'],
    pattern: /\b(?:ich|unser Team|jemand)\b/i,
    hint: 'automated decisions must not imply a person',
  },
  {
    id: 'de/superlativ',
    kind: unverifiable,
    locales: ['de'],
    pattern:
      /\b(?:garantiert|perfekt|beste[nrs]?|immer|definitiv|sicherlich|100 ?%|jede[rs]? weiß)\b/i,
    hint: 'state only what can be checked',
  },
]);

function checkRules(rules: unknown, path: string): void {
  if (rules === undefined) return;
  if (!Array.isArray(rules)) invalidInput(path, rules, 'must be an array of lint rules');
  rules.forEach((rule: Partial<CatalogLintRule> | null, i) => {
    const ok =
      isPlainRecord(rule) &&
      typeof rule.id === 'string' &&
      typeof rule.kind === 'string' &&
      typeof rule.hint === 'string' &&
      rule.pattern instanceof RegExp &&
      Array.isArray(rule.locales) &&
      rule.locales.every((l) => typeof l === 'string');
    if (!ok)
      invalidInput(`${path}[${i}]`, rule, 'must be { id, kind, locales, pattern: RegExp, hint }');
  });
}

/**
 * Validates lint options; throws `explain/invalid_input` naming the field under `path`.
 *
 * @example
 * checkLintOptions(options.lint, 'lint');
 */
export function checkLintOptions(options: unknown, path: string): void {
  if (!isPlainRecord(options)) invalidInput(path, options, 'must be an object');
  checkRules(options.rules, `${path}.rules`);
  checkRules(options.extraRules, `${path}.extraRules`);
  const disable = options.disable;
  if (
    disable !== undefined &&
    (!Array.isArray(disable) || disable.some((d) => typeof d !== 'string'))
  )
    invalidInput(`${path}.disable`, disable, 'must be an array of rule ids');
}

function checkCatalog(catalog: unknown): void {
  if (!isPlainRecord(catalog)) invalidInput('catalog', catalog, 'must be { locale, messages }');
  if (typeof catalog.locale !== 'string')
    invalidInput('catalog.locale', catalog.locale, 'must be a locale string');
  if (!isPlainRecord(catalog.messages))
    invalidInput('catalog.messages', catalog.messages, 'must be an object of messages');
  const labels = catalog.labels;
  if (labels === undefined || labels === null) return;
  if (!isPlainRecord(labels)) invalidInput('catalog.labels', labels, 'must be an object');
  for (const [kind, map] of Object.entries(labels))
    if (map !== undefined && map !== null && !isPlainRecord(map))
      invalidInput(`catalog.labels.${kind}`, map, 'must be an object of labels');
}

function appliesTo(rule: CatalogLintRule, locale: string): boolean {
  // `de_DE` is `de-DE`.
  const language = locale.toLowerCase().replaceAll('_', '-');
  return rule.locales.some(
    (l) => l === '*' || language === l.toLowerCase() || language.startsWith(`${l.toLowerCase()}-`),
  );
}

/**
 * The rules in force for `options`.
 *
 * @example
 * lintRules({ disable: ['en/superlative'] }).some((r) => r.id === 'en/superlative'); // false
 */
export function lintRules(options: CatalogLintOptions = {}): CatalogLintRule[] {
  const disabled = new Set(options.disable ?? []);
  return [...(options.rules ?? defaultLintRules), ...(options.extraRules ?? [])].filter(
    (rule) => !disabled.has(rule.id),
  );
}

/**
 * Lints a catalog's messages and labels, returning every finding (empty when clean). The
 * explainer runs it when catalogs load and refuses catalogs with findings. Throws
 * `explain/invalid_input` for a malformed catalog or options.
 *
 * @example
 * lintCatalog({ locale: 'en', version: '1', messages: { short: 'We know you love {dataList}' } });
 * // [{ rule: 'en/we-know', path: 'messages.short', … }, { rule: 'en/you-love', … }]
 */
export function lintCatalog(
  catalog: Pick<MessageCatalog, 'locale' | 'messages' | 'labels'>,
  options: CatalogLintOptions = {},
): LintFinding[] {
  checkCatalog(catalog);
  checkLintOptions(options, 'options');
  const findings: LintFinding[] = [];
  const check = checker(catalog.locale, options, findings, true);
  for (const [id, text] of Object.entries(catalog.messages))
    if (typeof text === 'string') check(`messages.${id}`, text);
  for (const [kind, labels] of Object.entries(catalog.labels ?? {}))
    for (const [id, text] of Object.entries(labels ?? {}))
      if (typeof text === 'string') check(`labels.${kind}.${id}`, text);
  return findings;
}

/**
 * A function that lints one text at a path into `findings`, with the rules for `locale` (`icu`:
 * also each way its choices render, see {@link renderings}; a rule found once per text).
 */
function checker(
  locale: string,
  options: CatalogLintOptions,
  findings: LintFinding[],
  icu = false,
): (path: string, text: string) => void {
  const rules = lintRules(options).filter((rule) => appliesTo(rule, locale));
  return (path, raw) => {
    // No-break and other spaces read as spaces: "We\u00a0know" is "We know".
    const texts = (icu ? [raw, ...renderings(raw)] : [raw]).map((text) =>
      text.replace(/[\p{Zs}\t]/gu, ' '),
    );
    for (const rule of rules) {
      const pattern = new RegExp(rule.pattern.source, rule.pattern.flags.replace('g', ''));
      for (const text of texts) {
        const match = pattern.exec(text);
        if (match === null) continue;
        findings.push({
          rule: rule.id,
          kind: rule.kind,
          locale,
          path,
          match: match[0],
          hint: rule.hint,
        });
        break;
      }
    }
  };
}

/**
 * Lints what a rule sends — a message's title, body or any of its texts, as rendered for a
 * customer — with the same honesty rules as catalogs (no feigned familiarity, no pressure, no
 * superlatives). Returns every finding (empty when clean). Run it in CI over every rule's copy,
 * rendered with sample facts. Throws `explain/invalid_input` for a malformed message or options.
 *
 * @example
 * lintMessage({ locale: 'en', texts: { title: 'We missed you!', body: 'Your card expires soon.' } });
 * // [{ rule: 'en/friend', path: 'texts.title', match: 'We missed you', … }]
 */
export function lintMessage(
  message: { readonly locale: string; readonly texts: Readonly<Record<string, string>> },
  options: CatalogLintOptions = {},
): LintFinding[] {
  if (!isPlainRecord(message)) invalidInput('message', message, 'must be { locale, texts }');
  if (typeof message.locale !== 'string' || message.locale.length === 0)
    invalidInput('message.locale', message.locale, 'must be a locale string');
  if (!isPlainRecord(message.texts))
    invalidInput('message.texts', message.texts, 'must be an object of texts');
  checkLintOptions(options, 'options');
  const findings: LintFinding[] = [];
  const check = checker(message.locale as string, options, findings);
  for (const [id, text] of Object.entries(message.texts as Record<string, unknown>)) {
    if (typeof text !== 'string') invalidInput(`message.texts.${id}`, text, 'must be a string');
    check(`texts.${id}`, text as string);
  }
  return findings;
}
