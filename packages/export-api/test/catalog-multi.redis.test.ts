import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_REGISTRANT, SEED_RESERVATION, SEED_ROOM } from '../src/fixtures.js';
import { isExportApiError } from '../src/index.js';
import { createRedisCatalog } from '../src/redis.js';
import { cat, ev } from './contract/catalog.contract.js';

// DESIGN.md: "a write and its livesync record commit together" — catalog writes join the caller's MULTI/EXEC.
describe.skipIf(!hasRedis())('RedisCatalog.queueWrites', () => {
  let r: ReturnType<typeof createTestRedis>;
  afterEach(async () => {
    await r.cleanup();
  });

  it('commits the catalog writes and the caller’s own command in one EXEC', async () => {
    r = createTestRedis();
    const catalog = createRedisCatalog({ client: r.client, prefix: r.prefix });
    const multi = r.client.multi();
    const queued = await catalog.queueWrites(multi, async (tx) => {
      // the event's category is queued in the same transaction: validation must see it
      await tx.putCategory(cat('0', null));
      await tx.putCategory(cat('7', '0'));
      await tx.putEvent(ev('e1', '7', 1000, 2000));
    });
    multi.rpush(r.key('changes'), 'event e1 created');
    expect(queued).toBe(3);
    // nothing is visible before EXEC
    expect(await catalog.getEvent('e1')).toBeNull();
    expect(await r.client.keys(`${r.prefix}*`)).toEqual([]);
    await multi.exec();
    expect((await catalog.getEvent('e1'))?.title).toBe('Event e1');
    expect((await catalog.getCategoryPath('7')).map((c) => c.id)).toEqual(['0', '7']);
    const found = [];
    for await (const e of catalog.eventsInCategory('0', { from: null, to: null })) found.push(e.id);
    expect(found).toEqual(['e1']);
    expect(await r.client.lrange(r.key('changes'), 0, -1)).toEqual(['event e1 created']);
  });

  it('writes nothing when EXEC is never reached (discard or abandoned transaction)', async () => {
    r = createTestRedis();
    const catalog = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await catalog.putCategory(cat('0', null));
    const before = (await r.client.keys(`${r.prefix}*`)).sort();
    const multi = r.client.multi();
    await catalog.queueWrites(multi, async (tx) => {
      await tx.putEvent(ev('e2', '0', 1, 2));
      await tx.putUser({
        id: 'u9',
        firstName: 'A',
        familyName: 'B',
        title: '',
        email: '',
        affiliation: '',
        phone: '',
        fax: '',
        address: '',
      });
    });
    multi.discard();
    expect(await catalog.getEvent('e2')).toBeNull();
    expect(await catalog.getUser('u9')).toBeNull();
    expect((await r.client.keys(`${r.prefix}*`)).sort()).toEqual(before);
  });

  it('queues nothing when a write in the callback is invalid', async () => {
    r = createTestRedis();
    const catalog = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await catalog.putCategory(cat('0', null));
    const multi = r.client.multi();
    multi.set(r.key('marker'), '1');
    const err = await catalog
      .queueWrites(multi, async (tx) => {
        await tx.putEvent(ev('ok', '0', 1, 2));
        await tx.putEvent(ev('bad', 'missing-category', 1, 2));
      })
      .catch((e: unknown) => e);
    expect(isExportApiError(err) && err.code).toBe('INVALID_ARGUMENT');
    // the caller's transaction holds only its own command
    const res = await multi.exec();
    expect(res).toHaveLength(1);
    expect(await catalog.getEvent('ok')).toBeNull();
  });

  it('queues registrant, room, reservation and video writes too, all applied by EXEC only', async () => {
    r = createTestRedis();
    const catalog = createRedisCatalog({ client: r.client, prefix: r.prefix });
    const fresh = async () => {
      const multi = r.client.multi();
      await catalog.queueWrites(multi, async (tx) => {
        await tx.putRoom({ ...SEED_ROOM, blocked: [{ start: 0, end: 10 }] });
        await tx.putReservation(SEED_RESERVATION);
        await tx.putRegistrant(SEED_REGISTRANT);
        await tx.putVideoBooking({
          uniqueId: 'v1',
          eventId: '301397',
          service: 'vidyo',
          title: 'V',
          status: 'OK',
          startDate: 0,
          endDate: 1,
          location: '',
          room: '',
          audience: '',
        });
      });
      return multi;
    };
    (await fresh()).discard();
    expect(await r.client.keys(`${r.prefix}*`)).toEqual([]);
    const multi = await fresh();
    expect(await catalog.getRooms('CERN')).toEqual([]);
    await multi.exec();
    expect((await catalog.getRooms('CERN')).map((x) => x.id)).toEqual([120]);
    expect((await catalog.getReservations('CERN', 120)).map((x) => x.id)).toEqual([93094]);
    expect((await catalog.getRegistrant('301397', '0'))?.checkinSecret).toBe(SEED_REGISTRANT.checkinSecret);
    expect((await catalog.getVideoBookings()).map((v) => v.uniqueId)).toEqual(['v1']);
    // the queued occupancy and blocked period take part in collision checks
    const booking = { ...SEED_RESERVATION, repeatability: null };
    expect((await catalog.bookRoom(booking)).ok).toBe(false);
    expect(await catalog.bookRoom({ ...booking, startDT: 2, endDT: 5 })).toEqual({ ok: false, reason: 'blocked' });
  });

  it('deletes inside a transaction, removing the event from the category indexes', async () => {
    r = createTestRedis();
    const catalog = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await catalog.putCategory(cat('0', null));
    await catalog.putEvent(ev('e3', '0', 1, 2));
    const multi = r.client.multi();
    await catalog.queueWrites(multi, (tx) => tx.deleteEvent('e3'));
    expect(await catalog.getEvent('e3')).not.toBeNull();
    await multi.exec();
    expect(await catalog.getEvent('e3')).toBeNull();
    expect(await catalog.hasEventsAfter('0', 0)).toBe(false);
  });
});
