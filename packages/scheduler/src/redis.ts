export { type SchedulerKeys, schedulerKeys } from './stores/redis/keys.js';
export { createRedisStore, type RedisSchedulerStore, type RedisStoreOptions } from './stores/redis.js';
