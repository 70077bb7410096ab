import { httpError } from './errors';
import type { PrivacyApiOptions } from './options';

/**
 * Throws `http/invalid_option` naming the first bad option of {@link createPrivacyApi}.
 *
 * @example
 * checkApiOptions({ consent: manager, authenticate: () => null });
 */
export function checkApiOptions<P extends string>(options: PrivacyApiOptions<P>): void {
  if (typeof options !== 'object' || options === null) bad('options', 'must be an object');
  if (typeof options.authenticate !== 'function')
    bad('authenticate', 'must be a function from a request to the signed-in customer (or null)');
  if (typeof options.consent?.decide !== 'function' || typeof options.consent.grant !== 'function')
    bad('consent', 'must be a ConsentManager');
  const ports = [
    ['feedback', 'submit'],
    ['explainer', 'explain'],
    ['accessLog', 'query'],
    ['memory', 'list'],
    ['corrections', 'open'],
  ] as const;
  for (const [name, method] of ports) {
    const port = options[name] as Record<string, unknown> | undefined;
    if (port !== undefined && typeof port?.[method] !== 'function')
      bad(name, `must have a ${method}() method`);
  }
  if (options.decisions !== undefined && typeof options.decisions !== 'function')
    bad('decisions', 'must be a function (subject, decisionId) → DecisionRecord | undefined');
  if (options.onError !== undefined && typeof options.onError !== 'function')
    bad('onError', 'must be a function');
  if (options.basePath !== undefined && !/^(\/[A-Za-z0-9._~-]+)*\/?$/.test(options.basePath))
    bad('basePath', 'must be a path such as "/api/privacy"');
  const max = options.maxBodyBytes;
  if (max !== undefined && (!Number.isInteger(max) || max < 64 || max > 10_485_760))
    bad('maxBodyBytes', 'must be a whole number of bytes between 64 and 10 MiB');
  const origins = options.allowedOrigins;
  if (origins !== undefined) {
    if (!Array.isArray(origins)) bad('allowedOrigins', 'must be an array of origins');
    origins.forEach((origin, i) => {
      if (typeof origin !== 'string' || safeOrigin(origin) !== origin)
        bad(`allowedOrigins[${i}]`, 'must be an origin such as "https://shop.example"');
    });
  }
}

function safeOrigin(origin: string): string | null {
  try {
    return new URL(origin).origin;
  } catch {
    return null;
  }
}

function bad(path: string, why: string): never {
  throw httpError('http/invalid_option', `${path}: ${why}`, { path });
}
