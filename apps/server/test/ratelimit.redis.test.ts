import { createTestRedis, hasRedis, type TestRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisAuthFailureLimiter } from '../src/security.js';
import { manage, serve, testConfig } from './helpers.js';

const bogus = { ak: '00000000-0000-0000-0000-000000000000', secret: '11111111-1111-1111-1111-111111111111' };

// Issue 9: failed authentications per IP are limited across server processes through Redis.
describe.skipIf(!hasRedis())('failed-authentication limit shared through Redis', () => {
  let r: TestRedis;
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
    await r.cleanup();
  });

  /** Two app instances (two runtimes, two connections) over one Redis and one prefix, as two processes. */
  async function twoInstances(limit: number) {
    r = createTestRedis();
    const config = testConfig({ REDIS_PREFIX: r.prefix.replace(/:$/, ''), AUTH_FAILURES_PER_MINUTE: String(limit) });
    const a = await serve(config, { redis: r.client });
    const b = await serve(config, { redis: r.duplicate() });
    open.push(a, b);
    return [a, b] as const;
  }

  it('counts failures made against either instance and blocks the IP on both', async () => {
    const [a, b] = await twoInstances(3);
    // 3 failures, spread: neither instance alone has seen 3
    expect((await manage(a.base, bogus, 'PATCH', '/manage/events/1', { title: 'a1' })).status).toBe(403);
    expect((await manage(b.base, bogus, 'PATCH', '/manage/events/1', { title: 'b1' })).status).toBe(403);
    expect((await manage(a.base, bogus, 'PATCH', '/manage/events/1', { title: 'a2' })).status).toBe(403);
    for (const base of [a.base, b.base]) {
      const blocked = await fetch(`${base}/export/categ/2.json`);
      expect(blocked.status).toBe(429);
      const wait = Number(blocked.headers.get('retry-after'));
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60);
    }
    const key = `${r.prefix}{authfail}:127.0.0.1`;
    expect(await r.client.get(key)).toBe('3');
  });

  it('increments atomically with the window set once: concurrent failures through both are all counted', async () => {
    const [a, b] = await twoInstances(1000);
    const n = 40;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        manage(i % 2 ? a.base : b.base, bogus, 'PATCH', '/manage/events/1', { title: `t${i}` }).then((x) => x.status),
      ),
    );
    expect(results.every((s) => s === 403)).toBe(true);
    const key = `${r.prefix}{authfail}:127.0.0.1`;
    expect(await r.client.get(key)).toBe(String(n));
    const ttl = await r.client.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('starts the window at the first failure; later failures do not extend it', async () => {
    r = createTestRedis();
    const limiter = new RedisAuthFailureLimiter({ redis: r.client, prefix: r.prefix, limit: 2, windowMs: 600_000 });
    await limiter.recordFailure('10.0.0.1');
    // shorten the window by hand: a second failure must keep this expiry, not reset it to 600 s
    await r.client.pexpire(limiter.key('10.0.0.1'), 50_000);
    await limiter.recordFailure('10.0.0.1');
    expect(await r.client.pttl(limiter.key('10.0.0.1'))).toBeLessThanOrEqual(50_000);
    const wait = await limiter.retryAfterMs('10.0.0.1');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(50_000);
    expect(await limiter.retryAfterMs('10.0.0.2')).toBe(0);
  });
});
