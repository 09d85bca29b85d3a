import { ExportApiError } from './errors.js';
import type {
  CategoryRecord,
  ContributionRecord,
  EventRecord,
  RegistrantRecord,
  ReservationRecord,
  RoomRecord,
} from './model.js';

const ID_RE = /^[A-Za-z0-9_]+$/;

function fail(message: string): never {
  throw new ExportApiError('INVALID_ARGUMENT', message);
}

/** IDs travel in paths (`\w+`, spec §1.3), so anything else could never be requested. */
export function assertId(id: unknown, what: string): asserts id is string {
  if (typeof id !== 'string' || !ID_RE.test(id)) fail(`${what} id must match [A-Za-z0-9_]+, got ${JSON.stringify(id)}`);
}

const isTime = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

export function assertCategory(c: CategoryRecord): void {
  assertId(c.id, 'category');
  if (c.parentId !== null) assertId(c.parentId, 'parent category');
  if (c.parentId === c.id) fail(`category ${c.id} cannot be its own parent`);
  if (typeof c.name !== 'string') fail(`category ${c.id} needs a name`);
}

export function assertEvent(e: EventRecord): void {
  assertId(e.id, 'event');
  assertId(e.categoryId, 'category');
  if (!isTime(e.startDate) || !isTime(e.endDate) || e.endDate < e.startDate) {
    fail(`event ${e.id} needs finite startDate <= endDate`);
  }
  if (typeof e.title !== 'string') fail(`event ${e.id} needs a title`);
}

export function assertContribution(c: ContributionRecord): void {
  assertId(c.id, 'contribution');
  assertId(c.eventId, 'event');
  if (c.startDate !== null && !isTime(c.startDate)) fail(`contribution ${c.id} has a bad startDate`);
  if (!(typeof c.duration === 'number' && c.duration >= 0)) fail(`contribution ${c.id} needs a duration >= 0`);
}

export function assertRegistrant(r: RegistrantRecord): void {
  assertId(r.id, 'registrant');
  assertId(r.eventId, 'event');
  if (typeof r.checkinSecret !== 'string')
    throw new ExportApiError('INVALID_ARGUMENT', 'checkinSecret must be a string');
}

const isRoomId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function assertRoom(r: RoomRecord): void {
  if (!isRoomId(r.id)) throw new ExportApiError('INVALID_ARGUMENT', 'room id must be a non-negative integer');
  if (!/^[\w ]+$/.test(r.location ?? ''))
    throw new ExportApiError('INVALID_ARGUMENT', 'room location must match [\\w ]+');
}

export function assertBooking(r: Omit<ReservationRecord, 'id'>): void {
  if (!isRoomId(r.roomId)) throw new ExportApiError('INVALID_ARGUMENT', 'roomId must be a non-negative integer');
  if (!Number.isFinite(r.startDT) || !Number.isFinite(r.endDT) || r.endDT <= r.startDT) {
    throw new ExportApiError('INVALID_ARGUMENT', 'a reservation needs startDT < endDT');
  }
}

export function assertReservation(r: ReservationRecord): void {
  if (!isRoomId(r.id)) throw new ExportApiError('INVALID_ARGUMENT', 'reservation id must be a non-negative integer');
  assertBooking(r);
}
