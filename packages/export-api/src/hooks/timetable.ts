import { defineFossil, type FossilizeContext } from '@indico/fossilize';
import { canAccessEvent, canModifyEvent } from '../access.js';
import { ExportDate, wallClock } from '../datetime.js';
import {
  Contribution,
  ContributionParticipation,
  type EventBundle,
  type ExportFossilContext,
  fossilize,
  IConferenceParticipationFossil,
  IContributionParticipationMetadataFossil,
  IMaterialMetadataFossil,
  Material,
  SessionChair,
} from '../fossils.js';
import type { BreakRecord, ContributionRecord, SessionRecord, SlotRecord } from '../model.js';
import type { HookDefinition } from '../registry.js';
import { accessFilter, loadBundles } from './bundles.js';

const ctxOf = (c: FossilizeContext) => c as ExportFossilContext;
const dt = (ms: number, c: FossilizeContext) => new ExportDate(ms, ctxOf(c).tz);

/** A scheduled contribution in the timetable (`c<id>`), inside a session slot or not. */
export class ContribSchEntry {
  readonly w: Contribution;
  constructor(
    readonly c: ContributionRecord,
    readonly b: EventBundle,
    readonly slot: [SessionRecord, SlotRecord] | null,
  ) {
    this.w = new Contribution(c, b);
  }
}

/** A session slot in the timetable (`s<sessionId>l<slotId>`) with its contributions under `entries`. */
export class LinkedTimeSchEntry {
  constructor(
    readonly s: SessionRecord,
    readonly slot: SlotRecord,
    readonly b: EventBundle,
  ) {}
}

/** A break in the timetable (`b<id>`). */
export class BreakTimeSchEntry {
  constructor(
    readonly br: BreakRecord,
    readonly b: EventBundle,
  ) {}
}

export const IContribSchEntryDisplayFossil = defineFossil('IContribSchEntryDisplayFossil', {
  getId: { produce: (x: ContribSchEntry) => `c${x.c.id}` },
  getEntryType: { produce: () => 'Contribution' },
  getTitle: { produce: (x: ContribSchEntry) => x.c.title },
  getDescription: { produce: (x: ContribSchEntry) => x.c.description },
  getStartDate: { produce: (x: ContribSchEntry, c) => dt(x.c.startDate!, c) },
  getEndDate: { produce: (x: ContribSchEntry, c) => dt(x.w.end()!, c) },
  getContributionId: { produce: (x: ContribSchEntry) => x.c.id },
  getConferenceId: { produce: (x: ContribSchEntry) => x.b.event.id },
  getUniqueId: { produce: (x: ContribSchEntry) => `a${x.b.event.id}t${x.c.id}` },
  getSessionId: { produce: (x: ContribSchEntry) => x.slot?.[0].id ?? null },
  getSessionSlotId: { produce: (x: ContribSchEntry) => x.slot?.[1].id ?? null },
  getSessionCode: { produce: (x: ContribSchEntry) => (x.slot ? (x.slot[0].code ?? null) : null) },
  getLocation: { produce: (x: ContribSchEntry) => x.w.location() },
  getRoom: { produce: (x: ContribSchEntry) => x.w.room() },
  getPresenters: {
    name: 'presenters',
    produce: (x: ContribSchEntry) => x.c.speakers.map((p) => new ContributionParticipation(p)),
    result: IContributionParticipationMetadataFossil,
  },
  getMaterial: {
    name: 'material',
    produce: (x: ContribSchEntry) => (x.c.material ?? []).map((m) => new Material(m)),
    result: IMaterialMetadataFossil,
    filterBy: 'access',
  },
});

export const IBreakTimeSchEntryFossil = defineFossil('IBreakTimeSchEntryFossil', {
  getId: { produce: (x: BreakTimeSchEntry) => `b${x.br.id}` },
  getEntryType: { produce: () => 'Break' },
  getTitle: { produce: (x: BreakTimeSchEntry) => x.br.title },
  getDescription: { produce: (x: BreakTimeSchEntry) => x.br.description },
  getStartDate: { produce: (x: BreakTimeSchEntry, c) => dt(x.br.startDate, c) },
  getEndDate: { produce: (x: BreakTimeSchEntry, c) => dt(x.br.endDate, c) },
  getConferenceId: { produce: (x: BreakTimeSchEntry) => x.b.event.id },
  getLocation: { produce: (x: BreakTimeSchEntry) => x.br.location },
  getRoom: { produce: (x: BreakTimeSchEntry) => x.br.room },
  getColor: { produce: (x: BreakTimeSchEntry) => x.br.color ?? '#AAAAAA' },
  getTextColor: { produce: (x: BreakTimeSchEntry) => x.br.textColor ?? '#202020' },
});

function slotContributions(x: LinkedTimeSchEntry, c: FossilizeContext): Record<string, unknown> {
  const inner: Record<string, unknown> = {};
  for (const cr of x.b.contributions) {
    if (cr.sessionId !== x.s.id || (cr.slotId ?? x.s.slots[0]?.id) !== x.slot.id) continue;
    if (cr.startDate === null || !ctxOf(c).filters.access(cr)) continue;
    inner[`c${cr.id}`] = fossilize(new ContribSchEntry(cr, x.b, [x.s, x.slot]), IContribSchEntryDisplayFossil, c);
  }
  return inner;
}

export const ILinkedTimeSchEntryDisplayFossil = defineFossil('ILinkedTimeSchEntryDisplayFossil', {
  getId: { produce: (x: LinkedTimeSchEntry) => `s${x.s.id}l${x.slot.id}` },
  getEntryType: { produce: () => 'Session' },
  getTitle: { produce: (x: LinkedTimeSchEntry) => x.s.title },
  getSlotTitle: { produce: (x: LinkedTimeSchEntry) => x.slot.title },
  getDescription: { produce: (x: LinkedTimeSchEntry) => x.s.description },
  getStartDate: { produce: (x: LinkedTimeSchEntry, c) => dt(x.slot.startDate, c) },
  getEndDate: { produce: (x: LinkedTimeSchEntry, c) => dt(x.slot.endDate, c) },
  getSessionId: { produce: (x: LinkedTimeSchEntry) => x.s.id },
  getSessionSlotId: { produce: (x: LinkedTimeSchEntry) => x.slot.id },
  getSessionCode: { produce: (x: LinkedTimeSchEntry) => x.s.code ?? null },
  getConferenceId: { produce: (x: LinkedTimeSchEntry) => x.b.event.id },
  getUniqueId: { produce: (x: LinkedTimeSchEntry) => `a${x.b.event.id}s${x.s.id}l${x.slot.id}` },
  getLocation: { produce: (x: LinkedTimeSchEntry) => x.slot.location ?? x.s.location },
  getRoom: { produce: (x: LinkedTimeSchEntry) => x.slot.room ?? x.s.room },
  getColor: { produce: (x: LinkedTimeSchEntry) => x.s.color },
  getTextColor: { produce: (x: LinkedTimeSchEntry) => x.s.textColor },
  isPoster: { name: 'isPoster', produce: (x: LinkedTimeSchEntry) => x.s.isPoster },
  getConveners: {
    name: 'conveners',
    produce: (x: LinkedTimeSchEntry) => (x.slot.conveners ?? []).map((p) => new SessionChair(p)),
    result: IConferenceParticipationFossil,
  },
  getEntries: { name: 'entries', produce: (x: LinkedTimeSchEntry, c) => slotContributions(x, c) },
});

/** The timetable of one event: `{ YYYYMMDD: { entryId: entry } }` with `c…`, `s…l…` and `b…` entries (spec §9.3). */
export function timetableOf(b: EventBundle, ctx: ExportFossilContext): Record<string, Record<string, unknown>> {
  const entries: Array<[number, string, unknown]> = [];
  for (const c of b.contributions) {
    if (c.startDate === null || c.sessionId !== null || !ctx.filters.access(c)) continue;
    entries.push([
      c.startDate,
      `c${c.id}`,
      fossilize(new ContribSchEntry(c, b, null), IContribSchEntryDisplayFossil, ctx),
    ]);
  }
  for (const s of b.sessions) {
    if (!ctx.filters.access(s)) continue;
    for (const sl of s.slots) {
      entries.push([
        sl.startDate,
        `s${s.id}l${sl.id}`,
        fossilize(new LinkedTimeSchEntry(s, sl, b), ILinkedTimeSchEntryDisplayFossil, ctx),
      ]);
    }
  }
  for (const br of b.breaks) {
    entries.push([br.startDate, `b${br.id}`, fossilize(new BreakTimeSchEntry(br, b), IBreakTimeSchEntryFossil, ctx)]);
  }
  entries.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
  const days: Record<string, Record<string, unknown>> = {};
  for (const [start, id, entry] of entries) {
    const key = wallClock(start, ctx.tz).date.replace(/-/g, '');
    days[key] ??= {};
    days[key][id] = entry;
  }
  return days;
}

/** `/export/timetable/{idlist}`: unknown and inaccessible events are skipped; `count` is the number of events. */
export const timetableHook: HookDefinition = {
  name: 'timetable',
  pattern: '(timetable)/(?<idlist>[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)',
  async handler(ctx) {
    const ids = [...new Set(ctx.groups.idlist!.split('-'))];
    const events = (await ctx.catalog.getEvents(ids)).filter(
      (e): e is NonNullable<typeof e> => e !== null && canAccessEvent(e, ctx.user),
    );
    const bundles = await loadBundles(
      ctx.catalog,
      events,
      { contributions: true, sessions: true, breaks: true },
      ctx.user,
    );
    const results: Record<string, unknown> = {};
    for (const b of bundles) {
      const canModify = canModifyEvent(b.event, ctx.user);
      results[b.event.id] = timetableOf(b, {
        tz: ctx.common.tz,
        canModify,
        occ: false,
        urls: ctx.urls,
        filters: { access: accessFilter(ctx.user, canModify) },
      });
    }
    return { results };
  },
};
