import '@indico/vitest-preset/provided';
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { inject } from 'vitest';

/** The Redis URL the redis category provides, or '' when Redis is unavailable (tests should skip). */
export function redisUrl(): string {
  return inject('redisUrl');
}

/** True when the redis category has a server; use with `describe.skipIf(!hasRedis())`. */
export function hasRedis(): boolean {
  return redisUrl() !== '';
}

export interface TestRedis {
  client: Redis;
  /** Unique to this handle, e.g. `t:3f2a…:`; every key a test writes must start with it. */
  prefix: string;
  key(name: string): string;
  /** A second connection (for blocking commands, pub/sub, or a second "process"). */
  duplicate(): Redis;
  /** Deletes every key under `prefix` (and nothing else) and closes all connections. Idempotent. */
  cleanup(): Promise<void>;
}

/** Deletes the keys under `prefix` with SCAN + UNLINK: never FLUSHDB, never another test's keys. */
export async function deleteKeysWithPrefix(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export function createTestRedis(options: RedisOptions & { url?: string } = {}): TestRedis {
  const url = options.url ?? redisUrl();
  if (!url)
    throw new Error('createTestRedis() called but no Redis is available; guard with describe.skipIf(!hasRedis())');
  const prefix = `t:${randomUUID()}:`;
  const opts: RedisOptions = { maxRetriesPerRequest: 1, ...options };
  const client = new Redis(url, opts);
  const extra: Redis[] = [];
  let closed = false;
  return {
    client,
    prefix,
    key: (name) => `${prefix}${name}`,
    duplicate() {
      const c = client.duplicate();
      extra.push(c);
      return c;
    },
    async cleanup() {
      if (closed) return;
      closed = true;
      for (const c of extra) c.disconnect();
      try {
        await deleteKeysWithPrefix(client, prefix);
      } finally {
        client.disconnect();
      }
    },
  };
}
