import { createTestRedis, hasRedis, type TestRedis } from '@indico/test-utils';
import { describe } from 'vitest';
import { createRedisApiKeyStore, createRedisReplayStore } from '../src/stores/redis.js';
import { describeApiKeyStoreContract } from './contract/api-key-store.contract.js';
import { describeReplayStoreContract } from './contract/replay-store.contract.js';

describe.skipIf(!hasRedis())('redis adapters', () => {
  describeApiKeyStoreContract('redis', async ({ clock, generateId }) => {
    const r: TestRedis = createTestRedis();
    const store = createRedisApiKeyStore({ redis: r.client, prefix: r.prefix, clock, generateId });
    const peer = createRedisApiKeyStore({ redis: r.duplicate(), prefix: r.prefix, clock, generateId });
    return { store, peer, cleanup: () => r.cleanup() };
  });

  describeApiKeyStoreContract('redis, cached reads', async ({ clock, generateId }) => {
    const r: TestRedis = createTestRedis();
    const store = createRedisApiKeyStore({ redis: r.client, prefix: r.prefix, clock, generateId, cacheReads: true });
    const peer = createRedisApiKeyStore({
      redis: r.duplicate(),
      prefix: r.prefix,
      clock,
      generateId,
      cacheReads: true,
    });
    return {
      store,
      peer,
      cleanup: async () => {
        await store.close();
        await peer.close();
        await r.cleanup();
      },
    };
  });

  describeReplayStoreContract('redis', async () => {
    const r: TestRedis = createTestRedis();
    const store = createRedisReplayStore({ redis: r.client, prefix: r.prefix });
    const peer = createRedisReplayStore({ redis: r.duplicate(), prefix: r.prefix });
    return {
      store,
      peer,
      remainingMs: (token) => r.client.pttl(`${r.prefix}{replay}:${token}`),
      cleanup: () => r.cleanup(),
    };
  });
});
