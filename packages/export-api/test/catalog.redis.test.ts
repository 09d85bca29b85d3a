import { createTestRedis, hasRedis } from '@indico/test-utils';
import { describe, expect, it } from 'vitest';
import { createRedisCatalog, createRedisResultCache } from '../src/redis.js';
import { describeCatalogContract } from './contract/catalog.contract.js';
import { describeResultCacheContract } from './contract/result-cache.contract.js';

describe.skipIf(!hasRedis())('redis adapters', () => {
  describeCatalogContract('redis', async () => {
    const r = createTestRedis();
    // A small page size makes the paging path run in the contract's early-stop test.
    return {
      catalog: createRedisCatalog({ client: r.client, prefix: r.prefix, pageSize: 4 }),
      cleanup: () => r.cleanup(),
    };
  });

  describeResultCacheContract('redis', async () => {
    const r = createTestRedis();
    return { cache: createRedisResultCache({ client: r.client, prefix: r.prefix }), cleanup: () => r.cleanup() };
  });

  it('writes every key under the given prefix and the {export} hash tag', async () => {
    const r = createTestRedis();
    try {
      const catalog = createRedisCatalog({ client: r.client, prefix: r.prefix });
      await catalog.putCategory({ id: '0', name: 'Home', parentId: null });
      await catalog.putEvent({
        id: 'e',
        title: 'E',
        description: '',
        type: 'meeting',
        startDate: 0,
        endDate: 1,
        timezone: 'UTC',
        categoryId: '0',
        location: null,
        room: null,
        address: null,
        creator: { id: 'u', fullName: '', affiliation: '', email: '' },
        chairs: [],
        creationDate: 0,
        modificationDate: 0,
        links: [{ userId: 'u', roles: ['chair'] }],
      });
      const cache = createRedisResultCache({ client: r.client, prefix: r.prefix });
      await cache.set('k', { results: [], additionalInfo: {}, ts: 1, complete: true }, 5000);
      const keys = await r.client.keys(`${r.prefix}*`);
      expect(keys.length).toBeGreaterThan(5);
      for (const k of keys) expect(k.startsWith(`${r.prefix}{export}:`)).toBe(true);
      // spec §8: the TTL is set on the entry (checked without waiting for it)
      const ttl = await r.client.pttl(`${r.prefix}{export}:cache:k`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5000);
    } finally {
      await r.cleanup();
    }
  });
});
