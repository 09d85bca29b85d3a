import { type RedisServerHandle, startRedisServer } from '@indico/test-utils';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID, loadDemoData } from '../src/demo-data.js';
import { type Key, manage, serve, signed, testConfig } from './helpers.js';

/** Polls `cond` every 20 ms (at most 15 s): waits for a state, asserts nothing about time. */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 750; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Issue 9: while Redis is unreachable, export and management requests answer 503 + Retry-After, never 500.
describe('Redis outage (a private redis-server, stopped and restarted)', () => {
  let redis: RedisServerHandle;
  let ctx: Awaited<ReturnType<typeof serve>>;
  let admin: Key;
  let conn: Redis;

  beforeAll(async () => {
    redis = await startRedisServer();
    ctx = await serve(testConfig({ REDIS_URL: redis.url, REDIS_PREFIX: 'outage' }));
    conn = ctx.rt.redis!;
    await until(() => conn.status === 'ready', 'the first connection');
    await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
    const a = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
    admin = { ak: a.key, secret: a.secret };
  });
  afterAll(async () => {
    await ctx?.close();
    await redis?.stop();
  });

  it('answers 503 with Retry-After and the error envelope while Redis is down, and recovers after', async () => {
    expect((await signed(ctx.base, admin, '/export/event/137346.json')).status).toBe(200);

    redis.kill('SIGTERM');
    await until(() => conn.status !== 'ready', 'the connection to drop');

    const json = await signed(ctx.base, admin, '/export/event/137346.json');
    expect(json.status).toBe(503);
    expect(json.headers.get('retry-after')).toBe('5');
    expect(json.headers.get('content-type')).toMatch(/json/);
    expect(await json.json()).toEqual({
      message: expect.stringMatching(/unavailable/i),
      _type: 'HTTPAPIError',
      _fossil: 'hTTPAPIError',
    });
    // the envelope in the request's own format, and for anonymous requests too
    const xml = await fetch(`${ctx.base}/export/categ/2.xml`);
    expect(xml.status).toBe(503);
    expect(xml.headers.get('retry-after')).toBe('5');
    expect(await xml.text()).toContain('<message>');
    const ics = await fetch(`${ctx.base}/export/categ/2.ics`);
    expect([ics.status, ics.headers.get('retry-after')]).toEqual([503, '5']);

    const patch = await manage(ctx.base, admin, 'PATCH', '/manage/events/137346', { title: 'during outage' });
    expect(patch.status).toBe(503);
    expect(patch.headers.get('retry-after')).toBe('5');
    expect(await patch.json()).toMatchObject({ ok: false, message: expect.stringMatching(/unavailable/i) });

    const ready = await fetch(`${ctx.base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, redis: 'unreachable' });
    expect((await fetch(`${ctx.base}/healthz`)).status).toBe(200);

    // back: the server reconnects by itself (the private server keeps no data, so seed again)
    await redis.restart();
    await until(() => conn.status === 'ready', 'the reconnection');
    await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
    const b = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
    const again = await signed(ctx.base, { ak: b.key, secret: b.secret }, '/export/event/137346.json');
    expect(again.status).toBe(200);
    const renamed = await manage(ctx.base, { ak: b.key, secret: b.secret }, 'PATCH', '/manage/events/137346', {
      title: 'after outage',
    });
    expect(renamed.status).toBe(200);
    expect((await ctx.rt.catalog.getEvent('137346'))?.title).toBe('after outage');
  });
});
