import { createTestRedis, hasRedis } from '@indico/test-utils';
import { describe } from 'vitest';
import { createRedisTrackStore } from '../src/redis.js';
import { describeLivesyncContract } from './contract/livesync.contract.js';

describe.skipIf(!hasRedis())('redis livesync', () => {
  describeLivesyncContract('redis', async () => {
    const r = createTestRedis();
    return { store: createRedisTrackStore({ redis: r.client, prefix: r.prefix }), cleanup: () => r.cleanup() };
  });
});
