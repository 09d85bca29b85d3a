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
import { shareJsonValue } from '../serializers/json.js';
import type { CategoryWindowListing } from '../store.js';
import type { ExportUrls } from '../urls.js';
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

type GlobToken =
  | { kind: 'star' }
  | { kind: 'any' }
  | { kind: 'char'; ch: string }
  | { kind: 'set'; negate: boolean; body: string };

function inSet(body: string, ch: string): boolean {
  for (let i = 0; i < body.length; i++) {
    if (body[i + 1] === '-' && i + 2 < body.length) {
      if (ch >= body[i]! && ch <= body[i + 2]!) return true;
      i += 2;
    } else if (body[i] === ch) return true;
  }
  return false;
}

/**
 * Python `fnmatch` semantics (`*`, `?`, `[abc]`, `[a-z]`, `[!abc]`, whole-string match) with a linear-time
 * matcher: no regular expression, so no catastrophic backtracking on hostile patterns.
 */
export function compileFnmatch(pattern: string): { test(s: string): boolean } {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (ch === '?') tokens.push({ kind: 'any' });
    else if (ch === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) tokens.push({ kind: 'char', ch: '[' });
      else {
        const raw = pattern.slice(i + 1, j);
        const negate = raw.startsWith('!');
        tokens.push({ kind: 'set', negate, body: negate ? raw.slice(1) : raw });
        i = j;
      }
    } else tokens.push({ kind: 'char', ch });
  }
  const one = (t: GlobToken, c: string) =>
    t.kind === 'any' || (t.kind === 'char' && t.ch === c) || (t.kind === 'set' && inSet(t.body, c) !== t.negate);
  return {
    test(s: string): boolean {
      let p = 0;
      let i = 0;
      let starP = -1;
      let starI = 0;
      while (i < s.length) {
        const t = tokens[p];
        if (t && t.kind !== 'star' && one(t, s[i]!)) {
          p++;
          i++;
        } else if (t?.kind === 'star') {
          starP = p++;
          starI = i;
        } else if (starP >= 0) {
          p = starP + 1;
          i = ++starI;
        } else return false;
      }
      while (tokens[p]?.kind === 'star') p++;
      return p === tokens.length;
    },
  };
}

// Fossils of unchanged events, reused across requests (also `nocache=yes` ones). A catalog that hands out
// frozen records promises that a record never changes: an edited event arrives as a new object, so keying by
// the record's identity can never serve stale data. Only the `events` detail without occurrences and without
// manager rights is cached: its fossil depends on nothing but the record, the category path names, the time
// zone, the link builder and the requester's access (material filtering).
const eventFossils = new WeakMap<EventRecord, Map<string, unknown>>();
const urlsIds = new WeakMap<ExportUrls, number>();
let nextUrlsId = 0;
const MAX_VARIANTS = 16;

function urlsId(urls: ExportUrls): number {
  let id = urlsIds.get(urls);
  if (id === undefined) {
    id = nextUrlsId++;
    urlsIds.set(urls, id);
  }
  return id;
}

function dedupe(ids: string[]): string[] {
  return [...new Set(ids)];
}

async function* eventsOfCategories(ctx: HookContext, ids: string[]): AsyncGenerator<EventRecord> {
  for (const id of ids) {
    yield* ctx.catalog.eventsInCategory(id, { from: ctx.common.from, to: ctx.common.to });
  }
}

/**
 * The events of a one-round-trip listing (`Catalog.listCategoryWindow`); a category whose page was full goes
 * on with `eventsInCategory` after its last listed event (order: start, then id).
 */
function eventsOfListing(
  ctx: HookContext,
  ids: string[],
  listing: CategoryWindowListing,
): AsyncIterable<EventRecord> | EventRecord[] {
  if (!listing.truncated.some(Boolean)) return listing.events.flat();
  return (async function* () {
    for (const [i, id] of ids.entries()) {
      const page = listing.events[i] ?? [];
      yield* page;
      if (!listing.truncated[i]) continue;
      const last = page.at(-1);
      for await (const e of ctx.catalog.eventsInCategory(id, { from: ctx.common.from, to: ctx.common.to })) {
        if (last && (e.startDate < last.startDate || (e.startDate === last.startDate && e.id <= last.id))) continue;
        yield e;
      }
    }
  })();
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
    eventType = Object.hasOwn(TYPES, typeParam) ? TYPES[typeParam]! : (`unknown:${typeParam}` as EventType);
  }
  const occ = params.flag('occ', 'occurrences');
  const location = params.get('l', 'location');
  const room = params.get('r', 'room');
  const locRe = location === undefined ? null : compileFnmatch(location.toLowerCase());
  const roomRe = room === undefined ? null : compileFnmatch(room.toLowerCase());
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
  // one round trip for the events, their category paths and moreFutureEvents when the store offers it
  const listing =
    isCateg && ids.length > 0 && ctx.catalog.listCategoryWindow
      ? await ctx.catalog.listCategoryWindow(
          ids,
          { from: common.from, to: common.to },
          Math.min(common.offset + common.limit + 1, 1024),
        )
      : null;
  const source = listing
    ? eventsOfListing(ctx, ids, listing)
    : isCateg
      ? eventsOfCategories(ctx, ids)
      : eventsById(ctx, ids);
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
    listing?.paths,
  );
  const scope = user === null ? 'public' : JSON.stringify([user.id, !!user.isAdmin, ...(user.groups ?? [])]);
  const variantOfPath = new Map<readonly unknown[], string>();
  const variantBase = `${common.tz}\u0001${urlsId(ctx.urls)}\u0001${scope}`;
  const results = bundles.map((b) => {
    const canModify = canModifyEvent(b.event, user);
    const cacheable = detail === 'events' && !occ && !canModify && Object.isFrozen(b.event);
    let variants: Map<string, unknown> | undefined;
    let variant = '';
    if (cacheable) {
      const known = variantOfPath.get(b.categoryPath);
      if (known === undefined) {
        variant = `${variantBase}\u0001${b.categoryPath.map((c) => `${c.id}\u0002${c.name}`).join('\u0003')}`;
        variantOfPath.set(b.categoryPath, variant);
      } else variant = known;
      variants = eventFossils.get(b.event);
      const hit = variants?.get(variant);
      if (hit !== undefined) return hit;
    }
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
    const out = fossilize(new Conference(b, occurrences), fossil, fctx);
    if (cacheable && out !== null && typeof out === 'object') {
      if (!variants) {
        variants = new Map();
        eventFossils.set(b.event, variants);
      } else if (variants.size >= MAX_VARIANTS) variants.clear();
      variants.set(variant, shareJsonValue(out));
    }
    return out;
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
      const visibilityName = v <= 0 ? 'Nowhere' : v > upwards.length ? 'Everywhere' : upwards[v - 1]!.name;
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
    if (listing) moreFutureEvents = listing.moreAfter;
    else if (common.to !== null) {
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
