import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';

// One real start of the command `npm start` runs (restarts on the same data folder are covered,
// in-process, by browser.test.ts).

const appDir = new URL('..', import.meta.url).pathname;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'candor-start-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs the package's `start` command as `npm start` does, until it prints its URL. */
async function start(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  // The same command as package.json's "start" (npm itself adds nothing but noise here).
  const child = spawn(
    process.execPath,
    ['--conditions=@candor/source', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: appDir,
      // PGlite in a fresh folder (the browser tests cover restarts on it), whatever
      // DATABASE_URL CI exports for other packages.
      env: {
        ...process.env,
        DATABASE_URL: '',
        PORT: '0',
        CANDOR_DATA_DIR: dataDir,
        CANDOR_OPERATOR_TOKEN: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    out += String(chunk);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /Ready: (http:\/\/\S+)/.exec(out);
      // The operator token line follows the URL in a write of its own: wait for the line after it.
      if (match?.[1] && /Operator pages:/.test(out)) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

/** Sends SIGTERM; resolves to the exit code, or the signal that ended the process. */
async function stop(child: ChildProcess): Promise<number | string | null> {
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  child.kill('SIGTERM');
  return exited;
}

test('`npm start` migrates, seeds, prints the URL and a generated operator token, and stops cleanly', async () => {
  const first = await start();
  try {
    const log = first.output();
    expect(log).toMatch(/migrations: applied/);
    expect(log).toMatch(/seeding: 3 customers/);
    expect(log).toMatch(/Operator token \(generated for this run[^)]*\): \S{20,}/);
    const home = await fetch(first.url);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Ana Sousa');
    expect((await fetch(`${first.url}/operator`)).status).toBe(401);
    // The customer pages' script, bundled when `npm start` starts (no build step).
    const script = await fetch(`${first.url}/static/privacy.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('/consent/choices');
  } finally {
    const exit = await stop(first.child);
    // What it printed, should it not stop cleanly.
    expect(exit, first.output().slice(-2_000)).toBe(0);
  }
  expect(first.output()).toContain('Stopped cleanly.');
}, 120_000);
