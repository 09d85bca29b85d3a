import { createTestRedis, type TestRedis } from '@indico/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID, loadDemoData } from '../src/demo-data.js';
import { type Key, manageUnique as manage, serve, signed, testConfig, trackEntries } from './helpers.js';

/** The suite of management-deletes.test.ts (embedded stores) and management-deletes.redis.test.ts (Redis). */
export function describeManagementDeletes(name: string, redis: boolean): void {
  describe(`management deletes, reservations and video bookings (${name})`, () => {
    let ctx: Awaited<ReturnType<typeof serve>>;
    let admin: Key;
    let r: TestRedis | null = null;

    beforeEach(async () => {
      r = redis ? createTestRedis() : null;
      ctx = r
        ? await serve(testConfig({ REDIS_PREFIX: r.prefix.replace(/:$/, '') }), { redis: r.client })
        : await serve(testConfig());
      await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
      const a = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
      admin = { ak: a.key, secret: a.secret };
    });
    afterEach(async () => {
      await ctx.close();
      await r?.cleanup();
    });

    const del = (path: string) => manage(ctx.base, admin, 'DELETE', path);
    const deletions = async () =>
      (await trackEntries(ctx.rt)).filter((e) => e.changes.includes('deleted')).map((e) => `${e.kind}:${e.id}`);

    it('deletes a category only once it is empty (409 before, naming why), recording the deletion', async () => {
      const first = await del('/manage/categories/2');
      expect(first.status).toBe(409);
      expect(((await first.json()) as { message: string }).message).toMatch(/still has (subcategories|events)/);
      expect(await ctx.rt.catalog.getCategory('2')).not.toBeNull();
      expect(await deletions()).toEqual([]);
      // empty it: every event of the subtree, then the subcategories, leaves first
      const all: string[] = [];
      for await (const e of ctx.rt.catalog.eventsInCategory('2', { from: null, to: null })) all.push(e.id);
      expect(all.length).toBeGreaterThan(0);
      for (const id of all) expect((await del(`/manage/events/${id}`)).status).toBe(200);
      const subtree = await ctx.rt.catalog.getCategoryPaths(['2', '3', '4', '5', '6', '7', '8', '9']);
      const children = [...subtree.entries()]
        .filter(([id, path]) => id !== '2' && path.some((c) => c.id === '2'))
        .sort((a, b) => b[1].length - a[1].length);
      for (const [id] of children) expect((await del(`/manage/categories/${id}`)).status).toBe(200);
      const res = await del('/manage/categories/2');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, deleted: true, livesyncChanges: 1 });
      expect(await ctx.rt.catalog.getCategory('2')).toBeNull();
      expect(await deletions()).toContain('category:2');
      expect((await del('/manage/categories/2')).status).toBe(404);
      const exported = await signed(ctx.base, admin, '/export/categ/2.json');
      expect(((await exported.json()) as { count: number }).count).toBe(0);
    });

    it('deletes contributions, sessions (409 while a contribution names them), breaks and registrants', async () => {
      const contribs = await ctx.rt.catalog.getContributions('137346');
      const sessions = await ctx.rt.catalog.getSessions('137346');
      const named = contribs.filter((c) => c.sessionId !== null);
      expect(sessions.length).toBeGreaterThan(0);
      expect(named.length).toBeGreaterThan(0);
      const sid = named[0]!.sessionId!;
      expect((await del(`/manage/events/137346/sessions/${sid}`)).status).toBe(409);
      for (const c of named.filter((x) => x.sessionId === sid)) {
        expect((await del(`/manage/events/137346/contributions/${c.id}`)).status).toBe(200);
      }
      expect((await del(`/manage/events/137346/sessions/${sid}`)).status).toBe(200);
      expect((await ctx.rt.catalog.getSessions('137346')).map((s) => s.id)).not.toContain(sid);
      expect(await deletions()).toEqual(
        expect.arrayContaining([`session:137346.${sid}`, `contribution:137346.${named[0]!.id}`]),
      );
      const exported = await signed(ctx.base, admin, '/export/event/137346.json', { detail: 'contributions' });
      const ids = ((await exported.json()) as { results: Array<{ contributions: Array<{ id: string }> }> }).results[0]!
        .contributions;
      expect(ids.map((c) => c.id)).not.toContain(named[0]!.id);

      const registrant = await del('/manage/events/301397/registrants/0');
      expect(registrant.status).toBe(200);
      expect(((await registrant.json()) as { livesyncChanges: number }).livesyncChanges).toBe(1);
      expect(await ctx.rt.catalog.getRegistrant('301397', '0')).toBeNull();
      expect((await del('/manage/events/301397/registrants/0')).status).toBe(404);
      expect((await del('/manage/events/404404/contributions/1')).status).toBe(404);
      expect((await del('/manage/events/137346/breaks/nope')).status).toBe(404);
    });

    it('deletes a user, and a room only after its reservations (409 naming them)', async () => {
      expect((await del('/manage/users/36024')).status).toBe(200);
      expect(await ctx.rt.catalog.getUser('36024')).toBeNull();
      expect((await del('/manage/users/36024')).status).toBe(404);
      const refused = await del('/manage/rooms/CERN/120');
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { message: string }).message).toContain('93094');
      expect((await del('/manage/reservations/93094')).status).toBe(200);
      expect(await ctx.rt.catalog.getReservation(93094)).toBeNull();
      const rest = await ctx.rt.catalog.getReservations('CERN', 120);
      for (const x of rest) expect((await del(`/manage/reservations/${x.id}`)).status).toBe(200);
      expect((await del('/manage/rooms/CERN/120')).status).toBe(200);
      expect(await ctx.rt.catalog.getRooms('CERN', [120])).toEqual([]);
      expect((await del('/manage/rooms/CERN/120')).status).toBe(404);
      expect((await del('/manage/rooms/CERN/x')).status).toBe(400);
    });

    it('books (POST, collision-checked), stores (PUT), updates (PATCH) and deletes reservations', async () => {
      const slot = {
        location: 'CERN',
        roomId: 120,
        startDT: '2032-03-01T09:00:00Z',
        endDT: '2032-03-01T10:00:00Z',
        bookedForName: 'DOE, Jane',
        reason: 'Review',
      };
      const booked = await manage(ctx.base, admin, 'POST', '/manage/reservations', slot);
      expect(booked.status).toBe(201);
      const id = ((await booked.json()) as { item: { id: number } }).item.id;
      expect((await ctx.rt.catalog.getReservation(id))?.reason).toBe('Review');
      const clash = await manage(ctx.base, admin, 'POST', '/manage/reservations', { ...slot, reason: 'Other' });
      expect(clash.status).toBe(409);
      expect(await clash.json()).toMatchObject({ ok: false, reason: 'collision' });
      const noRoom = await manage(ctx.base, admin, 'POST', '/manage/reservations', { ...slot, roomId: 9999 });
      expect(noRoom.status).toBe(404);
      const repeating = await manage(ctx.base, admin, 'POST', '/manage/reservations', {
        ...slot,
        repeatability: 'daily',
      });
      expect(repeating.status).toBe(400);
      // PUT stores a repeating one with its id; PATCH cancels it, which frees its slots
      const put = await manage(ctx.base, admin, 'PUT', '/manage/reservations/500000', {
        ...slot,
        startDT: '2032-04-01T09:00:00Z',
        endDT: '2032-04-05T10:00:00Z',
        repeatability: 'daily',
      });
      expect(put.status).toBe(201);
      const day3 = { ...slot, startDT: '2032-04-03T09:30:00Z', endDT: '2032-04-03T09:45:00Z' };
      expect((await manage(ctx.base, admin, 'POST', '/manage/reservations', day3)).status).toBe(409);
      const cancel = await manage(ctx.base, admin, 'PATCH', '/manage/reservations/500000', { isCancelled: true });
      expect(cancel.status).toBe(200);
      expect(await ctx.rt.catalog.getReservation(500000)).toMatchObject({ isCancelled: true, repeatability: 'daily' });
      expect((await manage(ctx.base, admin, 'POST', '/manage/reservations', day3)).status).toBe(201);
      const exported = await signed(ctx.base, admin, '/export/reservation/CERN.json', {
        from: '2032-03-01',
        to: '2032-03-02',
      });
      expect(exported.status).toBe(200);
      expect((await del(`/manage/reservations/${id}`)).status).toBe(200);
      expect((await manage(ctx.base, admin, 'POST', '/manage/reservations', slot)).status).toBe(201);
      // validation: unknown room on PUT, bad body, PATCH of an unknown id
      expect((await manage(ctx.base, admin, 'PUT', '/manage/reservations/7', { ...slot, roomId: 9999 })).status).toBe(
        404,
      );
      const bad = await manage(ctx.base, admin, 'PUT', '/manage/reservations/7', { ...slot, usesAVC: 'yes' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toEqual([
        'usesAVC',
      ]);
      const backwards = await manage(ctx.base, admin, 'PUT', '/manage/reservations/7', {
        ...slot,
        endDT: '2032-03-01T08:00:00Z',
      });
      expect(backwards.status).toBe(400);
      expect(await ctx.rt.catalog.getReservation(7)).toBeNull();
      expect((await manage(ctx.base, admin, 'PATCH', '/manage/reservations/7', { reason: 'x' })).status).toBe(404);
      expect((await del('/manage/reservations/7')).status).toBe(404);
    });

    it('creates, updates and deletes video bookings, each with its event’s data_changed', async () => {
      const body = {
        eventId: '137346',
        service: 'vidyo',
        title: 'Remote room',
        startDate: '2011-06-23T09:00:00Z',
        endDate: '2011-06-23T12:00:00Z',
      };
      const put = await manage(ctx.base, admin, 'PUT', '/manage/video-bookings/vb1', body);
      expect(put.status).toBe(201);
      expect(((await put.json()) as { livesyncChanges: number }).livesyncChanges).toBe(1);
      const patch = await manage(ctx.base, admin, 'PATCH', '/manage/video-bookings/vb1', { status: 'Cancelled' });
      expect(patch.status).toBe(200);
      expect(await ctx.rt.catalog.getVideoBooking('vb1')).toMatchObject({
        title: 'Remote room',
        status: 'Cancelled',
        eventId: '137346',
      });
      const changed = (await trackEntries(ctx.rt)).filter((e) => e.kind === 'event' && e.id === '137346');
      expect(changed.flatMap((e) => e.changes)).toContain('data_changed');
      const gone = await del('/manage/video-bookings/vb1');
      expect(gone.status).toBe(200);
      expect(((await gone.json()) as { livesyncChanges: number }).livesyncChanges).toBe(1);
      expect(await ctx.rt.catalog.getVideoBooking('vb1')).toBeNull();
      expect((await del('/manage/video-bookings/vb1')).status).toBe(404);
      const orphan = await manage(ctx.base, admin, 'PUT', '/manage/video-bookings/vb2', { ...body, eventId: '404' });
      expect(orphan.status).toBe(404);
      const bad = await manage(ctx.base, admin, 'PUT', '/manage/video-bookings/vb2', { ...body, service: 'zoom' });
      expect(bad.status).toBe(400);
      expect(await ctx.rt.catalog.getVideoBooking('vb2')).toBeNull();
    });
  });
}
