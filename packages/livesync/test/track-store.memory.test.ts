import { createMemoryTrackStore } from '../src/index.js';
import { describeTrackStoreContract } from './contract/track-store.contract.js';

describeTrackStoreContract('memory', async () => ({ store: createMemoryTrackStore(), cleanup: async () => {} }));
