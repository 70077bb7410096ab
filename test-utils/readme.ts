import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The TypeScript examples of a README: every fenced block that opens with ```ts (or ```typescript),
 * in order. Blocks fenced as ```ts no-test are left out (fragments that cannot run alone).
 *
 * @example
 * readmeExamples('packages/core/README.md').length;
 */
export function readmeExamples(readmePath: string): string[] {
  const text = readFileSync(readmePath, 'utf8');
  const blocks: string[] = [];
  const fence = /^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm;
  for (let match = fence.exec(text); match !== null; match = fence.exec(text)) {
    if (!match[2]?.includes('no-test')) blocks.push(match[3] ?? '');
  }
  return blocks;
}

/**
 * Runs a README's TypeScript examples as modules placed beside the README (so package imports
 * resolve as a user's would), returning each module's exports. Console output is captured and
 * returned too, so a test can assert what the example prints.
 *
 * @example
 * const [first] = await runReadmeExamples(new URL('../README.md', import.meta.url).pathname);
 * expect(first.logs).toContain('allowed: true');
 */
export async function runReadmeExamples(
  readmePath: string,
): Promise<Array<{ exports: Record<string, unknown>; logs: string[] }>> {
  const blocks = readmeExamples(readmePath);
  if (blocks.length === 0) throw new Error(`${readmePath} has no \`\`\`ts example`);
  const dir = mkdtempSync(join(dirname(readmePath), '.readme-example-'));
  const results: Array<{ exports: Record<string, unknown>; logs: string[] }> = [];
  const original = console.log;
  try {
    for (const [index, code] of blocks.entries()) {
      const file = join(dir, `example-${index}.ts`);
      writeFileSync(file, code);
      const logs: string[] = [];
      console.log = (...args: unknown[]) => {
        logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      };
      try {
        const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
        results.push({ exports, logs });
      } finally {
        console.log = original;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
