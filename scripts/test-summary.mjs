// Totals the vitest JSON reports every workspace writes (test-results.json) into the one line CI
// reads: "N passed, N failed". Exits non-zero when a test failed or when no test ran at all.
//
// Names of further reports given as arguments (`node scripts/test-summary.mjs
// test-results.node24.json`, which .ci/run passes after the package suites ran again under
// Node 24) are added to the total: each package (packages/*) that wrote a test-results.json must
// have written them too, and a missing one counts as a failure. A line per report comes first;
// the total is always the last line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const list = (dir) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir)).map((name) => join(root, dir, name))
    : [];
const packages = list('packages');
const workspaces = [...packages, ...list('apps'), join(root, 'bench')];
const extra = process.argv.slice(2);

/** The first lines of a failure message, without colours, indented under its test's name. */
const firstLines = (message) =>
  String(message)
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
    .split('\n')
    .slice(0, 6)
    .map((text) => `    ${text}`)
    .join('\n');

/** Counts of one vitest JSON report; prints each failing test (or file) with its message. */
function count(report) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  let failed = json.numFailedTests ?? 0;
  const where = report.slice(root.length);
  for (const file of json.testResults ?? []) {
    const failures = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const test of failures)
      console.log(`FAILED ${where}: ${test.fullName}\n${firstLines(test.failureMessages ?? [])}`);
    // A file that failed to load has no failing test of its own: count it as one failure.
    if (file.status === 'failed' && failures.length === 0) {
      console.log(`FAILED ${where}: ${file.name}\n${firstLines(file.message ?? '')}`);
      failed += 1;
    }
  }
  return {
    passed: json.numPassedTests ?? 0,
    failed,
    skipped: (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0),
  };
}

const line = ({ passed, failed, skipped }) =>
  `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;

const total = { passed: 0, failed: 0, skipped: 0 };
const add = (into, counts) => {
  into.passed += counts.passed;
  into.failed += counts.failed;
  into.skipped += counts.skipped;
};

const runs = [['test-results.json', workspaces]].concat(extra.map((name) => [name, packages]));
for (const [name, where] of runs) {
  const run = { passed: 0, failed: 0, skipped: 0 };
  for (const workspace of where) {
    const report = join(workspace, name);
    if (existsSync(report)) add(run, count(report));
    else if (name !== 'test-results.json' && existsSync(join(workspace, 'test-results.json'))) {
      console.log(`${name}: none from ${workspace.slice(root.length)}, counted as a failure`);
      run.failed += 1;
    }
  }
  const label =
    name === 'test-results.json'
      ? `npm test (node ${process.version})`
      : `${name.replace(/^test-results\.|\.json$/g, '')} (${name})`;
  if (extra.length > 0) console.log(`${label}: ${line(run)}`);
  add(total, run);
}
console.log(line(total));
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
