import { candorTsup } from '../../tsup.config.base.ts';

export default candorTsup({ index: 'src/index.ts', node: 'src/node.ts' });
