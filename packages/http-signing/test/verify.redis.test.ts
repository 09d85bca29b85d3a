import { createTestRedis, hasRedis, type TestRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIndicoRequest, recordKeyUse, verifyRequest } from '../src/index.js';
import { createRedisApiKeyStore, createRedisReplayStore } from '../src/stores/redis.js';
import { splitUrl } from './helpers.js';

const NOW_S = 1_400_000_000;
const now = () => NOW_S * 1000;

describe.skipIf(!hasRedis())('verifyRequest over the Redis stores', () => {
  let r: TestRedis | undefined;
  afterEach(async () => {
    await r?.cleanup();
    r = undefined;
  });

  it('authenticates with a Redis key, records usage, and accepts a replayed signature on only one of two servers', async () => {
    r = createTestRedis();
    const keys = createRedisApiKeyStore({ redis: r.client, prefix: r.prefix });
    const record = await keys.create('u-redis');
    const url = buildIndicoRequest(
      '/export/categ/2.json',
      { limit: 5 },
      { apiKey: record.key, secretKey: record.secret, timestamp: NOW_S },
    );
    const input = { method: 'GET', ...splitUrl(url) };
    // two "server processes": separate connections to the same Redis
    const servers = [r.client, r.duplicate()].map((redis) => ({
      keyStore: createRedisApiKeyStore({ redis, prefix: r!.prefix }),
      replayStore: createRedisReplayStore({ redis, prefix: r!.prefix }),
      now,
    }));
    const results = await Promise.allSettled(servers.map((opts) => verifyRequest(input, opts)));
    const ok = results.filter((x) => x.status === 'fulfilled');
    const refused = results.filter((x) => x.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SIGNATURE_REPLAYED' });
    const outcome = (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof verifyRequest>>>).value;
    expect(outcome).toMatchObject({ kind: 'user', userId: 'u-redis' });
    expect(await recordKeyUse(keys, outcome, 1234)).toBe(true);
    expect((await keys.get(record.key))!.lastUse).toMatchObject({
      at: 1234,
      path: '/export/categ/2.json',
      query: `apikey=${record.key}&limit=5`,
    });
  });
});
