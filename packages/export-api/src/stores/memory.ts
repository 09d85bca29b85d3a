import { ExportApiError } from '../errors.js';
import type {
  BreakRecord,
  CategoryRecord,
  ContributionRecord,
  EventRecord,
  RegistrantRecord,
  ReservationRecord,
  RoomRecord,
  SessionRecord,
  UserRecord,
  VideoBookingRecord,
} from '../model.js';
import { isActive, occurrencesOf } from '../rooms/occurrences.js';
import type { CachedResult, Catalog, EventWindow, LinkedEvent, ResultCache } from '../store.js';
import {
  assertBooking,
  assertCategory,
  assertContribution,
  assertEvent,
  assertId,
  assertRegistrant,
  assertReservation,
  assertRoom,
} from '../validate.js';

const clone = <T>(v: T): T => structuredClone(v);
/** A delete refused because something still depends on the object (409 where it reaches HTTP). */
export const notEmpty = (message: string) => new ExportApiError('INVALID_ARGUMENT', message, { status: 409 });
const byStartThenId = (a: EventRecord, b: EventRecord) =>
  a.startDate - b.startDate || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Reference Catalog over Maps: small and obviously correct; used by docs and unit tests. */
export function createMemoryCatalog(): Catalog {
  const categories = new Map<string, CategoryRecord>();
  const events = new Map<string, EventRecord>();
  const contributions = new Map<string, Map<string, ContributionRecord>>();
  const sessions = new Map<string, Map<string, SessionRecord>>();
  const breaks = new Map<string, Map<string, BreakRecord>>();
  const users = new Map<string, UserRecord>();
  const registrants = new Map<string, Map<string, RegistrantRecord>>();
  const rooms = new Map<string, RoomRecord>();
  const reservations = new Map<number, ReservationRecord>();
  const videoBookings = new Map<string, VideoBookingRecord>();
  let lastReservationId = 0;
  const roomKey = (location: string, id: number) => `${location}\u0000${id}`;

  const pathIds = (id: string): string[] => {
    const out: string[] = [];
    let cur = categories.get(id);
    while (cur) {
      out.unshift(cur.id);
      cur = cur.parentId === null ? undefined : categories.get(cur.parentId);
    }
    return out;
  };
  const inSubtree = (eventCategoryId: string, rootId: string) => pathIds(eventCategoryId).includes(rootId);
  const putIn = <T extends { id: string }>(m: Map<string, Map<string, T>>, owner: string, v: T) => {
    let inner = m.get(owner);
    if (!inner) {
      inner = new Map();
      m.set(owner, inner);
    }
    inner.set(v.id, clone(v));
  };
  const listOf = <T>(m: Map<string, Map<string, T>>, owner: string): T[] =>
    [...(m.get(owner)?.values() ?? [])].map(clone);

  return {
    async getCategory(id) {
      const c = categories.get(id);
      return c ? clone(c) : null;
    },
    async getCategoryPath(id) {
      return pathIds(id).map((cid) => clone(categories.get(cid)!));
    },
    async getCategoryPaths(ids) {
      const out = new Map<string, CategoryRecord[]>();
      for (const id of ids)
        if (categories.has(id))
          out.set(
            id,
            pathIds(id).map((cid) => clone(categories.get(cid)!)),
          );
      return out;
    },
    async getEvent(id) {
      const e = events.get(id);
      return e ? clone(e) : null;
    },
    async getEvents(ids) {
      return ids.map((id) => {
        const e = events.get(id);
        return e ? clone(e) : null;
      });
    },
    async *eventsInCategory(categoryId: string, window: EventWindow) {
      if (!categories.has(categoryId)) return;
      const matching = [...events.values()]
        .filter(
          (e) =>
            (window.to === null || e.startDate <= window.to) &&
            (window.from === null || e.endDate >= window.from) &&
            inSubtree(e.categoryId, categoryId),
        )
        .sort(byStartThenId);
      for (const e of matching) yield clone(e);
    },
    async hasEventsAfter(categoryId, t) {
      for (const e of events.values()) if (e.endDate > t && inSubtree(e.categoryId, categoryId)) return true;
      return false;
    },
    async getContributions(eventId) {
      return listOf(contributions, eventId);
    },
    async getSessions(eventId) {
      return listOf(sessions, eventId);
    },
    async getBreaks(eventId) {
      return listOf(breaks, eventId);
    },
    async getUser(id) {
      const u = users.get(id);
      return u ? clone(u) : null;
    },
    async searchEvents(words) {
      const lower = words.map((w) => w.toLowerCase());
      return [...events.values()]
        .filter((e) => lower.every((w) => e.title.toLowerCase().includes(w)))
        .sort(byStartThenId)
        .map(clone);
    },
    async eventsLinkedToUser(userId) {
      const out: LinkedEvent[] = [];
      for (const e of [...events.values()].sort(byStartThenId)) {
        const link = e.links?.find((l) => l.userId === userId);
        if (link) out.push({ event: clone(e), roles: [...link.roles] });
      }
      return out;
    },
    async putCategory(c) {
      assertCategory(c);
      if (c.parentId !== null && !categories.has(c.parentId)) {
        throw new ExportApiError('INVALID_ARGUMENT', `parent category ${c.parentId} does not exist`);
      }
      const old = categories.get(c.id);
      if (old && old.parentId !== c.parentId) {
        throw new ExportApiError('INVALID_ARGUMENT', `category ${c.id} cannot be moved`);
      }
      categories.set(c.id, clone(c));
    },
    async deleteCategory(id) {
      if (!categories.has(id)) return;
      const children = [...categories.values()].filter((x) => x.parentId === id).map((x) => x.id);
      if (children.length > 0) throw notEmpty(`category ${id} still has subcategories (${children.join(', ')})`);
      if ([...events.values()].some((e) => e.categoryId === id)) throw notEmpty(`category ${id} still has events`);
      categories.delete(id);
    },
    async putEvent(e) {
      assertEvent(e);
      if (!categories.has(e.categoryId)) {
        throw new ExportApiError('INVALID_ARGUMENT', `category ${e.categoryId} does not exist`);
      }
      events.set(e.id, clone(e));
    },
    async deleteEvent(id) {
      events.delete(id);
      contributions.delete(id);
      sessions.delete(id);
      breaks.delete(id);
      registrants.delete(id);
    },
    async putContribution(c) {
      assertContribution(c);
      putIn(contributions, c.eventId, c);
    },
    async deleteContribution(eventId, id) {
      contributions.get(eventId)?.delete(id);
    },
    async putSession(s) {
      assertId(s.id, 'session');
      assertId(s.eventId, 'event');
      putIn(sessions, s.eventId, s);
    },
    async deleteSession(eventId, id) {
      if (!sessions.get(eventId)?.has(id)) return;
      const users = [...(contributions.get(eventId)?.values() ?? [])].filter((c) => c.sessionId === id);
      if (users.length > 0) {
        throw notEmpty(`session ${id} still has contributions (${users.map((c) => c.id).join(', ')})`);
      }
      sessions.get(eventId)?.delete(id);
    },
    async putBreak(b) {
      assertId(b.id, 'break');
      assertId(b.eventId, 'event');
      putIn(breaks, b.eventId, b);
    },
    async deleteBreak(eventId, id) {
      breaks.get(eventId)?.delete(id);
    },
    async putUser(u) {
      assertId(u.id, 'user');
      users.set(u.id, clone(u));
    },
    async deleteUser(id) {
      users.delete(id);
    },
    async getRegistrants(eventId) {
      return listOf(registrants, eventId);
    },
    async getRegistrant(eventId, id) {
      const r = registrants.get(eventId)?.get(id);
      return r ? clone(r) : null;
    },
    async putRegistrant(r) {
      assertRegistrant(r);
      putIn(registrants, r.eventId, r);
    },
    async deleteRegistrant(eventId, id) {
      registrants.get(eventId)?.delete(id);
    },
    async updateRegistrantState(eventId, id, patch) {
      const r = registrants.get(eventId)?.get(id);
      if (!r) return null;
      for (const key of ['paid', 'amountPaid', 'checkedIn', 'checkinDate'] as const) {
        if (patch[key] !== undefined) (r as unknown as Record<string, unknown>)[key] = patch[key];
      }
      return clone(r);
    },
    async getRooms(location, ids) {
      const wanted = ids ? new Set(ids) : null;
      return [...rooms.values()]
        .filter((r) => r.location === location && (!wanted || wanted.has(r.id)))
        .sort((a, b) => a.id - b.id)
        .map(clone);
    },
    async getLocations() {
      return [...new Set([...rooms.values()].map((r) => r.location))].sort();
    },
    async putRoom(r) {
      assertRoom(r);
      rooms.set(roomKey(r.location, r.id), clone(r));
    },
    async deleteRoom(location, id) {
      if (!rooms.has(roomKey(location, id))) return;
      const held = [...reservations.values()].filter((r) => r.location === location && r.roomId === id);
      if (held.length > 0) {
        throw notEmpty(`room ${location} ${id} still has reservations (${held.map((r) => r.id).join(', ')})`);
      }
      rooms.delete(roomKey(location, id));
    },
    async getReservations(location, roomId) {
      return [...reservations.values()]
        .filter((r) => r.location === location && (roomId === undefined || r.roomId === roomId))
        .sort((a, b) => a.id - b.id)
        .map(clone);
    },
    async getReservation(id) {
      const r = reservations.get(id);
      return r ? clone(r) : null;
    },
    async deleteReservation(id) {
      reservations.delete(id);
    },
    async putReservation(r) {
      assertReservation(r);
      reservations.set(r.id, clone(r));
      lastReservationId = Math.max(lastReservationId, r.id);
    },
    async bookRoom(request) {
      assertBooking(request);
      const room = rooms.get(roomKey(request.location, request.roomId));
      if (!room) return { ok: false, reason: 'no-room' };
      const overlaps = ([s, e]: [number, number]) => s < request.endDT && e > request.startDT;
      if ((room.blocked ?? []).some((b) => overlaps([b.start, b.end]))) return { ok: false, reason: 'blocked' };
      for (const r of reservations.values()) {
        if (r.location !== request.location || r.roomId !== request.roomId || !isActive(r)) continue;
        if (occurrencesOf(r).some(overlaps)) return { ok: false, reason: 'collision' };
      }
      const id = ++lastReservationId;
      reservations.set(id, { ...clone(request), repeatability: null, id });
      return { ok: true, id };
    },
    async getVideoBookings() {
      return [...videoBookings.values()].sort((a, b) => a.startDate - b.startDate).map(clone);
    },
    async getVideoBooking(uniqueId) {
      const b = videoBookings.get(uniqueId);
      return b ? clone(b) : null;
    },
    async deleteVideoBooking(uniqueId) {
      videoBookings.delete(uniqueId);
    },
    async putVideoBooking(b) {
      assertId(b.uniqueId, 'video booking');
      videoBookings.set(b.uniqueId, clone(b));
    },
    async close() {},
  };
}

/** In-process result cache with TTL (injectable clock) and a bound on the number of entries (oldest evicted). */
export function createMemoryResultCache(options: { clock?: { now(): number }; maxEntries?: number } = {}): ResultCache {
  const clock = options.clock ?? Date;
  const max = options.maxEntries ?? 10_000;
  const entries = new Map<string, { value: CachedResult; expires: number }>();
  return {
    async get(key) {
      const hit = entries.get(key);
      if (!hit) return null;
      if (hit.expires <= clock.now()) {
        entries.delete(key);
        return null;
      }
      return hit.value;
    },
    async set(key, value, ttlMs) {
      if (!(ttlMs > 0)) return;
      entries.delete(key);
      entries.set(key, { value, expires: clock.now() + ttlMs });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    async close() {
      entries.clear();
    },
  };
}
