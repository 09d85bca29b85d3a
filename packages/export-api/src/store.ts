import type {
  BreakRecord,
  CategoryRecord,
  ContributionRecord,
  EventRecord,
  RegistrantRecord,
  RegistrantState,
  ReservationRecord,
  RoomRecord,
  SessionRecord,
  UserRecord,
  VideoBookingRecord,
} from './model.js';

/** A booking request for `bookRoom`: a reservation without its id (the catalog assigns it). */
export type BookingRequest = Omit<ReservationRecord, 'id'>;

/** Outcome of `bookRoom`: the new id, or why the slot was refused. */
export type BookingOutcome = { ok: true; id: number } | { ok: false; reason: 'collision' | 'blocked' | 'no-room' };

/** A time window with open bounds; an event belongs to it when it overlaps (start <= to and end >= from). */
export interface EventWindow {
  from: number | null;
  to: number | null;
}

/** What `Catalog.listCategoryWindow` answers. */
export interface CategoryWindowListing {
  /** Per requested category: the first events of `eventsInCategory`, in its order. */
  events: EventRecord[][];
  /** Per requested category: the store stopped at `limit` (more events may follow). */
  truncated: boolean[];
  /** Path (root first) of every category an event listed belongs to. */
  paths: Map<string, CategoryRecord[]>;
  /** Some requested category has an event ending after `window.to`. */
  moreAfter: boolean;
}

/** An event together with the roles a user holds in it (`user/linked_events`). */
export interface LinkedEvent {
  event: EventRecord;
  roles: string[];
}

/**
 * The data the export API reads, in domain words. Adapters: `createMemoryCatalog` (this entry) and
 * `createRedisCatalog` (`@indico/export-api/redis`); both pass `test/contract/catalog.contract.ts`.
 */
export interface Catalog {
  getCategory(id: string): Promise<CategoryRecord | null>;
  /** Root first, the category itself last; `[]` for an unknown id. */
  getCategoryPath(id: string): Promise<CategoryRecord[]>;
  /** Paths of several categories at once (unknown ids are absent from the map). */
  getCategoryPaths(ids: readonly string[]): Promise<Map<string, CategoryRecord[]>>;
  getEvent(id: string): Promise<EventRecord | null>;
  /** One entry per id, `null` for unknown ids, in the order asked. */
  getEvents(ids: readonly string[]): Promise<Array<EventRecord | null>>;
  /**
   * Every event of the category's whole subtree that overlaps the window, ascending by start date, ties by id
   * (string order). Lazy: a consumer that stops early does not pay for the rest.
   */
  eventsInCategory(categoryId: string, window: EventWindow): AsyncIterable<EventRecord>;
  /** True if an event of the subtree is still running or starts after `t` (end > t). */
  hasEventsAfter(categoryId: string, t: number): Promise<boolean>;
  /**
   * Optional, for stores that can answer a category listing in one round trip: for each category (in order)
   * the first `limit` entries of `eventsInCategory(id, window)` and whether more may follow, the paths of the
   * categories those events belong to, and whether `hasEventsAfter(id, window.to)` holds for any of them
   * (false when `window.to` is null).
   */
  listCategoryWindow?(
    categoryIds: readonly string[],
    window: EventWindow,
    limit: number,
  ): Promise<CategoryWindowListing>;
  /** Contributions of an event in insertion order. */
  getContributions(eventId: string): Promise<ContributionRecord[]>;
  getSessions(eventId: string): Promise<SessionRecord[]>;
  getBreaks(eventId: string): Promise<BreakRecord[]>;
  getUser(id: string): Promise<UserRecord | null>;
  /** Events whose title contains every word (case-insensitive), ascending by start date. */
  searchEvents(words: readonly string[]): Promise<EventRecord[]>;
  /** Events that list the user in `links`, ascending by start date. */
  eventsLinkedToUser(userId: string): Promise<LinkedEvent[]>;

  /** Creates or replaces a category; its parent must exist (except the root). Moving is not supported. */
  putCategory(category: CategoryRecord): Promise<void>;
  /**
   * Deletes a category that has neither subcategories nor events; refused with an INVALID_ARGUMENT error
   * (status 409, nothing written) otherwise. An unknown id is a no-op (every delete is idempotent).
   */
  deleteCategory(id: string): Promise<void>;
  /** Creates or replaces an event; its category must exist. */
  putEvent(event: EventRecord): Promise<void>;
  /** Deletes an event with its contributions, sessions, breaks and registrants. */
  deleteEvent(id: string): Promise<void>;
  putContribution(contribution: ContributionRecord): Promise<void>;
  deleteContribution(eventId: string, id: string): Promise<void>;
  putSession(session: SessionRecord): Promise<void>;
  /** Refused (INVALID_ARGUMENT, status 409) while contributions of the event name the session. */
  deleteSession(eventId: string, id: string): Promise<void>;
  putBreak(entry: BreakRecord): Promise<void>;
  deleteBreak(eventId: string, id: string): Promise<void>;
  putUser(user: UserRecord): Promise<void>;
  /** Events keep linking the user (their `links` are event data); favourites of other users are unaffected. */
  deleteUser(id: string): Promise<void>;
  /** Registrants of an event in insertion order (spec §9.5). */
  getRegistrants(eventId: string): Promise<RegistrantRecord[]>;
  getRegistrant(eventId: string, id: string): Promise<RegistrantRecord | null>;
  putRegistrant(registrant: RegistrantRecord): Promise<void>;
  /** Deletes the registrant with its payment/check-in state; a later put of the same id goes to the end. */
  deleteRegistrant(eventId: string, id: string): Promise<void>;
  /**
   * Changes the payment/check-in state of a registrant in one atomic write and returns the new record; `null`
   * (nothing written) when the registrant does not exist.
   */
  updateRegistrantState(eventId: string, id: string, patch: Partial<RegistrantState>): Promise<RegistrantRecord | null>;
  /** Rooms of a location, ascending by id; `ids` restricts (unknown ids are skipped). */
  getRooms(location: string, ids?: readonly number[]): Promise<RoomRecord[]>;
  /** Every location that has rooms, sorted. */
  getLocations(): Promise<string[]>;
  putRoom(room: RoomRecord): Promise<void>;
  /**
   * Deletes a room with its blocked periods. Refused (INVALID_ARGUMENT, status 409, nothing written) while any
   * reservation, cancelled or not, references the room: delete those first. A location without rooms is gone.
   */
  deleteRoom(location: string, id: number): Promise<void>;
  /** Reservations of a location (optionally one room), ascending by id. */
  getReservations(location: string, roomId?: number): Promise<ReservationRecord[]>;
  getReservation(id: number): Promise<ReservationRecord | null>;
  /** Creates or replaces a reservation (no collision check: import path). */
  putReservation(reservation: ReservationRecord): Promise<void>;
  /** Deletes a reservation and frees its occurrences; its id is never handed out again by `bookRoom`. */
  deleteReservation(id: number): Promise<void>;
  /**
   * Books a room atomically: refused when the room is unknown, or when [startDT, endDT) overlaps an occurrence
   * of an active (not cancelled, not rejected) reservation of the room, or a blocked period. Two concurrent
   * calls for the same slot never both succeed. Only non-repeating requests (the API books single slots).
   */
  bookRoom(request: BookingRequest): Promise<BookingOutcome>;
  getVideoBookings(): Promise<VideoBookingRecord[]>;
  getVideoBooking(uniqueId: string): Promise<VideoBookingRecord | null>;
  putVideoBooking(booking: VideoBookingRecord): Promise<void>;
  deleteVideoBooking(uniqueId: string): Promise<void>;
  /** Idempotent. Does not close a client it was given. */
  close(): Promise<void>;
}

/** The write half of the Catalog (what `RedisCatalog.queueWrites` hands to its callback). */
export type CatalogWrites = Pick<
  Catalog,
  | 'putCategory'
  | 'deleteCategory'
  | 'putEvent'
  | 'deleteEvent'
  | 'putContribution'
  | 'deleteContribution'
  | 'putSession'
  | 'deleteSession'
  | 'putBreak'
  | 'deleteBreak'
  | 'putUser'
  | 'deleteUser'
  | 'putRegistrant'
  | 'deleteRegistrant'
  | 'putRoom'
  | 'deleteRoom'
  | 'putReservation'
  | 'deleteReservation'
  | 'putVideoBooking'
  | 'deleteVideoBooking'
>;

/** What the result cache stores: the pre-serialization result, so every format shares one entry (spec §8). */
export interface CachedResult {
  results: unknown;
  additionalInfo: Record<string, unknown>;
  /** Generation time in Unix seconds; a hit returns it unchanged. */
  ts: number;
  complete: boolean;
}

/** Result cache port: memory (`createMemoryResultCache`) and Redis (`createRedisResultCache`). */
export interface ResultCache {
  get(key: string): Promise<CachedResult | null>;
  set(key: string, value: CachedResult, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}
