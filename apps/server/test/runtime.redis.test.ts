import { createTestRedis, hasRedis, type TestRedis } from '@indico/test-utils';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportCatalog, importCatalog } from '../src/catalog-io.js';
import { DEMO_ADMIN_ID, loadDemoData } from '../src/demo-data.js';
import { createRuntime } from '../src/runtime.js';
import { manage, serve, signed, silent, testConfig, trackEntries } from './helpers.js';

// Writes the catalog and the track issue (EVALSHA is left out: the catalog also reads with scripts).
const WRITE_COMMANDS = ['eval', 'hset', 'del', 'zadd', 'zrem', 'hdel', 'set'];

/** Records write commands sent on the connection directly, and the commands queued in each MULTI. */
function spying(client: Redis) {
  const direct: string[] = [];
  const transactions: string[][] = [];
  const keys: string[] = [];
  const proxy = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'multi') {
        return () => {
          const queued: string[] = [];
          transactions.push(queued);
          const multi = target.multi();
          return new Proxy(multi, {
            get(m, p, rcv) {
              const v = Reflect.get(m, p, rcv) as unknown;
              if (typeof v !== 'function') return v;
              return (...args: unknown[]) => {
                if (typeof p === 'string' && p !== 'exec') {
                  queued.push(p);
                  // the keys the command writes: EVAL's KEYS, otherwise the first argument
                  const n = p === 'eval' ? Number(args[1]) : 1;
                  keys.push(...(p === 'eval' ? args.slice(2, 2 + n) : args.slice(0, 1)).map(String));
                }
                const out = (v as (...a: unknown[]) => unknown).apply(m, args);
                return out === m ? rcv : out;
              };
            },
          });
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop === 'string' && WRITE_COMMANDS.includes(prop) && typeof v === 'function') {
        return (...args: unknown[]) => {
          direct.push(prop);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { proxy, direct, transactions, keys };
}

describe.skipIf(!hasRedis())('runtime over Redis', () => {
  let r: TestRedis;
  beforeEach(() => {
    r = createTestRedis();
  });
  afterEach(async () => {
    await r.cleanup();
  });
  const config = () => testConfig({ REDIS_PREFIX: r.prefix.replace(/:$/, '') });

  it('writes a catalog change and its livesync entry in one MULTI/EXEC, under the test prefix', async () => {
    // spec: DESIGN.md "a write and its livesync record commit together"
    const seeded = createRuntime(config(), { logger: silent, redis: r.client });
    await loadDemoData(seeded.catalog, { generated: 0, now: Date.now() });
    await seeded.close();
    const spy = spying(r.client);
    const rt = createRuntime(config(), { logger: silent, redis: spy.proxy });
    const event = (await rt.catalog.getEvent('137346'))!;
    await rt.writer.putEvent({ ...event, title: 'Changed over Redis' });
    expect(spy.direct).toEqual([]);
    // one transaction: the event script and the track's bucket writes
    expect(spy.transactions).toHaveLength(1);
    expect(spy.transactions[0]).toEqual(['eval', 'zadd', 'zadd']);
    expect((await rt.catalog.getEvent('137346'))?.title).toBe('Changed over Redis');
    // a second write is a second transaction (one MULTI per write, via RedisCatalog.queueWrites)
    const category = (await rt.catalog.getCategory('2'))!;
    await rt.writer.putCategory({ ...category, name: 'TEST Category (renamed)' });
    expect(spy.direct).toEqual([]);
    expect(spy.transactions).toHaveLength(2);
    expect(spy.transactions[1]).toEqual(['hset', 'zadd', 'zadd']);
    expect((await rt.catalog.getCategory('2'))?.name).toBe('TEST Category (renamed)');
    expect(await trackEntries(rt)).toContainEqual(expect.objectContaining({ kind: 'event', id: '137346' }));
    // (the Redis server may be shared with other runs: look at the keys this test wrote, not at KEYS *)
    expect(spy.keys.length).toBeGreaterThan(0);
    expect(spy.keys.filter((k) => !k.startsWith(r.prefix))).toEqual([]);
    expect(await r.client.exists(...new Set(spy.keys))).toBeGreaterThan(0);
    await rt.close();
  });

  it('commits every delete with its livesync change in one MULTI/EXEC, and a refused delete writes nothing', async () => {
    const seeded = createRuntime(config(), { logger: silent, redis: r.client });
    await loadDemoData(seeded.catalog, { generated: 0, now: Date.now() });
    await seeded.close();
    const spy = spying(r.client);
    const rt = createRuntime(config(), { logger: silent, redis: spy.proxy });
    // refused: the category still has events; nothing sent, nothing queued
    await expect(rt.writer.deleteCategory('2')).rejects.toThrow(/still has/);
    expect(spy.direct).toEqual([]);
    expect(spy.transactions.flat()).toEqual([]);
    const [contribution] = await rt.catalog.getContributions('137346');
    const [reservation] = await rt.catalog.getReservations('CERN', 120);
    await rt.writer.deleteContribution('137346', contribution!.id);
    await rt.writer.deleteRegistrant('301397', '0');
    await rt.writer.deleteReservation(reservation!.id);
    expect(spy.direct).toEqual([]);
    // (the registrant reads are a MULTI of their own too: count the transactions that write)
    const writing = spy.transactions.filter((t) => t.some((c) => WRITE_COMMANDS.includes(c)));
    expect(writing).toHaveLength(3);
    // the catalog's deletes and the track's bucket writes (zadd) in the same transaction
    expect(writing[0]).toEqual(['hdel', 'zrem', 'zadd', 'zadd']);
    expect(writing[1]).toEqual(['hdel', 'zrem', 'del', 'zadd', 'zadd']);
    // reservations are no livesync kind: no entry, no refusal key
    expect(writing[2]).toEqual(['hdel', 'zrem', 'zrem', 'zrem']);
    const deleted = (await trackEntries(rt)).filter((e) => e.changes.includes('deleted'));
    expect(deleted.map((e) => `${e.kind}:${e.id}`)).toEqual([`contribution:137346.${contribution!.id}`]);
    expect(await rt.catalog.getRegistrant('301397', '0')).toBeNull();
    expect(await rt.catalog.getReservation(reservation!.id)).toBeNull();
    expect(spy.keys.filter((k) => !k.startsWith(r.prefix))).toEqual([]);
    await rt.close();
  });

  it('writes nothing, neither catalog nor track, when the catalog refuses the write', async () => {
    const seeded = createRuntime(config(), { logger: silent, redis: r.client });
    await loadDemoData(seeded.catalog, { generated: 0, now: Date.now() });
    await seeded.close();
    const spy = spying(r.client);
    const rt = createRuntime(config(), { logger: silent, redis: spy.proxy });
    const event = (await rt.catalog.getEvent('137346'))!;
    await expect(rt.writer.putEvent({ ...event, id: '999', categoryId: 'missing' })).rejects.toThrow(/does not exist/);
    // nothing sent on the connection and nothing queued (the MULTI is never executed)
    expect(spy.direct).toEqual([]);
    expect(spy.transactions.flat()).toEqual([]);
    expect(await rt.catalog.getEvent('999')).toBeNull();
    expect(await trackEntries(rt)).toEqual([]);
    await rt.close();
  });

  it('serves the management and export APIs over Redis and lists API keys with their usage', async () => {
    const ctx = await serve(config(), { redis: r.client });
    try {
      await loadDemoData(ctx.rt.catalog, { generated: 3, now: Date.now() });
      const a = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
      const key = { ak: a.key, secret: a.secret };
      expect((await manage(ctx.base, key, 'PATCH', '/manage/events/137344', { room: 'Mezzanine' })).status).toBe(200);
      const res = await signed(ctx.base, key, '/export/event/137344.json');
      expect(((await res.json()) as { results: Array<{ room: string }> }).results[0]!.room).toBe('Mezzanine');
      const listed = await ctx.rt.keys.list();
      expect(listed.map((k) => k.userId)).toEqual([DEMO_ADMIN_ID]);
      expect(listed[0]!.useCount).toBe(2);
    } finally {
      await ctx.close();
    }
  });

  it('writes rooms and registrants through the management API over Redis', async () => {
    const ctx = await serve(config(), { redis: r.client });
    try {
      await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
      const a = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
      const key = { ak: a.key, secret: a.secret };
      const room = await manage(ctx.base, key, 'PATCH', '/manage/rooms/CERN/120', { avc: true });
      expect(room.status).toBe(200);
      expect((await ctx.rt.catalog.getRooms('CERN', [120]))[0]).toMatchObject({ name: 'Mezzanine', avc: true });
      const reg = await manage(ctx.base, key, 'PATCH', '/manage/events/301397/registrants/0', { paid: true });
      expect(reg.status).toBe(200);
      expect(await ctx.rt.catalog.getRegistrant('301397', '0')).toMatchObject({ paid: true, checkedIn: true });
      expect(await trackEntries(ctx.rt)).toContainEqual(expect.objectContaining({ kind: 'event', id: '301397' }));
    } finally {
      await ctx.close();
    }
  });

  it('reports not ready until a scheduler daemon has written its heartbeat', async () => {
    const ctx = await serve(config(), { redis: r.client });
    try {
      const before = await fetch(`${ctx.base}/readyz`);
      expect(before.status).toBe(503);
      expect(await before.json()).toMatchObject({ redis: 'ok', scheduler: { fresh: false, daemons: 0 } });
      ctx.rt.startScheduler({ sleepInterval: 50 });
      let ready: Response | undefined;
      for (let i = 0; i < 100 && ready?.status !== 200; i++) {
        ready = await fetch(`${ctx.base}/readyz`);
        if (ready.status !== 200) await new Promise((res) => setTimeout(res, 20));
      }
      expect(ready?.status).toBe(200);
    } finally {
      await ctx.close();
    }
  });

  it('exports the catalog and imports it into an empty one with the same events', async () => {
    const src = createRuntime(config(), { logger: silent, redis: r.client });
    await loadDemoData(src.catalog, { generated: 4, now: Date.now() });
    const dump = await exportCatalog(src.catalog, { userIds: ['36024', DEMO_ADMIN_ID] });
    await src.close();
    const other = createTestRedis();
    try {
      const dst = createRuntime(testConfig({ REDIS_PREFIX: other.prefix.replace(/:$/, '') }), {
        logger: silent,
        redis: other.client,
      });
      const counts = await importCatalog(dst.writer, dump);
      expect(counts.events).toBe(dump.events.length);
      const again = await exportCatalog(dst.catalog, { userIds: ['36024', DEMO_ADMIN_ID] });
      expect(again).toEqual(dump);
      const events = (await trackEntries(dst)).filter((e) => e.kind === 'event');
      expect(new Set(events.map((e) => e.id)).size).toBe(dump.events.length);
      expect(dump.rooms.length).toBeGreaterThan(0);
      await dst.close();
    } finally {
      await other.cleanup();
    }
  });
});
