import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventRecord, UserRecord } from '../src/index.js';
import { createRedisCatalog } from '../src/redis.js';
import { cat, ev } from './contract/catalog.contract.js';

const window = { from: null, to: null };

/** Polls (bounded): invalidations reach the reader asynchronously, on its own connection. */
async function until(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

// trackListings: listings read ids only and reuse the bodies they hold until Redis reports a change.
describe.skipIf(!hasRedis())('RedisCatalog listings with Redis-tracked bodies', () => {
  let r: ReturnType<typeof createTestRedis>;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    await r.cleanup();
  });

  it('skips unchanged bodies, and shows every write of another process', async () => {
    r = createTestRedis();
    const readerClient = r.duplicate();
    const reader = createRedisCatalog({ client: readerClient, prefix: r.prefix, trackListings: true });
    closers.push(() => reader.close());
    const writer = createRedisCatalog({ client: r.client, prefix: r.prefix }); // another process
    await writer.putCategory(cat('0', null));
    await writer.putCategory(cat('1', '0'));
    for (const id of ['a', 'b', 'c']) await writer.putEvent(ev(id, '1', 1000, 2000));
    const list = async () => (await reader.listCategoryWindow!(['0'], window, 10)).events[0]!;
    const bodies = vi.spyOn(readerClient, 'hmget');
    // once tracking is on, a second listing reads no body at all
    expect(
      await until(async () => {
        await list();
        bodies.mockClear();
        await list();
        return bodies.mock.calls.length === 0;
      }),
    ).toBe(true);
    const before = await list();
    expect(before.map((e) => e.title)).toEqual(['Event a', 'Event b', 'Event c']);

    await writer.putEvent(ev('b', '1', 1000, 2000, { title: 'Renamed' }));
    expect(await until(async () => (await list())[1]!.title === 'Renamed')).toBe(true);
    const after = await list();
    expect(after[0]).toBe(before[0]); // unchanged records are the same objects
    expect(after[1]).not.toBe(before[1]);

    await writer.deleteEvent('c');
    expect(await until(async () => (await list()).length === 2)).toBe(true);
    await r.client.hset(`${r.prefix}{export}:ev`, 'a', JSON.stringify({ ...ev('a', '1', 1000, 2000), title: 'Raw' }));
    expect(await until(async () => (await list())[0]!.title === 'Raw')).toBe(true);
    // eventsInCategory agrees
    const viaIterator: EventRecord[] = [];
    for await (const e of reader.eventsInCategory('0', window)) viaIterator.push(e);
    expect(viaIterator.map((e) => e.title)).toEqual((await list()).map((e) => e.title));
  });

  it('answers getUser from the process while the users hash is unchanged (trackUsers)', async () => {
    r = createTestRedis();
    const readerClient = r.duplicate();
    const reader = createRedisCatalog({ client: readerClient, prefix: r.prefix, trackUsers: true });
    closers.push(() => reader.close());
    const writer = createRedisCatalog({ client: r.client, prefix: r.prefix });
    const user = (id: string, extra: Partial<UserRecord> = {}): UserRecord => ({
      id,
      firstName: 'Ada',
      familyName: 'Lovelace',
      title: '',
      email: `${id}@example.org`,
      affiliation: '',
      phone: '',
      fax: '',
      address: '',
      ...extra,
    });
    await writer.putUser(user('u1'));
    const reads = vi.spyOn(readerClient, 'hget');
    expect(
      await until(async () => {
        await reader.getUser('u1');
        await reader.getUser('nobody');
        reads.mockClear();
        await reader.getUser('u1');
        await reader.getUser('nobody');
        return reads.mock.calls.length === 0;
      }),
    ).toBe(true);
    const a = await reader.getUser('u1');
    expect(a).toEqual(user('u1'));
    a!.isAdmin = true; // callers get their own copy
    expect((await reader.getUser('u1'))!.isAdmin).toBeUndefined();

    await writer.putUser(user('u1', { isAdmin: true, groups: ['g'] }));
    expect(await until(async () => (await reader.getUser('u1'))?.isAdmin === true)).toBe(true);
    expect((await reader.getUser('u1'))!.groups).toEqual(['g']);
    expect(await reader.getUser('nobody')).toBeNull();
    await writer.putUser(user('nobody'));
    expect(await until(async () => (await reader.getUser('nobody')) !== null)).toBe(true);
  });
});
