import { defineConfig } from 'vitest/config';

/** Resolve in-repo packages to their TypeScript sources, as tsconfig's `customConditions` does. */
const conditions = ['@candor/source', 'import', 'module', 'node', 'default'];

/**
 * The vitest project every Candor workspace uses: sources through the `@candor/source` condition,
 * type tests (`*.test-d.ts`) on, and a JSON report that `.ci/run` totals.
 *
 * @example
 * export default candorVitest('core');
 */
export function candorVitest(name: string, options: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@candor/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', '*.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**', '**/.readme-example-*/**'],
      testTimeout: options.testTimeout ?? 5_000,
      typecheck: { enabled: true, include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'] },
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results.json' },
    },
  });
}
