export { type Clock, createFakeClock, type FakeClock } from './fake-clock.js';
export { getFreePort } from './free-port.js';
export { createTestRedis, deleteKeysWithPrefix, hasRedis, redisUrl, type TestRedis } from './redis.js';
export { type RedisClusterHandle, startRedisCluster } from './redis-cluster.js';
export {
  hasRedisSentinel,
  type RedisSentinelHandle,
  type RedisSentinelOptions,
  type SentinelProcess,
  sentinelCommand,
  startRedisSentinel,
} from './redis-sentinel.js';
export { type RedisServerHandle, type RedisServerOptions, startRedisServer } from './redis-server.js';
