import { randomUUID } from 'node:crypto';
import { hasRedis, type RedisClusterHandle, startRedisCluster } from '@indico/test-utils';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { createRedisApiKeyStore, createRedisReplayStore } from '../src/stores/redis.js';
import { describeApiKeyStoreContract } from './contract/api-key-store.contract.js';
import { describeReplayStoreContract } from './contract/replay-store.contract.js';

// The Lua scripts take several keys; on a Redis Cluster they only run if those keys share one slot, which the
// `{apikeys}` hash tag guarantees. Running the same contract on a 3-master cluster proves it (CROSSSLOT otherwise).
describe.skipIf(!hasRedis())('redis adapters on a Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  const clients: Cluster[] = [];
  const connect = () => {
    const c = new Cluster(cluster.startupNodes, { redisOptions: { maxRetriesPerRequest: 1 } });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  }, 30_000);
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await cluster?.stop();
  });

  // The whole cluster belongs to this file and is stopped afterwards; a fresh prefix per test keeps tests apart.
  describeApiKeyStoreContract('redis cluster', async ({ clock, generateId }) => {
    const prefix = `t:${randomUUID()}:`;
    const store = createRedisApiKeyStore({ redis: connect(), prefix, clock, generateId });
    const peer = createRedisApiKeyStore({ redis: connect(), prefix, clock, generateId });
    return { store, peer, cleanup: async () => {} };
  });

  describeReplayStoreContract('redis cluster', async () => {
    const prefix = `t:${randomUUID()}:`;
    const first = connect();
    const store = createRedisReplayStore({ redis: first, prefix });
    const peer = createRedisReplayStore({ redis: connect(), prefix });
    return { store, peer, remainingMs: (token) => first.pttl(`${prefix}{replay}:${token}`), cleanup: async () => {} };
  });
});
