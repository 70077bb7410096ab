import type { Instant } from '@candor/core';
import {
  boolean,
  enforce,
  integer,
  is,
  list,
  object,
  optional,
  type Shape,
  string,
  text,
} from './check';
import { needType, fail as raise } from './errors';
import type { NoticeRef } from './events';
import { SHA256_HEX } from './hex';
import { sha256Hex } from './store';

/**
 * One version of a privacy notice in one language, as you declare it. Give `content` (hashed for
 * you) or its `contentHash` (lower-case hex SHA-256). `material: true` marks a change that needs
 * fresh consent for the purposes it covers; a non-material version (typo fix) does not.
 *
 * @example
 * const notice: NoticeDefinition<'marketing.email'> = {
 *   id: 'marketing', version: '2026-05', language: 'en', effectiveAt: Date.parse('2026-05-01T00:00:00Z'),
 *   material: true, purposes: ['marketing.email'], content: 'We email you offers…',
 * };
 */
export interface NoticeDefinition<P extends string = string> {
  /** Notice id, shared by all its versions (e.g. `privacy`, `marketing`). */
  readonly id: string;
  /** Version label, unique per notice id and language. */
  readonly version: string;
  /** BCP 47 language tag. */
  readonly language: string;
  /** When this version takes effect (UTC epoch ms). */
  readonly effectiveAt: Instant;
  /** The change from the previous version needs fresh consent. */
  readonly material: boolean;
  /** The purposes it informs about. */
  readonly purposes: readonly P[];
  /** The text (hashed to `contentHash`). */
  readonly content?: string;
  /** Lower-case hex SHA-256 of the text, when the text itself is kept elsewhere. */
  readonly contentHash?: string;
  /** Where the text is published. */
  readonly url?: string;
}

/**
 * A validated notice: its definition with the content hash filled in.
 *
 * @example
 * manager.currentNotice('marketing.email')?.contentHash;
 */
export interface Notice<P extends string = string> extends NoticeDefinition<P> {
  /** Lower-case hex SHA-256 of the text. */
  readonly contentHash: string;
}

/**
 * The runtime check of a {@link NoticeDefinition}: every field, and no other (an unknown field is
 * rejected, naming the field it is a near miss of). `validateNotices` also checks the purposes
 * against the registry and the content against its hash.
 */
export const noticeShape: Shape<NoticeDefinition> = {
  id: /* @__PURE__ */ string(200),
  version: /* @__PURE__ */ string(100),
  language: /* @__PURE__ */ string(35),
  effectiveAt: /* @__PURE__ */ integer(0),
  material: boolean,
  purposes: /* @__PURE__ */ list(/* @__PURE__ */ string(), true),
  content: /* @__PURE__ */ optional(text),
  contentHash: /* @__PURE__ */ optional(
    /* @__PURE__ */ is(
      (v) => typeof v === 'string' && SHA256_HEX.test(v),
      'must be a lower-case hex SHA-256',
    ),
  ),
  url: /* @__PURE__ */ optional(text),
};

/**
 * Validates notices against the purpose ids and fills in content hashes. Throws
 * `consent/invalid_notice` naming the offending index and field (an unknown field too, with the
 * field it is a near miss of).
 *
 * @example
 * const notices = validateNotices(defs, (id) => purposes.has(id));
 */
export function validateNotices<P extends string>(
  notices: readonly NoticeDefinition<P>[],
  isPurpose: (id: string) => boolean,
): Notice<P>[] {
  if (!Array.isArray(notices)) fail('notices', notices, 'must be an array');
  needType(isPurpose, 'function', 'isPurpose');
  const check = object<NoticeDefinition>({
    ...noticeShape,
    purposes: list(
      is((id) => isPurpose(id as string), 'is not a registered purpose'),
      true,
    ),
  });
  const seen = new Set<string>();
  return notices.map((notice, i) => {
    const path = `notices[${i}]`;
    enforce(check, notice, path, 'consent/invalid_notice');
    let hash = notice.contentHash;
    if (notice.content !== undefined) {
      const actual = sha256Hex(notice.content);
      if (hash !== undefined && hash !== actual) {
        fail(`${path}.contentHash`, hash, 'does not match the SHA-256 of content');
      }
      hash = actual;
    }
    if (hash === undefined) {
      fail(`${path}.contentHash`, hash, 'give content, or a lower-case hex SHA-256 contentHash');
    }
    const key = `${notice.id}\u0000${notice.version}\u0000${notice.language}`;
    if (seen.has(key)) fail(`${path}.version`, notice.version, 'is declared twice');
    seen.add(key);
    return { ...notice, contentHash: hash };
  });
}

function fail(path: string, value: unknown, problem: string): never {
  raise('consent/invalid_notice', path, value, problem);
}

/**
 * The notice version in force for a purpose at `at`: the latest effective one covering it,
 * preferring `language` when given.
 *
 * @example
 * currentNoticeFor(notices, 'marketing.email', clock.now(), 'fr');
 */
export function currentNoticeFor<P extends string>(
  notices: readonly Notice<P>[],
  purpose: string,
  at: Instant,
  language?: string,
): Notice<P> | undefined {
  if (!Array.isArray(notices)) fail('notices', notices, 'must be an array of notices');
  needType(purpose, 'string', 'purpose');
  needType(at, 'number', 'at');
  let best: Notice<P> | undefined;
  for (const notice of notices) {
    if (notice.effectiveAt > at || !notice.purposes.includes(purpose as P)) continue;
    const better =
      !best ||
      notice.effectiveAt > best.effectiveAt ||
      (notice.effectiveAt === best.effectiveAt &&
        language !== undefined &&
        notice.language === language);
    if (better) best = notice;
  }
  return best;
}

/**
 * True when a material version of the notice `ref` points at, covering `purpose`, took effect
 * after that version and by `at`. An unknown recorded version counts as changed (fail safe).
 *
 * @example
 * materiallyChanged(notices, verdictNoticeRef, 'marketing.email', now);
 */
export function materiallyChanged(
  notices: readonly Notice[],
  ref: NoticeRef,
  purpose: string,
  at: Instant,
): boolean {
  if (!Array.isArray(notices)) fail('notices', notices, 'must be an array of notices');
  if (typeof ref !== 'object' || ref === null || typeof ref.id !== 'string') {
    fail('ref', ref, 'must be a notice reference ({ id, version, contentHash })');
  }
  const seen = notices.find((n) => n.id === ref.id && n.version === ref.version);
  if (!seen) return notices.some((n) => n.id === ref.id && n.purposes.includes(purpose));
  return notices.some(
    (n) =>
      n.id === ref.id &&
      n.material &&
      n.effectiveAt > seen.effectiveAt &&
      n.effectiveAt <= at &&
      n.purposes.includes(purpose),
  );
}

/**
 * The reference an event records for a notice.
 *
 * @example
 * noticeRef(notice); // { id: 'marketing', version: '2026-05', contentHash: '…' }
 */
export function noticeRef(notice: Notice): NoticeRef {
  if (typeof notice !== 'object' || notice === null || typeof notice.id !== 'string') {
    fail('notice', notice, 'must be a notice');
  }
  return { id: notice.id, version: notice.version, contentHash: notice.contentHash };
}
