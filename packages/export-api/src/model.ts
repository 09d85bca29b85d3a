/**
 * The records a Catalog stores. Times are epoch milliseconds; time zones appear only at the edges.
 * These are domain data, not export shapes: the fossils in `fossils.ts` turn them into results.
 */

/** Who may see or change an object. Absent means public and managed by nobody but admins. */
export interface Protection {
  /** Restricted to `allowedUserIds`/`allowedGroups` (plus managers and admins). */
  isProtected: boolean;
  allowedUserIds?: string[];
  allowedGroups?: string[];
  /** Users who can modify the object (they see `email` and `allowed` fields). */
  managerIds?: string[];
}

export interface CategoryRecord {
  id: string;
  name: string;
  /** `null` only for the root category (id `0` by convention). */
  parentId: string | null;
  /** How far up the tree the category's events are listed (0 nowhere, 999 everywhere). */
  visibility?: number;
  protection?: Protection;
}

export interface PersonRecord {
  id: string;
  fullName: string;
  affiliation: string;
  email: string;
  firstName?: string;
  familyName?: string;
  title?: string;
  phone?: string;
  fax?: string;
  address?: string;
}

export interface ResourceRecord {
  kind: 'link' | 'file';
  id: string;
  name: string;
  url: string;
  fileName?: string;
  /** Key of the file in the FileStorage (default: `<event id>/<fileName>`). */
  storageKey?: string;
  /** Served as Content-Type (default `application/octet-stream`). */
  contentType?: string;
  protection?: Protection;
}

export interface MaterialRecord {
  id: string;
  title: string;
  /** The material class shown as `_type` (e.g. `Material`, `Slides`, `Minutes`). */
  type?: string;
  resources: ResourceRecord[];
  protection?: Protection;
}

export type EventType = 'simple_event' | 'meeting' | 'conference';

export interface EventRecord {
  id: string;
  title: string;
  description: string;
  type: EventType;
  startDate: number;
  endDate: number;
  /** The event's own time zone (IANA name). */
  timezone: string;
  categoryId: string;
  location: string | null;
  room: string | null;
  roomFullname?: string;
  address: string | null;
  roomMapURL?: string | null;
  creator: PersonRecord;
  chairs: PersonRecord[];
  creationDate: number;
  modificationDate: number;
  material?: MaterialRecord[];
  /** How far up the category tree the event is listed (0 nowhere, >= depth everywhere; default 999). */
  visibility?: number;
  protection?: Protection;
  /** Users related to the event with their roles (for `user/linked_events`). */
  links?: Array<{ userId: string; roles: string[] }>;
}

export interface SubContributionRecord {
  id: string;
  title: string;
  /** Minutes. */
  duration: number;
  speakers: PersonRecord[];
}

export interface ContributionRecord {
  id: string;
  eventId: string;
  title: string;
  description: string;
  /** `null` when unscheduled. */
  startDate: number | null;
  /** Minutes. */
  duration: number;
  location: string | null;
  room: string | null;
  roomFullname?: string;
  speakers: PersonRecord[];
  primaryauthors?: PersonRecord[];
  coauthors?: PersonRecord[];
  track: string | null;
  /** Session and slot the contribution is scheduled in, if any. */
  sessionId: string | null;
  slotId?: string | null;
  type: string | null;
  keywords?: string[];
  material?: MaterialRecord[];
  subContributions?: SubContributionRecord[];
  protection?: Protection;
}

export interface SlotRecord {
  id: string;
  title: string;
  startDate: number;
  endDate: number;
  location?: string;
  room?: string;
  address?: string;
  roomFullname?: string;
  conveners?: PersonRecord[];
}

export interface SessionRecord {
  id: string;
  eventId: string;
  title: string;
  description: string;
  code?: string;
  color: string;
  textColor: string;
  isPoster: boolean;
  location: string;
  room: string;
  address: string;
  roomFullname?: string;
  conveners: PersonRecord[];
  material?: MaterialRecord[];
  slots: SlotRecord[];
  protection?: Protection;
}

/** A timetable break (`b<id>` entries). */
export interface BreakRecord {
  id: string;
  eventId: string;
  title: string;
  description: string;
  startDate: number;
  endDate: number;
  location: string | null;
  room: string | null;
  color?: string;
  textColor?: string;
}

export interface UserRecord {
  id: string;
  firstName: string;
  familyName: string;
  title: string;
  email: string;
  affiliation: string;
  phone: string;
  fax: string;
  address: string;
  isAdmin?: boolean;
  groups?: string[];
  favoriteCategoryIds?: string[];
}

/** Personal data of a registration form (spec §9.5 `personal_data`). */
export interface PersonalData {
  title: string;
  firstName: string;
  surname: string;
  institution: string;
  position: string;
  address: string;
  city: string;
  country: string;
  phone: string;
  fax: string;
  email: string;
  personalHomepage: string;
}

/** The payment and check-in state of a registrant: the part the `/api` writes change. */
export interface RegistrantState {
  /** `null` when e-payment is disabled for the event. */
  paid: boolean | null;
  amountPaid: number | null;
  checkedIn: boolean;
  /** Epoch ms, or null when not checked in. */
  checkinDate: number | null;
}

export interface RegistrantRecord extends RegistrantState {
  id: string;
  eventId: string;
  fullName: string;
  /** The check-in secret (a UUID printed on the ticket). */
  checkinSecret: string;
  registrationDate: number;
  /** What `is_paid=yes` records as `amount_paid` (the registration's total price). */
  amountDue?: number;
  personalData: PersonalData;
  /** Extra sections of `detail=full` (regFormRegistrantFull), exported as given. */
  accommodation?: Record<string, unknown> | null;
  reasonParticipation?: string;
  socialEvents?: unknown[];
  sessionList?: unknown[];
  miscellaneousGroupList?: unknown[];
}

export type Repeatability = 'daily' | 'weekly' | 'everyTwoWeeks' | 'everyThreeWeeks' | 'monthly';

export interface RoomRecord {
  id: number;
  location: string;
  name: string;
  building: number | string;
  floor: string;
  roomNr: string;
  fullName: string;
  avc: boolean;
  equipment: string[];
  vcList: string[];
  latitude: string;
  longitude: string;
  /** Blockings and unavailable periods (epoch ms, end exclusive): bookings colliding with them are refused. */
  blocked?: Array<{ start: number; end: number; reason?: string }>;
}

export interface ReservationRecord {
  id: number;
  location: string;
  roomId: number;
  /** First occurrence's start and the last occurrence's end (epoch ms). */
  startDT: number;
  endDT: number;
  repeatability: Repeatability | null;
  bookedForName: string;
  /** Login of the user booked for, when known. */
  bookedForUser?: string;
  reason: string;
  usesAVC: boolean;
  needsAVCSupport: boolean;
  needsStartupSupport: boolean;
  /** `null` = pending (pre-booking). */
  isConfirmed: boolean | null;
  isCancelled: boolean;
  isRejected: boolean;
  vcList: string[] | null;
}

export type VideoServiceType = 'vidyo' | 'evo' | 'mcu' | 'webcast' | 'recording' | 'webex';

/** A video-service booking of an event (spec §9.9 `collaborationMetadata`). */
export interface VideoBookingRecord {
  uniqueId: string;
  eventId: string;
  service: VideoServiceType;
  title: string;
  status: string;
  startDate: number;
  endDate: number;
  location: string;
  room: string;
  audience: string;
  rejected?: boolean;
}
