import { createFakeClock } from '@indico/test-utils';
import { createMemoryCatalog, createMemoryResultCache } from '../src/index.js';
import { describeCatalogContract } from './contract/catalog.contract.js';
import { describeResultCacheContract } from './contract/result-cache.contract.js';

describeCatalogContract('memory', async () => ({ catalog: createMemoryCatalog(), cleanup: async () => {} }));

describeResultCacheContract('memory', async () => {
  const clock = createFakeClock();
  return { cache: createMemoryResultCache({ clock }), advance: (ms) => clock.advance(ms), cleanup: async () => {} };
});
