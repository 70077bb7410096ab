import { RE2JS, RE2Set } from 're2js';

/**
 * @internal A compiled `matches` pattern: answers in time linear in the input, never backtracks.
 *
 * @example
 * const m = linearMatcher('^(a+)+$', '');
 * if (typeof m !== 'string') m.test(`${'a'.repeat(999)}!`); // false, at once
 */
export interface Matcher {
  test(input: string): boolean;
}

/**
 * Bytes of DFA states one pattern may cache. re2js keeps up to 8 MB per pattern by default and
 * never frees it; past this budget it falls back to its NFA, which is slower per character but
 * still linear (and, for patterns with large Unicode classes, faster than a thrashing DFA).
 */
const DFA_MEMORY = 256 * 1024;

/** Characters JavaScript's `\s` matches, as inclusive code point ranges. */
const SPACE: ReadonlyArray<readonly [number, number]> = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
/** Line terminators: what JavaScript's `.` does not match without the `s` flag. */
const LINE_BREAK: ReadonlyArray<readonly [number, number]> = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];

function complement(
  ranges: ReadonlyArray<readonly [number, number]>,
): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

const hex = (cp: number) => `\\x{${cp.toString(16)}}`;
/** Ranges as the body of an RE2 character class. */
const body = (ranges: ReadonlyArray<readonly [number, number]>) =>
  ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('');

const ANY = '[\\x{0}-\\x{10ffff}]';
const NOTHING = '[^\\x{0}-\\x{10ffff}]';
/** Escapes that mean the same to both engines, inside and outside a class (`\b` differs in one). */
const SAME = new Set(['d', 'D', 'w', 'W', 'n', 'r', 't', 'f', 'v']);
const CLASS_ESCAPE = /^\\[dDwWsS]/;
const QUANTIFIER = /^\{\d+(?:,\d*)?\}/;
const HEX2 = /^[0-9A-Fa-f]{2}/;
const HEX4 = /^[0-9A-Fa-f]{4}/;
/** JavaScript's long `\p{…}` forms that RE2 spells with the bare name. */
const PROPERTY_PREFIX = /^(?:Script|sc|General_Category|gc)=/;

/** An escape rewritten: its RE2 text and the index of its last character, or why not. */
type Escape = { readonly text: string; readonly end: number } | { readonly problem: string };

/** The escape starting at `pattern[i]` (a backslash), in RE2 syntax with its JavaScript meaning. */
function rewriteEscape(pattern: string, i: number, inClass: boolean, unicode: boolean): Escape {
  const e = pattern[i + 1] ?? '';
  const after = pattern.slice(i + 2);
  const end = i + 1;
  if (SAME.has(e)) return { text: `\\${e}`, end };
  if (e === 's') return { text: inClass ? body(SPACE) : `[${body(SPACE)}]`, end };
  if (e === 'S') return { text: inClass ? body(complement(SPACE)) : `[^${body(SPACE)}]`, end };
  if (e === 'b') return { text: inClass ? hex(8) : '\\b', end };
  if (e === 'B' && !inClass) return { text: '\\B', end };
  if (e === '0' && !/^[0-9]/.test(after)) return { text: hex(0), end };
  if (e === 'x' && HEX2.test(after))
    return { text: hex(Number.parseInt(after.slice(0, 2), 16)), end: end + 2 };
  if (e === 'c' && /^[A-Za-z]/.test(after))
    return { text: hex((after.charCodeAt(0) as number) % 32), end: end + 1 };
  if (e === 'u' && unicode && after.startsWith('{')) {
    const close = after.indexOf('}');
    return { text: hex(Number.parseInt(after.slice(1, close), 16)), end: end + close + 1 };
  }
  if (e === 'u' && HEX4.test(after)) {
    let cp = Number.parseInt(after.slice(0, 4), 16);
    let last = end + 4;
    const low = /^\\u(d[c-f][0-9a-f]{2})/i.exec(after.slice(4));
    if (cp >= 0xd800 && cp <= 0xdbff && low !== null) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (Number.parseInt(low[1] as string, 16) - 0xdc00);
      last += 6;
    }
    if (cp >= 0xd800 && cp <= 0xdfff)
      return { problem: 'a lone surrogate escape (\\uD800–\\uDFFF) cannot be matched' };
    return { text: hex(cp), end: last };
  }
  if ((e === 'p' || e === 'P') && unicode) {
    const close = after.indexOf('}');
    const name = after.slice(1, close).replace(PROPERTY_PREFIX, '');
    return { text: `\\${e}{${name}}`, end: end + close + 1 };
  }
  if (!inClass && (/^[1-9]$/.test(e) || (e === 'k' && /^<[^>]+>/.test(after))))
    return { problem: 'backreferences are not allowed' };
  // What is left of letters and digits are identity or octal escapes in JavaScript, but classes,
  // anchors or quoting to RE2 (`\A`, `\z`, `\Q`, `\pL`).
  if (/^[A-Za-z0-9]$/.test(e))
    return {
      problem: `the escape \\${e} means something else to other regex engines; write the character itself`,
    };
  if (e.charCodeAt(0) < 0x80) return { text: `\\${e}`, end };
  // An identity escape of a non-ASCII character is the character itself (both halves if astral).
  const cp = pattern.codePointAt(i + 1) as number;
  return { text: hex(cp), end: cp > 0xffff ? end + 1 : end };
}

/**
 * @internal A JavaScript pattern (already accepted by `new RegExp(pattern, flags)`) rewritten in
 * RE2 syntax with the same meaning, or why that cannot be done. Kept: `.` excludes JavaScript's
 * four line terminators, `\s` is JavaScript's Unicode whitespace, `\uXXXX`, `\cX`, `[^]`, `[]`,
 * lone braces. Refused: backreferences, lookarounds, and escapes RE2 reads differently
 * (`\A`, `\z`, `\Q`, `\p` without the `u` flag, octal escapes). Not kept: with `m`, `^` and `$`
 * see only `\n` as a line break; astral characters are one character even without `u`; `i` folds
 * case by Unicode's simple folding (as JavaScript does with `u`).
 *
 * @example
 * toRe2('^\\s*caf\\u00e9.$', ''); // '^[\\x{9}-\\x{d}…]*caf\\x{e9}[^\\x{a}\\x{d}\\x{2028}-\\x{2029}]$'
 */
export function toRe2(pattern: string, flags: string): string | { problem: string } {
  const unicode = flags.includes('u');
  const dotAll = flags.includes('s');
  let out = '';
  let inClass = false;
  /** Whether the last class item was a class escape (`\d`, `\s`…): a `-` after it is literal. */
  let afterClassEscape = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const rest = pattern.slice(i);
    if (c === '\\') {
      const x = rewriteEscape(pattern, i, inClass, unicode);
      if ('problem' in x) return x;
      afterClassEscape = inClass && CLASS_ESCAPE.test(rest);
      out += x.text;
      i = x.end;
    } else if (inClass) {
      if (c === ']') inClass = false;
      // RE2 reads `[:` inside a class as a POSIX class, and `-` next to `\d` as a bad range.
      if (c === '[') out += '\\[';
      else if (c === '-' && (afterClassEscape || CLASS_ESCAPE.test(rest.slice(1)))) out += '\\-';
      else out += c;
      afterClassEscape = false;
    } else if (c === '[') {
      // `[]` and `[^]` are whole classes in JavaScript; RE2 would read the `]` as a literal.
      if (rest.startsWith('[]')) {
        out += NOTHING;
        i += 1;
      } else if (rest.startsWith('[^]')) {
        out += ANY;
        i += 2;
      } else {
        const negated = rest.startsWith('[^');
        out += negated ? '[^' : '[';
        i += negated ? 1 : 0;
        inClass = true;
        afterClassEscape = false;
      }
    } else if (c === '.') out += dotAll ? ANY : `[^${body(LINE_BREAK)}]`;
    else if (c === '(' && /^\(\?<?[=!]/.test(rest))
      return { problem: 'lookaround assertions are not allowed' };
    else if (c === '{') {
      const q = QUANTIFIER.exec(rest);
      out += q === null ? '\\{' : q[0];
      i += q === null ? 0 : q[0].length - 1;
    } else if (c === '}') out += '\\}';
    else out += c;
  }
  return out;
}

/**
 * @internal Compiles a `matches` pattern (JavaScript syntax, flags from `imsu`, already checked by
 * `regexProblem`) for the linear-time RE2 matcher, or says why it cannot run there: a syntax RE2
 * lacks (backreferences, lookarounds), a repeat count over 1,000, or a program too large.
 *
 * @example
 * linearMatcher('a{1001}', ''); // 'the linear-time matcher cannot run this pattern (… invalid repeat count …)'
 */
export function linearMatcher(pattern: string, flags: string): Matcher | string {
  const translated = toRe2(pattern, flags);
  if (typeof translated !== 'string') return translated.problem;
  let bits = 0;
  if (flags.includes('i')) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) bits |= RE2JS.MULTILINE;
  if (flags.includes('s')) bits |= RE2JS.DOTALL;
  // A one-pattern set: the only re2js API that bounds the memory its DFA keeps.
  const set = new RE2Set(RE2Set.UNANCHORED, bits, DFA_MEMORY);
  try {
    set.add(translated);
    set.compile();
  } catch (error) {
    return `the linear-time matcher cannot run this pattern (${(error as Error).message})`;
  }
  return { test: (input) => set.match(input).length > 0 };
}
