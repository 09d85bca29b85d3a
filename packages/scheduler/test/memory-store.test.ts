import { createMemoryStore } from '../src/index.js';
import { describeSchedulerStoreContract } from './contract/scheduler-store.contract.js';

describeSchedulerStoreContract('memory', async () => {
  const store = createMemoryStore();
  return {
    store,
    corruptTask: async (id) => store.corruptTask(id),
    pushRawSpoolItem: async (raw) => store.pushRawSpoolItem(raw),
    cleanup: () => store.close(),
  };
});
