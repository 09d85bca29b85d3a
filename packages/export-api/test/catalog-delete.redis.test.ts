import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_REGISTRANT, SEED_RESERVATION, SEED_ROOM } from '../src/fixtures.js';
import { isExportApiError, type VideoBookingRecord } from '../src/index.js';
import { createRedisCatalog, type RedisCatalog } from '../src/redis.js';
import { cat, contrib, ev } from './contract/catalog.contract.js';

const user = (id: string) => ({
  id,
  firstName: 'A',
  familyName: 'B',
  title: '',
  email: '',
  affiliation: '',
  phone: '',
  fax: '',
  address: '',
});
const video = (uniqueId: string): VideoBookingRecord => ({
  uniqueId,
  eventId: 'e1',
  service: 'vidyo',
  title: 'V',
  status: 'OK',
  startDate: 0,
  endDate: 1,
  location: '',
  room: '',
  audience: '',
});

/** Every key under the prefix with its members (hash fields, set / sorted-set members), prefix stripped. */
async function dump(r: ReturnType<typeof createTestRedis>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const key of (await r.client.keys(`${r.prefix}*`)).sort()) {
    const type = await r.client.type(key);
    const name = key.slice(r.prefix.length);
    if (type === 'hash') out[name] = (await r.client.hkeys(key)).sort();
    else if (type === 'zset') out[name] = (await r.client.zrange(key, '0', '-1')).sort();
    else if (type === 'set') out[name] = (await r.client.smembers(key)).sort();
    else out[name] = [type];
  }
  return out;
}

async function fill(c: RedisCatalog) {
  await c.putCategory(cat('0', null));
  await c.putCategory(cat('1', '0'));
  await c.putEvent(ev('e1', '1', 1000, 5000, { links: [{ userId: 'u1', roles: ['chair'] }] }));
  await c.putContribution({ ...contrib('c1', 'e1', 'C'), startDate: 1000 });
  await c.putBreak({
    id: 'b1',
    eventId: 'e1',
    title: 'Coffee',
    description: '',
    startDate: 1000,
    endDate: 2000,
    location: null,
    room: null,
  });
  await c.putUser(user('u1'));
  await c.putRegistrant({ ...SEED_REGISTRANT, eventId: 'e1' });
  await c.putRoom({ ...SEED_ROOM, blocked: [{ start: 0, end: 10 }] });
  await c.putReservation(SEED_RESERVATION);
  const booked = await c.bookRoom({ ...SEED_RESERVATION, repeatability: null, startDT: 20, endDT: 30 });
  if (!booked.ok) throw new Error('booking failed');
  await c.putVideoBooking(video('v1'));
  return booked.id;
}

// Only the id counters may outlive the objects: they keep deleted ids from being handed out again.
const COUNTERS = { '{export}:resv-seq': ['string'], '{export}:seq': ['string'] };

describe.skipIf(!hasRedis())('Redis catalog deletes', () => {
  let r: ReturnType<typeof createTestRedis>;
  afterEach(async () => {
    await r.cleanup();
  });

  it('leave no key, hash field or sorted-set member behind once everything is deleted', async () => {
    r = createTestRedis();
    const c = createRedisCatalog({ client: r.client, prefix: r.prefix });
    const booked = await fill(c);
    expect(Object.keys(await dump(r)).length).toBeGreaterThan(15);
    await c.deleteVideoBooking('v1');
    await c.deleteReservation(booked);
    await c.deleteReservation(SEED_RESERVATION.id);
    await c.deleteRoom('CERN', 120);
    await c.deleteRegistrant('e1', '0');
    await c.deleteUser('u1');
    await c.deleteBreak('e1', 'b1');
    await c.deleteContribution('e1', 'c1');
    await c.deleteEvent('e1');
    await c.deleteCategory('1');
    await c.deleteCategory('0');
    expect(await dump(r)).toEqual(COUNTERS);
  });

  it('deleteEvent takes the registrants and their state keys along', async () => {
    r = createTestRedis();
    const c = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await c.putCategory(cat('0', null));
    await c.putEvent(ev('e1', '0', 1, 2));
    await c.putRegistrant({ ...SEED_REGISTRANT, eventId: 'e1' });
    await c.deleteEvent('e1');
    await c.deleteCategory('0');
    expect(await dump(r)).toEqual({ '{export}:seq': ['string'] });
  });

  it('queue every delete into the caller’s MULTI: nothing before EXEC, nothing after a discard', async () => {
    r = createTestRedis();
    const c = createRedisCatalog({ client: r.client, prefix: r.prefix });
    const booked = await fill(c);
    const before = await dump(r);
    const deleteAll = async () => {
      const multi = r.client.multi();
      const queued = await c.queueWrites(multi, async (tx) => {
        await tx.deleteVideoBooking('v1');
        await tx.deleteReservation(booked);
        await tx.deleteReservation(SEED_RESERVATION.id);
        await tx.deleteRegistrant('e1', '0');
        await tx.deleteUser('u1');
        await tx.deleteBreak('e1', 'b1');
        await tx.deleteContribution('e1', 'c1');
        await tx.deleteEvent('e1');
      });
      multi.rpush(r.key('changes'), 'deleted');
      return { multi, queued };
    };
    const first = await deleteAll();
    expect(first.queued).toBeGreaterThan(8);
    first.multi.discard();
    expect(await dump(r)).toEqual(before);
    const second = await deleteAll();
    expect(await c.getEvent('e1')).not.toBeNull();
    await second.multi.exec();
    expect(await c.getEvent('e1')).toBeNull();
    expect(await c.getReservations('CERN')).toEqual([]);
    expect(await r.client.lrange(r.key('changes'), 0, -1)).toEqual(['deleted']);
    // the room and category deletes see the committed state; the room's and categories' go in a second MULTI
    const multi = r.client.multi();
    await c.queueWrites(multi, async (tx) => {
      await tx.deleteRoom('CERN', 120);
      await tx.deleteCategory('1');
      await tx.deleteCategory('0');
    });
    await multi.exec();
    const after = await dump(r);
    delete after[r.key('changes').slice(r.prefix.length)];
    expect(after).toEqual(COUNTERS);
  });

  it('refuses a non-empty category or room inside a transaction before queueing anything', async () => {
    r = createTestRedis();
    const c = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await fill(c);
    for (const build of [
      (tx: Parameters<Parameters<RedisCatalog['queueWrites']>[1]>[0]) => tx.deleteCategory('1'),
      (tx: Parameters<Parameters<RedisCatalog['queueWrites']>[1]>[0]) => tx.deleteRoom('CERN', 120),
    ]) {
      const multi = r.client.multi();
      multi.set(r.key('marker'), '1');
      const err = await c
        .queueWrites(multi, async (tx) => {
          await tx.deleteVideoBooking('v1');
          await build(tx);
        })
        .catch((e: unknown) => e);
      expect(isExportApiError(err) && err.status).toBe(409);
      expect(await multi.exec()).toHaveLength(1);
    }
    expect((await c.getVideoBookings()).map((v) => v.uniqueId)).toEqual(['v1']);
  });

  it('the delete scripts re-check inside Redis: an event that arrives after the check keeps its category', async () => {
    r = createTestRedis();
    const c = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await c.putCategory(cat('0', null));
    await c.putCategory(cat('1', '0'));
    // The check passes now; an event lands before EXEC (another process).
    const multi = r.client.multi();
    await c.queueWrites(multi, (tx) => tx.deleteCategory('1'));
    await c.putEvent(ev('late', '1', 1, 2));
    const results = (await multi.exec()) ?? [];
    expect(String(results[0]?.[0])).toMatch(/NOTEMPTY category 1 still has events/);
    expect((await c.getCategoryPath('1')).map((x) => x.id)).toEqual(['0', '1']);
  });
});
