import type { ApiKeyRecord, ApiKeyStore } from '@indico/http-signing';
import type { Redis } from 'ioredis';

/**
 * Listing API keys. The ApiKeyStore port has no "list" (follow-up for @indico/http-signing): on Redis the
 * user index keys are scanned (`<prefix>{apikeys}:user:*`, the layout the package documents); in memory the
 * users whose keys were created through this process are remembered.
 */
export interface KeyDirectory {
  list(): Promise<ApiKeyRecord[]>;
}

export function trackedKeyStore(
  store: ApiKeyStore,
  redis: Redis | null,
  prefix: string,
): { store: ApiKeyStore; directory: KeyDirectory } {
  const users = new Set<string>();
  const tracked: ApiKeyStore = {
    async create(userId, options) {
      const record = await store.create(userId, options);
      users.add(userId);
      return record;
    },
    get: (key) => store.get(key),
    getByUser: (userId) => store.getByUser(userId),
    regenerate: (key) => store.regenerate(key),
    setBlocked: (key, blocked) => store.setBlocked(key, blocked),
    setPersistentAllowed: (key, allowed) => store.setPersistentAllowed(key, allowed),
    recordUse: (key, use) => store.recordUse(key, use),
    remove: (key) => store.remove(key),
    close: () => store.close(),
  };

  async function userIds(): Promise<string[]> {
    if (!redis) return [...users];
    const match = `${prefix}{apikeys}:user:*`;
    const strip = `${prefix}{apikeys}:user:`.length;
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', match.replace(/[[\]]/g, '\\$&'), 'COUNT', 500);
      cursor = next;
      for (const k of batch) found.add(k.slice(strip));
    } while (cursor !== '0');
    return [...found];
  }

  return {
    store: tracked,
    directory: {
      async list() {
        const records = await Promise.all((await userIds()).map((u) => store.getByUser(u)));
        return records
          .filter((r): r is ApiKeyRecord => r !== null)
          .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
      },
    },
  };
}
