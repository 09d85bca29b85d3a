import { createMemoryApiKeyStore, createMemoryReplayStore } from '../src/index.js';
import { describeApiKeyStoreContract } from './contract/api-key-store.contract.js';
import { describeReplayStoreContract } from './contract/replay-store.contract.js';

describeApiKeyStoreContract('memory', async ({ clock, generateId }) => {
  const store = createMemoryApiKeyStore({ clock, generateId });
  return { store, peer: store, cleanup: () => store.close() };
});

describeReplayStoreContract('memory', async ({ clock }) => {
  const store = createMemoryReplayStore({ clock });
  return { store, peer: store, advance: (ms) => clock.advance(ms), cleanup: () => store.close() };
});
