import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration every Candor package builds with: ESM + CJS, `.d.ts` + `.d.cts`,
 * sourcemaps, ES2022. A package's own `tsup.config.ts` only names its entries.
 *
 * Source maps point at `../src/*.ts` without embedding it (`sourcesContent: false`): the tarball
 * ships `src/` once anyway (the `@candor/source` export condition and editors' go-to-source read
 * it), so embedding would carry every source twice. `treeshake` (a rollup pass) keeps
 * `@__PURE__` annotations; with `sideEffects: false` in each package.json, a user's bundler drops
 * whatever a single import does not reach.
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
    esbuildOptions(options) {
      options.sourcesContent = false;
    },
    ...overrides,
  });
}
