import { defineConfig } from 'vitest/config';

/** Resolve in-repo packages to their TypeScript sources, as tsconfig's `customConditions` does. */
const conditions = ['@candor/source', 'import', 'module', 'node', 'default'];
// Vitest hands `ssr.resolve.conditions` to Node as `--conditions`; Node picks import/require per
// loader by itself, and forcing `import` makes CommonJS packages (pg → pg-pool) load ESM builds.
const serverConditions = ['@candor/source', 'node'];

/**
 * The vitest project every Candor workspace uses: sources through the `@candor/source` condition,
 * type tests (`*.test-d.ts`) on, and a JSON report that `.ci/run` totals.
 *
 * @example
 * export default candorVitest('core');
 */
export function candorVitest(
  name: string,
  options: { testTimeout?: number; hookTimeout?: number } = {},
) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions: serverConditions, externalConditions: ['@candor/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', '*.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**', '**/.readme-example-*/**'],
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: options.hookTimeout ?? 10_000,
      typecheck: { enabled: true, include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'] },
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results.json' },
    },
  });
}
