import { createTestRedis, hasRedis, type TestRedis } from '@indico/test-utils';
import { describe } from 'vitest';
import { createRedisTrackStore } from '../src/redis.js';
import { describeTrackStoreContract } from './contract/track-store.contract.js';

describe.skipIf(!hasRedis())('redis track store', () => {
  describeTrackStoreContract('redis', async () => {
    const r: TestRedis = createTestRedis();
    return { store: createRedisTrackStore({ redis: r.client, prefix: r.prefix }), cleanup: () => r.cleanup() };
  });
});
