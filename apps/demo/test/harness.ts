// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), not the DOM property
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { DemoConfig } from '../src/config';
import { type RunningDemo, startDemo } from '../src/server';
import { createWorld } from '../src/world';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789';
export const artifacts = new URL('../test-artifacts/', import.meta.url).pathname;
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ci = /^(?!0$|false$)./i.test(process.env.CI ?? '');

/**
 * Whether the browser tests run: Chromium is there, or CI requires them (a missing Chromium then
 * fails `startHarness()`). On a machine without it, outside CI, they are skipped with one loud
 * line, so the README's `npm ci && npm test` passes on a fresh machine.
 */
export const inChromium: boolean = ci || existsSync(chromiumPath);
if (!inChromium) {
  console.warn(
    `\n*** SKIPPED: the demo's browser tests — no Chromium at ${chromiumPath}. To run them, install it (apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary; with CI=true they are required. ***\n`,
  );
}

/** A demo on a free port over a fresh data folder, and a headless Debian Chromium to drive it. */
export interface Harness {
  /** The running demo (replaced by `restart()`). */
  readonly demo: RunningDemo;
  readonly browser: Browser;
  readonly dataDir: string;
  /**
   * A fresh browser context (own cookies) whose relative URLs resolve against the demo. JavaScript
   * is off unless `javaScriptEnabled: true`: the pages work without it (progressive enhancement),
   * and the tests that click through forms show that they do.
   */
  context(options?: ContextOptions): Promise<BrowserContext>;
  /** A page already signed in as the operator. */
  operatorPage(): Promise<Page>;
  /** Stops the demo and starts it again on the same data folder (a new port). */
  restart(): Promise<RunningDemo>;
  close(): Promise<void>;
}

export interface ContextOptions {
  readonly extraHTTPHeaders?: Record<string, string>;
  readonly javaScriptEnabled?: boolean;
}

/**
 * Starts one harness for a test file's tests (where Chromium runs) and closes it after them;
 * `use` receives it. Opening PGlite in a fresh folder takes a few seconds (more on a busy CI
 * machine), hence the long set-up timeout.
 *
 * @example
 * let h: Harness;
 * useHarness((started) => { h = started; });
 */
export function useHarness(use: (harness: Harness) => void): void {
  let harness: Harness | undefined;
  beforeAll(async () => {
    if (!inChromium) return;
    harness = await startHarness();
    use(harness);
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  }, 30_000);
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: install it with "apt-get install -y chromium" (.ci/chromium.sh does) or set CHROMIUM_PATH.`,
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'candor-demo-'));
  await mkdir(artifacts, { recursive: true });
  const config: DemoConfig = {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: null,
    dataDir,
    operatorToken: OPERATOR_TOKEN,
    operatorTokenGenerated: false,
  };
  const launch = () => startDemo({ config, createService: createWorld, log: () => {} });
  let demo = await launch();
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  } catch (error) {
    await demo.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const contexts: BrowserContext[] = [];
  let operator: { url: string; page: Page } | undefined;
  const context = async (options: ContextOptions = {}) => {
    const ctx = await browser.newContext({
      baseURL: demo.url,
      viewport: { width: 1200, height: 900 },
      javaScriptEnabled: false,
      ...options,
    });
    contexts.push(ctx);
    return ctx;
  };
  return {
    get demo() {
      return demo;
    },
    browser,
    dataDir,
    context,
    async operatorPage() {
      // One signed-in operator context per running demo, shared by the tests.
      if (operator?.url !== demo.url) {
        const page = await (await context()).newPage();
        await page.goto('/operator');
        await page.fill('#token', OPERATOR_TOKEN);
        await Promise.all([page.waitForURL('**/operator'), page.click('button[type=submit]')]);
        operator = { url: demo.url, page };
      }
      await operator.page.goto('/operator');
      return operator.page;
    },
    async restart() {
      await demo.close();
      demo = await launch();
      return demo;
    },
    async close() {
      for (const ctx of contexts) await ctx.close().catch(() => {});
      await browser.close();
      await demo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as a test artifact. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** Sends an event from the operator's simulator and returns the outcome rows it added. */
export async function sendEvent(page: Page, subject: string, type: string): Promise<string[]> {
  await page.goto('/operator/simulator');
  const before = await page.locator('#outcomes tbody tr').count();
  await page.selectOption('#subject', subject);
  await page.selectOption('#type', type);
  await Promise.all([
    page.waitForURL('**/operator/simulator?done=sent'),
    page.click('form[action="/operator/events"] button[type=submit]'),
  ]);
  const rows = page.locator('#outcomes tbody tr');
  const added = (await rows.count()) - before;
  const texts: string[] = [];
  for (let i = 0; i < added; i++) texts.push((await rows.nth(i).innerText()).replace(/\s+/g, ' '));
  return texts;
}

/** Advances the virtual clock from the simulator. */
export async function advance(
  page: Page,
  amount: number,
  unit: 'hour' | 'day' | 'week',
): Promise<void> {
  await page.goto('/operator/simulator');
  await page.fill('#amount', String(amount));
  await page.selectOption('select[name=unit]', unit);
  await Promise.all([
    page.waitForURL('**/operator/simulator?done=advanced'),
    page.click('form[action="/operator/clock"] button[type=submit]'),
  ]);
}
