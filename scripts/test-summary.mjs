// Totals the vitest JSON reports every workspace writes (test-results.json) into the one line CI
// reads: "N passed, N failed". Exits non-zero when a test failed or when no test ran at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['packages', 'apps']
  .flatMap((dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir)).map((name) => join(root, dir, name))
      : [],
  )
  .concat(join(root, 'bench'));

let passed = 0;
let failed = 0;
let skipped = 0;
for (const workspace of workspaces) {
  const report = join(workspace, 'test-results.json');
  if (!existsSync(report)) continue;
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests ?? 0;
  failed += json.numFailedTests ?? 0;
  // A file that failed to load has no failing test of its own: count it as one failure.
  for (const file of json.testResults ?? []) {
    if (
      file.status === 'failed' &&
      !(file.assertionResults ?? []).some((a) => a.status === 'failed')
    )
      failed += 1;
  }
  skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
