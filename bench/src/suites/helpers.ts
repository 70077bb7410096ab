import type { Metric, Suite } from '../harness.ts';
import { gzippedBytes } from './consent.ts';

/** The packages a browser app may import, measured as published (their `dist`). */
const PACKAGES = ['core', 'consent', 'explain', 'rules', 'feedback'] as const;

/** Issue #19's target: importing any single helper costs at most this, unless it needs a schema. */
const HELPER_KB = 2;

/**
 * Whether an export is a helper the 2 KB target covers. Not counted: what needs a schema by
 * nature (zod schemas and classes, named in PascalCase; `parse*` / `safeParse*`; names with
 * `Schema` in them, such as `consentJsonSchema` or `consentSchemaIssues`) and the packages' entry
 * points (`create*` / `open*` factories, `compileRules`, `backtest`), which carry the package's
 * machinery on purpose. Everything else is: predicates, builders, formatters, constants.
 */
export function isHelper(name: string): boolean {
  if (/^[A-Z](?=.*[a-z])/.test(name)) return false;
  if (/^(parse|safeParse|create|open|compile)[A-Z]/.test(name)) return false;
  if (name.includes('Schema') || name === 'backtest') return false;
  return true;
}

/** Min+gzip KB of a browser bundle importing only `name` from `pkg` (zod bundled too). */
async function exportKb(pkg: string, name: string): Promise<number> {
  return (await gzippedBytes(`export { ${name} } from '@candor/${pkg}';`)) / 1024;
}

async function helperSizes(): Promise<Metric[]> {
  const metrics: Metric[] = [];
  for (const pkg of PACKAGES) {
    const names = Object.keys(await import(`@candor/${pkg}`)).filter(isHelper);
    const sizes: [string, number][] = [];
    for (const name of names) sizes.push([name, await exportKb(pkg, name)]);
    sizes.sort((a, b) => b[1] - a[1]);
    const over = sizes.filter(([, kb]) => kb > HELPER_KB);
    const [largest, kb] = sizes[0] ?? ['(none)', 0];
    metrics.push(
      {
        name: `${pkg}: largest single helper (${largest}), min+gzip, zod bundled`,
        value: kb,
        unit: 'KB',
        target: { atMost: HELPER_KB, note: 'issue #19: unless it needs a schema' },
      },
      {
        name: `${pkg}: helpers over ${HELPER_KB} KB, of ${sizes.length}${
          over.length ? `: ${over.map(([n, k]) => `${n} ${k.toFixed(1)}`).join(', ')}` : ''
        }`,
        value: over.length,
        unit: 'helpers',
      },
    );
  }
  return metrics;
}

/**
 * What importing one helper costs a browser app: each package's helpers bundled one at a time
 * from the published build. A helper that pulls a schema it does not use (a schema constant not
 * marked `@__PURE__`) shows up here.
 */
export const helperSuites: Suite[] = [
  { kind: 'metrics', name: 'sizes: a single helper per import', measure: helperSizes },
];
