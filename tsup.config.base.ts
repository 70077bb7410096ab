import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration every Candor package builds with: ESM + CJS, `.d.ts` + `.d.cts`,
 * sourcemaps, ES2022. A package's own `tsup.config.ts` only names its entries.
 *
 * @example
 * export default candorTsup({ index: 'src/index.ts' });
 */
export function candorTsup(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    treeshake: true,
    splitting: true,
    ...overrides,
  });
}
