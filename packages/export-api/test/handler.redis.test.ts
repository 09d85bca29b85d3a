/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSeedFixtures } from '../src/fixtures.js';
import { createRedisCatalog, createRedisResultCache } from '../src/redis.js';
import { expectSeedSubset, get, seedExample, seedHandler } from './helpers.js';

describe.skipIf(!hasRedis())('export handler over the Redis catalog and cache', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('reproduces the seed categ and occurrence examples from Redis, and serves the cached copy', async () => {
    const r = createTestRedis();
    cleanups.push(() => r.cleanup());
    const catalog = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await loadSeedFixtures(catalog);
    const cache = createRedisResultCache({ client: r.client, prefix: r.prefix });
    const seed = seedExample('categ-2');
    const h = seedHandler(catalog, {
      nowSec: seed.ts,
      baseUrl: 'https://my.indico',
      host: 'http://pcituds07.cern.ch/indico/',
      cache,
    });
    const first = await get(h, '/export/categ/2.json', 'from=today&to=today&pretty=yes');
    expectSeedSubset(first.json, seed);
    const cachedKeys = await r.client.keys(`${r.prefix}{export}:cache:*`);
    expect(cachedKeys).toHaveLength(1);
    const again = await get(h, '/export/categ/2.json', 'from=today&to=today&pretty=yes');
    expect(again.body).toBe(first.body);
    const occ = seedExample('event-occ');
    const h2 = seedHandler(catalog, { nowSec: occ.ts });
    expectSeedSubset((await get(h2, '/export/event/137346.json', 'occ=yes&pretty=yes')).json, occ);
  });
});
