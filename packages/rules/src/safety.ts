/**
 * Longest regex pattern a rule may hold.
 *
 * @example
 * if (pattern.length > MAX_PATTERN_LENGTH) reject();
 */
export const MAX_PATTERN_LENGTH = 256;
/**
 * Longest string a `matches` test reads; longer input is `insufficient_data`, never scanned.
 *
 * @example
 * const scanned = input.length <= MAX_MATCH_INPUT;
 */
export const MAX_MATCH_INPUT = 1_000;
/**
 * Deepest condition nesting accepted.
 *
 * @example
 * MAX_DEPTH; // 16
 */
export const MAX_DEPTH = 16;
/**
 * Most condition nodes in one rule.
 *
 * @example
 * MAX_NODES; // 512
 */
export const MAX_NODES = 512;
/**
 * Most segments in a fact path.
 *
 * @example
 * 'a.b.c'.split('.').length <= MAX_PATH_SEGMENTS;
 */
export const MAX_PATH_SEGMENTS = 8;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const SEGMENT = /^(?:[A-Za-z_$][A-Za-z0-9_$-]{0,63}|\d{1,6})$/;

/**
 * @internal Why a fact path is unsafe or malformed, or `null` when it is fine: dot-separated
 * identifiers or array indexes, at most 8 segments, never `__proto__`, `constructor`, `prototype`.
 */
export function pathProblem(path: unknown): string | null {
  if (typeof path !== 'string' || path.length === 0)
    return 'a fact path must be a non-empty string';
  const known = checked.get(path);
  if (known !== undefined) return known;
  const problem = findPathProblem(path);
  if (checked.size > 10_000) checked.clear();
  checked.set(path, problem);
  return problem;
}

const checked = new Map<string, string | null>();

function findPathProblem(path: string): string | null {
  if (path.length > 200) return 'a fact path must be at most 200 characters';
  const segments = path.split('.');
  if (segments.length > MAX_PATH_SEGMENTS)
    return `a fact path may have at most ${MAX_PATH_SEGMENTS} segments`;
  for (const segment of segments) {
    if (FORBIDDEN.has(segment)) return `path segment "${segment}" is not allowed`;
    if (!SEGMENT.test(segment))
      return `path segment "${segment}" must be an identifier or an array index`;
  }
  return null;
}

/** @internal True when `path` is rejected because it reaches into an object's prototype machinery. */
export function isForbiddenPath(path: string): boolean {
  return path.split('.').some((s) => FORBIDDEN.has(s));
}

/**
 * @internal Why a regex pattern could backtrack catastrophically or is otherwise refused, or
 * `null`. Refused: backreferences, lookarounds, a quantifier on a group that itself contains a
 * quantifier or an alternation (`(a+)+`, `(a|aa)*`), more than two unbounded quantifiers, patterns
 * over 256 characters, and the stateful `g`/`y` flags.
 */
export function regexProblem(pattern: unknown, flags: unknown): string | null {
  if (typeof pattern !== 'string') return 'a pattern must be a string';
  if (pattern.length > MAX_PATTERN_LENGTH)
    return `a pattern must be at most ${MAX_PATTERN_LENGTH} characters`;
  if (flags !== undefined && (typeof flags !== 'string' || !/^[imsu]{0,4}$/.test(flags)))
    return 'flags may only combine i, m, s and u';
  try {
    new RegExp(pattern, (flags as string | undefined) ?? '');
  } catch (error) {
    return `not a valid regular expression (${(error as Error).message})`;
  }
  // Walk the pattern: per open group, whether it holds a quantifier or an alternation.
  const stack: Array<{ quantified: boolean; alternation: boolean }> = [];
  let lastGroup: { quantified: boolean; alternation: boolean } | null = null;
  let unbounded = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && /[1-9k]/.test(next)) return 'backreferences are not allowed';
      i++;
      lastGroup = null;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastGroup = null;
      continue;
    }
    if (c === '(') {
      if (pattern[i + 1] === '?' && /^\?<?[=!]/.test(pattern.slice(i + 1, i + 4)))
        return 'lookaround assertions are not allowed';
      stack.push({ quantified: false, alternation: false });
      lastGroup = null;
      continue;
    }
    if (c === ')') {
      lastGroup = stack.pop() ?? null;
      continue;
    }
    if (c === '|') {
      const top = stack[stack.length - 1];
      if (top) top.alternation = true;
      lastGroup = null;
      continue;
    }
    const isQuantifier = c === '*' || c === '+' || c === '?' || c === '{';
    if (isQuantifier) {
      let unboundedHere = c === '*' || c === '+';
      if (c === '{') {
        const close = pattern.indexOf('}', i);
        const body = close === -1 ? '' : pattern.slice(i + 1, close);
        if (!/^\d+(,\d*)?$/.test(body)) continue; // a literal brace
        if (/,$/.test(body)) unboundedHere = true;
        i = close;
      }
      if (pattern[i + 1] === '?') i++; // lazy modifier
      if (unboundedHere) unbounded++;
      if (
        lastGroup &&
        (lastGroup.quantified || lastGroup.alternation) &&
        (unboundedHere || c === '{')
      )
        return 'a quantified group may not contain another quantifier or an alternation (nested quantifiers backtrack catastrophically)';
      for (const open of stack) open.quantified = true;
      lastGroup = null;
      continue;
    }
    lastGroup = null;
  }
  if (unbounded > 2) return 'a pattern may hold at most two unbounded quantifiers (* + {n,})';
  return null;
}
