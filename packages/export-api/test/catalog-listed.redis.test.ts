import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../src/index.js';
import { createRedisCatalog } from '../src/redis.js';
import { cat, ev } from './contract/catalog.contract.js';

const list = async (it: AsyncIterable<EventRecord>) => {
  const out: EventRecord[] = [];
  for await (const e of it) out.push(e);
  return out;
};
const all = { from: null, to: null };

// Category listings hand out shared, frozen records while the stored event is unchanged (export-api reuses
// their fossils); any write, from any process, must show at once.
describe.skipIf(!hasRedis())('RedisCatalog listing cache', () => {
  let r: ReturnType<typeof createTestRedis>;
  afterEach(async () => {
    await r.cleanup();
  });

  it('reuses the frozen record of an unchanged event and decodes a changed one afresh', async () => {
    r = createTestRedis();
    const reader = createRedisCatalog({ client: r.client, prefix: r.prefix });
    const writer = createRedisCatalog({ client: r.client, prefix: r.prefix }); // another process
    await writer.putCategory(cat('0', null));
    await writer.putCategory(cat('1', '0'));
    await writer.putEvent(ev('a', '1', 1000, 2000));
    // key order without `id` first: still cached by id, compared by the stored JSON
    const { id, ...rest } = ev('b', '1', 3000, 4000, {
      chairs: [{ id: 'p', fullName: 'P', affiliation: '', email: '' }],
    });
    await writer.putEvent({ ...rest, id } as EventRecord);

    const [a1, b1] = await list(reader.eventsInCategory('0', all));
    expect(Object.isFrozen(a1)).toBe(true);
    expect(Object.isFrozen(b1!.chairs[0])).toBe(true);
    expect(() => {
      (a1 as { title: string }).title = 'x';
    }).toThrow(TypeError);
    const [a2, b2] = await list(reader.eventsInCategory('1', all));
    expect(a2).toBe(a1);
    expect(b2).toBe(b1);

    await writer.putEvent(ev('a', '1', 1000, 2000, { title: 'Renamed' }));
    const [a3, b3] = await list(reader.eventsInCategory('0', all));
    expect(a3).not.toBe(a1);
    expect(a3!.title).toBe('Renamed');
    expect(b3).toBe(b1);
    await writer.deleteEvent('a');
    expect((await list(reader.eventsInCategory('0', all))).map((e) => e.id)).toEqual(['b']);
    // single reads stay private copies
    const single = await reader.getEvent('b');
    expect(Object.isFrozen(single)).toBe(false);
  });

  it('decodes every time with listedEventCache 0', async () => {
    r = createTestRedis();
    const c = createRedisCatalog({ client: r.client, prefix: r.prefix, listedEventCache: 0 });
    await c.putCategory(cat('0', null));
    await c.putEvent(ev('a', '0', 1000, 2000));
    const [x] = await list(c.eventsInCategory('0', all));
    const [y] = await list(c.eventsInCategory('0', all));
    expect(x).toEqual(y);
    expect(x).not.toBe(y);
  });
});
