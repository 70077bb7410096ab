import { candorVitest } from '../../vitest.shared.ts';

// Browser tests start the app and Chromium: generous per-test time, still one short suite.
const config = candorVitest('demo', { testTimeout: 60_000 });

// The browser file and the start-command file mostly wait (on Chromium, PGlite, a child
// process): let them run side by side.
if (config.test) Object.assign(config.test, { fileParallelism: true, maxWorkers: 3 });

export default config;
