import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  Catalog,
  CategoryRecord,
  ContributionRecord,
  EventRecord,
  RegistrantRecord,
  ReservationRecord,
  RoomRecord,
  SessionRecord,
  VideoBookingRecord,
} from '../../src/index.js';
import { isExportApiError } from '../../src/index.js';

export interface CatalogHarness {
  catalog: Catalog;
  cleanup(): Promise<void>;
}

const H = 3600_000;
const T0 = Date.UTC(2026, 0, 10);

export function cat(id: string, parentId: string | null, name = `Cat ${id}`): CategoryRecord {
  return { id, name, parentId };
}

export function ev(
  id: string,
  categoryId: string,
  start: number,
  end: number,
  extra: Partial<EventRecord> = {},
): EventRecord {
  return {
    id,
    title: `Event ${id}`,
    description: '',
    type: 'meeting',
    startDate: start,
    endDate: end,
    timezone: 'UTC',
    categoryId,
    location: 'CERN',
    room: null,
    address: null,
    creator: { id: 'u1', fullName: 'Creator', affiliation: '', email: 'c@example.org' },
    chairs: [],
    creationDate: T0,
    modificationDate: T0,
    ...extra,
  };
}

export function contrib(id: string, eventId: string, title = `C${id}`): ContributionRecord {
  return {
    id,
    eventId,
    title,
    description: '',
    startDate: T0,
    duration: 10,
    location: null,
    room: null,
    speakers: [],
    track: null,
    sessionId: null,
    type: null,
  };
}

/** A session with no slots (pass `slots` to add some). */
export function session(id: string, eventId: string, extra: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    eventId,
    title: 'S',
    description: '',
    color: '#fff',
    textColor: '#000',
    isPoster: false,
    location: '',
    room: '',
    address: '',
    conveners: [],
    slots: [],
    ...extra,
  };
}

function registrant(id: string, eventId: string): RegistrantRecord {
  return {
    id,
    eventId,
    fullName: `First ${id} Surname ${id}`,
    checkinSecret: `secret-${id}`,
    registrationDate: T0,
    paid: false,
    amountPaid: 0,
    checkedIn: false,
    checkinDate: null,
    personalData: {
      title: '',
      firstName: `First ${id}`,
      surname: `Surname ${id}`,
      institution: 'CERN',
      position: '',
      address: '',
      city: 'Geneva',
      country: 'CH',
      phone: '',
      fax: '',
      email: `${id}@example.org`,
      personalHomepage: '',
    },
    socialEvents: [],
  };
}

function room(id: number, location: string): RoomRecord {
  return {
    id,
    location,
    name: `Room ${id}`,
    building: 500,
    floor: '1',
    roomNr: String(id),
    fullName: `500-1-${id} - Room ${id}`,
    avc: false,
    equipment: [],
    vcList: [],
    latitude: '46.23',
    longitude: '6.05',
  };
}

function resv(id: number, roomId: number, start: number, end: number, rep: ReservationRecord['repeatability']) {
  return { ...booking(roomId, start, end), id, repeatability: rep };
}

function booking(roomId: number, start: number, end: number): Omit<ReservationRecord, 'id'> {
  return {
    location: 'CERN',
    roomId,
    startDT: start,
    endDT: end,
    repeatability: null,
    bookedForName: 'DOE, Jane',
    reason: 'test',
    usesAVC: false,
    needsAVCSupport: false,
    needsStartupSupport: false,
    isConfirmed: true,
    isCancelled: false,
    isRejected: false,
    vcList: [],
  };
}

function video(uniqueId: string, start: number): VideoBookingRecord {
  return {
    uniqueId,
    eventId: 'e1',
    service: 'vidyo',
    title: `Video ${uniqueId}`,
    status: 'OK',
    startDate: start,
    endDate: start + H,
    location: 'CERN',
    room: '',
    audience: '',
  };
}

async function ids(it: AsyncIterable<EventRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(e.id);
  return out;
}

async function expectInvalid(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isExportApiError(err) && err.code === 'INVALID_ARGUMENT').toBe(true);
}

/** A delete refused because something still depends on the object: INVALID_ARGUMENT with status 409. */
async function expectNotEmpty(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isExportApiError(err) && [err.code, err.status]).toEqual(['INVALID_ARGUMENT', 409]);
}

/** The Catalog port's behaviour (spec §9 reads), run against every adapter. */
export function describeCatalogContract(name: string, make: () => Promise<CatalogHarness>): void {
  describe(`Catalog contract: ${name}`, () => {
    let h: CatalogHarness;
    let c: Catalog;
    beforeEach(async () => {
      h = await make();
      c = h.catalog;
      // Tree: 0 -> 1 -> 11, 0 -> 2
      await c.putCategory(cat('0', null, 'Home'));
      await c.putCategory(cat('1', '0'));
      await c.putCategory(cat('11', '1'));
      await c.putCategory(cat('2', '0'));
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('returns categories with their path from the root, and nothing for unknown ids', async () => {
      expect((await c.getCategory('11'))?.name).toBe('Cat 11');
      expect((await c.getCategoryPath('11')).map((x) => x.id)).toEqual(['0', '1', '11']);
      expect(await c.getCategory('nope')).toBeNull();
      expect(await c.getCategoryPath('nope')).toEqual([]);
      const paths = await c.getCategoryPaths(['2', 'nope', '11']);
      expect([...paths.keys()].sort()).toEqual(['11', '2']);
      expect(paths.get('2')!.map((x) => x.id)).toEqual(['0', '2']);
    });

    it('refuses a category whose parent is unknown, a move, and a bad id, writing nothing', async () => {
      await expectInvalid(c.putCategory(cat('9', 'missing')));
      expect(await c.getCategory('9')).toBeNull();
      await expectInvalid(c.putCategory(cat('11', '2')));
      expect((await c.getCategoryPath('11')).map((x) => x.id)).toEqual(['0', '1', '11']);
      await expectInvalid(c.putCategory(cat('a/b', '0')));
    });

    it('stores events and answers getEvents in the order asked with null for unknown ids', async () => {
      await c.putEvent(ev('e1', '1', T0, T0 + H));
      await c.putEvent(ev('e2', '2', T0, T0 + H));
      expect((await c.getEvent('e1'))?.title).toBe('Event e1');
      expect((await c.getEvents(['e2', 'x', 'e1'])).map((e) => e?.id ?? null)).toEqual(['e2', null, 'e1']);
    });

    it('refuses an event in an unknown category or ending before it starts, writing nothing', async () => {
      await expectInvalid(c.putEvent(ev('e1', 'missing', T0, T0 + H)));
      await expectInvalid(c.putEvent(ev('e2', '1', T0, T0 - 1)));
      expect(await c.getEvents(['e1', 'e2'])).toEqual([null, null]);
    });

    it('lists the whole subtree of a category, ordered by start then id', async () => {
      await c.putEvent(ev('b', '11', T0 + 2 * H, T0 + 3 * H));
      await c.putEvent(ev('a', '1', T0 + 2 * H, T0 + 3 * H));
      await c.putEvent(ev('c', '1', T0, T0 + H));
      await c.putEvent(ev('z', '2', T0, T0 + H));
      expect(await ids(c.eventsInCategory('1', { from: null, to: null }))).toEqual(['c', 'a', 'b']);
      expect(await ids(c.eventsInCategory('11', { from: null, to: null }))).toEqual(['b']);
      expect(await ids(c.eventsInCategory('0', { from: null, to: null }))).toEqual(['c', 'z', 'a', 'b']);
      expect(await ids(c.eventsInCategory('nope', { from: null, to: null }))).toEqual([]);
    });

    it('selects events overlapping the window, bounds inclusive, including long events that began earlier', async () => {
      await c.putEvent(ev('long', '1', T0 - 100 * H, T0 + 100 * H));
      await c.putEvent(ev('before', '1', T0 - 3 * H, T0 - H));
      await c.putEvent(ev('touchFrom', '1', T0 - 2 * H, T0));
      await c.putEvent(ev('touchTo', '1', T0 + 5 * H, T0 + 6 * H));
      await c.putEvent(ev('after', '1', T0 + 6 * H, T0 + 7 * H));
      const w = { from: T0, to: T0 + 5 * H };
      expect(await ids(c.eventsInCategory('1', w))).toEqual(['long', 'touchFrom', 'touchTo']);
      expect(await ids(c.eventsInCategory('1', { from: T0 + 6 * H, to: null }))).toEqual(['long', 'touchTo', 'after']);
      expect(await ids(c.eventsInCategory('1', { from: null, to: T0 - 2 * H }))).toEqual([
        'long',
        'before',
        'touchFrom',
      ]);
    });

    it('moves an event between categories and forgets deleted events in every index', async () => {
      await c.putEvent(ev('e', '11', T0, T0 + H));
      await c.putEvent(ev('e', '2', T0, T0 + H));
      expect(await ids(c.eventsInCategory('1', { from: null, to: null }))).toEqual([]);
      expect(await ids(c.eventsInCategory('2', { from: null, to: null }))).toEqual(['e']);
      await c.deleteEvent('e');
      expect(await ids(c.eventsInCategory('0', { from: null, to: null }))).toEqual([]);
      expect(await c.getEvent('e')).toBeNull();
      expect(await c.hasEventsAfter('0', T0 - H)).toBe(false);
    });

    it('lets a consumer stop early', async () => {
      for (let i = 0; i < 30; i++)
        await c.putEvent(ev(`e${String(i).padStart(2, '0')}`, '1', T0 + i * H, T0 + i * H + 1));
      const first: string[] = [];
      for await (const e of c.eventsInCategory('1', { from: null, to: null })) {
        first.push(e.id);
        if (first.length === 3) break;
      }
      expect(first).toEqual(['e00', 'e01', 'e02']);
    });

    it('tells whether the subtree has events ending after a time', async () => {
      await c.putEvent(ev('e', '11', T0, T0 + H));
      expect(await c.hasEventsAfter('1', T0)).toBe(true);
      expect(await c.hasEventsAfter('1', T0 + H)).toBe(false);
      expect(await c.hasEventsAfter('2', T0 - H)).toBe(false);
    });

    it('keeps contributions, sessions and breaks of an event in insertion order, replacing in place', async () => {
      await c.putEvent(ev('e', '1', T0, T0 + H));
      await c.putContribution(contrib('1', 'e'));
      await c.putContribution(contrib('0', 'e'));
      await c.putContribution(contrib('3', 'e'));
      await c.putContribution(contrib('1', 'e', 'renamed'));
      const list = await c.getContributions('e');
      expect(list.map((x) => x.id)).toEqual(['1', '0', '3']);
      expect(list[0]!.title).toBe('renamed');
      expect(await c.getContributions('other')).toEqual([]);
      await c.putSession(session('s', 'e', { slots: [{ id: '0', title: '', startDate: T0, endDate: T0 + H }] }));
      await c.putBreak({
        id: 'b',
        eventId: 'e',
        title: 'Coffee',
        description: '',
        startDate: T0,
        endDate: T0 + H,
        location: null,
        room: null,
      });
      expect((await c.getSessions('e')).map((s) => s.slots.length)).toEqual([1]);
      expect((await c.getBreaks('e')).map((b) => b.title)).toEqual(['Coffee']);
      await c.deleteEvent('e');
      expect(await c.getContributions('e')).toEqual([]);
    });

    it('stores users and finds events linked to a user with their roles', async () => {
      await c.putUser({
        id: 'u1',
        firstName: 'Ada',
        familyName: 'Lovelace',
        title: '',
        email: 'ada@example.org',
        affiliation: '',
        phone: '',
        fax: '',
        address: '',
        favoriteCategoryIds: ['2'],
      });
      expect((await c.getUser('u1'))?.favoriteCategoryIds).toEqual(['2']);
      expect(await c.getUser('u2')).toBeNull();
      await c.putEvent(ev('late', '1', T0 + H, T0 + 2 * H, { links: [{ userId: 'u1', roles: ['chair'] }] }));
      await c.putEvent(ev('early', '2', T0, T0 + H, { links: [{ userId: 'u1', roles: ['speaker', 'author'] }] }));
      const linked = await c.eventsLinkedToUser('u1');
      expect(linked.map((l) => [l.event.id, l.roles])).toEqual([
        ['early', ['speaker', 'author']],
        ['late', ['chair']],
      ]);
      await c.putEvent(ev('late', '1', T0 + H, T0 + 2 * H));
      expect((await c.eventsLinkedToUser('u1')).map((l) => l.event.id)).toEqual(['early']);
    });

    it('searches titles for every word, case-insensitively, in date order', async () => {
      await c.putEvent(ev('x', '1', T0 + H, T0 + 2 * H, { title: 'ICHEP outreach' }));
      await c.putEvent(ev('y', '2', T0, T0 + H, { title: 'Rehearsal for ichep' }));
      await c.putEvent(ev('z', '2', T0, T0 + H, { title: 'Other' }));
      expect((await c.searchEvents(['ic', 'HEP'])).map((e) => e.id)).toEqual(['y', 'x']);
      expect(await c.searchEvents(['nothing'])).toEqual([]);
    });

    // spec §9.5: registrants keep insertion order; the state write changes only the state fields.
    it('stores registrants in insertion order and updates payment/check-in state in place', async () => {
      await c.putRegistrant(registrant('5', 'e1'));
      await c.putRegistrant(registrant('2', 'e1'));
      await c.putRegistrant(registrant('9', 'e2'));
      expect((await c.getRegistrants('e1')).map((r) => r.id)).toEqual(['5', '2']);
      expect(await c.getRegistrant('e1', '9')).toBeNull();
      const next = await c.updateRegistrantState('e1', '2', { checkedIn: true, checkinDate: T0 });
      expect(next).toMatchObject({ id: '2', checkedIn: true, checkinDate: T0, paid: false, amountPaid: 0 });
      expect(await c.getRegistrant('e1', '2')).toEqual(next);
      expect(next?.personalData.surname).toBe('Surname 2');
      expect(await c.updateRegistrantState('e1', 'nope', { paid: true })).toBeNull();
      expect(await c.getRegistrant('e1', 'nope')).toBeNull();
      // replacing the record replaces its state too, and keeps its position
      await c.putRegistrant({ ...registrant('5', 'e1'), paid: true, amountPaid: 4 });
      const list = await c.getRegistrants('e1');
      expect(list.map((r) => [r.id, r.paid, r.amountPaid])).toEqual([
        ['5', true, 4],
        ['2', false, 0],
      ]);
      await expectInvalid(c.putRegistrant({ ...registrant('x', 'e1'), id: 'bad id' }));
    });

    it('lists rooms by location and id, and locations sorted', async () => {
      await c.putRoom(room(120, 'CERN'));
      await c.putRoom(room(7, 'CERN'));
      await c.putRoom(room(1, 'Annecy'));
      expect((await c.getRooms('CERN')).map((r) => r.id)).toEqual([7, 120]);
      expect((await c.getRooms('CERN', [120, 999])).map((r) => r.id)).toEqual([120]);
      expect(await c.getRooms('Nowhere')).toEqual([]);
      expect(await c.getLocations()).toEqual(['Annecy', 'CERN']);
      await expectInvalid(c.putRoom({ ...room(1, 'CERN'), id: -1 }));
    });

    // spec §9.8 bookRoom: collisions with bookings (every occurrence), blockings; cancelled ones do not count.
    it('books a free slot and refuses collisions with occurrences and blocked periods', async () => {
      await c.putRoom({ ...room(120, 'CERN'), blocked: [{ start: T0 + 100 * H, end: T0 + 102 * H }] });
      // daily 08:00-10:00 for three days
      await c.putReservation(resv(50, 120, T0 + 8 * H, T0 + 2 * 24 * H + 10 * H, 'daily'));
      await c.putReservation({ ...resv(60, 120, T0 + 12 * H, T0 + 13 * H, null), isCancelled: true });
      expect((await c.getReservations('CERN')).map((r) => r.id)).toEqual([50, 60]);
      expect((await c.getReservations('CERN', 120)).map((r) => r.id)).toEqual([50, 60]);
      expect(await c.getReservations('CERN', 7)).toEqual([]);
      // third day's occurrence
      expect(await c.bookRoom(booking(120, T0 + 48 * H + 9 * H, T0 + 48 * H + 11 * H))).toEqual({
        ok: false,
        reason: 'collision',
      });
      // between occurrences (day 2, 10:00-12:00) is free; the cancelled booking does not block 12:00-13:00
      const a = await c.bookRoom(booking(120, T0 + 24 * H + 10 * H, T0 + 24 * H + 13 * H));
      expect(a.ok).toBe(true);
      const b = await c.bookRoom(booking(120, T0 + 12 * H, T0 + 13 * H));
      expect(b.ok).toBe(true);
      // ids come after the imported ones
      expect(a.ok && b.ok && a.id > 60 && b.id > a.id).toBe(true);
      expect(await c.bookRoom(booking(120, T0 + 101 * H, T0 + 103 * H))).toEqual({ ok: false, reason: 'blocked' });
      expect(await c.bookRoom(booking(999, T0, T0 + H))).toEqual({ ok: false, reason: 'no-room' });
      // touching ends do not collide (end exclusive)
      expect((await c.bookRoom(booking(120, T0 + 10 * H, T0 + 11 * H))).ok).toBe(true);
      const stored = (await c.getReservations('CERN', 120)).find((r) => a.ok && r.id === a.id);
      expect(stored).toMatchObject({ reason: 'test', bookedForName: 'DOE, Jane', repeatability: null });
      await expectInvalid(c.bookRoom(booking(120, T0 + 5 * H, T0 + 4 * H)));
    });

    it('frees the slot of a reservation replaced as cancelled or moved to another room', async () => {
      await c.putRoom(room(120, 'CERN'));
      await c.putRoom(room(7, 'CERN'));
      await c.putReservation(resv(70, 120, T0, T0 + H, null));
      expect((await c.bookRoom(booking(120, T0, T0 + H))).ok).toBe(false);
      await c.putReservation({ ...resv(70, 120, T0, T0 + H, null), roomId: 7 });
      expect((await c.getReservations('CERN', 120)).map((r) => r.id)).toEqual([]);
      expect((await c.getReservations('CERN', 7)).map((r) => r.id)).toEqual([70]);
      expect((await c.bookRoom(booking(7, T0, T0 + H))).ok).toBe(false);
      await c.putReservation({ ...resv(70, 120, T0, T0 + H, null), roomId: 7, isCancelled: true });
      expect((await c.bookRoom(booking(7, T0, T0 + H))).ok).toBe(true);
      expect((await c.bookRoom(booking(120, T0, T0 + H))).ok).toBe(true);
      // a replaced blocked period no longer blocks
      await c.putRoom({ ...room(5, 'CERN'), blocked: [{ start: T0, end: T0 + H }] });
      expect(await c.bookRoom(booking(5, T0, T0 + H))).toEqual({ ok: false, reason: 'blocked' });
      await c.putRoom(room(5, 'CERN'));
      expect((await c.bookRoom(booking(5, T0, T0 + H))).ok).toBe(true);
    });

    it('stores video bookings by unique id, in start order', async () => {
      await c.putVideoBooking(video('v2', T0 + H));
      await c.putVideoBooking(video('v1', T0));
      await c.putVideoBooking({ ...video('v2', T0 + H), title: 'renamed' });
      const all = await c.getVideoBookings();
      expect(all.map((v) => [v.uniqueId, v.title])).toEqual([
        ['v1', 'Video v1'],
        ['v2', 'renamed'],
      ]);
    });

    it('deletes an empty category only, refusing one with subcategories or events and writing nothing', async () => {
      await expectNotEmpty(c.deleteCategory('1'));
      expect((await c.getCategoryPath('11')).map((x) => x.id)).toEqual(['0', '1', '11']);
      await c.putEvent(ev('e', '11', T0, T0 + H));
      await expectNotEmpty(c.deleteCategory('11'));
      expect((await c.getCategory('11'))?.name).toBe('Cat 11');
      expect(await ids(c.eventsInCategory('11', { from: null, to: null }))).toEqual(['e']);
      await c.deleteEvent('e');
      await c.deleteCategory('11');
      expect(await c.getCategory('11')).toBeNull();
      expect(await c.getCategoryPath('11')).toEqual([]);
      expect([...(await c.getCategoryPaths(['11', '1'])).keys()]).toEqual(['1']);
      // now a leaf: '1' goes too; unknown ids are a no-op
      await c.deleteCategory('1');
      await c.deleteCategory('1');
      await c.deleteCategory('never');
      expect(await c.getCategory('1')).toBeNull();
      // a new category of the same id starts empty, with a fresh path
      await c.putCategory(cat('1', '2'));
      expect((await c.getCategoryPath('1')).map((x) => x.id)).toEqual(['0', '2', '1']);
      expect(await ids(c.eventsInCategory('1', { from: null, to: null }))).toEqual([]);
      expect(await c.hasEventsAfter('1', 0)).toBe(false);
    });

    it('deletes contributions, breaks and sessions, refusing a session that contributions still name', async () => {
      await c.putEvent(ev('e', '1', T0, T0 + H));
      await c.putContribution(contrib('1', 'e'));
      await c.putContribution({ ...contrib('2', 'e'), sessionId: 's' });
      await c.putContribution(contrib('3', 'e'));
      await c.putSession(session('s', 'e'));
      await c.putBreak({
        id: 'b',
        eventId: 'e',
        title: 'Coffee',
        description: '',
        startDate: T0,
        endDate: T0 + H,
        location: null,
        room: null,
      });
      await expectNotEmpty(c.deleteSession('e', 's'));
      expect((await c.getSessions('e')).map((x) => x.id)).toEqual(['s']);
      await c.deleteContribution('e', '2');
      await c.deleteContribution('e', 'missing');
      expect((await c.getContributions('e')).map((x) => x.id)).toEqual(['1', '3']);
      await c.deleteSession('e', 's');
      await c.deleteBreak('e', 'b');
      expect(await c.getSessions('e')).toEqual([]);
      expect(await c.getBreaks('e')).toEqual([]);
      // a re-added contribution goes to the end
      await c.putContribution(contrib('2', 'e'));
      expect((await c.getContributions('e')).map((x) => x.id)).toEqual(['1', '3', '2']);
    });

    it('deletes users, registrants (with their state) and video bookings', async () => {
      const u = {
        id: 'u1',
        firstName: 'Ada',
        familyName: 'Lovelace',
        title: '',
        email: '',
        affiliation: '',
        phone: '',
        fax: '',
        address: '',
      };
      await c.putUser(u);
      await c.deleteUser('u1');
      expect(await c.getUser('u1')).toBeNull();
      await c.putRegistrant(registrant('5', 'e1'));
      await c.putRegistrant(registrant('2', 'e1'));
      await c.updateRegistrantState('e1', '5', { paid: true, amountPaid: 9 });
      await c.deleteRegistrant('e1', '5');
      await c.deleteRegistrant('e1', 'nope');
      expect(await c.getRegistrant('e1', '5')).toBeNull();
      expect((await c.getRegistrants('e1')).map((r) => r.id)).toEqual(['2']);
      // re-registered: at the end, with the state of the new record, not the deleted one's
      await c.putRegistrant(registrant('5', 'e1'));
      expect((await c.getRegistrants('e1')).map((r) => [r.id, r.paid, r.amountPaid])).toEqual([
        ['2', false, 0],
        ['5', false, 0],
      ]);
      await c.putVideoBooking(video('v1', T0));
      await c.putVideoBooking(video('v2', T0 + H));
      expect((await c.getVideoBooking('v2'))?.title).toBe('Video v2');
      await c.deleteVideoBooking('v1');
      await c.deleteVideoBooking('v1');
      expect((await c.getVideoBookings()).map((v) => v.uniqueId)).toEqual(['v2']);
      expect(await c.getVideoBooking('v1')).toBeNull();
    });

    it('deletes an event with its registrants', async () => {
      await c.putEvent(ev('e1', '1', T0, T0 + H));
      await c.putRegistrant(registrant('5', 'e1'));
      await c.deleteEvent('e1');
      expect(await c.getRegistrants('e1')).toEqual([]);
      expect(await c.getRegistrant('e1', '5')).toBeNull();
    });

    it('deletes reservations (freeing their slots) and refuses to delete a room that still has any', async () => {
      await c.putRoom({ ...room(120, 'CERN'), blocked: [{ start: T0 + 100 * H, end: T0 + 101 * H }] });
      await c.putRoom(room(1, 'Annecy'));
      await c.putReservation(resv(50, 120, T0 + 8 * H, T0 + 2 * 24 * H + 10 * H, 'daily'));
      await c.putReservation({ ...resv(60, 120, T0, T0 + H, null), isCancelled: true });
      expect((await c.getReservation(50))?.repeatability).toBe('daily');
      expect(await c.getReservation(999)).toBeNull();
      await expectNotEmpty(c.deleteRoom('CERN', 120));
      expect((await c.getRooms('CERN')).map((r) => r.id)).toEqual([120]);
      await c.deleteReservation(50);
      await c.deleteReservation(50);
      expect(await c.getReservation(50)).toBeNull();
      expect((await c.getReservations('CERN', 120)).map((r) => r.id)).toEqual([60]);
      // every occurrence of the deleted reservation is free again
      expect((await c.bookRoom(booking(120, T0 + 48 * H + 8 * H, T0 + 48 * H + 10 * H))).ok).toBe(true);
      // a cancelled reservation still holds the room
      await expectNotEmpty(c.deleteRoom('CERN', 120));
      for (const r of await c.getReservations('CERN', 120)) await c.deleteReservation(r.id);
      await c.deleteRoom('CERN', 120);
      await c.deleteRoom('CERN', 120);
      expect(await c.getRooms('CERN')).toEqual([]);
      expect(await c.getLocations()).toEqual(['Annecy']);
      expect(await c.bookRoom(booking(120, T0, T0 + H))).toEqual({ ok: false, reason: 'no-room' });
      // a new room of the same id has no blocked period left over, and new ids never reuse deleted ones
      await c.putRoom(room(120, 'CERN'));
      const again = await c.bookRoom(booking(120, T0 + 100 * H, T0 + 101 * H));
      expect(again.ok && again.id > 60).toBe(true);
    });

    it('closes idempotently', async () => {
      await c.close();
      await c.close();
    });
  });
}
