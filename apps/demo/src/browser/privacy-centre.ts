// `/static/privacy.js`, bundled by esbuild at start-up (`browser-bundle.ts`): progressive
// enhancement of the customer pages. Without it (JavaScript off) every form posts as before.
import { pageApi } from './api';
import { enhanceInbox } from './inbox';
import { enhancePreferences } from './preferences';

const api = pageApi();
const page = document.getElementById('privacy-api')?.dataset.page;
if (api && page === 'inbox') enhanceInbox(api);
if (api && page === 'preferences') enhancePreferences(api);
