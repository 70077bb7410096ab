import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, runSuite, type SuiteResult } from './harness.ts';
import { suites } from './suites/index.ts';

const filter = process.argv[2];
const selected = filter ? suites.filter((s) => s.name.includes(filter)) : suites;
const results: SuiteResult[] = [];
for (const suite of selected) {
  process.stderr.write(`running ${suite.name}…\n`);
  results.push(await runSuite(suite));
}
console.log(formatTable(results));
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      results,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${out}`);
