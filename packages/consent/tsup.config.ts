import { candorTsup } from '../../tsup.config.base.ts';

export default candorTsup({ index: 'src/index.ts', tcf: 'src/tcf.ts', client: 'src/client.ts' });
