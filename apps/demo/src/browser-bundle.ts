import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('./browser/privacy-centre.ts', import.meta.url));
let bundled: Promise<string> | undefined;

/**
 * The pages' script (`browser/privacy-centre.ts` with the consent client), bundled and minified
 * by esbuild from the packages' TypeScript sources — once per process, at start-up, so
 * `npm start` needs no build step. Rejects with esbuild's message when the sources do not build.
 */
export function browserScript(): Promise<string> {
  bundled ??= build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'none',
    conditions: ['@candor/source'],
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]?.text ?? '');
  return bundled;
}
