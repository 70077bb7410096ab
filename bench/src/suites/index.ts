import type { Suite } from '../harness.ts';
import { accessSuites } from './access.ts';
import { consentSuites } from './consent.ts';
import { coreSuites } from './core.ts';
import { explainSuites } from './explain.ts';
import { feedSuites } from './feed.ts';
import { feedbackSuites } from './feedback.ts';
import { feedbackScaleSuites } from './feedback-scale.ts';
import { helperSuites } from './helpers.ts';
import { httpSuites } from './http.ts';
import { memorySuites } from './memory.ts';
import { memoryPgSuites } from './memory-pg.ts';
import { postgresSuites } from './postgres.ts';
import { rulesSuites } from './rules.ts';
import { scaleSuites } from './scale.ts';

/** Every suite `npm run bench` runs, in order. Filter with `npm run bench -- <substring>`. */
export const suites: Suite[] = [
  ...coreSuites,
  ...consentSuites,
  ...explainSuites,
  ...feedbackSuites,
  ...memorySuites,
  ...memoryPgSuites,
  ...httpSuites,
  ...postgresSuites,
  ...accessSuites,
  ...feedSuites,
  ...rulesSuites,
  ...helperSuites,
  ...scaleSuites,
  ...feedbackScaleSuites,
];
