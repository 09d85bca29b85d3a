import { createMemoryTrackStore } from '../src/index.js';
import { describeLivesyncContract } from './contract/livesync.contract.js';

describeLivesyncContract('memory', async () => ({ store: createMemoryTrackStore(), cleanup: async () => {} }));
