import { candorVitest } from '../../vitest.shared.ts';

export default candorVitest('http');
