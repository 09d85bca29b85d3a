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
import type { ContributionRecord, SessionRecord, SlotRecord } from '../model.js';
import type { HookDefinition } from '../registry.js';
import { accessFilter, loadBundles } from './bundles.js';

type Entry = Record<string, unknown>;

function contributionEntry(
  c: ContributionRecord,
  b: EventBundle,
  ctx: ExportFossilContext,
  slot?: [SessionRecord, SlotRecord],
): Entry {
  const w = new Contribution(c, b);
  const start = c.startDate!;
  return {
    id: `c${c.id}`,
    _type: 'ContribSchEntry',
    _fossil: 'contribSchEntryDisplay',
    entryType: 'Contribution',
    title: c.title,
    description: c.description,
    startDate: new ExportDate(start, ctx.tz),
    endDate: new ExportDate(start + c.duration * 60_000, ctx.tz),
    contributionId: c.id,
    conferenceId: b.event.id,
    uniqueId: `a${b.event.id}t${c.id}`,
    sessionId: slot ? slot[0].id : null,
    sessionSlotId: slot ? slot[1].id : null,
    sessionCode: slot ? (slot[0].code ?? null) : null,
    location: w.location(),
    room: w.room(),
    presenters: fossilize(
      c.speakers.map((p) => new ContributionParticipation(p)),
      IContributionParticipationMetadataFossil,
      ctx,
    ),
    material: fossilize(
      (c.material ?? []).map((m) => new Material(m)).filter((m) => ctx.filters.access(m)),
      IMaterialMetadataFossil,
      ctx,
    ),
  };
}

/** The timetable of one event: `{ YYYYMMDD: { entryId: entry } }` with `c…`, `s…l…` and `b…` entries (spec §9.3). */
export function timetableOf(b: EventBundle, ctx: ExportFossilContext): Record<string, Record<string, Entry>> {
  const entries: Array<[number, string, Entry]> = [];
  const visible = (x: { protection?: ContributionRecord['protection'] }) => !!ctx.filters.access(x);
  for (const c of b.contributions) {
    if (c.startDate === null || c.sessionId !== null || !visible(c)) continue;
    entries.push([c.startDate, `c${c.id}`, contributionEntry(c, b, ctx)]);
  }
  for (const s of b.sessions) {
    if (!visible(s)) continue;
    for (const sl of s.slots) {
      const inner: Record<string, Entry> = {};
      for (const c of b.contributions) {
        if (c.sessionId !== s.id || (c.slotId ?? s.slots[0]?.id) !== sl.id) continue;
        if (c.startDate === null || !visible(c)) continue;
        inner[`c${c.id}`] = contributionEntry(c, b, ctx, [s, sl]);
      }
      const id = `s${s.id}l${sl.id}`;
      entries.push([
        sl.startDate,
        id,
        {
          id,
          _type: 'LinkedTimeSchEntry',
          _fossil: 'linkedTimeSchEntryDisplay',
          entryType: 'Session',
          title: s.title,
          slotTitle: sl.title,
          description: s.description,
          startDate: new ExportDate(sl.startDate, ctx.tz),
          endDate: new ExportDate(sl.endDate, ctx.tz),
          sessionId: s.id,
          sessionSlotId: sl.id,
          sessionCode: s.code ?? null,
          conferenceId: b.event.id,
          uniqueId: `a${b.event.id}s${s.id}l${sl.id}`,
          location: sl.location ?? s.location,
          room: sl.room ?? s.room,
          color: s.color,
          textColor: s.textColor,
          isPoster: s.isPoster,
          conveners: fossilize(
            (sl.conveners ?? []).map((p) => new SessionChair(p)),
            IConferenceParticipationFossil,
            ctx,
          ),
          entries: inner,
        },
      ]);
    }
  }
  for (const br of b.breaks) {
    const id = `b${br.id}`;
    entries.push([
      br.startDate,
      id,
      {
        id,
        _type: 'BreakTimeSchEntry',
        _fossil: 'breakTimeSchEntry',
        entryType: 'Break',
        title: br.title,
        description: br.description,
        startDate: new ExportDate(br.startDate, ctx.tz),
        endDate: new ExportDate(br.endDate, ctx.tz),
        conferenceId: b.event.id,
        location: br.location,
        room: br.room,
        color: br.color ?? '#AAAAAA',
        textColor: br.textColor ?? '#202020',
      },
    ]);
  }
  entries.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
  const days: Record<string, Record<string, Entry>> = {};
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
