import { candorTsup } from '../../tsup.config.base.ts';

export default candorTsup({
  index: 'src/index.ts',
  consent: 'src/consent.ts',
  rules: 'src/rules.ts',
  feedback: 'src/feedback.ts',
  access: 'src/access.ts',
  memory: 'src/memory.ts',
  audits: 'src/audits.ts',
});
