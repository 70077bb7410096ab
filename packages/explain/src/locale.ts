import type { CompiledCatalog } from './catalog';

/**
 * Finds the catalog for `requested`: exact match, then its language (`de-AT` → `de`), else the
 * default locale (reported as a fallback).
 *
 * @example
 * resolveLocale(catalogs, 'de-AT', 'en').catalog.locale; // 'de'
 */
export function resolveLocale(
  catalogs: ReadonlyMap<string, CompiledCatalog>,
  requested: string,
  fallback: string,
): { catalog: CompiledCatalog; fellBack: boolean } {
  const hit = catalogs.get(requested);
  if (hit) return { catalog: hit, fellBack: false };
  let canonical: string | undefined;
  try {
    canonical = Intl.getCanonicalLocales(requested)[0];
  } catch {
    canonical = undefined;
  }
  if (canonical !== undefined) {
    const exact = catalogs.get(canonical);
    if (exact) return { catalog: exact, fellBack: false };
    const language = catalogs.get(canonical.split('-')[0]!);
    if (language) return { catalog: language, fellBack: false };
  }
  return { catalog: catalogs.get(fallback)!, fellBack: true };
}
