import type { ChainableCommander } from 'ioredis';
import type { ChangeCollector } from './capture.js';
import { LivesyncError } from './errors.js';
import type { RedisTrackStore } from './stores/redis.js';
import type { ChangeInput, SyncManager } from './sync-manager.js';

export { createRedisTrackStore, type RedisTrackStore, type RedisTrackStoreOptions, trackKeys } from './stores/redis.js';

function redisStoreOf(manager: SyncManager): RedisTrackStore {
  const store = manager.store as Partial<RedisTrackStore>;
  if (typeof store.queueEntries !== 'function') {
    throw new LivesyncError('INVALID_ARGUMENT', 'queueChanges needs a SyncManager built on createRedisTrackStore');
  }
  return store as RedisTrackStore;
}

/**
 * Adds the track writes for `changes` to the caller's MULTI, next to the caller's own data writes,
 * so both commit in one EXEC or not at all (spec §2.15 scenario 5). Validates first: on bad input
 * it throws and queues nothing. Returns the number of entries queued. The caller runs `exec()`.
 * In a Redis Cluster the caller's keys must share the track's hash tag.
 */
export function queueChanges(
  multi: ChainableCommander,
  manager: SyncManager,
  changes: readonly ChangeInput[],
  options: { timestamp?: number } = {},
): number {
  const store = redisStoreOf(manager);
  const items = manager.prepareChanges(changes, options.timestamp);
  store.queueEntries(multi, items, 'set');
  return items.length;
}

/** Like queueChanges, for everything a ChangeCollector holds; the collector is cleared. */
export function queueCollector(
  multi: ChainableCommander,
  collector: ChangeCollector,
  options: { timestamp?: number } = {},
): number {
  const store = redisStoreOf(collector.manager);
  const items = collector.prepare(options.timestamp);
  store.queueEntries(multi, items, 'set');
  collector.reset();
  return items.length;
}
