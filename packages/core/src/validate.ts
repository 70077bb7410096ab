import type * as z from 'zod/mini';
import { CandorError, showValue } from './errors';

/** The outcome of a `safeParseX` function: the parsed value, or the typed error `parseX` throws. */
export type SafeParseResult<T, Code extends string = string> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: CandorError<Code> };

function joinPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  }
  return out;
}

function invalidArgument(path: string, value: unknown, why: string): never {
  throw new CandorError('core/invalid_input', `${path}: ${showValue(value)} ${why}`, {
    path,
    value,
  });
}

function checkCodeAndRoot(code: unknown, root: unknown): void {
  if (typeof code !== 'string') invalidArgument('code', code, 'must be an error code string');
  if (typeof root !== 'string') invalidArgument('root', root, 'must be a path string');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Converts a zod error into a {@link CandorError} that names the first offending path and value.
 * Throws `core/invalid_input` when `code`, `error` or `root` is malformed.
 *
 * @example
 * const result = schema.safeParse(input);
 * if (!result.success) throw zodToCandorError('rules/invalid_rule', result.error, input, 'rules[0]');
 */
export function zodToCandorError<Code extends string>(
  code: Code,
  error: z.core.$ZodError,
  input: unknown,
  root = '',
): CandorError<Code> {
  checkCodeAndRoot(code, root);
  if (typeof error !== 'object' || error === null || !Array.isArray(error.issues))
    invalidArgument('error', error, 'must be a zod error with issues');
  const issues = error.issues.map(named);
  const first = issues[0];
  const issuePath = first?.path ?? [];
  const path = joinPath(root, issuePath) || '(root)';
  const message = `${path}: ${first?.message ?? 'invalid value'}`;
  return new CandorError(code, message, {
    path,
    value: valueAt(input, issuePath),
    issues: issues.map((issue) => ({
      path: joinPath(root, issue.path) || '(root)',
      message: issue.message,
    })),
  });
}

/** zod's message where a schema gives none (zod/mini loads no locale): said here instead. */
const GENERIC = 'Invalid input';

/**
 * An issue as a caller reads it: an unknown field named by its own path, a value that matches no
 * shape of a union by the problem of the shape it came closest to, and zod's generic message
 * replaced by what is wrong ("must not be empty", "must be at most 200 characters").
 */
function named(issue: z.core.$ZodIssue): { path: readonly PropertyKey[]; message: string } {
  const path = issue.path as readonly PropertyKey[];
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    const key = issue.keys[0] as string;
    return { path: [...path, key], message: `unknown field ${JSON.stringify(key)}` };
  }
  if (issue.code === 'invalid_union') return namedUnion(issue, path);
  return { path, message: issue.message === GENERIC ? described(issue) : issue.message };
}

/**
 * A value no shape of a union took: the discriminator's accepted values where it has one; else
 * the branches it came closest to (the deepest first issue). Several tied on the value itself (a
 * number or a text, say) are said together; otherwise the one with the fewest issues speaks.
 */
function namedUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: readonly PropertyKey[],
): { path: readonly PropertyKey[]; message: string } {
  if (issue.discriminator !== undefined && issue.errors.length === 0) {
    const options = 'options' in issue ? issue.options : undefined;
    const message =
      options !== undefined && options.length > 0
        ? `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}`
        : 'is not one of the accepted kinds';
    // zod names the discriminator in the path already (some versions may not).
    const at = path.at(-1) === issue.discriminator ? path : [...path, issue.discriminator];
    return { path: at, message };
  }
  const branches = issue.errors.filter((issues) => issues.length > 0);
  const depth = (issues: readonly z.core.$ZodIssue[]) =>
    (issues[0] as z.core.$ZodIssue).path.length;
  const deepest = Math.max(-1, ...branches.map(depth));
  const tied = branches.filter((issues) => depth(issues) === deepest);
  if (tied.length === 0) return { path, message: 'matches none of the accepted shapes' };
  const alternatives = tied.map((issues) => alternative(issues[0] as z.core.$ZodIssue));
  if (deepest === 0 && tied.length > 1 && alternatives.every((a) => a !== null))
    return { path, message: `must be ${alternatives.join(' or ')}` };
  const fewest = tied.reduce((a, b) => (b.length < a.length ? b : a));
  const inner = named(fewest[0] as z.core.$ZodIssue);
  return { path: [...path, ...inner.path], message: inner.message };
}

/** What one branch of a union wanted of the value itself ("a number", `"a"`), or null. */
function alternative(issue: z.core.$ZodIssue): string | null {
  if (issue.code === 'invalid_type') return article(issue.expected);
  if (issue.code === 'invalid_value') return issue.values.map((v) => JSON.stringify(v)).join(', ');
  return null;
}

/** "a string", "an object". */
const article = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

/** What is wrong, in words, for an issue zod describes only as "Invalid input". */
function described(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'undefined'
        ? 'must be left out'
        : `must be ${article(issue.expected)}`;
    case 'too_small':
      return bound('at least', issue.origin, issue.minimum, issue.inclusive, 'must not be empty');
    case 'too_big':
      return bound('at most', issue.origin, issue.maximum, issue.inclusive, null);
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

/** "must be at most 200 characters", "must have at least 1 item", "must be at least 0". */
function bound(
  which: 'at least' | 'at most',
  origin: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
  empty: string | null,
): string {
  const n = Number(limit);
  if (origin === 'string') {
    if (empty !== null && n === 1 && inclusive !== false) return empty;
    return `must be ${which} ${n} character${n === 1 ? '' : 's'}`;
  }
  if (origin === 'array' || origin === 'set') {
    if (empty !== null && n === 1 && inclusive !== false) return empty;
    return `must have ${which} ${n} item${n === 1 ? '' : 's'}`;
  }
  const strict = inclusive === false ? (which === 'at least' ? 'more than' : 'less than') : which;
  return `must be ${strict} ${n}`;
}

/**
 * Builds the `parseX` / `safeParseX` pair for a zod schema: `parse` throws a typed
 * {@link CandorError}, `safeParse` returns `{ success, data | error }`. Throws `core/invalid_input`
 * at once when `schema`, `code` or `root` is malformed.
 *
 * @example
 * const { parse: parseNotice, safeParse: safeParseNotice } = parsers(Notice, 'consent/invalid_notice', 'notice');
 */
/* @__NO_SIDE_EFFECTS__ */
export function parsers<S extends z.ZodMiniType, Code extends string>(
  schema: S,
  code: Code,
  root = '',
) {
  if (
    typeof schema !== 'object' ||
    schema === null ||
    typeof (schema as { safeParse?: unknown }).safeParse !== 'function'
  )
    invalidArgument('schema', schema, 'must be a zod schema');
  checkCodeAndRoot(code, root);
  const safeParse = (input: unknown): SafeParseResult<z.output<S>, Code> => {
    const result = schema.safeParse(input);
    return result.success
      ? { success: true, data: result.data }
      : { success: false, error: zodToCandorError(code, result.error, input, root) };
  };
  const parse = (input: unknown): z.output<S> => {
    const result = safeParse(input);
    if (!result.success) throw result.error;
    return result.data;
  };
  return { parse, safeParse };
}
