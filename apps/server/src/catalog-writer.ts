import { randomUUID } from 'node:crypto';
import type {
  BookingOutcome,
  BookingRequest,
  BreakRecord,
  Catalog,
  CatalogWrites,
  CategoryRecord,
  ContributionRecord,
  EventRecord,
  RegistrantRecord,
  ReservationRecord,
  RoomRecord,
  SessionRecord,
  UserRecord,
  VideoBookingRecord,
} from '@indico/export-api';
import type { RedisCatalog } from '@indico/export-api/redis';
import type { ChangeInput, ChangeType, ObjectRef, SyncManager } from '@indico/livesync';
import { queueChanges, type RedisTrackStore } from '@indico/livesync/redis';
import type { Redis } from 'ioredis';

/** What a write did, for the management API's answer. */
export interface WriteResult {
  created: boolean;
  /** Livesync entries recorded with the write. */
  changes: number;
}

/**
 * Catalog writes together with their livesync change: on Redis one MULTI/EXEC holds both (DESIGN.md, "a
 * write and its livesync record commit together"); in memory both happen in this event loop. A refused
 * write (404, 409, bad input) records no change, also when the refusal happens inside Redis at EXEC (a
 * dependant that arrived after the check): the change is then a conditional one (`queueChanges` `unlessKey`).
 */
export interface CatalogWriter {
  putCategory(c: CategoryRecord): Promise<WriteResult>;
  /** Refused (the catalog's 409 error) while the category has subcategories or events. */
  deleteCategory(id: string): Promise<WriteResult>;
  putEvent(e: EventRecord): Promise<WriteResult>;
  deleteEvent(id: string): Promise<WriteResult>;
  putContribution(c: ContributionRecord): Promise<WriteResult>;
  deleteContribution(eventId: string, id: string): Promise<WriteResult>;
  putSession(s: SessionRecord): Promise<WriteResult>;
  /** Refused (409) while contributions name the session. */
  deleteSession(eventId: string, id: string): Promise<WriteResult>;
  putBreak(b: BreakRecord): Promise<WriteResult>;
  deleteBreak(eventId: string, id: string): Promise<WriteResult>;
  /** Users are not a livesync object kind: their writes carry no change (still one MULTI). */
  putUser(u: UserRecord): Promise<WriteResult>;
  deleteUser(id: string): Promise<WriteResult>;
  /** Rooms are not a livesync object kind. */
  putRoom(r: RoomRecord): Promise<WriteResult>;
  /** Refused (409) while reservations reference the room. */
  deleteRoom(location: string, id: number): Promise<WriteResult>;
  /** A registrant changes its event's data (as the export API's pay / check-in report it): one MULTI with it. */
  putRegistrant(r: RegistrantRecord): Promise<WriteResult>;
  deleteRegistrant(eventId: string, id: string): Promise<WriteResult>;
  /** Reservations are no livesync object kind (import path, no collision check; `bookRoom` checks). */
  putReservation(r: ReservationRecord): Promise<WriteResult>;
  deleteReservation(id: number): Promise<WriteResult>;
  /** A single slot booked with the catalog's atomic collision check (`Catalog.bookRoom`, its own script). */
  bookRoom(request: BookingRequest): Promise<BookingOutcome>;
  /** A video booking is part of its event's data (collaboration metadata): the event's data_changed with it. */
  putVideoBooking(b: VideoBookingRecord): Promise<WriteResult>;
  deleteVideoBooking(uniqueId: string): Promise<WriteResult>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function updateTypes(old: { title?: string; name?: string; protection?: unknown }, next: typeof old): ChangeType[] {
  const out: ChangeType[] = ['data_changed'];
  if ((old.title ?? old.name) !== (next.title ?? next.name)) out.push('title_changed');
  if (!same(old.protection, next.protection)) out.push('protection_changed');
  return out;
}

/** Livesync id of an object inside an event (Indico's uniqueIds are unique across events too). */
export const childId = (eventId: string, id: string) => `${eventId}.${id}`;

/**
 * `catalog` must be the Redis catalog (`createRedisCatalog`, with `queueWrites`) when `redis` is given: its
 * writes then join the MULTI that also carries the livesync change.
 */
export function createCatalogWriter(options: {
  catalog: Catalog | RedisCatalog;
  livesync: SyncManager;
  redis: Redis | null;
}): CatalogWriter {
  const { catalog, livesync, redis } = options;
  const transactional = redis && 'queueWrites' in catalog ? catalog : null;
  if (redis && !transactional) throw new TypeError('a Redis writer needs the Redis catalog (queueWrites)');

  // Keys of this writer's own in the track's slot (the catalog's {export} hash tag, runtime.ts).
  const trackBase = redis ? (livesync.store as Partial<RedisTrackStore>).keys?.base : undefined;
  if (redis && !trackBase) throw new TypeError('a Redis writer needs a SyncManager on createRedisTrackStore');

  /**
   * `refusable`: `op` queues a delete script that re-checks inside Redis and may refuse at EXEC (category,
   * session; rooms carry no change). Its change entries are then a conditional change, see below.
   */
  async function commit(
    op: (c: CatalogWrites) => Promise<void>,
    changes: ChangeInput[],
    refusable = false,
  ): Promise<number> {
    if (!redis || !transactional) {
      await op(catalog);
      return changes.length ? livesync.record(changes) : 0;
    }
    // queueWrites runs the validation reads now and queues the writes only when `op` succeeded; ioredis keeps
    // MULTI commands in memory until exec(), so a throw before it leaves Redis untouched.
    // A delete that is refused (409) while something depends on the object checks again inside Redis at EXEC;
    // if a dependant arrived in between, the script refuses then and sets `refused`, and the change entries,
    // queued as a conditional change (`unlessKey`), record nothing. The key lives only inside this EXEC: the
    // last command deletes it (it would expire after 60 s anyway). One key per commit: no two share it.
    // Other writes cannot be refused at EXEC: their entries stay plain ZADDs (no script, no extra key).
    const refused = refusable && changes.length ? `${trackBase}refused:${randomUUID()}` : undefined;
    const multi = redis.multi();
    await transactional.queueWrites(multi, op, { refusedKey: refused });
    const queued = changes.length ? queueChanges(multi, livesync, changes, { unlessKey: refused }) : 0;
    if (refused) multi.del(refused);
    const results = await multi.exec();
    if (!results) throw new Error('catalog transaction aborted');
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    return queued;
  }

  const categoryIds = async (categoryId: string) => (await catalog.getCategoryPath(categoryId)).map((c) => c.id);

  async function eventRef(eventId: string): Promise<{ event: EventRecord; path: string[] }> {
    const event = await catalog.getEvent(eventId);
    if (!event) throw new NotFoundError(`event ${eventId} does not exist`);
    return { event, path: await categoryIds(event.categoryId) };
  }
  /** The event's data_changed, or nothing when the event is unknown (a video booking of a deleted event). */
  async function eventChanged(eventId: string): Promise<ChangeInput[]> {
    const event = await catalog.getEvent(eventId);
    if (!event) return [];
    return [
      {
        ref: { kind: 'event', id: eventId, categoryPath: await categoryIds(event.categoryId) },
        changes: 'data_changed',
      },
    ];
  }
  const deleted = { created: false };

  return {
    async putCategory(c) {
      const old = await catalog.getCategory(c.id);
      const path = c.parentId === null ? [] : await categoryIds(c.parentId);
      const ref: ObjectRef = { kind: 'category', id: c.id, categoryPath: path };
      const changes = await commit((t) => t.putCategory(c), [{ ref, changes: old ? updateTypes(old, c) : 'created' }]);
      return { created: !old, changes };
    },
    async deleteCategory(id) {
      const old = await catalog.getCategory(id);
      if (!old) throw new NotFoundError(`category ${id} does not exist`);
      const path = old.parentId === null ? [] : await categoryIds(old.parentId);
      const changes = await commit(
        (t) => t.deleteCategory(id),
        [{ ref: { kind: 'category', id, categoryPath: path }, changes: 'deleted' }],
        true,
      );
      return { ...deleted, changes };
    },
    async putEvent(e) {
      const old = await catalog.getEvent(e.id);
      const path = await categoryIds(e.categoryId);
      let types: ChangeType[] = ['created'];
      if (old) {
        types = updateTypes(old, e);
        if (old.categoryId !== e.categoryId) types.push('moved');
        if (old.location !== e.location || old.room !== e.room || old.address !== e.address)
          types.push('location_changed');
      }
      const changes = await commit(
        (t) => t.putEvent(e),
        [{ ref: { kind: 'event', id: e.id, categoryPath: path }, changes: types }],
      );
      return { created: !old, changes };
    },
    async deleteEvent(id) {
      const { path } = await eventRef(id);
      // The delete cascade is the caller's job (livesync README): one entry per child.
      const contributions = await catalog.getContributions(id);
      const changes = await commit(
        (t) => t.deleteEvent(id),
        [
          { ref: { kind: 'event', id, categoryPath: path }, changes: 'deleted' },
          ...contributions.map(
            (c): ChangeInput => ({
              ref: { kind: 'contribution', id: childId(id, c.id), categoryPath: path },
              changes: 'deleted',
            }),
          ),
        ],
      );
      return { created: false, changes };
    },
    async putContribution(c) {
      const { path } = await eventRef(c.eventId);
      const old = (await catalog.getContributions(c.eventId)).find((x) => x.id === c.id);
      const changes = await commit(
        (t) => t.putContribution(c),
        [
          {
            ref: { kind: 'contribution', id: childId(c.eventId, c.id), categoryPath: path },
            changes: old ? updateTypes(old, c) : 'created',
          },
        ],
      );
      return { created: !old, changes };
    },
    async deleteContribution(eventId, id) {
      const { path } = await eventRef(eventId);
      if (!(await catalog.getContributions(eventId)).some((x) => x.id === id)) {
        throw new NotFoundError(`contribution ${id} of event ${eventId} does not exist`);
      }
      const changes = await commit(
        (t) => t.deleteContribution(eventId, id),
        [{ ref: { kind: 'contribution', id: childId(eventId, id), categoryPath: path }, changes: 'deleted' }],
      );
      return { ...deleted, changes };
    },
    async putSession(s) {
      const { path } = await eventRef(s.eventId);
      const old = (await catalog.getSessions(s.eventId)).find((x) => x.id === s.id);
      const changes = await commit(
        (t) => t.putSession(s),
        [
          {
            ref: { kind: 'session', id: childId(s.eventId, s.id), categoryPath: path },
            changes: old ? updateTypes(old, s) : 'created',
          },
        ],
      );
      return { created: !old, changes };
    },
    async deleteSession(eventId, id) {
      const { path } = await eventRef(eventId);
      if (!(await catalog.getSessions(eventId)).some((x) => x.id === id)) {
        throw new NotFoundError(`session ${id} of event ${eventId} does not exist`);
      }
      const changes = await commit(
        (t) => t.deleteSession(eventId, id),
        [{ ref: { kind: 'session', id: childId(eventId, id), categoryPath: path }, changes: 'deleted' }],
        true,
      );
      return { ...deleted, changes };
    },
    async putBreak(b) {
      const { path } = await eventRef(b.eventId);
      const old = (await catalog.getBreaks(b.eventId)).find((x) => x.id === b.id);
      // A break is part of the event's timetable: the event's data changed.
      const changes = await commit(
        (t) => t.putBreak(b),
        [{ ref: { kind: 'event', id: b.eventId, categoryPath: path }, changes: 'data_changed' }],
      );
      return { created: !old, changes };
    },
    async deleteBreak(eventId, id) {
      const { path } = await eventRef(eventId);
      if (!(await catalog.getBreaks(eventId)).some((x) => x.id === id)) {
        throw new NotFoundError(`break ${id} of event ${eventId} does not exist`);
      }
      const changes = await commit(
        (t) => t.deleteBreak(eventId, id),
        [{ ref: { kind: 'event', id: eventId, categoryPath: path }, changes: 'data_changed' }],
      );
      return { ...deleted, changes };
    },
    async putUser(u) {
      const old = await catalog.getUser(u.id);
      await commit((t) => t.putUser(u), []);
      return { created: !old, changes: 0 };
    },
    async deleteUser(id) {
      if (!(await catalog.getUser(id))) throw new NotFoundError(`user ${id} does not exist`);
      await commit((t) => t.deleteUser(id), []);
      return { ...deleted, changes: 0 };
    },
    async putRoom(r) {
      const [old] = await catalog.getRooms(r.location, [r.id]);
      await commit((t) => t.putRoom(r), []);
      return { created: !old, changes: 0 };
    },
    async deleteRoom(location, id) {
      const [old] = await catalog.getRooms(location, [id]);
      if (!old) throw new NotFoundError(`room ${location} ${id} does not exist`);
      await commit((t) => t.deleteRoom(location, id), []);
      return { ...deleted, changes: 0 };
    },
    async putRegistrant(r) {
      const { path } = await eventRef(r.eventId);
      const old = await catalog.getRegistrant(r.eventId, r.id);
      const changes = await commit(
        (t) => t.putRegistrant(r),
        [{ ref: { kind: 'event', id: r.eventId, categoryPath: path }, changes: 'data_changed' }],
      );
      return { created: !old, changes };
    },
    async deleteRegistrant(eventId, id) {
      const { path } = await eventRef(eventId);
      if (!(await catalog.getRegistrant(eventId, id))) {
        throw new NotFoundError(`registrant ${id} of event ${eventId} does not exist`);
      }
      const changes = await commit(
        (t) => t.deleteRegistrant(eventId, id),
        [{ ref: { kind: 'event', id: eventId, categoryPath: path }, changes: 'data_changed' }],
      );
      return { ...deleted, changes };
    },
    async putReservation(r) {
      const old = await catalog.getReservation(r.id);
      await commit((t) => t.putReservation(r), []);
      return { created: !old, changes: 0 };
    },
    async deleteReservation(id) {
      if (!(await catalog.getReservation(id))) throw new NotFoundError(`reservation ${id} does not exist`);
      await commit((t) => t.deleteReservation(id), []);
      return { ...deleted, changes: 0 };
    },
    bookRoom(request) {
      return catalog.bookRoom(request);
    },
    async putVideoBooking(b) {
      const old = await catalog.getVideoBooking(b.uniqueId);
      const changes = await commit(
        (t) => t.putVideoBooking(b),
        [
          ...(old && old.eventId !== b.eventId ? await eventChanged(old.eventId) : []),
          ...(await eventChanged(b.eventId)),
        ],
      );
      return { created: !old, changes };
    },
    async deleteVideoBooking(uniqueId) {
      const old = await catalog.getVideoBooking(uniqueId);
      if (!old) throw new NotFoundError(`video booking ${uniqueId} does not exist`);
      const changes = await commit((t) => t.deleteVideoBooking(uniqueId), await eventChanged(old.eventId));
      return { ...deleted, changes };
    },
  };
}

/** A write that refers to an object that does not exist (404 in the management API). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
