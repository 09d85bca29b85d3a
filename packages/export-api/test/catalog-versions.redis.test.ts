import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisCatalog } from '../src/redis.js';
import { cat, ev } from './contract/catalog.contract.js';

const window = { from: null, to: null };

// Without tracking, a category listing reads each event's body version and fetches only the bodies it does not
// hold at that version: unchanged events cost no transfer, and a write from any process shows at the next listing.
describe.skipIf(!hasRedis())('RedisCatalog listing with body versions (no tracking)', () => {
  let r: ReturnType<typeof createTestRedis>;
  afterEach(async () => {
    await r.cleanup();
  });

  it('reads only changed or unknown bodies, and every write shows at once', async () => {
    r = createTestRedis();
    const reader = createRedisCatalog({ client: r.client, prefix: r.prefix });
    const other = r.client.duplicate(); // another process
    const writer = createRedisCatalog({ client: other, prefix: r.prefix });
    await writer.putCategory(cat('0', null));
    await writer.putCategory(cat('1', '0'));
    for (const id of ['a', 'b', 'c']) await writer.putEvent(ev(id, '1', 1000, 2000));

    // count the body reads of the reader
    const bodyReads: string[][] = [];
    const hmget = r.client.hmget.bind(r.client) as (...args: string[]) => Promise<Array<string | null>>;
    (r.client as unknown as { hmget: typeof hmget }).hmget = (key: string, ...fields: string[]) => {
      if (key.endsWith('{export}:ev')) bodyReads.push(fields);
      return hmget(key, ...fields);
    };
    const titles = async () => (await reader.listCategoryWindow!(['0'], window, 100)).events[0]!.map((e) => e.title);

    expect(await titles()).toHaveLength(3);
    expect(bodyReads).toEqual([['a', 'b', 'c']]);
    const first = (await reader.listCategoryWindow!(['0'], window, 100)).events[0]!;
    expect(bodyReads).toHaveLength(1); // nothing read again

    await writer.putEvent(ev('b', '1', 1000, 2000, { title: 'Renamed b' }));
    const after = (await reader.listCategoryWindow!(['0'], window, 100)).events[0]!;
    expect(after.map((e) => e.title)).toContain('Renamed b');
    expect(bodyReads.at(-1)).toEqual(['b']);
    expect(after[0]).toBe(first[0]); // unchanged events: the same frozen records
    expect(after[1]).not.toBe(first[1]);

    await writer.deleteEvent('c');
    expect((await reader.listCategoryWindow!(['0'], window, 100)).events[0]!.map((e) => e.id)).toEqual(['a', 'b']);
    await writer.close();
    other.disconnect();
  });

  it('reads bodies written before versions existed every time (no version: never trusted)', async () => {
    r = createTestRedis();
    const c = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await c.putCategory(cat('0', null));
    await c.putCategory(cat('1', '0'));
    await c.putEvent(ev('a', '1', 1000, 2000));
    const verKeys = await r.client.keys(`${r.prefix}*ev-ver`);
    expect(verKeys).toHaveLength(1);
    await r.client.del(verKeys[0]!); // as an older version of the package left the catalog
    expect((await c.listCategoryWindow!(['0'], window, 100)).events[0]!.map((e) => e.id)).toEqual(['a']);
    // a write behind the catalog's back (same JSON shape, new title) is seen: the body was read again
    const eventsKey = `${r.prefix}{export}:ev`;
    const raw = JSON.parse((await r.client.hget(eventsKey, 'a'))!);
    await r.client.hset(eventsKey, 'a', JSON.stringify({ ...raw, title: 'Patched' }));
    expect((await c.listCategoryWindow!(['0'], window, 100)).events[0]![0]!.title).toBe('Patched');
  });
});
