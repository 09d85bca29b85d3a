import { createHash } from 'node:crypto';
import { defineFossil, type FossilizeContext, fossilize } from '@indico/fossilize';
import { ExportDate } from './datetime.js';
import type {
  BreakRecord,
  CategoryRecord,
  ContributionRecord,
  EventRecord,
  MaterialRecord,
  PersonRecord,
  Protection,
  ResourceRecord,
  SessionRecord,
  SlotRecord,
  SubContributionRecord,
  UserRecord,
} from './model.js';
import type { ExportUrls } from './urls.js';

/**
 * The export shapes of spec §10 as fossils over small wrapper classes: the class name is the `_type`, the
 * fossil name gives `_fossil`, `onlyIf: 'canModify'` hides manager-only fields and `filterBy: 'access'` drops
 * list items the requester may not see.
 */

/** Options every export fossil reads (Indico's `fossilize(..., tz=, canModify=, filters=)` kwargs). */
export interface ExportFossilContext extends FossilizeContext {
  readonly tz: string;
  readonly canModify: boolean;
  readonly occ: boolean;
  readonly urls: ExportUrls;
  readonly filters: { readonly access: (el: { protection?: Protection }) => unknown };
}

/** Everything about one event the fossils need, loaded before fossilizing (fossilizing is synchronous). */
export interface EventBundle {
  event: EventRecord;
  /** Root first, the event's category last. */
  categoryPath: CategoryRecord[];
  contributions: ContributionRecord[];
  sessions: SessionRecord[];
  breaks: BreakRecord[];
  /** Emails of users named in protections, for `allowed` (only loaded when the requester can modify). */
  emails: ReadonlyMap<string, string>;
}

const ctxOf = (c: FossilizeContext) => c as ExportFossilContext;
const dt = (ms: number | null, c: FossilizeContext) => (ms === null ? null : new ExportDate(ms, ctxOf(c).tz));
const md5Cache = new Map<string, string>();
// Emails repeat across events (chairs, creators); hashing each one once per process keeps exports cheap.
const md5 = (s: string) => {
  let h = md5Cache.get(s);
  if (h === undefined) {
    h = createHash('md5').update(s, 'utf8').digest('hex');
    if (md5Cache.size >= 10_000) md5Cache.clear();
    md5Cache.set(s, h);
  }
  return h;
};
const allowedOf = (p: Protection | undefined, emails: ReadonlyMap<string, string>) => ({
  users: (p?.allowedUserIds ?? []).map((id) => emails.get(id) ?? id),
  groups: [...(p?.allowedGroups ?? [])],
});

// ---------------------------------------------------------------- people

export class ConferenceChair {
  constructor(readonly p: PersonRecord) {}
}
export class Avatar {
  constructor(
    readonly p: PersonRecord,
    readonly u?: UserRecord,
  ) {}
}
export class ContributionParticipation {
  constructor(readonly p: PersonRecord) {}
}
export class SubContribParticipation {
  constructor(readonly p: PersonRecord) {}
}
export class SessionChair {
  constructor(readonly p: PersonRecord) {}
}
type Person = { p: PersonRecord };

const personMembers = {
  getId: { produce: (x: Person) => x.p.id },
  getFullName: { produce: (x: Person) => x.p.fullName },
  getAffiliation: { produce: (x: Person) => x.p.affiliation },
  getEmailHash: { produce: (x: Person) => md5(x.p.email) },
  getEmail: { produce: (x: Person) => x.p.email, onlyIf: 'canModify' },
};
export const IConferenceChairMetadataFossil = defineFossil('IConferenceChairMetadataFossil', personMembers);
export const IContributionParticipationMetadataFossil = defineFossil(
  'IContributionParticipationMetadataFossil',
  personMembers,
);
/** Session conveners; contact fields are manager-only here (1.2 showed them to everyone). */
export const IConferenceParticipationFossil = defineFossil('IConferenceParticipationFossil', {
  getId: { produce: (x: Person) => x.p.id },
  getFullName: { produce: (x: Person) => x.p.fullName },
  getName: { produce: (x: Person) => x.p.fullName },
  getFirstName: { produce: (x: Person) => x.p.firstName ?? '' },
  getFamilyName: { produce: (x: Person) => x.p.familyName ?? '' },
  getTitle: { produce: (x: Person) => x.p.title ?? '' },
  getAffiliation: { produce: (x: Person) => x.p.affiliation },
  getEmail: { produce: (x: Person) => x.p.email, onlyIf: 'canModify' },
  getPhone: { produce: (x: Person) => x.p.phone ?? '', onlyIf: 'canModify' },
  getFax: { produce: (x: Person) => x.p.fax ?? '', onlyIf: 'canModify' },
  getAddress: { produce: (x: Person) => x.p.address ?? '', onlyIf: 'canModify' },
});

// ---------------------------------------------------------------- material

export class Material {
  constructor(readonly m: MaterialRecord) {
    this.protection = m.protection;
  }
  readonly protection: Protection | undefined;
}
export class Link {
  constructor(readonly r: ResourceRecord) {}
}
export class LocalFile {
  constructor(readonly r: ResourceRecord) {}
}
export const ILinkMetadataFossil = defineFossil('ILinkMetadataFossil', {
  getName: { produce: (x: Link) => x.r.name },
  getURL: { name: 'url', produce: (x: Link) => x.r.url },
});
export const ILocalFileMetadataFossil = defineFossil('ILocalFileMetadataFossil', {
  getName: { produce: (x: LocalFile) => x.r.name },
  getId: { produce: (x: LocalFile) => x.r.id },
  getURL: { name: 'url', produce: (x: LocalFile) => x.r.url },
  getFileName: { produce: (x: LocalFile) => x.r.fileName ?? x.r.name },
});
export const IMaterialMetadataFossil = defineFossil('IMaterialMetadataFossil', {
  getId: { produce: (x: Material) => x.m.id },
  getTitle: { produce: (x: Material) => x.m.title },
  getResourceList: {
    name: 'resources',
    produce: (x: Material, c) =>
      x.m.resources
        .filter((r) => ctxOf(c).filters.access(r))
        .map((r) =>
          r.kind === 'link'
            ? fossilize(new Link(r), ILinkMetadataFossil, c)
            : fossilize(new LocalFile(r), ILocalFileMetadataFossil, c),
        ),
  },
});
const materialOf = (list: MaterialRecord[] | undefined) => (list ?? []).map((m) => new Material(m));

// ---------------------------------------------------------------- periods and categories

export class Period {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
}
export const IPeriodFossil = defineFossil('IPeriodFossil', {
  getStartDT: { produce: (x: Period, c) => dt(x.start, c) },
  getEndDT: { produce: (x: Period, c) => dt(x.end, c) },
});

export class Category {
  constructor(readonly c: CategoryRecord) {}
}
export const ICategoryMetadataFossil = defineFossil('ICategoryMetadataFossil', {
  getId: { produce: (x: Category) => x.c.id },
  getName: { produce: (x: Category) => x.c.name },
  getURL: { name: 'url', produce: (x: Category, c) => ctxOf(c).urls.category(x.c.id) },
});

// ---------------------------------------------------------------- contributions

export class SubContribution {
  constructor(
    readonly s: SubContributionRecord,
    readonly parent: Contribution,
  ) {}
}
export const ISubContributionMetadataFossil = defineFossil('ISubContributionMetadataFossil', {
  getId: { produce: (x: SubContribution) => x.s.id },
  getTitle: { produce: (x: SubContribution) => x.s.title },
  getDuration: { produce: (x: SubContribution) => x.s.duration },
  getSpeakerList: {
    name: 'speakers',
    produce: (x: SubContribution) => x.s.speakers.map((p) => new SubContribParticipation(p)),
    result: IContributionParticipationMetadataFossil,
  },
  getAllowedToAccessList: {
    name: 'allowed',
    onlyIf: 'canModify',
    produce: (x: SubContribution) => allowedOf(x.parent.c.protection, x.parent.b.emails),
  },
});

export class Contribution {
  readonly protection: Protection | undefined;
  constructor(
    readonly c: ContributionRecord,
    readonly b: EventBundle,
  ) {
    this.protection = c.protection;
  }
  end(): number | null {
    return this.c.startDate === null ? null : this.c.startDate + this.c.duration * 60_000;
  }
  location(): string | null {
    return this.c.location ?? this.b.event.location;
  }
  room(): string | null {
    return this.c.room ?? (this.c.location === null ? this.b.event.room : null);
  }
}
const people = (list: PersonRecord[] | undefined) => (list ?? []).map((p) => new ContributionParticipation(p));
export const IContributionMetadataFossil = defineFossil('IContributionMetadataFossil', {
  getId: { produce: (x: Contribution) => x.c.id },
  getTitle: { produce: (x: Contribution) => x.c.title },
  getDescription: { produce: (x: Contribution) => x.c.description },
  getStartDate: { produce: (x: Contribution, c) => dt(x.c.startDate, c) },
  getEndDate: { produce: (x: Contribution, c) => dt(x.end(), c) },
  getDuration: { produce: (x: Contribution) => (x.c.duration === 0 ? null : x.c.duration) },
  getLocation: { produce: (x: Contribution) => x.location() },
  getRoom: { produce: (x: Contribution) => x.room() },
  getRoomFullname: { produce: (x: Contribution) => x.c.roomFullname ?? x.room() ?? '' },
  getSpeakerList: {
    name: 'speakers',
    produce: (x: Contribution) => people(x.c.speakers),
    result: IContributionParticipationMetadataFossil,
  },
  getPrimaryAuthorList: {
    name: 'primaryauthors',
    produce: (x: Contribution) => people(x.c.primaryauthors),
    result: IContributionParticipationMetadataFossil,
  },
  getCoAuthorList: {
    name: 'coauthors',
    produce: (x: Contribution) => people(x.c.coauthors),
    result: IContributionParticipationMetadataFossil,
  },
  getTrack: { produce: (x: Contribution) => x.c.track },
  getSession: {
    produce: (x: Contribution) =>
      x.c.sessionId === null ? null : (x.b.sessions.find((s) => s.id === x.c.sessionId)?.title ?? null),
  },
  getType: { produce: (x: Contribution) => x.c.type },
  getURL: { name: 'url', produce: (x: Contribution, c) => ctxOf(c).urls.contribution(x.c.eventId, x.c.id) },
  getKeywords: { produce: (x: Contribution) => [...(x.c.keywords ?? [])] },
  getAllMaterialList: {
    name: 'material',
    produce: (x: Contribution) => materialOf(x.c.material),
    result: IMaterialMetadataFossil,
    filterBy: 'access',
  },
  getAllowedToAccessList: {
    name: 'allowed',
    onlyIf: 'canModify',
    produce: (x: Contribution) => allowedOf(x.c.protection, x.b.emails),
  },
});
export const IContributionMetadataWithSubContribsFossil = defineFossil(
  'IContributionMetadataWithSubContribsFossil',
  {
    getSubContributionList: {
      name: 'subContributions',
      produce: (x: Contribution) => (x.c.subContributions ?? []).map((s) => new SubContribution(s, x)),
      result: ISubContributionMetadataFossil,
    },
  },
  { extends: [IContributionMetadataFossil] },
);

// ---------------------------------------------------------------- session slots

export class SessionSlot {
  readonly protection: Protection | undefined;
  constructor(
    readonly s: SessionRecord,
    readonly slot: SlotRecord,
    readonly b: EventBundle,
  ) {
    this.protection = s.protection;
  }
  contributions(): Contribution[] {
    return this.b.contributions
      .filter((c) => c.sessionId === this.s.id && (c.slotId ?? this.s.slots[0]?.id) === this.slot.id)
      .map((c) => new Contribution(c, this.b));
  }
}
const slotMembers = {
  getId: { produce: (x: SessionSlot) => `${x.s.id}-${x.slot.id}` },
  getTitle: { produce: (x: SessionSlot) => (x.slot.title ? `${x.s.title}: ${x.slot.title}` : x.s.title) },
  getSlotTitle: { produce: (x: SessionSlot) => x.slot.title },
  getDescription: { produce: (x: SessionSlot) => x.s.description },
  getURL: { name: 'url', produce: (x: SessionSlot, c: FossilizeContext) => ctxOf(c).urls.session(x.s.eventId, x.s.id) },
  getStartDate: { produce: (x: SessionSlot, c: FossilizeContext) => dt(x.slot.startDate, c) },
  getEndDate: { produce: (x: SessionSlot, c: FossilizeContext) => dt(x.slot.endDate, c) },
  getRoom: { produce: (x: SessionSlot) => x.slot.room ?? x.s.room ?? '' },
  getLocation: { produce: (x: SessionSlot) => x.slot.location ?? x.s.location ?? '' },
  getAddress: { produce: (x: SessionSlot) => x.slot.address ?? x.s.address ?? '' },
  getRoomFullname: {
    produce: (x: SessionSlot) => x.slot.roomFullname ?? x.slot.room ?? x.s.roomFullname ?? x.s.room ?? '',
  },
  inheritRoom: { name: 'inheritRoom', produce: (x: SessionSlot) => x.slot.room === undefined },
  inheritLoc: { name: 'inheritLoc', produce: (x: SessionSlot) => x.slot.location === undefined },
  getConveners: {
    name: 'conveners',
    produce: (x: SessionSlot) => (x.slot.conveners ?? []).map((p) => new SessionChair(p)),
    result: IConferenceParticipationFossil,
  },
  getSession: {
    name: 'session',
    produce: (x: SessionSlot, c: FossilizeContext) => {
      const s = x.s;
      const starts = s.slots.map((sl) => sl.startDate);
      const ends = s.slots.map((sl) => sl.endDate);
      return {
        id: s.id,
        title: s.title,
        description: s.description,
        material: fossilize(materialOf(s.material).filter(ctxOf(c).filters.access), IMaterialMetadataFossil, c),
        numSlots: s.slots.length,
        color: s.color,
        textColor: s.textColor,
        startDate: starts.length ? dt(Math.min(...starts), c) : null,
        endDate: ends.length ? dt(Math.max(...ends), c) : null,
        location: s.location,
        address: s.address,
        room: s.room,
        roomFullname: s.roomFullname ?? s.room,
        sessionConveners: fossilize(
          s.conveners.map((p) => new SessionChair(p)),
          IConferenceParticipationFossil,
          c,
        ),
        isPoster: s.isPoster,
        url: ctxOf(c).urls.session(s.eventId, s.id),
        protectionURL: `${ctxOf(c).urls.session(s.eventId, s.id)}manage/protection`,
      };
    },
  },
  getConference: {
    name: 'conference',
    produce: (x: SessionSlot, c: FossilizeContext) => {
      const e = x.b.event;
      return {
        id: e.id,
        title: e.title,
        type: e.type,
        description: e.description,
        location: e.location,
        room: e.room,
        address: e.address,
        bookedRooms: e.room ? [e.room] : [],
        startDate: dt(e.startDate, c),
        endDate: dt(e.endDate, c),
        adjustedStartDate: new ExportDate(e.startDate, e.timezone),
        adjustedEndDate: new ExportDate(e.endDate, e.timezone),
        timezone: e.timezone,
        supportInfo: { caption: 'Support', email: '', telephone: '' },
      };
    },
  },
  getAllowedToAccessList: {
    name: 'allowed',
    onlyIf: 'canModify',
    produce: (x: SessionSlot) => allowedOf(x.s.protection, x.b.emails),
  },
};
/** The slot shape used inside `detail=sessions` (its `contributions` carry sub-contributions, as in the seed). */
export const ISessionMetadataFossil = defineFossil('ISessionMetadataFossil', {
  ...slotMembers,
  getContributionList: {
    name: 'contributions',
    produce: (x: SessionSlot) => x.contributions(),
    result: IContributionMetadataWithSubContribsFossil,
    filterBy: 'access',
  },
});
export const ISessionMetadataWithContributionsFossil = defineFossil('ISessionMetadataWithContributionsFossil', {
  ...slotMembers,
  getContributionList: {
    name: 'contributions',
    produce: (x: SessionSlot) => x.contributions(),
    result: IContributionMetadataFossil,
    filterBy: 'access',
  },
});
export const ISessionMetadataWithSubContribsFossil = defineFossil('ISessionMetadataWithSubContribsFossil', {
  ...slotMembers,
  getContributionList: {
    name: 'subcontributions',
    produce: (x: SessionSlot) => x.contributions(),
    result: IContributionMetadataWithSubContribsFossil,
    filterBy: 'access',
  },
});

// ---------------------------------------------------------------- events

export class Conference {
  readonly protection: Protection | undefined;
  constructor(
    readonly b: EventBundle,
    readonly occurrences: Period[] = [],
  ) {
    this.protection = b.event.protection;
  }
  get e(): EventRecord {
    return this.b.event;
  }
}

function visibilityOf(b: EventBundle): { id: string; name: string } {
  const v = b.event.visibility ?? 999;
  const upwards = [...b.categoryPath].reverse();
  if (v <= 0) return { id: '', name: 'Nowhere' };
  if (v > upwards.length) return { id: '', name: 'Everywhere' };
  const cat = upwards[v - 1]!;
  return { id: cat.id, name: cat.name };
}

export const IBasicConferenceMetadataFossil = defineFossil('IBasicConferenceMetadataFossil', {
  getId: { produce: (x: Conference) => x.e.id },
  getStartDate: { produce: (x: Conference, c) => dt(x.e.startDate, c) },
  getEndDate: { produce: (x: Conference, c) => dt(x.e.endDate, c) },
  getTitle: { produce: (x: Conference) => x.e.title },
  getType: { produce: (x: Conference) => x.e.type },
  getCategory: { produce: (x: Conference) => x.b.categoryPath.at(-1)?.name ?? '' },
  getCategoryId: { produce: (x: Conference) => x.e.categoryId },
  getURL: { name: 'url', produce: (x: Conference, c) => ctxOf(c).urls.event(x.e.id) },
});

export const IConferenceMetadataFossil = defineFossil('IConferenceMetadataFossil', {
  getId: { produce: (x: Conference) => x.e.id },
  getTitle: { produce: (x: Conference) => x.e.title },
  getDescription: { produce: (x: Conference) => x.e.description },
  getType: { produce: (x: Conference) => x.e.type },
  getStartDate: { produce: (x: Conference, c) => dt(x.e.startDate, c) },
  getEndDate: { produce: (x: Conference, c) => dt(x.e.endDate, c) },
  getTimezone: { produce: (x: Conference) => x.e.timezone },
  getCategory: { produce: (x: Conference) => x.b.categoryPath.at(-1)?.name ?? '' },
  getCategoryId: { produce: (x: Conference) => x.e.categoryId },
  getLocation: { produce: (x: Conference) => x.e.location },
  getRoom: { produce: (x: Conference) => x.e.room },
  getRoomFullname: { produce: (x: Conference) => x.e.roomFullname ?? x.e.room ?? '' },
  getAddress: { produce: (x: Conference) => x.e.address },
  getURL: { name: 'url', produce: (x: Conference, c) => ctxOf(c).urls.event(x.e.id) },
  getVisibility: { produce: (x: Conference) => visibilityOf(x.b) },
  hasAnyProtection: { produce: (x: Conference) => !!x.e.protection?.isProtected },
  getCreator: { produce: (x: Conference) => new Avatar(x.e.creator), result: IConferenceChairMetadataFossil },
  getCreationDate: { produce: (x: Conference) => new ExportDate(x.e.creationDate, 'UTC') },
  getModificationDate: { produce: (x: Conference) => new ExportDate(x.e.modificationDate, 'UTC') },
  getChairList: {
    name: 'chairs',
    produce: (x: Conference) => x.e.chairs.map((p) => new ConferenceChair(p)),
    result: IConferenceChairMetadataFossil,
  },
  getAllMaterialList: {
    name: 'material',
    produce: (x: Conference) => materialOf(x.e.material),
    result: IMaterialMetadataFossil,
    filterBy: 'access',
  },
  getRoomMapURL: { name: 'roomMapURL', produce: (x: Conference) => x.e.roomMapURL ?? null },
  getAllowedToAccessList: {
    name: 'allowed',
    onlyIf: 'canModify',
    produce: (x: Conference) => allowedOf(x.e.protection, x.b.emails),
  },
  getOccurrences: {
    name: 'occurrences',
    onlyIf: 'occ',
    produce: (x: Conference) => x.occurrences,
    result: IPeriodFossil,
  },
});

const contributionsOf = (x: Conference) => x.b.contributions.map((c) => new Contribution(c, x.b));
export const IConferenceMetadataWithContribsFossil = defineFossil(
  'IConferenceMetadataWithContribsFossil',
  {
    getContributionList: {
      name: 'contributions',
      produce: contributionsOf,
      result: IContributionMetadataFossil,
      filterBy: 'access',
    },
  },
  { extends: [IConferenceMetadataFossil] },
);
export const IConferenceMetadataWithSubContribsFossil = defineFossil(
  'IConferenceMetadataWithSubContribsFossil',
  {
    getContributionList: {
      name: 'contributions',
      produce: contributionsOf,
      result: IContributionMetadataWithSubContribsFossil,
      filterBy: 'access',
    },
  },
  { extends: [IConferenceMetadataFossil] },
);
export const IConferenceMetadataWithSessionsFossil = defineFossil(
  'IConferenceMetadataWithSessionsFossil',
  {
    getSessionList: {
      name: 'sessions',
      produce: (x: Conference) => x.b.sessions.flatMap((s) => s.slots.map((sl) => new SessionSlot(s, sl, x.b))),
      result: ISessionMetadataFossil,
      filterBy: 'access',
    },
    getContributionList: {
      name: 'contributions',
      produce: (x: Conference) => contributionsOf(x).filter((c) => c.c.sessionId === null),
      result: IContributionMetadataWithSubContribsFossil,
      filterBy: 'access',
    },
  },
  { extends: [IConferenceMetadataFossil] },
);

// ---------------------------------------------------------------- users

export const IAvatarFossil = defineFossil('IAvatarFossil', {
  getId: { produce: (x: Avatar) => x.u!.id },
  getName: { produce: (x: Avatar) => `${x.u!.firstName} ${x.u!.familyName.toUpperCase()}`.trim() },
  getFirstName: { produce: (x: Avatar) => x.u!.firstName },
  getFamilyName: { produce: (x: Avatar) => x.u!.familyName },
  getTitle: { produce: (x: Avatar) => x.u!.title },
  getEmail: { produce: (x: Avatar) => x.u!.email },
  getPhone: { produce: (x: Avatar) => x.u!.phone },
  getAffiliation: { produce: (x: Avatar) => x.u!.affiliation },
  getFax: { produce: (x: Avatar) => x.u!.fax },
  getAddress: { produce: (x: Avatar) => x.u!.address },
});

export { fossilize };
