import type { Suite } from '../harness.ts';
import { coreSuites } from './core.ts';

/** Every suite `npm run bench` runs, in order. Filter with `npm run bench -- <substring>`. */
export const suites: Suite[] = [...coreSuites];
