import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestRedis,
  hasRedis,
  redisUrl,
  startRedisCluster,
  startRedisServer,
  type TestRedis,
} from '../src/index.js';

describe.skipIf(!hasRedis())('redis test helpers', () => {
  const handles: TestRedis[] = [];
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.cleanup();
  });

  it('round-trips a value through the real server', async () => {
    const r = createTestRedis();
    handles.push(r);
    await r.client.set(r.key('greeting'), 'hello');
    await r.client.hset(r.key('h'), { a: '1', b: '2' });
    expect(await r.client.get(r.key('greeting'))).toBe('hello');
    expect(await r.client.hgetall(r.key('h'))).toEqual({ a: '1', b: '2' });
  });

  it('cleans only the keys under its own prefix', async () => {
    const mine = createTestRedis();
    const other = createTestRedis();
    handles.push(other);
    expect(mine.prefix).not.toBe(other.prefix);
    await mine.client.set(mine.key('x'), '1');
    await mine.client.set(mine.key('y'), '1');
    await other.client.set(other.key('x'), '1');
    await mine.cleanup();
    const probe = new Redis(redisUrl());
    try {
      expect(await probe.exists(mine.key('x'), mine.key('y'))).toBe(0);
      expect(await probe.get(other.key('x'))).toBe('1');
    } finally {
      probe.disconnect();
    }
  });

  it('starts an extra redis-server on a free port and stops it by pid', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    try {
      await client.connect();
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      expect(server.pid).toBeGreaterThan(0);
    } finally {
      client.disconnect();
      await server.stop();
    }
    const after = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    after.on('error', () => {});
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  });
});

describe.skipIf(!hasRedis())('startRedisCluster', () => {
  it('starts a 3-master cluster that routes keys of every slot', async () => {
    const { Cluster } = await import('ioredis');
    const cluster = await startRedisCluster(3);
    const client = new Cluster(cluster.startupNodes, { redisOptions: { maxRetriesPerRequest: 1 } });
    try {
      // Keys in different slots land on different masters; the cluster must serve them all.
      for (let i = 0; i < 30; i++) await client.set(`k${i}`, String(i));
      for (let i = 0; i < 30; i++) expect(await client.get(`k${i}`)).toBe(String(i));
      const perNode = await Promise.all(client.nodes('master').map((n) => n.dbsize()));
      expect(perNode).toHaveLength(3);
      expect(perNode.filter((n) => n > 0).length).toBeGreaterThan(1);
      // Keys sharing a hash tag stay in one slot, so multi-key commands work.
      await client.mset('{t}a', '1', '{t}b', '2');
      expect(await client.mget('{t}a', '{t}b')).toEqual(['1', '2']);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  }, 30_000);
});
