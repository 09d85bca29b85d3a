/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildIndicoRequest } from '@indico/http-signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesDir } from '../src/config.js';
import { DEMO_ADMIN_ID } from '../src/demo-data.js';
import { seedIfEmpty } from '../src/server.js';
import { type Key, serve, signed, testConfig, trackEntries } from './helpers.js';

// The part-2 demo data (issue 9: room CERN 120 "Mezzanine", reservation 93094, a registrant, user 36024, a
// video booking) answering the seed's example URLs over real HTTP, in embedded mode.

/** The seed documentation's example responses, kept next to the export-api tests. */
const seedExample = (name: string): any =>
  JSON.parse(
    readFileSync(new URL(`../../../packages/export-api/test/seed-examples/${name}.json`, import.meta.url), 'utf8'),
  );

/** Same keys with the same JSON types, recursively (arrays: element by element of the example). */
function expectSameShape(actual: any, expected: any, at = '$'): void {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  expect(kind(actual), at).toBe(kind(expected));
  if (kind(expected) === 'array') {
    for (const [i, e] of (expected as unknown[]).entries()) expectSameShape(actual[i], e, `${at}[${i}]`);
  }
  if (kind(expected) === 'object') {
    for (const k of Object.keys(expected)) {
      expect(Object.hasOwn(actual, k), `${at}.${k}`).toBe(true);
      expectSameShape(actual[k], expected[k], `${at}.${k}`);
    }
  }
}

let ctx: Awaited<ReturnType<typeof serve>>;
let key: Key;
const files = mkdtempSync(path.join(tmpdir(), 'indico-server-files-'));

beforeAll(async () => {
  ctx = await serve(testConfig({ FILES_DIR: files }));
  expect(await seedIfEmpty(ctx.rt)).toBe(true);
  const k = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
  key = { ak: k.key, secret: k.secret };
});
afterAll(async () => {
  await ctx.close();
  rmSync(files, { recursive: true, force: true });
});

/** A signed POST to /api: the form body is what is signed. */
function signedPost(p: string, params: Record<string, string>): Promise<Response> {
  const url = buildIndicoRequest(p, params, { apiKey: key.ak, secretKey: key.secret });
  return fetch(`${ctx.base}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: url.slice(url.indexOf('?') + 1),
  });
}

describe('part-2 demo data over HTTP (embedded mode)', () => {
  it('lists the registrant of event 301397 with the keys of the seed example', async () => {
    const res = await signed(ctx.base, key, '/export/event/301397/registrants.json');
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expectSameShape(body.results, seedExample('registrants').results);
    expect(body.results.registrants[0].full_name).toBe('Alberto Resco Perez');
    const full = (await (
      await signed(ctx.base, key, '/export/event/301397/registrant/0.json', { detail: 'full' })
    ).json()) as any;
    expectSameShape(full.results, seedExample('registrant-full').results);
  });

  it('serves room CERN/120 "Mezzanine" (by id and by name) and reservation 93094', async () => {
    const rooms = (await (await signed(ctx.base, key, '/export/room/CERN/120.json')).json()) as any;
    expectSameShape(rooms.results, seedExample('rooms').results);
    expect(rooms.results[0].name).toBe('Mezzanine');
    const byName = (await (await fetch(`${ctx.base}/export/roomName/CERN/mezz.json`)).json()) as any;
    expect(byName.results.map((r: any) => r.id)).toEqual([120]);
    const resv = (await (
      await signed(ctx.base, key, '/export/reservation/CERN.json', {
        detail: 'reservations',
        from: '2011-06-24',
        to: '2011-06-24',
        bookedfor: '*MONNICH*',
      })
    ).json()) as any;
    expectSameShape(resv.results, seedExample('reservations').results);
    expect(resv.results[0].id).toBe(93094);
  });

  it('books a free slot of room 120 with bookRoom and refuses the same slot again', async () => {
    const form = {
      location: 'CERN',
      roomid: '120',
      from: '2012-12-30T21:30',
      to: '2012-12-30T22:15',
      reason: 'demo',
      username: 'jdoe',
    };
    const res = await signedPost('/api/roomBooking/bookRoom.json', form);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expectSameShape(body.results, seedExample('bookroom').results);
    const again = (await (await signedPost('/api/roomBooking/bookRoom.json', form)).json()) as any;
    expect(again.message).toMatch(/^Failed to create the booking\./);
  });

  it('exports the video bookings, the user 36024 and the stored Slides file', async () => {
    const video = (await (await signed(ctx.base, key, '/export/video/all.json')).json()) as any;
    expect(video.results.map((b: any) => b.uniqueId)).toEqual(['vidyo1', 'webcast1']);
    const user = (await (await signed(ctx.base, key, '/export/user/36024.json')).json()) as any;
    expectSameShape(user.results, seedExample('user').results);
    const pdf = await fetch(`${ctx.base}/export/event/301397/material/0/0.bin`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect((await pdf.text()).startsWith('%PDF-')).toBe(true);
    expect(filesDir(ctx.rt.config)).toBe(path.resolve(files));
  });

  it('records a livesync change of the event when a registrant pays', async () => {
    const res = await signedPost('/api/event/301397/registrant/0/pay.json', { is_paid: 'yes' });
    expect(res.status).toBe(200);
    expectSameShape(((await res.json()) as any).results, seedExample('pay').results);
    expect(await trackEntries(ctx.rt)).toContainEqual(expect.objectContaining({ kind: 'event', id: '301397' }));
  });
});
