// `npm start`: starts the demo app when it exists; until then, lists the packages and their status.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const demo = join(root, 'apps', 'demo', 'package.json');
if (existsSync(demo)) {
  const child = spawn('npm', ['run', 'start', '--workspace', '@candor/demo'], {
    stdio: 'inherit',
    cwd: root,
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('Candor packages (the demo app is not built yet):\n');
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
    console.log(`  ${pkg.name.padEnd(20)} ${pkg.version.padEnd(8)} ${pkg.description}`);
  }
  console.log('\nRun `npm test` to build and test them, `npm run bench` for the benchmarks.');
}
