export {
  createRedisCatalog,
  createRedisResultCache,
  decodeCached,
  encodeCached,
  type QueueWritesOptions,
  type RedisCatalog,
  type RedisStoreOptions,
} from './stores/redis.js';
