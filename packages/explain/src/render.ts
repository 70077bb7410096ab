import type { AccessHistoryPage } from './access-history';
import type { BriefPage } from './brief';
import { explainError, invalidInput, isPlainRecord } from './errors';
import { isSafeUrl } from './policy';
import type { TransparencyPage } from './transparency';
import type { Explanation, ExplanationControl } from './types';

/**
 * The formats explanations render to: `text`, `markdown`, `html` (every value escaped) and
 * `json` (safe to embed in a `<script>` tag).
 *
 * @example
 * const format: RenderFormat = 'html';
 */
export type RenderFormat = 'text' | 'markdown' | 'html' | 'json';

const LINE_BREAK = /[\r\n\u2028\u2029]/;
/** Flattens line breaks; a quick test first, since most text has none. */
function oneLine(text: string): string {
  return LINE_BREAK.test(text) ? text.replace(/[\r\n\u2028\u2029]+/g, ' ') : text;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function html(text: string): string {
  return oneLine(text).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

function markdown(text: string): string {
  return (
    oneLine(text)
      .replace(/[\\`*_[\]<>|~!&]/g, (ch) => `\\${ch}`)
      .replace(/^(\s*)([#+\-=])/, '$1\\$2')
      .replace(/^(\s*\d+)([.)])/, '$1\\$2')
      // What GFM would turn into a link on its own (`https://…`, `www.…`, an email address),
      // written with an entity that shows the same character but links nothing.
      .replace(/:\/\//g, '&#58;//')
      .replace(/\bwww\./gi, (www) => `${www.slice(0, 3)}&#46;`)
      .replace(/@/g, '&#64;')
  );
}

/**
 * Escapes text for HTML element content and quoted attribute values; throws
 * `explain/invalid_input` when `text` is not a string.
 *
 * @example
 * escapeHtml('<script>'); // '&lt;script&gt;'
 */
export function escapeHtml(text: string): string {
  if (typeof text !== 'string') invalidInput('text', text, 'must be a string');
  return html(text);
}

/**
 * Escapes text so Markdown shows it literally: inline markup, HTML, and block markers at the start.
 * Throws `explain/invalid_input` when `text` is not a string.
 *
 * @example
 * escapeMarkdown('*not bold* [x](javascript:y)'); // '\\*not bold\\* \\[x\\](javascript:y)'
 * escapeMarkdown('https://x.example'); // 'https&#58;//x.example' (shown the same, not a link)
 */
export function escapeMarkdown(text: string): string {
  if (typeof text !== 'string') invalidInput('text', text, 'must be a string');
  return markdown(text);
}

const FORMATS: readonly unknown[] = ['text', 'markdown', 'html', 'json'];

function checkFormat(format: unknown): void {
  if (!FORMATS.includes(format))
    invalidInput('format', format, "must be 'text', 'markdown', 'html' or 'json'");
}

/** Rejects anything that is not shaped like an {@link Explanation} at the top level. */
function checkExplanation(value: unknown): void {
  const e = value as Partial<Explanation> | null;
  const ok =
    isPlainRecord(e) &&
    typeof e.layer === 'string' &&
    typeof e.summary === 'string' &&
    Array.isArray(e.controls) &&
    (e.layer === 'short' ||
      (isPlainRecord(e.headings) &&
        Array.isArray(e.reasons) &&
        Array.isArray(e.dataUsed) &&
        isPlainRecord(e.purpose) &&
        isPlainRecord(e.decision) &&
        Array.isArray(e.withheldText)));
  if (!ok) invalidInput('explanation', value, 'must be an Explanation from explainer.explain()');
}

/** Rejects anything that is not shaped like a {@link TransparencyPage} at the top level. */
function checkPage(value: unknown): void {
  const p = value as Partial<TransparencyPage> | null;
  const ok =
    isPlainRecord(p) &&
    typeof p.locale === 'string' &&
    typeof p.title === 'string' &&
    typeof p.intro === 'string' &&
    typeof p.controlsText === 'string' &&
    Array.isArray(p.parameters);
  if (!ok)
    invalidInput('page', value, 'must be a TransparencyPage from explainer.transparencyPage()');
}

/** A malformed nested value (a reason that is not an object, a cycle): an invalid input too. */
function malformed(error: unknown, path: string, value: unknown): never {
  if (error instanceof TypeError)
    throw explainError(
      'explain/invalid_input',
      `${path}: malformed (${error.message})`,
      { path, value },
      error,
    );
  throw error;
}

function markdownUrl(url: string): string {
  return url.replace(
    /[()\s<>]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** Serializes to JSON that can sit inside an HTML `<script>` element. */
function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function controlUrl(control: ExplanationControl): string | null {
  if (
    (control.kind === 'correct_data' ||
      control.kind === 'choose_channel' ||
      control.kind === 'manage_all') &&
    isSafeUrl(control.url)
  )
    return control.url;
  return null;
}

/** The sentence shown with the controls, if any (absent in explanations made before it existed). */
function controlsNote(e: Explanation): string | null {
  return typeof e.controlsNote === 'string' && e.controlsNote !== '' ? e.controlsNote : null;
}

function noteSection(heading: string | null, text: string): Section {
  return { heading, items: [{ text }], list: false, className: 'candor-controls-note' };
}

interface Section {
  heading: string | null;
  items: Array<{
    text: string;
    url?: string | null;
    urlText?: string;
    attrs?: Record<string, string>;
  }>;
  list: boolean;
  className: string;
}

/** What was changed for the customer, right after the summary (none when nothing was). */
function changeSection(e: Explanation): Section[] {
  const text = e.change?.text;
  return typeof text === 'string' && text !== ''
    ? [{ heading: null, items: [{ text }], list: false, className: 'candor-change' }]
    : [];
}

function sections(e: Explanation): Section[] {
  const note = controlsNote(e);
  if (e.layer === 'short') {
    const manage = e.controls.find((c) => c.kind === 'manage_all');
    const out: Section[] = [
      { heading: null, items: [{ text: e.summary }], list: false, className: 'candor-summary' },
      ...changeSection(e),
    ];
    if (note) out.push(noteSection(null, note));
    if (manage)
      out.push({
        heading: null,
        items: [
          {
            text: manage.label,
            url: controlUrl(manage),
            attrs: { 'data-candor-control': manage.id, 'data-kind': manage.kind },
          },
        ],
        list: false,
        className: 'candor-controls',
      });
    return out;
  }
  const out: Section[] = [
    { heading: null, items: [{ text: e.summary }], list: false, className: 'candor-summary' },
    ...changeSection(e),
  ];
  // Every condition our systems checked is the detailed layer's; the standard layer's opening
  // sentence carries the first one and its data list the values.
  if (e.layer === 'detailed' && e.reasons.length > 0)
    out.push({
      heading: e.headings.reasons,
      items: e.reasons.flatMap((r) =>
        r.clauses.map((c) => ({ text: c.text, attrs: { 'data-reason': r.id } })),
      ),
      list: true,
      className: 'candor-reasons',
    });
  if (e.dataUsed.length > 0)
    out.push({
      heading: e.headings.data,
      items: e.dataUsed.map((d) => ({
        text: d.text,
        url: d.changeAt && isSafeUrl(d.changeAt.url) ? d.changeAt.url : null,
        urlText: d.changeAt?.text ?? '',
        attrs: { 'data-fact': d.factId },
      })),
      list: true,
      className: 'candor-data',
    });
  const purpose = [{ text: e.purpose.text }];
  if (e.decision.text) purpose.push({ text: e.decision.text });
  purpose.push({ text: e.counterfactual });
  out.push({
    heading: e.headings.purpose,
    items: purpose,
    list: false,
    className: 'candor-purpose',
  });
  if (note) out.push(noteSection(e.headings.controls, note));
  out.push({
    heading: note ? null : e.headings.controls,
    items: e.controls.map((c) => ({
      text: c.label,
      url: controlUrl(c),
      attrs: { 'data-candor-control': c.id, 'data-kind': c.kind },
    })),
    list: true,
    className: 'candor-controls',
  });
  if (e.withheldText.length > 0)
    out.push({
      heading: e.headings.withheld,
      items: e.withheldText.map((text) => ({ text })),
      list: true,
      className: 'candor-withheld',
    });
  return out;
}

function toText(title: string | null, parts: Section[]): string {
  const lines: string[] = title ? [oneLine(title), ''] : [];
  for (const section of parts) {
    if (section.heading) lines.push(oneLine(section.heading));
    for (const item of section.items) {
      let line = (section.list ? '- ' : '') + oneLine(item.text);
      if (item.url)
        line += item.urlText ? ` ${oneLine(item.urlText)}: ${item.url}` : ` (${item.url})`;
      lines.push(line);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

function toMarkdown(title: string | null, parts: Section[]): string {
  const lines: string[] = title ? [`## ${markdown(title)}`, ''] : [];
  for (const section of parts) {
    if (section.heading) lines.push(`### ${markdown(section.heading)}`, '');
    for (const item of section.items) {
      let line: string;
      if (item.url && !item.urlText) line = `[${markdown(item.text)}](${markdownUrl(item.url)})`;
      else {
        line = markdown(item.text);
        if (item.url) line += ` [${markdown(item.urlText ?? '')}](${markdownUrl(item.url)})`;
      }
      lines.push(section.list ? `- ${line}` : line);
      if (!section.list) lines.push('');
    }
    if (section.list) lines.push('');
  }
  return lines.join('\n').trimEnd();
}

function attributes(attrs: Record<string, string> | undefined): string {
  return Object.entries(attrs ?? {})
    .map(([k, v]) => ` ${k}="${html(v)}"`)
    .join('');
}

function toHtml(root: Record<string, string>, title: string | null, parts: Section[]): string {
  const out: string[] = [`<section${attributes(root)}>`];
  if (title) out.push(`<h2>${html(title)}</h2>`);
  for (const section of parts) {
    if (section.heading) out.push(`<h3>${html(section.heading)}</h3>`);
    const items = section.items.map((item) => {
      const isControl = item.attrs?.['data-candor-control'] !== undefined;
      let body: string;
      if (isControl && item.url)
        body = `<a href="${html(item.url)}"${attributes(item.attrs)}>${html(item.text)}</a>`;
      else if (isControl)
        body = `<button type="button"${attributes(item.attrs)}>${html(item.text)}</button>`;
      else {
        body = html(item.text);
        if (item.url) body += ` <a href="${html(item.url)}">${html(item.urlText ?? '')}</a>`;
      }
      const attrs = isControl ? '' : attributes(item.attrs);
      return section.list ? `<li${attrs}>${body}</li>` : `<p${attrs}>${body}</p>`;
    });
    out.push(
      section.list
        ? `<ul class="${section.className}">${items.join('')}</ul>`
        : `<div class="${section.className}">${items.join('')}</div>`,
    );
  }
  out.push('</section>');
  return out.join('\n');
}

/**
 * Renders an explanation as plain text. Every renderer throws `explain/invalid_input` (path
 * `explanation`) for anything that is not an {@link Explanation}.
 *
 * @example
 * console.log(renderText(explainer.explain(record, { consent: gate })));
 */
export function renderText(explanation: Explanation): string {
  checkExplanation(explanation);
  try {
    return textOf(explanation);
  } catch (error) {
    return malformed(error, 'explanation', explanation);
  }
}

function textOf(e: Explanation): string {
  const note = controlsNote(e);
  if (e.layer === 'short') {
    let out = oneLine(e.summary);
    if (e.change?.text) out += `\n\n${oneLine(e.change.text)}`;
    if (note) out += `\n\n${oneLine(note)}`;
    for (const c of e.controls) {
      if (c.kind !== 'manage_all') continue;
      const url = controlUrl(c);
      out += `\n\n${oneLine(c.label)}${url ? ` (${url})` : ''}`;
    }
    return out;
  }
  // Written out (not via `sections`) because the standard layer is on hot paths; the output is
  // the same shape as the Markdown and HTML renderings.
  let out = `${oneLine(e.headings.title)}\n\n${oneLine(e.summary)}\n`;
  if (e.change?.text) out += `\n${oneLine(e.change.text)}\n`;
  if (e.layer === 'detailed' && e.reasons.length > 0) {
    out += `\n${oneLine(e.headings.reasons)}\n`;
    for (const r of e.reasons) for (const c of r.clauses) out += `- ${oneLine(c.text)}\n`;
  }
  if (e.dataUsed.length > 0) {
    out += `\n${oneLine(e.headings.data)}\n`;
    for (const d of e.dataUsed) {
      out += `- ${oneLine(d.text)}`;
      if (d.changeAt && isSafeUrl(d.changeAt.url))
        out += ` ${oneLine(d.changeAt.text)}: ${d.changeAt.url}`;
      out += '\n';
    }
  }
  out += `\n${oneLine(e.headings.purpose)}\n${oneLine(e.purpose.text)}\n`;
  if (e.decision.text) out += `${oneLine(e.decision.text)}\n`;
  out += `${oneLine(e.counterfactual)}\n\n${oneLine(e.headings.controls)}\n`;
  if (note) out += `${oneLine(note)}\n`;
  for (const c of e.controls) {
    const url = controlUrl(c);
    out += `- ${oneLine(c.label)}${url ? ` (${url})` : ''}\n`;
  }
  if (e.withheldText.length > 0) {
    out += `\n${oneLine(e.headings.withheld)}\n`;
    for (const text of e.withheldText) out += `- ${oneLine(text)}\n`;
  }
  return out.trimEnd();
}

/**
 * Renders an explanation as Markdown; every value is escaped, links are `http(s)` or paths only.
 *
 * @example
 * const md = renderMarkdown(explanation);
 */
export function renderMarkdown(explanation: Explanation): string {
  checkExplanation(explanation);
  try {
    return toMarkdown(
      explanation.layer === 'short' ? null : explanation.headings.title,
      sections(explanation),
    );
  } catch (error) {
    return malformed(error, 'explanation', explanation);
  }
}

/**
 * Renders an explanation as an HTML fragment: every interpolated value is escaped, links are
 * `http(s)` or paths only, and controls are `<button data-candor-control="…" data-kind="…">`
 * elements for the app to wire (or links, when they have a URL).
 *
 * @example
 * container.innerHTML = renderHtml(explanation);
 * container.addEventListener('click', (e) => onControl((e.target as HTMLElement).dataset.candorControl));
 */
export function renderHtml(explanation: Explanation): string {
  checkExplanation(explanation);
  try {
    return toHtml(
      {
        class: 'candor-explanation',
        lang: explanation.locale,
        'data-layer': explanation.layer,
        'data-decision': explanation.decisionId,
      },
      explanation.layer === 'short' ? null : explanation.headings.title,
      sections(explanation),
    );
  } catch (error) {
    return malformed(error, 'explanation', explanation);
  }
}

/**
 * Renders an explanation as JSON, escaping `<`, `>` and `&` so it can be embedded in HTML.
 *
 * @example
 * res.type('json').send(renderJson(explanation));
 */
export function renderJson(explanation: Explanation): string {
  checkExplanation(explanation);
  try {
    return safeJson(explanation);
  } catch (error) {
    return malformed(error, 'explanation', explanation);
  }
}

/**
 * Renders an explanation in any {@link RenderFormat}; throws `explain/invalid_input` (path
 * `format`) for any other format.
 *
 * @example
 * render(explanation, 'markdown');
 */
export function render(explanation: Explanation, format: RenderFormat): string {
  switch (format) {
    case 'text':
      return renderText(explanation);
    case 'markdown':
      return renderMarkdown(explanation);
    case 'html':
      return renderHtml(explanation);
    case 'json':
      return renderJson(explanation);
    default:
      return invalidInput('format', format, "must be 'text', 'markdown', 'html' or 'json'");
  }
}

/**
 * Renders a DSA Art. 27 transparency page in any {@link RenderFormat}; throws
 * `explain/invalid_input` for a malformed `page` or an unknown `format`.
 *
 * @example
 * console.log(renderTransparency(page, 'markdown'));
 */
export function renderTransparency(page: TransparencyPage, format: RenderFormat): string {
  checkFormat(format);
  checkPage(page);
  try {
    return transparencyOf(page, format);
  } catch (error) {
    return malformed(error, 'page', page);
  }
}

/**
 * Renders a customer's access history in any {@link RenderFormat}; throws
 * `explain/invalid_input` for a malformed `page` or an unknown `format`.
 *
 * @example
 * response.html(renderAccessHistory(explainer.accessHistory(records), 'html'));
 */
export function renderAccessHistory(page: AccessHistoryPage, format: RenderFormat): string {
  checkFormat(format);
  const p = page as Partial<AccessHistoryPage> | null;
  if (typeof p !== 'object' || p === null || !Array.isArray(p.days) || typeof p.title !== 'string')
    invalidInput('page', page, 'must be an AccessHistoryPage from explainer.accessHistory()');
  try {
    if (format === 'json') return safeJson(page);
    const parts: Section[] = [
      { heading: null, items: [{ text: page.intro }], list: false, className: 'candor-intro' },
      ...(page.empty === null
        ? []
        : [
            {
              heading: null,
              items: [{ text: page.empty }],
              list: false,
              className: 'candor-empty',
            },
          ]),
      ...page.days.map((day) => ({
        heading: day.label,
        items: day.lines.map((line) => ({
          text: line.text,
          attrs: { 'data-purpose': line.purpose },
        })),
        list: true,
        className: 'candor-access-day',
      })),
    ];
    if (format === 'text') return toText(page.title, parts);
    if (format === 'markdown') return toMarkdown(page.title, parts);
    return toHtml({ class: 'candor-access-history', lang: page.locale }, page.title, parts);
  } catch (error) {
    return malformed(error, 'page', page);
  }
}

/**
 * Renders a staff brief (from `explainer.staffBrief`) in any {@link RenderFormat}: HTML escapes
 * every value, customer words included. Throws `explain/invalid_input` for a malformed `page` or
 * an unknown `format`.
 *
 * @example
 * response.html(renderBrief(explainer.staffBrief(await book.brief(subject, options)), 'html'));
 */
export function renderBrief(page: BriefPage, format: RenderFormat): string {
  checkFormat(format);
  const p = page as Partial<BriefPage> | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    !Array.isArray(p.sections) ||
    typeof p.title !== 'string' ||
    typeof p.intro !== 'string'
  )
    invalidInput('page', page, 'must be a BriefPage from explainer.staffBrief()');
  try {
    if (format === 'json') return safeJson(page);
    const note = (text: string, className: string): Section => ({
      heading: null,
      items: [{ text }],
      list: false,
      className,
    });
    const parts: Section[] = [
      note(page.intro, 'candor-intro'),
      ...(page.empty === null ? [] : [note(page.empty, 'candor-empty')]),
      ...page.sections.map((s) => ({
        heading: s.heading,
        items: s.lines.map((text) => ({ text })),
        list: true,
        className: 'candor-brief-section',
      })),
      ...(page.withheld === null ? [] : [note(page.withheld, 'candor-withheld')]),
    ];
    if (format === 'text') return toText(page.title, parts);
    if (format === 'markdown') return toMarkdown(page.title, parts);
    return toHtml({ class: 'candor-brief', lang: page.locale }, page.title, parts);
  } catch (error) {
    return malformed(error, 'page', page);
  }
}

function transparencyOf(page: TransparencyPage, format: RenderFormat): string {
  if (format === 'json') return safeJson(page);
  const parts: Section[] = [
    { heading: null, items: [{ text: page.intro }], list: false, className: 'candor-intro' },
    {
      heading: null,
      items: page.parameters.map((p) => ({ text: p.text, attrs: { 'data-parameter': p.id } })),
      list: true,
      className: 'candor-parameters',
    },
    {
      heading: null,
      items: [{ text: page.controlsText }],
      list: false,
      className: 'candor-controls',
    },
  ];
  if (format === 'text') return toText(page.title, parts);
  if (format === 'markdown') return toMarkdown(page.title, parts);
  return toHtml({ class: 'candor-transparency', lang: page.locale }, page.title, parts);
}
