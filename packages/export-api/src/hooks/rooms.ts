import { ExportDate } from '../datetime.js';
import { badParameter, ExportApiError } from '../errors.js';
import type { ReservationRecord, RoomRecord } from '../model.js';
import type { ParamReader } from '../params.js';
import type { HookContext, HookDefinition } from '../registry.js';
import { occurrencesOf } from '../rooms/occurrences.js';
import { compileFnmatch } from './categ-event.js';

const ROOM_FORMATS = ['json', 'jsonp', 'xml'] as const;

/** The reservation state filters of spec §9.8; each is active only when its parameter is present. */
export function reservationFilter(p: ParamReader, now: number): (r: ReservationRecord) => boolean {
  const checks: Array<(r: ReservationRecord) => boolean> = [];
  const flag = (names: string[], value: (r: ReservationRecord) => boolean) => {
    const v = p.get(...names);
    if (v !== undefined) checks.push((r) => value(r) === (v === 'yes'));
  };
  flag(['cxl', 'cancelled'], (r) => r.isCancelled);
  flag(['rej', 'rejected'], (r) => r.isRejected);
  flag(['arch', 'archival'], (r) => r.endDT < now);
  flag(['rec', 'recurring', 'rep', 'repeating'], (r) => r.repeatability !== null);
  flag(['avc'], (r) => r.usesAVC);
  flag(['avcs', 'avcsupport'], (r) => r.needsAVCSupport);
  flag(['sts', 'startupsupport'], (r) => r.needsStartupSupport);
  const confirmed = p.get('confirmed');
  if (confirmed !== undefined) {
    const want = confirmed === 'pending' ? null : confirmed === 'yes';
    checks.push((r) => r.isConfirmed === want);
  }
  const bookedFor = p.get('bf', 'bookedfor');
  if (bookedFor !== undefined) {
    const m = compileFnmatch(bookedFor.toLowerCase());
    checks.push((r) => m.test(r.bookedForName.toLowerCase()));
  }
  return (r) => checks.every((c) => c(r));
}

/** Occurrences inside [from, to] (open bounds); a reservation without any is outside the window. */
function occurrencesIn(r: ReservationRecord, from: number | null, to: number | null): Array<[number, number]> {
  return occurrencesOf(r).filter(([s, e]) => (to === null || s <= to) && (from === null || e >= from));
}

function roomOut(ctx: HookContext, r: RoomRecord, fossil = 'roomMetadata'): Record<string, unknown> {
  return {
    _type: 'RoomCERN',
    _fossil: fossil,
    id: r.id,
    name: r.name,
    location: r.location,
    building: r.building,
    floor: r.floor,
    roomNr: r.roomNr,
    fullName: r.fullName,
    bookingUrl: ctx.urls.roomBooking?.(r.location, r.id) ?? '',
    avc: r.avc,
    equipment: [...r.equipment],
    vcList: [...r.vcList],
    latitude: r.latitude,
    longitude: r.longitude,
  };
}

function reservationOut(
  ctx: HookContext,
  r: ReservationRecord,
  room: RoomRecord | undefined,
  inRoom: boolean,
): Record<string, unknown> {
  const tz = ctx.common.tz;
  const out: Record<string, unknown> = {
    _type: 'ReservationCERN',
    _fossil: inRoom ? 'roomReservationMetadata' : 'reservationMetadata',
    id: r.id,
    startDT: new ExportDate(r.startDT, tz),
    endDT: new ExportDate(r.endDT, tz),
    repeatability: r.repeatability,
    bookedForName: r.bookedForName,
    reason: r.reason,
    bookingUrl: ctx.urls.reservation?.(r.location, r.id, inRoom ? r.roomId : undefined) ?? '',
    usesAVC: r.usesAVC,
    needsAVCSupport: r.needsAVCSupport,
    isConfirmed: r.isConfirmed,
    isValid: !r.isCancelled && !r.isRejected,
    vcList: r.vcList === null ? null : [...r.vcList],
  };
  if (!inRoom) {
    out.location = r.location;
    out.room = {
      _type: 'RoomCERN',
      _fossil: 'minimalRoomMetadata',
      id: r.roomId,
      fullName: room?.fullName ?? '',
    };
  }
  if (ctx.params.flag('occ', 'occurrences')) {
    out.occurrences = occurrencesIn(r, ctx.common.from, ctx.common.to).map(([s, e]) => ({
      _type: 'Period',
      _fossil: 'naivePeriod',
      startDT: new ExportDate(s, tz),
      endDT: new ExportDate(e, tz),
    }));
  }
  return out;
}

function page<T>(ctx: HookContext, items: T[]): { items: T[]; complete: boolean } {
  const { offset, limit } = ctx.common;
  const items2 = items.slice(offset, offset + limit);
  return { items: items2, complete: !ctx.common.explicitLimit || items.length <= offset + limit };
}

function roomIds(raw: string): number[] {
  return raw.split('-').map((s) => {
    const t = s.trim();
    if (!/^[+-]?\d+$/.test(t)) throw badParameter(`Invalid room id: ${s}`);
    return Number.parseInt(t, 10);
  });
}

/** `/export/room/{location}/{idlist}` with detail `rooms` (500) or `reservations` (10) (spec §9.8). */
export const roomHook: HookDefinition = {
  name: 'room',
  pattern: '(room)/(?<location>[\\w\\s]+)/(?<idlist>\\w+(?:-[\\w\\s]+)*)',
  formats: ROOM_FORMATS,
  guestAllowed: false,
  detailLevels: { rooms: 500, reservations: 10 },
  defaultDetail: 'rooms',
  async handler(ctx) {
    const location = ctx.groups.location!;
    const rooms = await ctx.catalog.getRooms(location, roomIds(ctx.groups.idlist!));
    const { items, complete } = page(ctx, rooms);
    if (ctx.common.detail !== 'reservations') return { results: items.map((r) => roomOut(ctx, r)), complete };
    const keep = reservationFilter(ctx.params, ctx.now);
    const { from, to } = ctx.common;
    const results = [];
    for (const room of items) {
      const resv = (await ctx.catalog.getReservations(location, room.id)).filter(
        (r) => keep(r) && occurrencesIn(r, from, to).length > 0,
      );
      results.push({
        ...roomOut(ctx, room, 'roomMetadataWithReservations'),
        reservations: resv.map((r) => reservationOut(ctx, r, room, true)),
      });
    }
    return { results, complete };
  },
};

/** `/export/roomName/{location}/{room_name}`: public substring search in full names (spec §9.8). */
export const roomNameHook: HookDefinition = {
  name: 'room-name',
  pattern: '(roomName)/(?<location>[\\w\\s]+)/(?<name>[\\w\\s\\-]+)',
  formats: ROOM_FORMATS,
  detailLevels: { rooms: 500 },
  defaultDetail: 'rooms',
  async handler(ctx) {
    const needle = ctx.groups.name!.toLowerCase();
    const rooms = (await ctx.catalog.getRooms(ctx.groups.location!)).filter((r) =>
      r.fullName.toLowerCase().includes(needle),
    );
    const { items, complete } = page(ctx, rooms);
    return { results: items.map((r) => roomOut(ctx, r)), complete };
  },
};

/** `/export/reservation/{loclist}` (spec §9.8): locations sorted, unknown ones dropped, paging per location. */
export const reservationHook: HookDefinition = {
  name: 'reservation',
  pattern: '(reservation)/(?<loclist>[\\w\\s]+(?:-[\\w\\s]+)*)',
  formats: [...ROOM_FORMATS, 'ics'],
  guestAllowed: false,
  detailLevels: { reservations: 100 },
  defaultDetail: 'reservations',
  async handler(ctx) {
    const known = new Set(await ctx.catalog.getLocations());
    const locations = [...new Set(ctx.groups.loclist!.split('-'))].filter((l) => known.has(l)).sort();
    const keep = reservationFilter(ctx.params, ctx.now);
    const { from, to } = ctx.common;
    const results = [];
    let complete = true;
    for (const location of locations) {
      const rooms = new Map((await ctx.catalog.getRooms(location)).map((r) => [r.id, r]));
      const resv = (await ctx.catalog.getReservations(location)).filter(
        (r) => keep(r) && occurrencesIn(r, from, to).length > 0,
      );
      const p = page(ctx, resv);
      complete &&= p.complete;
      for (const r of p.items) results.push(reservationOut(ctx, r, rooms.get(r.roomId), false));
    }
    return { results, complete };
  },
};

const BOOK_PARAMS = ['location', 'roomid', 'from', 'to', 'reason', 'username'] as const;

/**
 * `POST /api/roomBooking/bookRoom` (spec §9.8). `username` names the booked-for user by id. The collision check
 * and the insert are one atomic catalog call; a refused booking is a 200 error (Indico's soft failure).
 */
export const bookRoomHook: HookDefinition = {
  name: 'book-room',
  prefix: 'api',
  pattern: '(roomBooking)/(bookRoom)',
  formats: ['json', 'xml'],
  guestAllowed: false,
  noCache: true,
  async handler(ctx) {
    const missing = BOOK_PARAMS.filter((n) => ctx.params.get(n) === undefined);
    if (missing.length > 0) throw badParameter(`Argument(s) missing: ${missing.join(', ')}`);
    const roomId = ctx.params.int(['roomid'], -1);
    const { from, to } = ctx.common;
    if (from === null || to === null || to <= from) throw badParameter('Invalid time!');
    const user = await ctx.catalog.getUser(ctx.params.get('username')!);
    if (!user) throw new ExportApiError('SOFT_FAILURE', 'Username does not exist.');
    const location = ctx.params.get('location')!;
    const outcome = await ctx.catalog.bookRoom({
      location,
      roomId,
      startDT: from,
      endDT: to,
      repeatability: null,
      bookedForName: `${user.familyName.toUpperCase()}, ${user.firstName}`,
      bookedForUser: user.id,
      reason: ctx.params.get('reason')!,
      usesAVC: false,
      needsAVCSupport: false,
      needsStartupSupport: false,
      isConfirmed: true,
      isCancelled: false,
      isRejected: false,
      vcList: [],
    });
    if (!outcome.ok) {
      const why =
        outcome.reason === 'no-room'
          ? `Room ${location}/${roomId} does not exist.`
          : outcome.reason === 'blocked'
            ? 'The room is blocked or unavailable at that time.'
            : 'It collides with another booking.';
      throw new ExportApiError('SOFT_FAILURE', `Failed to create the booking. ${why}`);
    }
    await ctx.recordChanges([
      {
        ref: { kind: 'reservation', id: String(outcome.id) },
        changes: 'created',
        detail: `room ${location}/${roomId} booked`,
      },
    ]);
    return { results: { reservationID: outcome.id } };
  },
};
