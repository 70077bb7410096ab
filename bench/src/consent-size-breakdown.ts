/**
 * What consent's browser bundle would weigh without parts of the in-browser ledger: the typical app
 * of the size suite, bundled from source with whole modules swapped for empty stand-ins. It informs
 * the open decision on #3's 8 KB target; the stand-ins make a bundle that does not run.
 *
 * Run: `cd bench && npx tsx src/consent-size-breakdown.ts`
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'esbuild';
import { gzippedBytes, TYPICAL_APP } from './suites/consent.ts';

/**
 * Replaces each listed `packages/{consent,core}/src/<name>.ts` by exports of values the bundler
 * cannot drop (canonical JSON and SHA-256 live in core, beside consent's event fast path).
 */
function without(modules: readonly string[]): Plugin {
  return {
    name: 'without',
    setup(b) {
      b.onLoad({ filter: /(consent|core)[\\/]src[\\/][\w-]+\.ts$/ }, (args) => {
        const name = /([\w-]+)\.ts$/.exec(args.path)?.[1] ?? '';
        if (!modules.includes(name)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        const declared = [...source.matchAll(/export (?:async )?(?:function|const|class) (\w+)/g)];
        // `export { a, b };` lists too (consent's store re-exports core's sha256Hex so).
        const listed = [...source.matchAll(/^export \{([^}]*)\};?$/gm)].flatMap(([, names]) =>
          (names ?? '').split(',').map((name) => [
            '',
            name
              .trim()
              .split(/\s+as\s+/)
              .pop() ?? '',
          ]),
        );
        const lines = [...declared, ...listed]
          .filter(([, id]) => id)
          .map(([, id]) => `export const ${id} = globalThis[${JSON.stringify(id)}];`);
        return { contents: lines.join('\n'), loader: 'js' };
      });
    },
  };
}

const steps: [string, string[]][] = [
  ['as shipped', []],
  [
    'without the hash-chained ledger (store, canonical JSON, SHA-256)',
    ['store', 'canonical', 'sha256'],
  ],
  ['… and without event validation', ['store', 'canonical', 'sha256', 'validate-event']],
  ['… and without notices', ['store', 'canonical', 'sha256', 'validate-event', 'notices']],
];
for (const [label, modules] of steps) {
  console.log(
    `${String(await gzippedBytes(TYPICAL_APP, { conditions: ['@candor/source'], plugins: [without(modules)] })).padStart(6)} B min+gzip  ${label}`,
  );
}
