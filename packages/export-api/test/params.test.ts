/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { describe, expect, it } from 'vitest';
import { createMemoryCatalog, type EventRecord } from '../src/index.js';
import { get, seedCatalog, seedHandler } from './helpers.js';

const NOW_SEC = 1308841641; // 2011-06-23T15:07:21Z

async function seed() {
  return seedHandler(await seedCatalog(), { nowSec: NOW_SEC });
}
const ids = (json: any) => json.results.map((r: any) => r.id);

async function expect400(query: string, message: string, path = '/export/categ/2.json') {
  const res = await get(await seed(), path, query);
  expect(res.status).toBe(400);
  expect(res.json).toEqual({ message, _type: 'HTTPAPIError', _fossil: 'hTTPAPIError' });
}

describe('common parameters (spec §5)', () => {
  it('validates tz with Indico message and renders dates in it', async () => {
    await expect400('tz=Mars/Base', "Bad timezone: 'Mars/Base'");
    await expect400('tz=%2B02:00', "Bad timezone: '+02:00'");
    const res = await get(await seed(), '/export/event/137346.json', 'tz=America/New_York');
    expect(res.json.results[0].startDate).toEqual({ date: '2011-06-23', time: '02:00:00', tz: 'America/New_York' });
  });

  it('defaults tz to the server time zone', async () => {
    const res = await get(await seed(), '/export/event/137346.json');
    expect(res.json.results[0].startDate.tz).toBe('Europe/Zurich');
  });

  it('reads from/to and their short names f/t, overlap-filtering categ events', async () => {
    const h = await seed();
    expect(ids((await get(h, '/export/categ/2.json', 'from=2011-06-25&to=2011-06-26')).json)).toEqual(['137344']);
    expect(ids((await get(h, '/export/categ/2.json', 'f=2011-06-24&t=2011-06-24')).json)).toEqual(['137344', '137346']);
    expect(ids((await get(h, '/export/categ/2.json', 'f=2011-07-01')).json)).toEqual([]);
  });

  it('reads day as from = to = that day, and refuses it together with from or to', async () => {
    expect(ids((await get(await seed(), '/export/categ/2.json', 'day=2011-06-17')).json)).toEqual(['137344']);
    await expect400('day=today&from=today', "'day' can only be used without 'from' and 'to'");
    await expect400('day=today&t=today', "'day' can only be used without 'from' and 'to'");
  });

  it('reports date parse errors with Indico messages', async () => {
    await expect400('from=2011-02-30', "Impossible to parse '2011-02-30'");
    await expect400('to=-1d', 'End date cannot be a negative offset');
    await expect400('from=25h', 'Invalid time!');
  });

  it('refuses a limit above the detail maximum, per detail level', async () => {
    await expect400('limit=1001', "You can only request up to 1000 records per request with the detail level 'events'");
    await expect400(
      'n=101&detail=sessions',
      "You can only request up to 100 records per request with the detail level 'sessions'",
    );
    await expect400(
      'n=501&d=contributions',
      "You can only request up to 500 records per request with the detail level 'contributions'",
    );
    const ok = await get(await seed(), '/export/categ/2.json', 'n=100&d=sessions');
    expect(ok.status).toBe(200);
  });

  it('answers bad integers and negative offsets with 400, never 500', async () => {
    await expect400('limit=abc', 'Expected an integer for limit');
    await expect400('O=1.5', 'Expected an integer for offset');
    await expect400('offset=-1', 'Offset must be a positive number');
  });

  it('refuses unknown detail levels', async () => {
    await expect400('detail=everything', 'Invalid detail level: everything');
  });

  it('applies limit (n) and offset (O, upper case) and keeps complete=true for an explicit limit', async () => {
    const h = await seed();
    const first = await get(h, '/export/categ/2.json', 'n=1');
    expect(ids(first.json)).toEqual(['137344']);
    expect(first.json.complete).toBe(true); // spec §5.3
    expect(ids((await get(h, '/export/categ/2.json', 'O=1')).json)).toEqual(['137346']);
    expect(ids((await get(h, '/export/categ/2.json', 'offset=1&limit=1')).json)).toEqual(['137346']);
  });

  it('orders by id, start, end or title (o, lower case) and reverses with descending/c', async () => {
    const h = await seed();
    expect(ids((await get(h, '/export/categ/2.json', 'order=title')).json)).toEqual(['137346', '137344']);
    expect(ids((await get(h, '/export/categ/2.json', 'o=end')).json)).toEqual(['137346', '137344']);
    expect(ids((await get(h, '/export/categ/2.json', 'o=start&c=yes')).json)).toEqual(['137346', '137344']);
    expect(ids((await get(h, '/export/categ/2.json', 'descending=yes')).json)).toEqual(['137346', '137344']);
    expect(ids((await get(h, '/export/categ/2.json', 'descending=no')).json)).toEqual(['137344', '137346']);
  });

  it('treats only the exact string yes as true', async () => {
    const h = await seed();
    expect((await get(h, '/export/categ/2.json', 'pretty=yes')).body).toContain('\n    "count"');
    expect((await get(h, '/export/categ/2.json', 'p=YES')).body).not.toContain('\n');
  });
});

describe('paging and ordering rules (spec §5.2, §5.3)', () => {
  const T0 = Date.UTC(2026, 0, 5);
  async function handlerWith(events: Array<Partial<EventRecord> & { id: string; startDate: number }>) {
    const catalog = createMemoryCatalog();
    await catalog.putCategory({ id: '0', name: 'Home', parentId: null });
    for (const e of events) {
      await catalog.putEvent({
        title: `E${e.id}`,
        description: '',
        type: 'meeting',
        endDate: e.startDate + 3600_000,
        timezone: 'UTC',
        categoryId: '0',
        location: null,
        room: null,
        address: null,
        creator: { id: 'c', fullName: '', affiliation: '', email: '' },
        chairs: [],
        creationDate: 0,
        modificationDate: 0,
        ...e,
      });
    }
    return seedHandler(catalog, { nowSec: T0 / 1000, serverTimezone: 'UTC' });
  }

  it('reports complete=false only when the implicit cap truncated the result', async () => {
    const events = Array.from({ length: 101 }, (_, i) => ({ id: `e${i}`, startDate: T0 + i * 3600_000 }));
    const h = await handlerWith(events);
    const capped = await get(h, '/export/categ/0.json', 'detail=sessions');
    expect(capped.json.count).toBe(100);
    expect(capped.json.complete).toBe(false);
    const explicit = await get(h, '/export/categ/0.json', 'detail=sessions&n=100');
    expect(explicit.json.count).toBe(100);
    expect(explicit.json.complete).toBe(true);
  });

  it('sorts the whole set when from and to are at most four weeks apart, else only the fetched page', async () => {
    const h = await handlerWith([
      { id: 'a', startDate: T0, title: 'C' },
      { id: 'b', startDate: T0 + 3600_000, title: 'B' },
      { id: 'c', startDate: T0 + 7200_000, title: 'A' },
    ]);
    const page = await get(h, '/export/categ/0.json', 'n=2&order=title');
    expect(ids(page.json)).toEqual(['b', 'a']); // first two in index order (C, B), then sorted
    const whole = await get(h, '/export/categ/0.json', 'n=2&order=title&from=2026-01-01&to=2026-01-28');
    expect(ids(whole.json)).toEqual(['c', 'b']);
    const wide = await get(h, '/export/categ/0.json', 'n=2&order=title&from=2026-01-01&to=2026-02-15');
    expect(ids(wide.json)).toEqual(['b', 'a']);
  });
});
