import { canAccessEvent, canModifyEvent } from '../access.js';
import { wallClock } from '../datetime.js';
import {
  Category,
  Conference,
  type ExportFossilContext,
  fossilize,
  ICategoryMetadataFossil,
  IConferenceMetadataFossil,
  IConferenceMetadataWithContribsFossil,
  IConferenceMetadataWithSessionsFossil,
  IConferenceMetadataWithSubContribsFossil,
} from '../fossils.js';
import { collect } from '../iterate.js';
import type { EventRecord, EventType } from '../model.js';
import type { HookContext, HookDefinition } from '../registry.js';
import { accessFilter, loadBundles, occurrencesOf } from './bundles.js';

/** Detail levels of categories and events with their MAX_RECORDS (spec §9.1). */
export const EVENT_DETAIL_LEVELS = { events: 1000, contributions: 500, subcontributions: 500, sessions: 100 } as const;

const FOSSIL_BY_DETAIL = {
  events: IConferenceMetadataFossil,
  contributions: IConferenceMetadataWithContribsFossil,
  subcontributions: IConferenceMetadataWithSubContribsFossil,
  sessions: IConferenceMetadataWithSessionsFossil,
} as const;

const TYPES: Readonly<Record<string, EventType>> = {
  simple_event: 'simple_event',
  lecture: 'simple_event',
  meeting: 'meeting',
  conference: 'conference',
};

/** Python `fnmatch` on lower-cased strings: `*`, `?`, `[abc]`, `[!abc]`, whole-string match. */
export function fnmatchToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else if (ch === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) re += '\\[';
      else {
        let body = pattern
          .slice(i + 1, j)
          .replace(/\\/g, '\\\\')
          .replace(/]/g, '\\]');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        else if (body.startsWith('^')) body = `\\${body}`;
        re += `[${body}]`;
        i = j;
      }
    } else re += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function dedupe(ids: string[]): string[] {
  return [...new Set(ids)];
}

async function* eventsOfCategories(ctx: HookContext, ids: string[]): AsyncGenerator<EventRecord> {
  for (const id of ids) {
    yield* ctx.catalog.eventsInCategory(id, { from: ctx.common.from, to: ctx.common.to });
  }
}

async function* eventsById(ctx: HookContext, ids: string[]): AsyncGenerator<EventRecord> {
  for (const e of await ctx.catalog.getEvents(ids)) if (e) yield e;
}

async function run(ctx: HookContext) {
  const { params, common, user } = ctx;
  const typeParam = params.get('T', 'type');
  let eventType: EventType | null = null;
  if (typeParam !== undefined) {
    // An unknown type matches no event, as an exact comparison in 1.2 would.
    eventType = TYPES[typeParam] ?? (`unknown:${typeParam}` as EventType);
  }
  const occ = params.flag('occ', 'occurrences');
  const location = params.get('l', 'location');
  const room = params.get('r', 'room');
  const locRe = location === undefined ? null : fnmatchToRegExp(location.toLowerCase());
  const roomRe = room === undefined ? null : fnmatchToRegExp(room.toLowerCase());
  const filter = (e: EventRecord) =>
    (eventType === null || e.type === eventType) &&
    (locRe === null || (!!e.location && locRe.test(e.location.toLowerCase()))) &&
    (roomRe === null || (!!e.room && roomRe.test(e.room.toLowerCase())));

  let ids = dedupe(ctx.groups.idlist!.split('-'));
  const isCateg = ctx.type === 'categ';
  if (isCateg && ids.includes('favorites')) {
    ids = ids.filter((id) => id !== 'favorites');
    if (user) {
      const u = await ctx.catalog.getUser(user.id);
      ids = dedupe([...ids, ...(u?.favoriteCategoryIds ?? [])]);
    }
  }
  const source = isCateg ? eventsOfCategories(ctx, ids) : eventsById(ctx, ids);
  const { items, complete } = await collect(source, {
    common,
    filter,
    canAccess: (e) => canAccessEvent(e, user),
    key: (e) => e.id,
    sortKeys: { id: (e) => e.id, start: (e) => e.startDate, end: (e) => e.endDate, title: (e) => e.title },
  });

  const detail = common.detail as keyof typeof FOSSIL_BY_DETAIL;
  const fossil = FOSSIL_BY_DETAIL[detail];
  const needsParts = detail !== 'events' || occ;
  const bundles = await loadBundles(
    ctx.catalog,
    items,
    { contributions: needsParts, sessions: needsParts, breaks: occ },
    user,
  );
  const results = bundles.map((b) => {
    const canModify = canModifyEvent(b.event, user);
    const fctx: ExportFossilContext = {
      tz: common.tz,
      canModify,
      occ,
      urls: ctx.urls,
      filters: { access: accessFilter(user, canModify) },
    };
    const occurrences = occ
      ? occurrencesOf(b, (ms) => wallClock(ms, b.event.timezone).date, common.from, common.to)
      : [];
    return fossilize(new Conference(b, occurrences), fossil, fctx);
  });

  let additionalInfo: Record<string, unknown> = {};
  if (isCateg) {
    const catIds = [...new Set(items.map((e) => e.categoryId))];
    // The bundles already carry each event's category path: no second catalog read.
    const paths = new Map(bundles.map((b) => [b.event.categoryId, b.categoryPath]));
    const fctx: ExportFossilContext = {
      tz: common.tz,
      canModify: false,
      occ: false,
      urls: ctx.urls,
      filters: { access: () => true },
    };
    const eventCategories = catIds.map((categoryId) => {
      const path = paths.get(categoryId) ?? [];
      const leaf = path.at(-1);
      const upwards = [...path].reverse();
      const v = leaf?.visibility ?? 999;
      const visibilityName = v === 0 ? 'Nowhere' : v > upwards.length ? 'Everywhere' : upwards[v - 1]!.name;
      return {
        _type: 'CategoryPath',
        categoryId,
        path: [
          ...path.map((c) => fossilize(new Category(c), ICategoryMetadataFossil, fctx)),
          { visibility: { name: visibilityName } },
        ],
      };
    });
    let moreFutureEvents = false;
    if (common.to !== null) {
      for (const id of ids) {
        if (await ctx.catalog.hasEventsAfter(id, common.to)) {
          moreFutureEvents = true;
          break;
        }
      }
    }
    additionalInfo = { eventCategories, moreFutureEvents };
  }
  return { results, complete, additionalInfo };
}

/** `/export/categ/{idlist}` and `/export/event/{idlist}` (spec §9.1). */
export const categoryEventHook: HookDefinition = {
  name: 'categ-event',
  pattern: '(categ|event)/(?<idlist>[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)',
  detailLevels: EVENT_DETAIL_LEVELS,
  defaultDetail: 'events',
  handler: run,
};
