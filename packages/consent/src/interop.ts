import type { ConsentGate, Instant, SubjectId } from '@candor/core';
import { type ConsentModeSignal, consentModeSignals } from './consent-mode-signals';
import { requireGate, requireRegistry } from './errors';
import type { PurposeRegistry } from './purposes';

/**
 * Reads a `Sec-GPC` request header: `true` only for the value `1` (surrounding whitespace
 * ignored), per the Global Privacy Control spec. Accepts a header value, an array of values, or
 * a `Headers` / plain headers object (case-insensitive lookup).
 *
 * @example
 * parseGpcHeader(request.headers);            // Headers with 'Sec-GPC: 1' → true
 * parseGpcHeader({ 'sec-gpc': '1' });         // true
 * parseGpcHeader('0');                        // false
 */
export function parseGpcHeader(
  input:
    | string
    | readonly string[]
    | null
    | undefined
    | { get(name: string): string | null }
    | Readonly<Record<string, string | readonly string[] | undefined>>,
): boolean {
  if (input === null || input === undefined) return false;
  if (typeof input === 'string') return input.trim() === '1';
  if (Array.isArray(input)) return input.length > 0 && input.every((v) => parseGpcHeader(v));
  const maybeHeaders = input as { get?: unknown };
  if (typeof maybeHeaders.get === 'function') {
    return parseGpcHeader((input as { get(name: string): string | null }).get('sec-gpc'));
  }
  const record = input as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === 'sec-gpc') return parseGpcHeader(record[key]);
  }
  return false;
}

/**
 * Reads `navigator.globalPrivacyControl` in a browser: `true` only when it is exactly `true`.
 * Pass a navigator-like object to test; defaults to `globalThis.navigator` (absent in Node → false).
 *
 * @example
 * if (readNavigatorGpc()) await manager.observeGpc({ subject, gpc: true });
 */
export function readNavigatorGpc(
  navigatorLike: { readonly globalPrivacyControl?: unknown } | undefined = (
    globalThis as { navigator?: { globalPrivacyControl?: unknown } }
  ).navigator,
): boolean {
  return navigatorLike?.globalPrivacyControl === true;
}

/**
 * Google Consent Mode v2 state: each signal `granted` or `denied`.
 *
 * @example
 * gtag('consent', 'update', consentModeState);
 */
export type ConsentModeState = Record<ConsentModeSignal, 'granted' | 'denied'>;

/**
 * Maps a subject's consent to Google Consent Mode v2: a signal is `granted` only when at least
 * one purpose maps to it and every purpose mapping to it is allowed (with all its declared data
 * categories). Unmapped signals are `denied` (fail closed).
 *
 * @example
 * const state = toConsentMode(manager, purposes, 'cus_1');
 * gtag('consent', 'update', state);
 */
export function toConsentMode(
  gate: ConsentGate,
  registry: PurposeRegistry,
  subject: SubjectId,
  at?: Instant,
): ConsentModeState {
  requireGate(gate, 'gate');
  requireRegistry(registry, 'registry');
  const granted: Partial<Record<ConsentModeSignal, boolean>> = {};
  for (const id of registry.ids) {
    const purpose = registry.get(id);
    if (!purpose?.consentMode?.length) continue;
    const allowed = gate.decide({
      subject,
      purpose: id,
      dataCategories: purpose.categories,
      ...(at !== undefined ? { at } : {}),
    }).allowed;
    for (const signal of purpose.consentMode)
      granted[signal] = (granted[signal] ?? true) && allowed;
  }
  const state = {} as ConsentModeState;
  for (const signal of consentModeSignals)
    state[signal] = granted[signal] === true ? 'granted' : 'denied';
  return state;
}
