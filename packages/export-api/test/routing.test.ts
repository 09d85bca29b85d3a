/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { describe, expect, it } from 'vitest';
import { CORE_HOOKS, createMemoryCatalog, HookRegistry } from '../src/index.js';
import { get, seedCatalog, seedHandler } from './helpers.js';

const ids = (json: any) => json.results.map((r: any) => r.id);

describe('routing and path grammar (spec §1)', () => {
  it('serves GET /export/WHAT/ID.TYPE and answers unknown resources and formats with a plain 404', async () => {
    const h = seedHandler(await seedCatalog());
    expect((await get(h, '/export/categ/2.json')).status).toBe(200);
    for (const p of [
      '/export/nothing/2.json',
      '/export/categ/2.pdf',
      '/export/categ/2.bin',
      '/export/categ/2',
      '/export/categ/2.json/x',
      '/other/categ/2.json',
    ]) {
      const res = await get(h, p);
      expect(res.status, p).toBe(404);
      expect(res.headers['content-type'], p).toMatch(/^text\/plain/);
    }
  });

  it('splits - separated id lists, keeps their order, drops duplicates and skips unknown ids', async () => {
    const h = seedHandler(await seedCatalog());
    expect(ids((await get(h, '/export/event/137346-999-137344-137346.json')).json)).toEqual(['137346', '137344']);
    expect(ids((await get(h, '/export/event/999.json')).json)).toEqual([]);
  });

  it('lists an event reached through two requested categories once (parent and child)', async () => {
    const h = seedHandler(await seedCatalog());
    const res = await get(h, '/export/categ/0-2.json', 'from=2011-06-23&to=2011-06-23');
    expect(ids(res.json)).toEqual(['137344', '137346']);
  });

  it('answers other methods on /export with 405, and GET on /api with 405', async () => {
    const h = seedHandler(await seedCatalog());
    const post = await h({ method: 'POST', path: '/export/categ/2.json', query: '' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const getApi = await h({ method: 'GET', path: '/api/anything/1.json', query: '' });
    expect(getApi.status).toBe(405);
  });

  it('answers HEAD like GET without a body', async () => {
    const h = seedHandler(await seedCatalog());
    const res = await h({ method: 'HEAD', path: '/export/categ/2.json', query: '' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toBe('');
  });

  it('matches the percent-decoded path a second time (spec §1.2 double decode)', async () => {
    const h = seedHandler(await seedCatalog());
    const res = await get(h, '/export/event/search/ic%20hep.json');
    expect(res.status).toBe(200);
    expect(res.json.count).toBe(5);
  });

  it('resolves hooks in registration order, first match wins', () => {
    const reg = new HookRegistry(CORE_HOOKS);
    expect(reg.resolve('/export/event/search/x.json')?.hook.name).toBe('event-search');
    expect(reg.resolve('/export/event/1-2.json')?.hook.name).toBe('categ-event');
    expect(reg.resolve('/export/event/1/session/2.json')?.hook.name).toBe('session');
    expect(reg.resolve('/export/event/1/contribution/2-3.xml')?.hook.name).toBe('contribution');
    expect(reg.resolve('/export/timetable/1.ics')?.type).toBe('timetable');
    expect(reg.resolve('/export/user/linked_events.json')?.hook.name).toBe('user-events');
    expect(reg.resolve('/export/user/44.json')?.hook.name).toBe('user');
    expect(reg.resolve('/export/categ/1.bin')).toBeNull();
  });

  it('reads a POST /api form body and ignores its query string (spec §2 step 1)', async () => {
    const catalog = createMemoryCatalog();
    const h = seedHandler(catalog, {
      hooks: [
        {
          name: 'echo',
          prefix: 'api',
          pattern: '(echo)/(?<id>[0-9]+)',
          async handler(ctx) {
            return { results: [{ id: ctx.groups.id, value: ctx.params.get('value') ?? null }] };
          },
        },
      ],
    });
    const res = await h({ method: 'POST', path: '/api/echo/7.json', query: 'value=fromQuery', body: 'value=fromBody' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).results).toEqual([{ id: '7', value: 'fromBody' }]);
  });
});
