/**
 * The storage contracts of the scheduler, livesync and http-signing (API keys) run against a
 * 3-master Redis Cluster through ioredis `Cluster` (issue 10, "Redis Cluster"). Every package keeps
 * the keys of one scheduler / track / key store under one `{hash tag}`, so every multi-key Lua script
 * and MULTI lands in one slot; a CROSSSLOT error anywhere fails the contract.
 *
 * The cluster belongs to this file alone (never the shared 6379 server) and stops in afterAll. Each
 * contract test gets a fresh key prefix, so tests stay apart inside the one cluster.
 */
import { randomUUID } from 'node:crypto';
import { hasRedis, type RedisClusterHandle, startRedisCluster } from '@indico/test-utils';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogWriter } from '../../../apps/server/src/catalog-writer.js';
import { TRACK_HASH_TAG } from '../../../apps/server/src/runtime.js';
import { createRedisCatalog } from '../../../packages/export-api/src/stores/redis.js';
import { createRedisApiKeyStore } from '../../../packages/http-signing/src/stores/redis.js';
import { describeApiKeyStoreContract } from '../../../packages/http-signing/test/contract/api-key-store.contract.js';
import { SyncManager } from '../../../packages/livesync/src/index.js';
import { createRedisTrackStore } from '../../../packages/livesync/src/redis.js';
import { describeLivesyncContract } from '../../../packages/livesync/test/contract/livesync.contract.js';
import { describeTrackStoreContract } from '../../../packages/livesync/test/contract/track-store.contract.js';
import { createRedisStore } from '../../../packages/scheduler/src/redis.js';
import { describeSchedulerStoreContract } from '../../../packages/scheduler/test/contract/scheduler-store.contract.js';

describe.skipIf(!hasRedis())('contract suites on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  const clients: Cluster[] = [];
  const connect = () => {
    const c = new Cluster(cluster.startupNodes, { redisOptions: { maxRetriesPerRequest: 1 } });
    clients.push(c);
    return c;
  };
  // The scheduler and livesync adapters are typed for `Redis` but only call commands `Cluster` has too
  // (evalsha/eval, multi, pipeline, duplicate + subscribe), so the cast is the whole adaptation.
  const asRedis = (c: Cluster) => c as unknown as Redis;

  /** The Cluster client, except that `SCRIPT LOAD` runs on every master (so any slot's owner knows the sha). */
  const loadScriptsEverywhere = (c: Cluster): Redis =>
    new Proxy(c, {
      get(target, prop) {
        if (prop === 'script') {
          return async (sub: string, ...rest: string[]) => {
            if (sub.toUpperCase() !== 'LOAD') return (target.script as (...a: string[]) => unknown)(sub, ...rest);
            const shas = await Promise.all(target.nodes('master').map((n) => n.script('LOAD', rest[0] as string)));
            return shas[0];
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as unknown as Redis;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  }, 30_000);
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await cluster?.stop();
  });

  describeSchedulerStoreContract('redis cluster', async () => {
    const client = connect();
    const store = createRedisStore({ redis: asRedis(client), prefix: `t:${randomUUID()}:` });
    return {
      store,
      corruptTask: async (id) => {
        await client.hset(store.keys.task(id), 'd', '{not json');
      },
      pushRawSpoolItem: async (raw) => {
        await client.rpush(store.keys.spool, raw);
      },
      cleanup: () => store.close(),
    };
  });

  // The livesync store runs EVALSHA and falls back to EVAL on NOSCRIPT; both route by key, so the script is
  // cached on the node that owns the {livesync} slot (a keyless SCRIPT LOAD would land on a random master).
  describe('livesync on a plain ioredis Cluster', () => {
    describeLivesyncContract('redis cluster', async () => ({
      store: createRedisTrackStore({ redis: asRedis(connect()), prefix: `t:${randomUUID()}:` }),
      cleanup: async () => {},
    }));
    describeTrackStoreContract('redis cluster', async () => ({
      store: createRedisTrackStore({ redis: asRedis(connect()), prefix: `t:${randomUUID()}:` }),
      cleanup: async () => {},
    }));
  });

  // http-signing runs its own cluster pass (packages/http-signing/test/stores.cluster.redis.test.ts, API keys
  // and replay nonces); the API-key contract runs here again so the three suites the issue names share one run.
  describeApiKeyStoreContract('redis cluster', async ({ clock, generateId }) => {
    const prefix = `t:${randomUUID()}:`;
    const store = createRedisApiKeyStore({ redis: connect(), prefix, clock, generateId });
    const peer = createRedisApiKeyStore({ redis: connect(), prefix, clock, generateId });
    return { store, peer, cleanup: async () => {} };
  });

  // The reference server writes a catalog object and its livesync record in one MULTI (DESIGN.md). With the
  // default hash tags those keys are `{export}` and `{livesync}`: two slots, so Cluster refuses the MULTI
  // (CROSSSLOT). The server gives the track the catalog's tag (TRACK_HASH_TAG), so both share one slot.
  describe('server catalog writer (catalog write + livesync record in one MULTI)', () => {
    const event = {
      id: '900001',
      title: 'Cluster event',
      description: '',
      type: 'meeting' as const,
      categoryId: '0',
      timezone: 'UTC',
      startDate: Date.UTC(2030, 0, 1, 9),
      endDate: Date.UTC(2030, 0, 1, 17),
      location: null,
      room: null,
      address: null,
      creator: { id: '1', fullName: 'Admin', affiliation: '', email: '' },
      chairs: [],
      creationDate: 0,
      modificationDate: 0,
    };
    const writerWith = (hashTag: string | undefined) => {
      const redis = loadScriptsEverywhere(connect());
      const prefix = `t:${randomUUID()}:`;
      const catalog = createRedisCatalog({ client: redis, prefix });
      const livesync = new SyncManager({ store: createRedisTrackStore({ redis, prefix, hashTag }), granularity: 60 });
      return { catalog, livesync, writer: createCatalogWriter({ catalog, livesync, redis }) };
    };

    it('commits both in one slot with the hash tag the server gives the track', async () => {
      const { catalog, livesync, writer } = writerWith(TRACK_HASH_TAG);
      await catalog.putCategory({ id: '0', name: 'Home', parentId: null });
      expect((await writer.putEvent(event)).changes).toBe(1);
      expect(await catalog.getEvent('900001')).toMatchObject({ title: 'Cluster event' });
      const ids: string[] = [];
      for await (const bucket of livesync.getTrack().values())
        for (const e of bucket as Array<{ id: string }>) ids.push(e.id);
      expect(ids).toContain('900001');
    });

    // A category delete re-checks inside Redis at EXEC; refused there, its `deleted` entry is a conditional
    // change (the refusal key `<prefix>{export}:refused:<uuid>` shares the slot) and is not recorded.
    it('a category delete refused at EXEC records no change, in one slot; accepted, it records one', async () => {
      const { catalog, livesync, writer } = writerWith(TRACK_HASH_TAG);
      await catalog.putCategory({ id: '0', name: 'Home', parentId: null });
      await catalog.putCategory({ id: '7', name: 'Seven', parentId: '0' });
      const client = connect();
      // the writer's client, with an event written by "another process" right before the EXEC of the delete
      let late: (() => Promise<void>) | null = () => catalog.putEvent({ ...event, categoryId: '7' });
      const racing = new Proxy(loadScriptsEverywhere(client), {
        get(target, prop) {
          if (prop !== 'multi') return Reflect.get(target, prop, target);
          return () => {
            const m = target.multi();
            const exec = m.exec.bind(m);
            m.exec = async () => {
              const hook = late;
              late = null;
              await hook?.();
              return exec();
            };
            return m;
          };
        },
      });
      const racingWriter = createCatalogWriter({ catalog, livesync, redis: racing });
      await expect(racingWriter.deleteCategory('7')).rejects.toThrow(/NOTEMPTY category 7 still has events/);
      expect(await catalog.getCategory('7')).not.toBeNull();
      expect(await livesync.getTrack().isEmpty()).toBe(true);
      await catalog.deleteEvent(event.id);
      expect((await writer.deleteCategory('7')).changes).toBe(1);
      const ids: string[] = [];
      for await (const bucket of livesync.getTrack().values())
        for (const e of bucket as Array<{ id: string }>) ids.push(e.id);
      expect(ids).toEqual(['7']);
    });

    it('is refused (CROSSSLOT) with the default {livesync} tag, and writes neither', async () => {
      const { catalog, writer } = writerWith(undefined);
      await catalog.putCategory({ id: '0', name: 'Home', parentId: null });
      await expect(writer.putEvent(event)).rejects.toThrow(/CROSSSLOT/);
      expect(await catalog.getEvent('900001')).toBeNull();
    });
  });
});
