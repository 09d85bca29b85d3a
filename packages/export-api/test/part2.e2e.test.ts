/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { zonedToEpoch } from '../src/datetime.js';
import { loadSeedPart2Fixtures, PART2_CHECKIN_SECRET } from '../src/fixtures.js';
import { type Authenticator, type Catalog, createNodeListener, type ExportChange } from '../src/index.js';
import { expectSeedSubset, seedCatalog, seedExample, seedHandler } from './helpers.js';

// Real HTTP over node:http for the part-2 resources (spec §9.5-9.9, seed chapter 5.3).

/** Test authentication: the `x-user` header names the requester (admin when `admin`). */
const headerAuth: Authenticator = async ({ headers }) => {
  const id = headers['x-user'];
  return { user: id ? { id, isAdmin: id === 'admin' } : null };
};

const zrhSec = (y: number, mo: number, d: number, h: number, mi: number) =>
  zonedToEpoch({ year: y, month: mo, day: d, hour: h, minute: mi }, 'Europe/Zurich') / 1000;

let catalog: Catalog;
let changes: ExportChange[];
let nowSec = 1308921960;
let base: string;
let server: http.Server;

beforeAll(async () => {
  server = http.createServer((req, res) => listener(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

// spec §9.6: a local directory of stored files
const filesRoot = mkdtempSync(path.join(tmpdir(), 'export-api-files-'));
const PDF = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x10, 0x0a]);
mkdirSync(path.join(filesRoot, '301397'));
writeFileSync(path.join(filesRoot, '301397', 'slides.pdf'), PDF);
writeFileSync(path.join(filesRoot, '301397', 'notes.txt'), 'private notes');

let listener: http.RequestListener;
beforeEach(async () => {
  catalog = await seedCatalog();
  await loadSeedPart2Fixtures(catalog);
  changes = [];
  nowSec = 1308921960;
  const handler = seedHandler(catalog, {
    authenticate: headerAuth,
    onChange: (c) => {
      changes.push(...c);
    },
    clock: { now: () => nowSec * 1000 },
    files: filesRoot,
  });
  listener = createNodeListener(handler);
});

async function call(path: string, opts: { user?: string; body?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.user) headers['x-user'] = opts.user;
  if (opts.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(`${base}${path}`, {
    method: opts.body === undefined ? 'GET' : 'POST',
    headers,
    body: opts.body,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** Same keys with the same JSON types, recursively (arrays: element by element). */
function expectSameShape(actual: any, expected: any, path = '$'): void {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  expect(kind(actual), path).toBe(kind(expected));
  if (kind(expected) === 'array') {
    for (const [i, e] of (expected as unknown[]).entries()) expectSameShape(actual[i], e, `${path}[${i}]`);
  }
  if (kind(expected) === 'object') {
    for (const k of Object.keys(expected)) {
      expect(Object.hasOwn(actual, k), `${path}.${k}`).toBe(true);
      expectSameShape(actual[k], expected[k], `${path}.${k}`);
    }
  }
}

describe('registration (spec §9.5)', () => {
  it('lists registrants for an event manager as in the seed example', async () => {
    const r = await call('/export/event/301397/registrants.json', { user: '36024' });
    expect(r.status).toBe(200);
    const ex = seedExample('registrants');
    expectSeedSubset(r.json.results, ex.results);
    expect(r.json.count).toBe(ex.count);
  });

  it('refuses anonymous users and users who do not manage the event', async () => {
    for (const user of [undefined, '999']) {
      const r = await call('/export/event/301397/registrants.json', { user });
      expect(r.status).toBe(403);
      expect(r.json.message).toBe('Access to this resource is restricted.');
    }
    expect((await call('/export/event/301397/registrant/0.json', { user: 'admin' })).status).toBe(200);
  });

  it('answers an unknown event or registrant with a 404', async () => {
    expect((await call('/export/event/404404/registrants.json', { user: 'admin' })).status).toBe(404);
    const r = await call('/export/event/301397/registrant/77.json', { user: '36024' });
    expect(r.status).toBe(404);
    expect(r.json.message).toBe('Registrant not found');
  });

  it('returns the basic detail of the seed example, and the full detail with its keys and types', async () => {
    const basic = await call('/export/event/301397/registrant/0.json?detail=basic', { user: '36024' });
    expectSeedSubset(basic.json.results, seedExample('registrant-basic').results);
    const full = await call('/export/event/301397/registrant/0.json?detail=full', { user: '36024' });
    expectSameShape(full.json.results, seedExample('registrant-full').results);
    expect(full.json.results._fossil).toBe('regFormRegistrantFull');
    expect(full.json.results.personal_data).toBeUndefined();
    const bad = await call('/export/event/301397/registrant/0.json?detail=everything', { user: '36024' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('Invalid detail level: everything');
  });

  it('marks a registrant paid with the registration total, records the change and is never cached', async () => {
    // read first: a cached result would hide the write below
    expect((await call('/export/event/301397/registrant/0.json', { user: '36024' })).json.results.paid).toBe(false);
    const r = await call('/api/event/301397/registrant/0/pay.json', { user: '36024', body: 'is_paid=yes' });
    expect(r.status).toBe(200);
    expectSeedSubset(r.json.results, seedExample('pay').results);
    expect(changes).toEqual([
      { ref: { kind: 'event', id: '301397' }, changes: 'data_changed', detail: 'registrant 0 paid' },
    ]);
    const after = await call('/export/event/301397/registrant/0.json', { user: '36024' });
    expect(after.json.results).toMatchObject({ paid: true, amount_paid: 4 });
    const unpaid = await call('/api/event/301397/registrant/0/pay.json', { user: '36024', body: 'is_paid=no' });
    expect(unpaid.json.results).toEqual({ paid: false, amount_paid: 0 });
  });

  it('rejects pay with a bad or missing is_paid, by GET, or without rights; writes nothing', async () => {
    const missing = await call('/api/event/301397/registrant/0/pay.json', { user: '36024', body: 'x=1' });
    expect(missing.status).toBe(400);
    expect(
      (await call('/api/event/301397/registrant/0/pay.json', { user: '36024', body: 'is_paid=maybe' })).status,
    ).toBe(400);
    expect((await call('/api/event/301397/registrant/0/pay.json', { user: '999', body: 'is_paid=yes' })).status).toBe(
      403,
    );
    expect((await call('/api/event/301397/registrant/0/pay.json?is_paid=yes', { user: '36024' })).status).toBe(405);
    expect((await call('/api/event/301397/registrant/9/pay.json', { user: '36024', body: 'is_paid=yes' })).status).toBe(
      404,
    );
    expect((await catalog.getRegistrant('301397', '0'))?.paid).toBe(false);
    expect(changes).toEqual([]);
  });

  it('answers e-payment disabled with a 200 error', async () => {
    await catalog.putRegistrant({
      ...(await catalog.getRegistrant('301397', '0'))!,
      id: '5',
      paid: null,
      amountPaid: null,
    });
    const r = await call('/api/event/301397/registrant/5/pay.json', { user: '36024', body: 'is_paid=yes' });
    expect(r.status).toBe(200);
    expect(r.json.message).toBe('E-payment is not enabled');
  });

  it('checks in with the right secret at the current time, and refuses a wrong secret', async () => {
    nowSec = zrhSec(2014, 3, 24, 12, 45);
    const wrong = await call('/api/event/301397/registrant/0/checkin.json', {
      user: '36024',
      body: 'secret=nope&checked_in=yes',
    });
    expect(wrong.status).toBe(403);
    await call('/api/event/301397/registrant/0/checkin.json', {
      user: '36024',
      body: `secret=${PART2_CHECKIN_SECRET}&checked_in=no`,
    });
    expect((await catalog.getRegistrant('301397', '0'))?.checkedIn).toBe(false);
    const r = await call('/api/event/301397/registrant/0/checkin.json', {
      user: '36024',
      body: `secret=${PART2_CHECKIN_SECRET}&checked_in=yes`,
    });
    expectSeedSubset(r.json.results, seedExample('checkin').results);
    expect(changes.map((c) => c.detail)).toEqual(['registrant 0 checked out', 'registrant 0 checked in']);
    const bad = await call('/api/event/301397/registrant/0/checkin.json', {
      user: '36024',
      body: `secret=${PART2_CHECKIN_SECRET}`,
    });
    expect(bad.status).toBe(400);
  });

  it('serves registrants as XML too', async () => {
    const r = await call('/export/event/301397/registrants.xml', { user: '36024' });
    expect(r.status).toBe(200);
    expect(r.text).toContain('Resco Perez');
    expect((await call('/export/event/301397/registrants.ics', { user: '36024' })).status).toBe(404);
  });
});

describe('users (spec §9.7)', () => {
  it('returns the own record and refuses others', async () => {
    const me = await call('/export/user/36024.json', { user: '36024' });
    expect(me.status).toBe(200);
    expectSeedSubset(me.json.results, seedExample('user').results);
    expect((await call('/export/user/36024.json', { user: '1' })).status).toBe(403);
    expect((await call('/export/user/4242.json', { user: 'admin' })).status).toBe(404);
  });
});

describe('room booking (spec §9.8)', () => {
  it('exports rooms as in the seed example, and refuses guests', async () => {
    const r = await call('/export/room/CERN/120.json', { user: '1' });
    expectSeedSubset(r.json.results, seedExample('rooms').results);
    expect((await call('/export/room/CERN/120.json')).status).toBe(403);
    expect((await call('/export/room/CERN/120-abc.json', { user: '1' })).status).toBe(400);
    expect((await call('/export/room/CERN/999.json', { user: '1' })).json.results).toEqual([]);
    // spec §10: RoomCERN in JSON, <room> in XML
    const xml = await call('/export/room/CERN/120.xml', { user: '1' });
    expect(xml.text).toContain('<room fossil="roomMetadata" id="120">');
  });

  it('adds the reservations of the window with detail=reservations', async () => {
    nowSec = 1308922107;
    const r = await call('/export/room/CERN/120.json?detail=reservations&from=today&to=today', { user: '1' });
    expectSeedSubset(r.json.results, seedExample('room-reservations').results);
    const later = await call('/export/room/CERN/120.json?detail=reservations&from=2011-07-01&to=2011-07-02', {
      user: '1',
    });
    expect(later.json.results[0].reservations).toEqual([]);
  });

  it('finds rooms by a case-insensitive name substring, for guests too', async () => {
    const r = await call('/export/roomName/CERN/mezz.json');
    expect(r.status).toBe(200);
    expectSeedSubset(r.json.results, seedExample('rooms').results);
    expect((await call('/export/roomName/CERN/nothing.json')).json.results).toEqual([]);
  });

  it('exports reservations as in the seed example with bookedfor wildcards', async () => {
    nowSec = 1308923111;
    const r = await call('/export/reservation/CERN.json?detail=reservations&from=today&to=today&bookedfor=*MONNICH*', {
      user: '1',
    });
    expectSeedSubset(r.json.results, seedExample('reservations').results);
    // unknown locations are dropped silently
    expect((await call('/export/reservation/Nowhere-CERN.json?bf=*monnich*', { user: '1' })).json.count).toBe(1);
    expect((await call('/export/reservation/CERN.json?bf=DOE*', { user: '1' })).json.count).toBe(0);
    expect((await call('/export/reservation/CERN.json')).status).toBe(403);
  });

  it('applies every state filter of the seed table (yes keeps, no drops for the seed booking)', async () => {
    nowSec = 1308923111; // during the booking: not archival
    const count = async (q: string) => (await call(`/export/reservation/CERN.json?${q}`, { user: '1' })).json.count;
    // the seed reservation: not cancelled, not rejected, confirmed, repeating, no AVC, no support
    const expectations: Array<[string, number]> = [
      ['cancelled=no', 1],
      ['cxl=yes', 0],
      ['rejected=no', 1],
      ['rej=yes', 0],
      ['confirmed=yes', 1],
      ['confirmed=no', 0],
      ['confirmed=pending', 0],
      ['archival=no', 1],
      ['arch=yes', 0],
      ['recurring=yes', 1],
      ['rec=no', 0],
      ['repeating=yes', 1],
      ['rep=no', 0],
      ['avc=no', 1],
      ['avc=yes', 0],
      ['avcsupport=no', 1],
      ['avcs=yes', 0],
      ['startupsupport=no', 1],
      ['sts=yes', 0],
    ];
    for (const [q, n] of expectations) expect(await count(q), q).toBe(n);
    await catalog.putReservation({ ...(await catalog.getReservations('CERN'))[0]!, id: 5, isConfirmed: null });
    expect(await count('confirmed=pending')).toBe(1);
    nowSec = zrhSec(2012, 1, 1, 0, 0);
    expect(await count('archival=yes')).toBe(2);
  });

  it('adds occurrences with occ=yes and exports ics with an RRULE for repeating bookings', async () => {
    const r = await call('/export/reservation/CERN.json?occ=yes', { user: '1' });
    expect(r.json.results[0].occurrences.map((o: any) => [o.startDT.date, o.startDT.time, o.endDT.time])).toEqual([
      ['2011-06-24', '08:30:00', '17:30:00'],
      ['2011-06-25', '08:30:00', '17:30:00'],
    ]);
    const ics = await call('/export/reservation/CERN.ics', { user: '1' });
    expect(ics.headers.get('content-type')).toContain('text/calendar');
    const comp = new ICAL.Component(ICAL.parse(ics.text));
    const ev = comp.getFirstSubcomponent('vevent')!;
    const rrule = ev.getFirstPropertyValue('rrule') as any;
    expect(rrule.freq).toBe('DAILY');
    expect(ev.getFirstPropertyValue('summary')).toBe('Just testing');
  });

  it('books a free slot, refuses the same slot again and a blocked room with 200 errors', async () => {
    const r = await call('/api/roomBooking/bookRoom.json', {
      user: '1',
      body: 'location=CERN&roomid=120&from=2012-12-30T21:30&to=2012-12-30T22:15&reason=meeting&username=jdoe',
    });
    expect(r.status).toBe(200);
    expectSameShape(r.json.results, seedExample('bookroom').results);
    const id = r.json.results.reservationID;
    const stored = (await catalog.getReservations('CERN', 120)).find((x) => x.id === id);
    expect(stored).toMatchObject({ bookedForName: 'DOE, John', reason: 'meeting', repeatability: null });
    expect(changes).toEqual([
      { ref: { kind: 'reservation', id: String(id) }, changes: 'created', detail: 'room CERN/120 booked' },
    ]);
    const again = await call('/api/roomBooking/bookRoom.json', {
      user: '1',
      body: 'location=CERN&roomid=120&from=2012-12-30T22:00&to=2012-12-30T23:00&reason=x&username=jdoe',
    });
    expect(again.status).toBe(200);
    expect(again.json.message).toMatch(/^Failed to create the booking\./);
    const blocked = await call('/api/roomBooking/bookRoom.json', {
      user: '1',
      body: 'location=CERN&roomid=101&from=2011-06-27T10:00&to=2011-06-27T11:00&reason=x&username=jdoe',
    });
    expect(blocked.json.message).toMatch(/^Failed to create the booking\./);
  });

  it('rejects bookRoom without arguments, with bad dates, an unknown user or as a guest', async () => {
    const missing = await call('/api/roomBooking/bookRoom.json', { user: '1', body: 'location=CERN&roomid=120' });
    expect(missing.status).toBe(400);
    expect(missing.json.message).toBe('Argument(s) missing: from, to, reason, username');
    const backwards = await call('/api/roomBooking/bookRoom.json', {
      user: '1',
      body: 'location=CERN&roomid=120&from=2012-12-30T22:00&to=2012-12-30T21:00&reason=x&username=jdoe',
    });
    expect(backwards.status).toBe(400);
    const nobody = await call('/api/roomBooking/bookRoom.json', {
      user: '1',
      body: 'location=CERN&roomid=120&from=2012-12-30T21:00&to=2012-12-30T22:00&reason=x&username=ghost',
    });
    expect(nobody.json.message).toBe('Username does not exist.');
    const guest = await call('/api/roomBooking/bookRoom.json', {
      body: 'location=CERN&roomid=120&from=2012-12-30T21:00&to=2012-12-30T22:00&reason=x&username=jdoe',
    });
    expect(guest.status).toBe(403);
    expect(await catalog.getReservations('CERN', 120)).toHaveLength(1);
  });
});

describe('video services (spec §9.9)', () => {
  it('exports the bookings of the listed services as ics with a VALARM alarms minutes before', async () => {
    const r = await call('/export/video/vidyo-webcast-unknown.ics?alarms=15', { user: 'admin' });
    expect(r.status).toBe(200);
    const comp = new ICAL.Component(ICAL.parse(r.text));
    const events = comp.getAllSubcomponents('vevent');
    expect(events).toHaveLength(2);
    for (const ev of events) {
      const alarm = ev.getFirstSubcomponent('valarm');
      expect(alarm, 'VALARM').not.toBeNull();
      expect(String(alarm!.getFirstPropertyValue('trigger'))).toBe('-PT15M');
    }
  });

  it('lists every service with all (rejected ones excluded) and refuses guests', async () => {
    const all = await call('/export/video/all.json', { user: 'admin' });
    expect(all.json.results.map((b: any) => b.uniqueId)).toEqual(['vidyo1', 'webcast1']);
    expect(all.json.results[0].alarm).toBeUndefined();
    expect((await call('/export/video/evo.json', { user: 'admin' })).json.results).toEqual([]);
    expect((await call('/export/video/all.ics')).status).toBe(403);
    // categ keeps the bookings of events in that category's subtree (event 301397 is in 0 -> 2)
    expect((await call('/export/video/all.json?categ=0', { user: 'admin' })).json.count).toBe(2);
    expect((await call('/export/video/all.json?categ=3', { user: 'admin' })).json.count).toBe(0);
    // from/to keep overlapping bookings (vidyo1 ends 12:00 Zurich, webcast1 starts 14:00)
    const morning = await call('/export/video/all.json?from=2014-04-02T08:00&to=2014-04-02T13:00', { user: 'admin' });
    expect(morning.json.results.map((b: any) => b.uniqueId)).toEqual(['vidyo1']);
    expect((await call('/export/video/all.ics?alarms=x', { user: 'admin' })).status).toBe(400);
  });
});

describe('files (spec §9.6)', () => {
  it('streams a stored file byte for byte with its content type and length, by id or default name', async () => {
    for (const p of ['/export/event/301397/material/0/0.bin', '/export/event/301397/material/slides/0.bin']) {
      const res = await fetch(`${base}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-length')).toBe(String(PDF.length));
      expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
    }
  });

  it('answers File not found, Resource is not a file, and restricted access with Indico messages', async () => {
    const missing = await call('/export/event/301397/material/0/9.bin');
    expect([missing.status, missing.json.message]).toEqual([404, 'File not found']);
    expect((await call('/export/event/404/material/0/0.bin')).json.message).toBe('File not found');
    expect((await call('/export/event/301397/session/1/material/0/0.bin')).status).toBe(404);
    const link = await call('/export/event/301397/material/0/1.bin');
    expect([link.status, link.json.message]).toEqual([404, 'Resource is not a file']);
    const guest = await call('/export/event/301397/material/0/2.bin');
    expect(guest.status).toBe(403);
    const allowed = await call('/export/event/301397/material/0/2.bin', { user: '36024' });
    expect([allowed.status, allowed.text]).toEqual([200, 'private notes']);
  });

  it('serves .bin only for this resource and no other format for it', async () => {
    expect((await call('/export/event/301397/material/0/0.json')).status).toBe(404);
    expect((await call('/export/categ/2.bin')).status).toBe(404);
  });
});
