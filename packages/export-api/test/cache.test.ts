/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { createFakeClock } from '@indico/test-utils';
import { describe, expect, it } from 'vitest';
import { type CachedResult, createMemoryResultCache, type Requester, type ResultCache } from '../src/index.js';
import { get, seedCatalog, seedHandler } from './helpers.js';

function spyCache(inner: ResultCache) {
  const keys: string[] = [];
  return {
    keys,
    cache: {
      get: (k: string) => inner.get(k),
      set: (k: string, v: CachedResult, ttl: number) => {
        keys.push(k);
        return inner.set(k, v, ttl);
      },
      close: () => inner.close(),
    } satisfies ResultCache,
  };
}

async function setup(user: Requester | null = null) {
  const clock = createFakeClock(1308841641000);
  const catalog = await seedCatalog();
  const spy = spyCache(createMemoryResultCache({ clock }));
  let current = user;
  const h = seedHandler(catalog, {
    cache: spy.cache,
    cacheTtlMs: 600_000,
    clock,
    authenticate: async () => ({ user: current }),
  });
  return { h, clock, catalog, spy, setUser: (u: Requester | null) => (current = u) };
}

describe('result cache (spec §8)', () => {
  it('serves a repeated query from the cache with the original ts', async () => {
    const { h, clock, catalog } = await setup();
    const first = await get(h, '/export/event/137346.json');
    clock.advance(60_000);
    await catalog.putEvent({ ...(await catalog.getEvent('137346'))!, title: 'Changed' });
    const second = await get(h, '/export/event/137346.json');
    expect(second.json.results[0].title).toBe('Export Test');
    expect(second.json.ts).toBe(first.json.ts);
  });

  it('shares one entry across formats and presentation parameters, but not across other parameters', async () => {
    const { h, spy } = await setup();
    await get(h, '/export/event/137346.json', 'pretty=yes');
    await get(h, '/export/event/137346.xml', '_=123');
    await get(h, '/export/event/137346.ics');
    expect(spy.keys).toHaveLength(1);
    await get(h, '/export/event/137346.json', 'occ=yes');
    expect(spy.keys).toHaveLength(2);
  });

  it('bypasses the cache with nocache=yes and refreshes after the TTL', async () => {
    const { h, clock, catalog } = await setup();
    await get(h, '/export/event/137346.json');
    await catalog.putEvent({ ...(await catalog.getEvent('137346'))!, title: 'Changed' });
    expect((await get(h, '/export/event/137346.json', 'nc=yes')).json.results[0].title).toBe('Changed');
    expect((await get(h, '/export/event/137346.json')).json.results[0].title).toBe('Export Test');
    clock.advance(600_000);
    const fresh = await get(h, '/export/event/137346.json');
    expect(fresh.json.results[0].title).toBe('Changed');
    expect(fresh.json.ts).toBe(1308841641 + 600);
  });

  it('scopes entries per user and keeps public ones apart (no leak between users)', async () => {
    const { h, catalog, setUser } = await setup({ id: 'manager' });
    const base = (await catalog.getEvent('137346'))!;
    await catalog.putEvent({ ...base, id: '900', protection: { isProtected: true, managerIds: ['manager'] } });
    expect((await get(h, '/export/event/900.json')).json.count).toBe(1);
    setUser(null);
    expect((await get(h, '/export/event/900.json')).json.count).toBe(0);
    setUser({ id: 'someone' });
    expect((await get(h, '/export/event/900.json')).json.count).toBe(0);
  });

  it('never caches errors', async () => {
    const { h, spy } = await setup();
    await get(h, '/export/event/137346.json', 'tz=Bad/Zone');
    expect(spy.keys).toHaveLength(0);
  });

  it('is disabled by a TTL of 0', async () => {
    const clock = createFakeClock(0);
    const spy = spyCache(createMemoryResultCache({ clock }));
    const h = seedHandler(await seedCatalog(), { cache: spy.cache, cacheTtlMs: 0 });
    await get(h, '/export/event/137346.json');
    expect(spy.keys).toHaveLength(0);
  });

  it('reuses the rendered body of a cached result in-process until the result expires', async () => {
    const clock = createFakeClock(1308841641000);
    const inner = createMemoryResultCache({ clock });
    let gets = 0;
    const cache: ResultCache = {
      ...inner,
      get: (k) => {
        gets += 1;
        return inner.get(k);
      },
      set: (k, v, t) => inner.set(k, v, t),
    };
    const h = seedHandler(await seedCatalog(), { cache, cacheTtlMs: 600_000, clock });
    const a = await get(h, '/export/event/137346.json', 'pretty=yes');
    const b = await get(h, '/export/event/137346.json', 'pretty=yes');
    expect(b.body).toBe(a.body);
    expect(gets).toBe(1);
    const c = await get(h, '/export/event/137346.json', 'pretty=no'); // another body, same cached result
    expect(c.body).not.toBe(a.body);
    expect(gets).toBe(2);
    clock.advance(600_000);
    await get(h, '/export/event/137346.json', 'pretty=yes');
    expect(gets).toBe(3);
  });

  it('answers from the catalog and logs when the cache store fails', async () => {
    const logged: unknown[] = [];
    const broken: ResultCache = {
      get: () => Promise.reject(new Error('connection lost')),
      set: () => Promise.reject(new Error('connection lost')),
      close: async () => {},
    };
    const h = seedHandler(await seedCatalog(), { cache: broken, logger: { error: (o) => logged.push(o) } });
    const res = await get(h, '/export/event/137346.json');
    expect(res.status).toBe(200);
    expect(res.json.results[0].id).toBe('137346');
    expect(logged).toHaveLength(2);
  });
});
