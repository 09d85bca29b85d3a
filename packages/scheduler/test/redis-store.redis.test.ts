import { createTestRedis, hasRedis } from '@indico/test-utils';
import { describe } from 'vitest';
import { createRedisStore } from '../src/redis.js';
import { describeSchedulerStoreContract } from './contract/scheduler-store.contract.js';

describe.skipIf(!hasRedis())('redis store', () => {
  describeSchedulerStoreContract('redis', async () => {
    const r = createTestRedis();
    const store = createRedisStore({ redis: r.client, prefix: r.prefix });
    return {
      store,
      corruptTask: async (id) => {
        await r.client.hset(store.keys.task(id), 'd', '{not json');
      },
      pushRawSpoolItem: async (raw) => {
        await r.client.rpush(store.keys.spool, raw);
      },
      cleanup: async () => {
        await store.close();
        await r.cleanup();
      },
    };
  });
});
