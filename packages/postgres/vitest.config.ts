import { candorVitest } from '../../vitest.shared.ts';

const config = candorVitest('postgres', { testTimeout: 90_000 });

// Starting PGlite takes seconds: the test files share one instance (tests isolate by schema), so
// they run in one worker, one after another, with modules shared between files.
if (config.test) Object.assign(config.test, { isolate: false, fileParallelism: false });

export default config;
