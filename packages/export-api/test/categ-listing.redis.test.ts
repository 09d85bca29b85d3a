import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { type Catalog, createExportHandler, createMemoryCatalog, type EventRecord } from '../src/index.js';
import { createRedisCatalog } from '../src/redis.js';
import { cat, ev } from './contract/catalog.contract.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 8);

async function fill(c: Catalog) {
  await c.putCategory(cat('0', null, 'Home'));
  await c.putCategory(cat('1', '0', 'Physics'));
  await c.putCategory(cat('2', '0', 'Chemistry'));
  await c.putCategory(cat('11', '1', 'Particles'));
  const types: EventRecord['type'][] = ['meeting', 'conference', 'simple_event'];
  for (let i = 0; i < 40; i++) {
    const category = ['1', '2', '11'][i % 3]!;
    // same start for pairs of events: ties are ordered by id
    const start = T0 + Math.floor(i / 2) * 6 * H;
    await c.putEvent(
      ev(`e${String(i).padStart(2, '0')}`, category, start, start + (i % 5) * H + 1, { type: types[i % 3]! }),
    );
  }
  // a long event that began before every window below
  await c.putEvent(ev('long', '11', T0 - 30 * 24 * H, T0 + 40 * 24 * H));
}

// The Redis catalog answers categ listings in one round trip (listCategoryWindow); the memory catalog has no
// such method and goes through eventsInCategory/getCategoryPaths/hasEventsAfter: both must answer alike.
describe.skipIf(!hasRedis())('categ export over a one-round-trip listing', () => {
  let r: ReturnType<typeof createTestRedis>;
  afterEach(async () => {
    await r.cleanup();
  });

  it('answers with the same bytes as the memory catalog (also with tracked listings), including full pages that go on', async () => {
    r = createTestRedis();
    const redisCatalog = createRedisCatalog({ client: r.client, prefix: r.prefix });
    const tracked = createRedisCatalog({ client: r.duplicate(), prefix: r.prefix, trackListings: true });
    const memory = createMemoryCatalog();
    await fill(redisCatalog);
    await fill(memory);
    const handler = (catalog: Catalog) =>
      createExportHandler({
        catalog,
        baseUrl: 'https://x.org',
        serverTimezone: 'Europe/Zurich',
        clock: { now: () => T0 },
      });
    const a = handler(redisCatalog);
    const b = handler(memory);
    const c = handler(tracked);
    const queries = [
      'from=2026-03-02&to=2026-03-06',
      'from=2026-03-02&to=2026-03-04&limit=3',
      'from=2026-03-02&to=2026-03-20&limit=4&type=conference',
      'from=2026-03-03&limit=5&offset=2&type=meeting',
      'limit=2&type=simple_event&order=title&descending=yes',
      'from=2026-03-02&to=2026-03-12&order=start&limit=7',
      'from=2026-04-20&to=2026-04-30',
      'to=2026-03-03',
    ];
    for (const path of ['/export/categ/0.json', '/export/categ/1-2.json', '/export/categ/11-0-nope.json']) {
      for (const q of queries) {
        const query = `${q}&nocache=yes`;
        const want = await b({ method: 'GET', path, query });
        const got = await a({ method: 'GET', path, query });
        expect(got.status).toBe(want.status);
        expect(got.body, `${path}?${query}`).toBe(want.body);
        for (let round = 0; round < 2; round++) {
          expect((await c({ method: 'GET', path, query })).body, `tracked ${path}?${query}`).toBe(want.body);
        }
      }
    }
    expect(
      JSON.parse(
        (await a({ method: 'GET', path: '/export/categ/0.json', query: 'from=2026-03-02&to=2026-03-03' })).body,
      ).additionalInfo.moreFutureEvents,
    ).toBe(true);
  });
});
