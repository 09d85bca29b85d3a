import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID, loadDemoData } from '../src/demo-data.js';
import { type Key, manage, serve, signed, testConfig, trackEntries } from './helpers.js';

describe('management API (embedded stores)', () => {
  let ctx: Awaited<ReturnType<typeof serve>>;
  let admin: Key;
  let plain: Key;

  beforeEach(async () => {
    ctx = await serve(testConfig());
    await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
    const a = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
    admin = { ak: a.key, secret: a.secret };
    const p = await ctx.rt.keyStore.create('36024');
    plain = { ak: p.key, secret: p.secret };
  });
  afterEach(async () => {
    await ctx.close();
  });

  it('updates an event for a signed admin request; the export API serves it and livesync records the change', async () => {
    const res = await manage(ctx.base, admin, 'PATCH', '/manage/events/137346', { title: 'Export Test (renamed)' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, created: false, livesyncChanges: 1 });
    const exported = await signed(ctx.base, admin, '/export/event/137346.json');
    const body = (await exported.json()) as { results: Array<{ title: string }> };
    expect(body.results[0]!.title).toBe('Export Test (renamed)');
    const entries = await trackEntries(ctx.rt);
    expect(entries).toContainEqual(
      expect.objectContaining({ kind: 'event', id: '137346', changes: expect.arrayContaining(['title_changed']) }),
    );
  });

  it('creates a category, an event, a session and a contribution (201), then replaces one (200)', async () => {
    const cat = await manage(ctx.base, admin, 'PUT', '/manage/categories/50', { name: 'Workshops', parentId: '0' });
    expect(cat.status).toBe(201);
    const event = {
      title: 'Hands-on workshop',
      startDate: '2030-05-04T09:00:00+02:00',
      endDate: '2030-05-04T17:00:00+02:00',
      timezone: 'Europe/Zurich',
      categoryId: '50',
    };
    expect((await manage(ctx.base, admin, 'PUT', '/manage/events/900001', event)).status).toBe(201);
    expect(
      (await manage(ctx.base, admin, 'PUT', '/manage/events/900001/sessions/1', { title: 'Morning' })).status,
    ).toBe(201);
    const contrib = { title: 'Intro', duration: 30, startDate: '2030-05-04T09:00:00+02:00', sessionId: '1' };
    expect((await manage(ctx.base, admin, 'PUT', '/manage/events/900001/contributions/0', contrib)).status).toBe(201);
    // (a different body: the very same signed request within one second would be refused as a replay)
    const replaced = await manage(ctx.base, admin, 'PUT', '/manage/events/900001', {
      ...event,
      description: 'Bring a laptop',
    });
    expect(replaced.status).toBe(200);
    const e = await ctx.rt.catalog.getEvent('900001');
    expect(e?.startDate).toBe(Date.parse('2030-05-04T07:00:00Z'));
    expect(await ctx.rt.catalog.getContributions('900001')).toHaveLength(1);
    const kinds = (await trackEntries(ctx.rt)).map((x) => `${x.kind}:${x.id}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['category:50', 'event:900001', 'session:900001.1', 'contribution:900001.0']),
    );
  });

  it('deletes an event and records the deletion of its contributions too', async () => {
    const res = await manage(ctx.base, admin, 'DELETE', '/manage/events/137346');
    expect(res.status).toBe(200);
    expect(await ctx.rt.catalog.getEvent('137346')).toBeNull();
    const deleted = (await trackEntries(ctx.rt)).filter((x) => x.changes.includes('deleted'));
    expect(deleted.map((x) => x.kind)).toContain('event');
    expect(deleted.some((x) => x.kind === 'contribution' && x.id.startsWith('137346.'))).toBe(true);
  });

  it('refuses keys of non-admins, unsigned requests, replayed signatures and tampered bodies, writing nothing', async () => {
    const before = await ctx.rt.catalog.getEvent('137346');
    expect((await manage(ctx.base, plain, 'PATCH', '/manage/events/137346', { title: 'x' })).status).toBe(403);
    const unsigned = await fetch(`${ctx.base}/manage/events/137346?ak=${admin.ak}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"title":"x"}',
    });
    expect(unsigned.status).toBe(403);
    // Signed for one body, sent with another.
    const { buildIndicoRequest } = await import('@indico/http-signing');
    const { bodyDigest } = await import('../src/admin-auth.js');
    const url = buildIndicoRequest(
      '/manage/events/137346',
      { bodysha256: bodyDigest('{"title":"a"}') },
      { apiKey: admin.ak, secretKey: admin.secret },
    );
    const tampered = await fetch(`${ctx.base}${url}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"title":"b"}',
    });
    expect(tampered.status).toBe(403);
    expect(await tampered.json()).toMatchObject({ message: 'Body digest mismatch' });
    // The same signed URL a second time is a replay.
    const again = await fetch(`${ctx.base}${url}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"title":"a"}',
    });
    expect(again.status).toBe(403);
    expect(await ctx.rt.catalog.getEvent('137346')).toEqual(before);
    expect(await trackEntries(ctx.rt)).toEqual([]);
  });

  it('validates bodies and names the offending field', async () => {
    const res = await manage(ctx.base, admin, 'PUT', '/manage/events/900002', { title: '', categoryId: '2' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: Array<{ path: string }> };
    expect(body.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['title', 'startDate', 'endDate']));
    const unknownCategory = await manage(ctx.base, admin, 'PUT', '/manage/events/900002', {
      title: 'x',
      startDate: 0,
      endDate: 1,
      categoryId: 'nope',
    });
    expect(unknownCategory.status).toBe(400);
    expect(await ctx.rt.catalog.getEvent('900002')).toBeNull();
  });

  it('creates a room (201) and updates it (200); the export API serves it and bookRoom honours its blocking', async () => {
    const put = await manage(ctx.base, admin, 'PUT', '/manage/rooms/CERN/130', {
      name: 'Auditorium',
      building: 500,
      floor: '1',
      roomNr: '001',
      blocked: [{ start: '2031-01-01T00:00:00Z', end: '2031-01-02T00:00:00Z', reason: 'works' }],
    });
    expect(put.status).toBe(201);
    expect(await put.json()).toMatchObject({
      created: true,
      livesyncChanges: 0,
      item: { fullName: '500-1-001 - Auditorium' },
    });
    const patch = await manage(ctx.base, admin, 'PATCH', '/manage/rooms/CERN/130', { avc: true });
    expect(patch.status).toBe(200);
    const [stored] = await ctx.rt.catalog.getRooms('CERN', [130]);
    expect(stored).toMatchObject({ name: 'Auditorium', avc: true, blocked: [{ reason: 'works' }] });
    const exported = await signed(ctx.base, admin, '/export/room/CERN/130.json');
    expect(((await exported.json()) as { results: Array<{ name: string }> }).results[0]!.name).toBe('Auditorium');
    const seed = await manage(ctx.base, admin, 'PATCH', '/manage/rooms/CERN/120', { name: 'Mezzanine (renamed)' });
    expect(((await seed.json()) as { item: { fullName: string } }).item.fullName).toBe('500-1-201 - Mezzanine');
    expect((await manage(ctx.base, admin, 'PATCH', '/manage/rooms/CERN/4242', { avc: true })).status).toBe(404);
    const bad = await manage(ctx.base, admin, 'PUT', '/manage/rooms/CERN/x1', { name: '', building: 1, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['name', '']),
    );
  });

  it('creates and updates a registrant; each write records the event data_changed for livesync', async () => {
    const put = await manage(ctx.base, admin, 'PUT', '/manage/events/301397/registrants/7', {
      fullName: 'Ada Lovelace',
      personalData: { firstName: 'Ada', surname: 'Lovelace', email: 'ada@example.org' },
      amountDue: 10,
    });
    expect(put.status).toBe(201);
    const created = (await put.json()) as { livesyncChanges: number; item: { checkinSecret: string } };
    expect(created.livesyncChanges).toBe(1);
    expect(created.item.checkinSecret).toMatch(/^[0-9a-f-]{36}$/);
    const patch = await manage(ctx.base, admin, 'PATCH', '/manage/events/301397/registrants/7', { checkedIn: true });
    expect(patch.status).toBe(200);
    const stored = await ctx.rt.catalog.getRegistrant('301397', '7');
    expect(stored).toMatchObject({
      fullName: 'Ada Lovelace',
      checkedIn: true,
      checkinSecret: created.item.checkinSecret,
      personalData: { city: '', email: 'ada@example.org' },
    });
    const list = await signed(ctx.base, admin, '/export/event/301397/registrants.json');
    const names = ((await list.json()) as { results: { registrants: Array<{ full_name: string }> } }).results
      .registrants;
    expect(names.map((r) => r.full_name)).toEqual(['Alberto Resco Perez', 'Ada Lovelace']);
    const changed = (await trackEntries(ctx.rt)).filter((e) => e.kind === 'event' && e.id === '301397');
    expect(changed).not.toEqual([]);
    expect(changed.flatMap((e) => e.changes)).toContain('data_changed');
    const orphan = await manage(ctx.base, admin, 'PUT', '/manage/events/404404/registrants/1', { fullName: 'x' });
    expect(orphan.status).toBe(404);
    const bad = await manage(ctx.base, admin, 'PATCH', '/manage/events/301397/registrants/7', { paid: 'yes' });
    expect(bad.status).toBe(400);
    expect((await manage(ctx.base, plain, 'PATCH', '/manage/events/301397/registrants/7', { paid: true })).status).toBe(
      403,
    );
  });

  it('refuses to delete a room that reservations still reference (409), writing nothing', async () => {
    expect((await manage(ctx.base, admin, 'DELETE', '/manage/rooms/CERN/120')).status).toBe(409);
    expect((await ctx.rt.catalog.getRooms('CERN', [120])).length).toBe(1);
  });

  it('answers 404 for updates of objects that do not exist', async () => {
    expect((await manage(ctx.base, admin, 'PATCH', '/manage/events/424242', { title: 'x' })).status).toBe(404);
  });
});

describe('management API PATCH keeps what it does not edit', () => {
  it('updates one field of a seeded contribution and keeps its other stored fields', async () => {
    const ctx = await serve(testConfig());
    try {
      await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
      const a = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
      const [first] = await ctx.rt.catalog.getContributions('137346');
      expect(first).toBeDefined();
      const res = await manage(
        ctx.base,
        { ak: a.key, secret: a.secret },
        'PATCH',
        `/manage/events/137346/contributions/${first!.id}`,
        {
          title: 'Retitled',
        },
      );
      expect(res.status).toBe(200);
      const [after] = await ctx.rt.catalog.getContributions('137346');
      expect(after).toEqual({ ...first, title: 'Retitled' });
    } finally {
      await ctx.close();
    }
  });
});
