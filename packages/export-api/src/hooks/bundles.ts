import { canAccess, canModifyEvent, type Requester } from '../access.js';
import { type EventBundle, Period } from '../fossils.js';
import type { CategoryRecord, EventRecord, Protection } from '../model.js';
import type { Catalog } from '../store.js';

/** Which related records a detail level needs. */
export interface BundleNeeds {
  contributions: boolean;
  sessions: boolean;
  breaks: boolean;
}

/** Loads the bundles of several events with one path lookup for all their categories. */
export async function loadBundles(
  catalog: Catalog,
  events: readonly EventRecord[],
  needs: BundleNeeds,
  user: Requester | null,
  /** Paths already read (e.g. with a listing); the catalog is asked only when some are missing. */
  knownPaths?: ReadonlyMap<string, CategoryRecord[]>,
): Promise<EventBundle[]> {
  const categoryIds = [...new Set(events.map((e) => e.categoryId))];
  const paths =
    knownPaths && categoryIds.every((id) => knownPaths.has(id))
      ? knownPaths
      : await catalog.getCategoryPaths(categoryIds);
  if (!needs.contributions && !needs.sessions && !needs.breaks && !events.some((e) => canModifyEvent(e, user))) {
    // nothing more to read (the usual `detail=events` listing): no promise per event
    const none = new Map<string, string>();
    return events.map((event) => ({
      event,
      categoryPath: paths.get(event.categoryId) ?? [],
      contributions: [],
      sessions: [],
      breaks: [],
      emails: none,
    }));
  }
  return Promise.all(
    events.map(async (event) => {
      const [contributions, sessions, breaks] = await Promise.all([
        needs.contributions ? catalog.getContributions(event.id) : [],
        needs.sessions ? catalog.getSessions(event.id) : [],
        needs.breaks ? catalog.getBreaks(event.id) : [],
      ]);
      const emails = new Map<string, string>();
      if (canModifyEvent(event, user)) {
        const protections: Array<Protection | undefined> = [
          event.protection,
          ...contributions.map((c) => c.protection),
          ...sessions.map((s) => s.protection),
        ];
        const ids = new Set(protections.flatMap((p) => p?.allowedUserIds ?? []));
        for (const id of ids) {
          const u = await catalog.getUser(id);
          if (u) emails.set(id, u.email);
        }
      }
      return { event, categoryPath: paths.get(event.categoryId) ?? [], contributions, sessions, breaks, emails };
    }),
  );
}

/** The requester's access predicate for nested lists (`filterBy: 'access'`). */
export function accessFilter(user: Requester | null, canModify: boolean) {
  return (el: { protection?: Protection }) => canAccess(el.protection, user, canModify);
}

/** Top-level timetable entries of an event as [start, end] pairs: loose contributions, slots and breaks. */
export function topLevelEntries(b: EventBundle): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const c of b.contributions) {
    if (c.startDate !== null && c.sessionId === null) out.push([c.startDate, c.startDate + c.duration * 60_000]);
  }
  for (const s of b.sessions) for (const sl of s.slots) out.push([sl.startDate, sl.endDate]);
  for (const br of b.breaks) out.push([br.startDate, br.endDate]);
  return out;
}

const LOW = Date.UTC(2000, 0, 1);
const HIGH = Date.UTC(2099, 11, 31, 23, 59);

/**
 * `occ=yes` (spec §9.1): one period per event day (in the event's zone) that has timetable entries, from the
 * first entry's start to the last entry's end; empty periods skipped; kept only inside [from, to].
 */
export function occurrencesOf(b: EventBundle, dayKey: (ms: number) => string, from: number | null, to: number | null) {
  const days = new Map<string, [number, number]>();
  for (const [s, e] of topLevelEntries(b)) {
    const k = dayKey(s);
    const cur = days.get(k);
    if (!cur) days.set(k, [s, e]);
    else days.set(k, [Math.min(cur[0], s), Math.max(cur[1], e)]);
  }
  const lo = from ?? LOW;
  const hi = to ?? HIGH;
  return [...days.entries()]
    .sort(([a], [b2]) => (a < b2 ? -1 : 1))
    .map(([, p]) => p)
    .filter(([s, e]) => s !== e && s >= lo && e <= hi)
    .map(([s, e]) => new Period(s, e));
}

export type CategoryPathMap = Map<string, CategoryRecord[]>;
