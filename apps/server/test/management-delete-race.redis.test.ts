import { createRedisCatalog } from '@indico/export-api/redis';
import { createTestRedis, hasRedis, type TestRedis } from '@indico/test-utils';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID, loadDemoData } from '../src/demo-data.js';
import { type Key, manageUnique as manage, serve, testConfig, trackEntries } from './helpers.js';

/**
 * Runs `hook` once, right before the EXEC of the next MULTI of `client` that queues a delete script (one that
 * can refuse with NOTEMPTY): the writer has done its checks and queued everything, another process writes now.
 * The client, Redis and the server are real; only the moment is chosen.
 */
function beforeDeleteExec(client: Redis): { arm(hook: () => Promise<void>): void } {
  let pending: (() => Promise<void>) | null = null;
  const multi = client.multi.bind(client) as (...a: unknown[]) => ReturnType<Redis['multi']>;
  (client as unknown as { multi: unknown }).multi = (...args: unknown[]) => {
    const m = multi(...args);
    let deletes = false;
    const evalOf = m.eval.bind(m) as (...a: unknown[]) => unknown;
    (m as unknown as { eval: unknown }).eval = (...a: unknown[]) => {
      if (String(a[0]).includes('NOTEMPTY')) deletes = true;
      return evalOf(...a);
    };
    const exec = m.exec.bind(m);
    m.exec = async (...a: Parameters<typeof exec>) => {
      const hook = deletes ? pending : null;
      if (hook) {
        pending = null;
        await hook();
      }
      return exec(...a);
    };
    return m;
  };
  return {
    arm(hook) {
      pending = hook;
    },
  };
}

// A delete refused because something depends on the object is checked before queueing and again inside Redis
// at EXEC. When the dependant arrives in between, the script refuses: the API answers 409, and the change
// entry queued in the same MULTI must not be recorded (agents would push the deletion of a live object).
describe.skipIf(!hasRedis())('management deletes racing a concurrent write (Redis)', () => {
  let r: TestRedis;
  let ctx: Awaited<ReturnType<typeof serve>>;
  let admin: Key;
  let race: ReturnType<typeof beforeDeleteExec>;
  let other: Redis;
  let otherCatalog: ReturnType<typeof createRedisCatalog>;

  beforeEach(async () => {
    r = createTestRedis();
    race = beforeDeleteExec(r.client);
    ctx = await serve(testConfig({ REDIS_PREFIX: r.prefix.replace(/:$/, '') }), { redis: r.client });
    await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
    const a = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
    admin = { ak: a.key, secret: a.secret };
    // "another process": its own connection and catalog on the same keys
    other = r.duplicate();
    otherCatalog = createRedisCatalog({ client: other, prefix: r.prefix });
  });
  afterEach(async () => {
    await ctx.close();
    other.disconnect();
    await r.cleanup();
  });

  const del = (path: string) => manage(ctx.base, admin, 'DELETE', path);
  const leftoverKeys = () => r.client.keys(`${r.prefix}*refused*`);

  it('category: an event added before EXEC keeps it; 409 and no change entry at all', async () => {
    await ctx.rt.writer.putCategory({ id: 'race', parentId: '0', name: 'Race' });
    const before = await trackEntries(ctx.rt);
    const event = { ...(await ctx.rt.catalog.getEvent('137346'))!, id: 'late', categoryId: 'race' };
    race.arm(() => otherCatalog.putEvent(event));

    const res = await del('/manage/categories/race');
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toMatch(/category race still has events/);
    expect(await ctx.rt.catalog.getCategory('race')).not.toBeNull();
    expect((await ctx.rt.catalog.getEvent('late'))?.categoryId).toBe('race');
    expect(await trackEntries(ctx.rt)).toEqual(before);
    expect(await leftoverKeys()).toEqual([]);

    // once empty again, the delete goes through with its entry, in one EXEC as before
    await otherCatalog.deleteEvent('late');
    const ok = await del('/manage/categories/race');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, deleted: true, livesyncChanges: 1 });
    const deletions = (await trackEntries(ctx.rt)).filter((e) => e.changes.includes('deleted'));
    expect(deletions.map(({ kind, id, changes }) => ({ kind, id, changes }))).toEqual([
      { kind: 'category', id: 'race', changes: ['deleted'] },
    ]);
    expect(await leftoverKeys()).toEqual([]);
  });

  it('session: a contribution naming it added before EXEC keeps it; 409 and no change entry', async () => {
    const [session] = await ctx.rt.catalog.getSessions('137346');
    const contributions = await ctx.rt.catalog.getContributions('137346');
    // a fresh session nothing names yet
    await ctx.rt.writer.putSession({ ...session!, id: 'race' });
    const before = await trackEntries(ctx.rt);
    race.arm(() => otherCatalog.putContribution({ ...contributions[0]!, id: 'late', sessionId: 'race' }));

    const res = await del('/manage/events/137346/sessions/race');
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toMatch(/session race still has contributions/);
    expect((await ctx.rt.catalog.getSessions('137346')).map((s) => s.id)).toContain('race');
    expect(await trackEntries(ctx.rt)).toEqual(before);
    expect(await leftoverKeys()).toEqual([]);
  });

  it('room: a reservation added before EXEC keeps it (409)', async () => {
    await ctx.rt.writer.putRoom({ ...(await ctx.rt.catalog.getRooms('CERN', [120]))[0]!, id: 4242 });
    const resv = { ...(await ctx.rt.catalog.getReservation(93094))!, id: 777777, roomId: 4242 };
    race.arm(() => otherCatalog.putReservation(resv));

    const res = await del('/manage/rooms/CERN/4242');
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toMatch(/still has reservations/);
    expect(await ctx.rt.catalog.getRooms('CERN', [4242])).toHaveLength(1);
    expect(await leftoverKeys()).toEqual([]);
  });
});
