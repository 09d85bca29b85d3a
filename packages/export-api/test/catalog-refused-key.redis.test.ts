import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_RESERVATION, SEED_ROOM } from '../src/fixtures.js';
import { isExportApiError } from '../src/index.js';
import { createRedisCatalog } from '../src/redis.js';
import { cat, contrib, ev, session } from './contract/catalog.contract.js';

const contribution = (id: string, sessionId: string | null) => ({ ...contrib(id, 'e1'), sessionId });

// The delete scripts re-check at EXEC; with `refusedKey` a refusal also sets that key, so later commands of the
// same MULTI (livesync's queueChanges { unlessKey }) can record nothing.
describe.skipIf(!hasRedis())('queueWrites refusedKey', () => {
  let r: ReturnType<typeof createTestRedis> | null = null;
  afterEach(async () => {
    await r?.cleanup();
    r = null;
  });

  async function setup() {
    r = createTestRedis();
    const c = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await c.putCategory(cat('0', null));
    await c.putCategory(cat('1', '0'));
    await c.putEvent(ev('e1', '0', 1, 2));
    await c.putSession(session('s1', 'e1'));
    await c.putRoom(SEED_ROOM);
    return { r, c, refused: `${r.prefix}{export}:refused:1` };
  }

  it('a category delete refused at EXEC sets the key and deletes nothing', async () => {
    const { r, c, refused } = await setup();
    const multi = r.client.multi();
    await c.queueWrites(multi, (tx) => tx.deleteCategory('1'), { refusedKey: refused });
    await c.putEvent(ev('late', '1', 1, 2));
    const results = (await multi.exec()) ?? [];
    expect(String(results[0]?.[0])).toMatch(/NOTEMPTY category 1 still has events/);
    expect(await r.client.exists(refused)).toBe(1);
    const ttl = await r.client.pttl(refused);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await c.getCategory('1')).not.toBeNull();
  });

  it('a session delete is re-checked at EXEC: a contribution naming it keeps it, and sets the key', async () => {
    const { r, c, refused } = await setup();
    const multi = r.client.multi();
    await c.queueWrites(multi, (tx) => tx.deleteSession('e1', 's1'), { refusedKey: refused });
    await c.putContribution(contribution('c1', 's1'));
    const results = (await multi.exec()) ?? [];
    expect(String(results[0]?.[0])).toMatch(/NOTEMPTY session s1 still has contributions \(c1\)/);
    expect(await r.client.exists(refused)).toBe(1);
    expect((await c.getSessions('e1')).map((s) => s.id)).toEqual(['s1']);
  });

  it('a session delete without a refusal key is re-checked too (nothing set)', async () => {
    const { r, c } = await setup();
    const multi = r.client.multi();
    await c.queueWrites(multi, (tx) => tx.deleteSession('e1', 's1'));
    await c.putContribution(contribution('c1', 's1'));
    const results = (await multi.exec()) ?? [];
    expect(String(results[0]?.[0])).toMatch(/NOTEMPTY session s1/);
    expect((await c.getSessions('e1')).map((s) => s.id)).toEqual(['s1']);
    expect(await r.client.keys(`${r.prefix}*refused*`)).toEqual([]);
  });

  it('a room delete refused at EXEC sets the key', async () => {
    const { r, c, refused } = await setup();
    const multi = r.client.multi();
    await c.queueWrites(multi, (tx) => tx.deleteRoom(SEED_ROOM.location, SEED_ROOM.id), { refusedKey: refused });
    await c.putReservation(SEED_RESERVATION);
    const results = (await multi.exec()) ?? [];
    expect(String(results[0]?.[0])).toMatch(/NOTEMPTY room .* still has reservations/);
    expect(await r.client.exists(refused)).toBe(1);
    expect(await c.getRooms(SEED_ROOM.location, [SEED_ROOM.id])).toHaveLength(1);
  });

  it('accepted deletes leave the key unset', async () => {
    const { r, c, refused } = await setup();
    const multi = r.client.multi();
    const queued = await c.queueWrites(
      multi,
      async (tx) => {
        await tx.deleteCategory('1');
        await tx.deleteSession('e1', 's1');
        await tx.deleteRoom(SEED_ROOM.location, SEED_ROOM.id);
      },
      { refusedKey: refused },
    );
    expect(queued).toBe(3);
    const results = (await multi.exec()) ?? [];
    expect(results.map(([err]) => err)).toEqual([null, null, null]);
    expect(await r.client.exists(refused)).toBe(0);
    expect(await c.getCategory('1')).toBeNull();
    expect(await c.getSessions('e1')).toEqual([]);
    expect(await c.getRooms(SEED_ROOM.location, [SEED_ROOM.id])).toEqual([]);
  });

  it('refuses a refusal key outside the {export} hash tag (other Cluster slot) and queues nothing', async () => {
    const { r, c } = await setup();
    for (const bad of [`${r.prefix}refused`, `${r.prefix}{livesync}:refused`, `${r.prefix}{}{export}`]) {
      const multi = r.client.multi();
      const err = await c.queueWrites(multi, (tx) => tx.deleteCategory('1'), { refusedKey: bad }).catch((e) => e);
      expect(isExportApiError(err) && err.code).toBe('INVALID_ARGUMENT');
      expect(await multi.exec()).toEqual([]);
    }
    expect(await c.getCategory('1')).not.toBeNull();
  });
});
