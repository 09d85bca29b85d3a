export {
  createRedisCatalog,
  createRedisResultCache,
  decodeCached,
  encodeCached,
  type RedisCatalog,
  type RedisStoreOptions,
} from './stores/redis.js';
