import {
  type DataCategoryId,
  isDottedId,
  isSensitiveCategory,
  isWithin,
  sensitiveCategories,
} from '@candor/core';
import { explainError } from './errors';

/**
 * What to do with evidence older than `maxAgeMs`: `flag` it in the explanation ("this may be out
 * of date") or `block` the explanation (`explain/stale_evidence`).
 *
 * @example
 * const ttl: EvidenceTtl = { maxAgeMs: 90 * duration.day, action: 'flag' };
 */
export interface EvidenceTtl {
  readonly maxAgeMs: number;
  readonly action: 'flag' | 'block';
}

/**
 * The explanation policy: which categories are sensitive and which of those may be named, how old
 * evidence may be, and where customers change their data and settings.
 *
 * @example
 * const policy: ExplainPolicy = {
 *   nameSensitive: ['user.location.precise'],
 *   evidenceTtl: { 'user.location': { maxAgeMs: duration.day, action: 'block' } },
 *   changeUrls: { bySource: { billing: 'https://example.com/settings/billing' } },
 *   manageUrl: 'https://example.com/privacy',
 *   channelUrl: 'https://example.com/settings/notifications',
 * };
 */
export interface ExplainPolicy {
  /**
   * Sensitive category prefixes; replaces {@link defaultSensitiveCategories} (core's
   * `sensitiveCategories`). Default: core's list.
   */
  readonly sensitiveCategories?: readonly DataCategoryId[];
  /** Sensitive categories (prefixes) an explanation may name anyway. Default: none. */
  readonly nameSensitive?: readonly DataCategoryId[];
  /** TTL per category prefix; the longest matching prefix wins. */
  readonly evidenceTtl?: Readonly<Record<DataCategoryId, EvidenceTtl>>;
  /** TTL for categories no entry in `evidenceTtl` covers. Default: none. */
  readonly defaultEvidenceTtl?: EvidenceTtl;
  /** Where customers review or correct data: by fact source, then by category prefix. */
  readonly changeUrls?: {
    readonly bySource?: Readonly<Record<string, string>>;
    readonly byCategory?: Readonly<Record<DataCategoryId, string>>;
  };
  /** The settings page for "manage everything". */
  readonly manageUrl?: string;
  /**
   * Where customers choose how messages reach them (email, push, SMS), linked from the
   * `choose_channel` control of critical decisions. Default: `manageUrl`.
   */
  readonly channelUrl?: string;
}

/**
 * The categories explanations never name unless the policy's `nameSensitive` allows it: an alias
 * of `sensitiveCategories` from `@candor/core` (the same frozen array), the one list every Candor
 * package uses: GDPR Art. 9 and 10 categories, precise location, government ids and account
 * credentials. Kept so existing imports keep working; new code may import it from core.
 *
 * @example
 * defaultSensitiveCategories.includes('user.financial.account_credentials'); // true
 */
export const defaultSensitiveCategories: readonly DataCategoryId[] = sensitiveCategories;

/**
 * The policy with defaults applied and lookups prepared.
 *
 * @example
 * resolvePolicy().mayName('user.health.condition'); // false
 */
export interface ResolvedPolicy {
  readonly source: ExplainPolicy;
  isSensitive(category: DataCategoryId): boolean;
  mayName(category: DataCategoryId): boolean;
  ttl(category: DataCategoryId): EvidenceTtl | null;
  changeUrl(source: string, category: DataCategoryId): string | null;
  readonly manageUrl: string | null;
  /** `channelUrl`, else `manageUrl`, else `null`. */
  readonly channelUrl: string | null;
}

function longestPrefix<V>(map: Readonly<Record<string, V>> | undefined, id: string): V | undefined {
  if (!map) return undefined;
  let best: string | undefined;
  for (const key of Object.keys(map))
    if (isWithin(id, key) && (best === undefined || key.length > best.length)) best = key;
  return best === undefined ? undefined : map[best];
}

const MAX_URL_LENGTH = 2_000;
/**
 * Characters a browser's URL parser (or a Markdown or HTML reader) treats specially: controls
 * (the parser strips them at the ends and removes tabs and newlines anywhere), format characters
 * (zero-width, bidi), lone surrogates, private use, any whitespace, backslashes (read as
 * slashes), quotes and angle brackets, and character references (`&#…`, `&name;`).
 */
const AMBIGUOUS = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Z}\s\\<>"'`]|&(?:#|[A-Za-z][A-Za-z0-9]*;)/u;
/** `http(s)://` and a host: no extra slash, and no user info (`a@b`) that hides the real host. */
const ABSOLUTE = /^https?:\/\/[^/?#@]+(?:[/?#]|$)/i;
/** One leading slash, not followed by a slash or backslash (which would name another host). */
const SAME_ORIGIN_PATH = /^\/(?![/\\])/;
/** Percent-encoded slashes, backslashes and controls, which servers may decode before routing. */
const ENCODED_SEPARATOR = /%(?:2f|5c|[01][0-9a-f]|7f)/i;
const PROBE_ORIGIN = 'https://candor.invalid';
const urlCache = /* @__PURE__ */ new Map<string, boolean>();

function checkUrl(url: string): boolean {
  if (url.length === 0 || AMBIGUOUS.test(url)) return false;
  try {
    if (ABSOLUTE.test(url)) {
      const parsed = new URL(url);
      return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.host !== '';
    }
    if (!SAME_ORIGIN_PATH.test(url)) return false;
    const path = url.split(/[?#]/, 1)[0]!;
    if (ENCODED_SEPARATOR.test(path)) return false;
    return new URL(url, `${PROBE_ORIGIN}/base/`).origin === PROBE_ORIGIN;
  } catch {
    return false;
  }
}

/**
 * True when `url` is one of the two kinds explanations link to: an absolute `http:` or `https:`
 * URL with a host, or a same-origin path (one leading `/`). Decided as a browser's URL parser
 * would read it, and conservatively: anything it might read differently is rejected, namely
 * - any control character, whitespace, format character (zero-width, bidi), backslash, quote or
 *   angle bracket anywhere (the parser strips or removes some and reads `\` as `/`);
 * - character references (`&#106;`, `&colon;`), which HTML and Markdown decode;
 * - `//host`, `/\host`, `\\host` (another origin), `https:host`, `https:/host`, `https:///host`,
 *   a URL without a host, and user info (`https://app.example@evil.example`);
 * - in a path's path part, percent-encoded `/`, `\` or control characters (`/%2F/evil`);
 * - schemes other than `http` and `https` (`javascript:`, `data:`), relative paths without a
 *   leading `/`, and anything over 2,000 characters or not a string.
 * Uses only the `URL` global, so it runs in browsers, Node and edge runtimes.
 *
 * @example
 * isSafeUrl('https://example.com/settings'); // true
 * isSafeUrl('/privacy');                    // true
 * isSafeUrl('javascript:alert(1)');         // false
 * isSafeUrl('/\\evil.example');             // false: browsers resolve it to evil.example
 */
export function isSafeUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH) return false;
  let safe = urlCache.get(url);
  if (safe === undefined) {
    safe = checkUrl(url);
    if (urlCache.size >= 500) urlCache.clear();
    urlCache.set(url, safe);
  }
  return safe;
}

/** Caches a pure function of a category id (bounded, so unbounded id sets cannot grow memory). */
function memo<V>(fn: (id: string) => V): (id: string) => V {
  const cache = new Map<string, V>();
  return (id) => {
    let value = cache.get(id);
    if (value === undefined && !cache.has(id)) {
      value = fn(id);
      if (cache.size >= 1_000) cache.clear();
      cache.set(id, value);
    }
    return value as V;
  };
}

function fail(path: string, value: unknown, why: string): never {
  throw explainError('explain/invalid_input', `policy.${path}: ${why}`, {
    path: `policy.${path}`,
    value,
  });
}

function checkTtl(path: string, ttl: EvidenceTtl): void {
  if (typeof ttl !== 'object' || ttl === null) fail(path, ttl, 'must be { maxAgeMs, action }');
  if (!Number.isFinite(ttl.maxAgeMs) || ttl.maxAgeMs < 0)
    fail(`${path}.maxAgeMs`, ttl.maxAgeMs, 'must be a non-negative number of milliseconds');
  if (ttl.action !== 'flag' && ttl.action !== 'block')
    fail(`${path}.action`, ttl.action, "must be 'flag' or 'block'");
}

/**
 * Validates a policy and prepares its lookups; throws `explain/invalid_input` naming the field.
 *
 * @example
 * resolvePolicy({ manageUrl: 'https://example.com/privacy' }).manageUrl;
 */
export function resolvePolicy(policy: ExplainPolicy = {}): ResolvedPolicy {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy))
    throw explainError('explain/invalid_input', 'policy: must be an ExplainPolicy object', {
      path: 'policy',
      value: policy,
    });
  const sensitive = policy.sensitiveCategories ?? defaultSensitiveCategories;
  const named = policy.nameSensitive ?? [];
  if (!Array.isArray(sensitive))
    fail('sensitiveCategories', sensitive, 'must be an array of data category ids');
  if (!Array.isArray(named)) fail('nameSensitive', named, 'must be an array of data category ids');
  sensitive.forEach((c, i) => {
    if (!isDottedId(c)) fail(`sensitiveCategories[${i}]`, c, 'must be a data category id');
  });
  named.forEach((c, i) => {
    if (!isDottedId(c)) fail(`nameSensitive[${i}]`, c, 'must be a data category id');
  });
  for (const [category, ttl] of Object.entries(policy.evidenceTtl ?? {})) {
    if (!isDottedId(category))
      fail(`evidenceTtl.${category}`, category, 'must be a data category id');
    checkTtl(`evidenceTtl.${category}`, ttl);
  }
  if (policy.defaultEvidenceTtl) checkTtl('defaultEvidenceTtl', policy.defaultEvidenceTtl);
  for (const [kind, map] of Object.entries(policy.changeUrls ?? {}))
    for (const [key, url] of Object.entries(map ?? {}))
      if (!isSafeUrl(url))
        fail(`changeUrls.${kind}.${key}`, url, 'must be an http(s) URL or a path');
  if (policy.manageUrl !== undefined && !isSafeUrl(policy.manageUrl))
    fail('manageUrl', policy.manageUrl, 'must be an http(s) URL or a path');
  if (policy.channelUrl !== undefined && !isSafeUrl(policy.channelUrl))
    fail('channelUrl', policy.channelUrl, 'must be an http(s) URL or a path');
  const isSensitive =
    policy.sensitiveCategories === undefined
      ? (category: DataCategoryId) => isSensitiveCategory(category)
      : (category: DataCategoryId) => sensitive.some((s) => isWithin(category, s));
  const mayName = memo(
    (category: DataCategoryId) =>
      !isSensitive(category) || named.some((n) => isWithin(category, n)),
  );
  const ttl = memo(
    (category: DataCategoryId) =>
      longestPrefix(policy.evidenceTtl, category) ?? policy.defaultEvidenceTtl ?? null,
  );
  return {
    source: policy,
    isSensitive,
    mayName,
    ttl,
    changeUrl: (source, category) => {
      const bySource = policy.changeUrls?.bySource;
      if (bySource && Object.hasOwn(bySource, source)) return bySource[source] ?? null;
      return longestPrefix(policy.changeUrls?.byCategory, category) ?? null;
    },
    manageUrl: policy.manageUrl ?? null,
    channelUrl: policy.channelUrl ?? policy.manageUrl ?? null,
  };
}
