import { candorVitest } from '../../vitest.shared.ts';

// Hooks here start and stop databases, job queues and child processes (a worker is given 15 s to
// exit before it is killed): vitest's default of 10 s is too short for them on a busy machine.
const config = candorVitest('postgres', { testTimeout: 90_000, hookTimeout: 60_000 });

// Starting PGlite takes seconds: the test files share one instance (tests isolate by schema), so
// they run in one worker, one after another, with modules shared between files.
if (config.test) Object.assign(config.test, { isolate: false, fileParallelism: false });

export default config;
