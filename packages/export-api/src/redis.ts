export {
  createRedisCatalog,
  createRedisResultCache,
  decodeCached,
  encodeCached,
  type RedisStoreOptions,
} from './stores/redis.js';
