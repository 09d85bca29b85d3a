import { createTestRedis, hasRedis, type TestRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiKeyRecord, KeyUse } from '../src/store.js';
import { createRedisApiKeyStore } from '../src/stores/redis.js';

const use = (at: number, path = '/export/categ/1.json'): KeyUse => ({
  at,
  ip: '127.0.0.1',
  path,
  query: 'ak=x',
  authenticated: true,
});

/** True when two reads in a row hand out the very same record (served from the process). */
async function cachedTwice(store: { get(key: string): Promise<ApiKeyRecord | null> }, key: string): Promise<boolean> {
  const first = await store.get(key);
  const second = await store.get(key);
  return first !== null && first === second;
}

/** Polls (bounded) until `check` holds: pub/sub delivery to the other process is asynchronous. */
async function until(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

describe.skipIf(!hasRedis())('Redis ApiKeyStore: cached reads and batched uses', () => {
  let r: TestRedis;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    await r.cleanup();
  });
  const open = (opts: Parameters<typeof createRedisApiKeyStore>[0]) => {
    const s = createRedisApiKeyStore(opts);
    closers.push(() => s.close());
    return s;
  };

  it('serves a key from memory and drops it as soon as another process blocks or regenerates it', async () => {
    r = createTestRedis();
    const admin = open({ redis: r.duplicate(), prefix: r.prefix }); // another process, no cache
    const server = open({ redis: r.client, prefix: r.prefix, cacheReads: true });
    const k = await admin.create('u1');
    // wait until the server's change channel is heard (its first reads are not cached before that)
    expect(await until(() => cachedTwice(server, k.key))).toBe(true);
    const first = await server.get(k.key);
    expect(first!.blocked).toBe(false);
    expect(Object.isFrozen(first)).toBe(true);
    expect(server.peek!(k.key)).toBe(first); // the cached record, synchronously
    expect(admin.peek!(k.key)).toBeUndefined(); // no cache: only get can tell
    // the cached copy is really used: a change behind the store's back (no message) is not seen
    await r.client.hset(`${r.prefix}{apikeys}:key:${k.key}`, 'secret', 'changed-behind-its-back');
    expect((await server.get(k.key))!.secret).toBe(k.secret);

    await admin.setBlocked(k.key, true);
    expect(await until(async () => server.peek!(k.key) === undefined)).toBe(true); // dropped by the message
    expect(await until(async () => (await server.get(k.key))!.blocked)).toBe(true);
    expect((await server.get(k.key))!.secret).toBe('changed-behind-its-back'); // read afresh
    const again = await admin.regenerate(k.key);
    expect(await until(async () => (await server.get(k.key)) === null)).toBe(true);
    expect((await server.get(again.key))!.key).toBe(again.key);
  });

  it('sees its own writes at once', async () => {
    r = createTestRedis();
    const server = open({ redis: r.client, prefix: r.prefix, cacheReads: true });
    const k = await server.create('u2');
    await until(() => cachedTwice(server, k.key));
    expect((await server.setBlocked(k.key, true)).blocked).toBe(true);
    expect(server.peek!(k.key)?.blocked ?? true).toBe(true); // never the record from before the write
    expect((await server.get(k.key))!.blocked).toBe(true);
    await server.recordUse(k.key, use(5));
    expect((await server.get(k.key))!.useCount).toBe(1);
    expect(await server.remove(k.key)).toBe(true);
    expect(await server.get(k.key)).toBeNull();
  });

  it('merges batched uses per key, adds up concurrent writers, and writes the rest on close', async () => {
    r = createTestRedis();
    const plain = open({ redis: r.client, prefix: r.prefix });
    const a = createRedisApiKeyStore({ redis: r.client, prefix: r.prefix, batchUses: { maxDelayMs: 60_000 } });
    const b = createRedisApiKeyStore({ redis: r.duplicate(), prefix: r.prefix, batchUses: { maxDelayMs: 60_000 } });
    const k1 = await plain.create('u3');
    const k2 = await plain.create('u4');
    for (let i = 1; i <= 30; i++) {
      await a.recordUse(k1.key, use(1000 + i, `/a/${i}`));
      await b.recordUse(k1.key, use(2000 - i, `/b/${i}`));
    }
    await a.recordUse(k2.key, use(7));
    await a.recordUse('no-such-key', use(8));
    // nothing written before the batch is due
    expect((await plain.get(k1.key))!.useCount).toBe(0);
    expect((await a.getByUser('u4'))!.useCount).toBe(1); // a listing writes this process's pending uses first
    expect((await plain.get(k1.key))!.useCount).toBe(30);
    await a.close();
    await b.close();
    const r1 = (await plain.get(k1.key))!;
    expect(r1.useCount).toBe(60);
    expect(r1.lastUse).toEqual(use(1999, '/b/1'));
    expect((await plain.get(k2.key))!.useCount).toBe(1);
    expect(await plain.get('no-such-key')).toBeNull();
    expect((await plain.get(k2.key))!.lastUse).toEqual(use(7));
  });

  it('writes a batch when it is due', async () => {
    r = createTestRedis();
    const plain = open({ redis: r.client, prefix: r.prefix });
    const s = open({ redis: r.client, prefix: r.prefix, batchUses: { maxDelayMs: 20 } });
    const k = await plain.create('u5');
    for (let i = 0; i < 5; i++) await s.recordUse(k.key, use(100 + i));
    expect(await until(async () => (await plain.get(k.key))!.useCount === 5)).toBe(true);
    expect((await plain.get(k.key))!.lastUse!.at).toBe(104);
  });
});
