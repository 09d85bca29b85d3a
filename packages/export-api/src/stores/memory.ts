import { ExportApiError } from '../errors.js';
import type {
  BreakRecord,
  CategoryRecord,
  ContributionRecord,
  EventRecord,
  SessionRecord,
  UserRecord,
} from '../model.js';
import type { CachedResult, Catalog, EventWindow, LinkedEvent, ResultCache } from '../store.js';
import { assertCategory, assertContribution, assertEvent, assertId } from '../validate.js';

const clone = <T>(v: T): T => structuredClone(v);
const byStartThenId = (a: EventRecord, b: EventRecord) =>
  a.startDate - b.startDate || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Reference Catalog over Maps: small and obviously correct; used by docs and unit tests. */
export function createMemoryCatalog(): Catalog {
  const categories = new Map<string, CategoryRecord>();
  const events = new Map<string, EventRecord>();
  const contributions = new Map<string, Map<string, ContributionRecord>>();
  const sessions = new Map<string, Map<string, SessionRecord>>();
  const breaks = new Map<string, Map<string, BreakRecord>>();
  const users = new Map<string, UserRecord>();

  const pathIds = (id: string): string[] => {
    const out: string[] = [];
    let cur = categories.get(id);
    while (cur) {
      out.unshift(cur.id);
      cur = cur.parentId === null ? undefined : categories.get(cur.parentId);
    }
    return out;
  };
  const inSubtree = (eventCategoryId: string, rootId: string) => pathIds(eventCategoryId).includes(rootId);
  const putIn = <T extends { id: string }>(m: Map<string, Map<string, T>>, owner: string, v: T) => {
    let inner = m.get(owner);
    if (!inner) {
      inner = new Map();
      m.set(owner, inner);
    }
    inner.set(v.id, clone(v));
  };
  const listOf = <T>(m: Map<string, Map<string, T>>, owner: string): T[] =>
    [...(m.get(owner)?.values() ?? [])].map(clone);

  return {
    async getCategory(id) {
      const c = categories.get(id);
      return c ? clone(c) : null;
    },
    async getCategoryPath(id) {
      return pathIds(id).map((cid) => clone(categories.get(cid)!));
    },
    async getCategoryPaths(ids) {
      const out = new Map<string, CategoryRecord[]>();
      for (const id of ids)
        if (categories.has(id))
          out.set(
            id,
            pathIds(id).map((cid) => clone(categories.get(cid)!)),
          );
      return out;
    },
    async getEvent(id) {
      const e = events.get(id);
      return e ? clone(e) : null;
    },
    async getEvents(ids) {
      return ids.map((id) => {
        const e = events.get(id);
        return e ? clone(e) : null;
      });
    },
    async *eventsInCategory(categoryId: string, window: EventWindow) {
      if (!categories.has(categoryId)) return;
      const matching = [...events.values()]
        .filter(
          (e) =>
            (window.to === null || e.startDate <= window.to) &&
            (window.from === null || e.endDate >= window.from) &&
            inSubtree(e.categoryId, categoryId),
        )
        .sort(byStartThenId);
      for (const e of matching) yield clone(e);
    },
    async hasEventsAfter(categoryId, t) {
      for (const e of events.values()) if (e.endDate > t && inSubtree(e.categoryId, categoryId)) return true;
      return false;
    },
    async getContributions(eventId) {
      return listOf(contributions, eventId);
    },
    async getSessions(eventId) {
      return listOf(sessions, eventId);
    },
    async getBreaks(eventId) {
      return listOf(breaks, eventId);
    },
    async getUser(id) {
      const u = users.get(id);
      return u ? clone(u) : null;
    },
    async searchEvents(words) {
      const lower = words.map((w) => w.toLowerCase());
      return [...events.values()]
        .filter((e) => lower.every((w) => e.title.toLowerCase().includes(w)))
        .sort(byStartThenId)
        .map(clone);
    },
    async eventsLinkedToUser(userId) {
      const out: LinkedEvent[] = [];
      for (const e of [...events.values()].sort(byStartThenId)) {
        const link = e.links?.find((l) => l.userId === userId);
        if (link) out.push({ event: clone(e), roles: [...link.roles] });
      }
      return out;
    },
    async putCategory(c) {
      assertCategory(c);
      if (c.parentId !== null && !categories.has(c.parentId)) {
        throw new ExportApiError('INVALID_ARGUMENT', `parent category ${c.parentId} does not exist`);
      }
      const old = categories.get(c.id);
      if (old && old.parentId !== c.parentId) {
        throw new ExportApiError('INVALID_ARGUMENT', `category ${c.id} cannot be moved`);
      }
      categories.set(c.id, clone(c));
    },
    async putEvent(e) {
      assertEvent(e);
      if (!categories.has(e.categoryId)) {
        throw new ExportApiError('INVALID_ARGUMENT', `category ${e.categoryId} does not exist`);
      }
      events.set(e.id, clone(e));
    },
    async deleteEvent(id) {
      events.delete(id);
      contributions.delete(id);
      sessions.delete(id);
      breaks.delete(id);
    },
    async putContribution(c) {
      assertContribution(c);
      putIn(contributions, c.eventId, c);
    },
    async putSession(s) {
      assertId(s.id, 'session');
      assertId(s.eventId, 'event');
      putIn(sessions, s.eventId, s);
    },
    async putBreak(b) {
      assertId(b.id, 'break');
      assertId(b.eventId, 'event');
      putIn(breaks, b.eventId, b);
    },
    async putUser(u) {
      assertId(u.id, 'user');
      users.set(u.id, clone(u));
    },
    async close() {},
  };
}

/** In-process result cache with TTL (injectable clock) and a bound on the number of entries (oldest evicted). */
export function createMemoryResultCache(options: { clock?: { now(): number }; maxEntries?: number } = {}): ResultCache {
  const clock = options.clock ?? Date;
  const max = options.maxEntries ?? 10_000;
  const entries = new Map<string, { value: CachedResult; expires: number }>();
  return {
    async get(key) {
      const hit = entries.get(key);
      if (!hit) return null;
      if (hit.expires <= clock.now()) {
        entries.delete(key);
        return null;
      }
      return hit.value;
    },
    async set(key, value, ttlMs) {
      if (!(ttlMs > 0)) return;
      entries.delete(key);
      entries.set(key, { value, expires: clock.now() + ttlMs });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    async close() {
      entries.clear();
    },
  };
}
