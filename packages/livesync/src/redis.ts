import type { ChainableCommander } from 'ioredis';
import type { ChangeCollector } from './capture.js';
import { LivesyncError } from './errors.js';
import type { RedisTrackStore } from './stores/redis.js';
import type { ChangeInput, SyncManager } from './sync-manager.js';

export {
  createRedisTrackStore,
  type QueueEntriesOptions,
  type RedisTrackStore,
  type RedisTrackStoreOptions,
  trackKeys,
} from './stores/redis.js';

function redisStoreOf(manager: SyncManager): RedisTrackStore {
  const store = manager.store as Partial<RedisTrackStore>;
  if (typeof store.queueEntries !== 'function') {
    throw new LivesyncError('INVALID_ARGUMENT', 'queueChanges needs a SyncManager built on createRedisTrackStore');
  }
  return store as RedisTrackStore;
}

/** Options of `queueChanges` / `queueCollector`. */
export interface QueueChangesOptions {
  /** Bucket time in ms (default: the manager's clock). */
  timestamp?: number;
  /**
   * A conditional change: the entries are recorded only if this key does not exist when EXEC reaches them.
   * A command queued earlier in the same MULTI (e.g. a delete script that refuses) sets the key to cancel the
   * change record; the entries then go through one script that checks the key first. The key must carry the
   * track's hash tag; livesync never sets or deletes it (the caller does, e.g. DEL after the entries).
   */
  unlessKey?: string;
}

/**
 * Adds the track writes for `changes` to the caller's MULTI, next to the caller's own data writes,
 * so both commit in one EXEC or not at all (spec §2.15 scenario 5). Validates first: on bad input
 * it throws and queues nothing. Returns the number of entries queued (with `unlessKey`, the number that will
 * be recorded unless the key exists at EXEC). The caller runs `exec()`.
 * In a Redis Cluster the caller's keys must share the track's hash tag.
 */
export function queueChanges(
  multi: ChainableCommander,
  manager: SyncManager,
  changes: readonly ChangeInput[],
  options: QueueChangesOptions = {},
): number {
  const store = redisStoreOf(manager);
  const items = manager.prepareChanges(changes, options.timestamp);
  store.queueEntries(multi, items, 'set', { unlessKey: options.unlessKey });
  return items.length;
}

/** Like queueChanges, for everything a ChangeCollector holds; the collector is cleared once queued. */
export function queueCollector(
  multi: ChainableCommander,
  collector: ChangeCollector,
  options: QueueChangesOptions = {},
): number {
  const store = redisStoreOf(collector.manager);
  const items = collector.prepare(options.timestamp);
  store.queueEntries(multi, items, 'set', { unlessKey: options.unlessKey });
  collector.reset();
  return items.length;
}
