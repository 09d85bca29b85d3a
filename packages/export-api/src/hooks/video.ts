import { canAccessEvent } from '../access.js';
import { ExportDate } from '../datetime.js';
import { badParameter } from '../errors.js';
import type { VideoServiceType } from '../model.js';
import type { HookDefinition } from '../registry.js';
import { shortDate } from './registration.js';

/** Service ids of the path and the `type` each is exported with (spec §9.9). */
export const VIDEO_SERVICES: Readonly<Record<VideoServiceType, string>> = Object.freeze({
  vidyo: 'Vidyo',
  evo: 'EVO',
  mcu: 'MCU',
  webcast: 'WebcastRequest',
  recording: 'RecordingRequest',
  webex: 'WebEx',
});

/**
 * `/export/video/{idlist}` (spec §9.9): bookings of the listed services (`all` for every one; unknown ids are
 * skipped), rejected ones excluded, access-filtered by event. `alarms=N` adds `alarm` (and a VALARM N minutes
 * before each booking in ics); `categ=ID` keeps the bookings of events in that category's subtree.
 */
export const videoHook: HookDefinition = {
  name: 'video',
  pattern: '(video)/(?<idlist>\\w+(?:-\\w+)*)',
  guestAllowed: false,
  detailLevels: { all: 1000 },
  defaultDetail: 'all',
  async handler(ctx) {
    const ids = ctx.groups.idlist!.split('-');
    const wanted = new Set<string>(ids.includes('all') ? Object.keys(VIDEO_SERVICES) : ids);
    const alarm = ctx.params.int(['alarms'], 0);
    if (alarm < 0) throw badParameter('alarms must be a positive number of minutes');
    const categ = ctx.params.get('categ');
    const { from, to, tz } = ctx.common;
    const bookings = (await ctx.catalog.getVideoBookings()).filter(
      (b) =>
        wanted.has(b.service) &&
        !b.rejected &&
        (to === null || b.startDate <= to) &&
        (from === null || b.endDate >= from),
    );
    const events = new Map(
      (await ctx.catalog.getEvents([...new Set(bookings.map((b) => b.eventId))])).flatMap((e) =>
        e ? [[e.id, e]] : [],
      ),
    );
    const categPaths =
      categ === undefined
        ? null
        : await ctx.catalog.getCategoryPaths([...new Set([...events.values()].map((e) => e.categoryId))]);
    const results = [];
    for (const b of bookings) {
      const e = events.get(b.eventId);
      if (!e || !canAccessEvent(e, ctx.user)) continue;
      if (categPaths && !(categPaths.get(e.categoryId) ?? []).some((c) => c.id === categ)) continue;
      const out: Record<string, unknown> = {
        _type: 'CSBooking',
        _fossil: 'collaborationMetadata',
        uniqueId: b.uniqueId,
        event_id: b.eventId,
        type: VIDEO_SERVICES[b.service],
        status: b.status,
        title: b.title || e.title,
        startDate: new ExportDate(b.startDate, tz),
        endDate: new ExportDate(b.endDate, tz),
        startDateAsString: shortDate(b.startDate, tz),
        location: b.location,
        room: b.room,
        url: ctx.urls.event(b.eventId),
        audience: b.audience,
      };
      if (alarm > 0) out.alarm = alarm;
      results.push(out);
    }
    const { offset, limit } = ctx.common;
    return {
      results: results.slice(offset, offset + limit),
      complete: results.length <= offset + limit || !ctx.common.explicitLimit,
    };
  },
};
