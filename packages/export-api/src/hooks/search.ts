import { canAccessEvent } from '../access.js';
import { ExportDate } from '../datetime.js';
import type { EventRecord } from '../model.js';
import type { HookDefinition } from '../registry.js';

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `/export/event/search/{term}` (spec §9.4): every space-separated word must occur in the title
 * (case-insensitive). `offset`/`limit` slice before `order` applies, as in 1.2. Results are plain objects.
 * Unlike 1.2, events the requester cannot access are left out.
 */
export const eventSearchHook: HookDefinition = {
  name: 'event-search',
  pattern: 'event/(search)/(?<term>[^/]+)',
  async handler(ctx) {
    const words = ctx.groups.term!.split(' ').filter((w) => w !== '');
    if (words.length === 0) return { results: [] };
    const found = (await ctx.catalog.searchEvents(words)).filter((e) => canAccessEvent(e, ctx.user));
    const { offset, limit, orderBy, descending } = ctx.common;
    let page: EventRecord[] = found.slice(offset, offset + limit);
    if (orderBy) {
      const key = {
        id: (e: EventRecord) => e.id,
        start: (e: EventRecord) => e.startDate,
        end: (e: EventRecord) => e.endDate,
        title: (e: EventRecord) => e.title,
      }[orderBy];
      page = [...page].sort((a, b) => cmp(key(a), key(b)));
    }
    if (descending) page.reverse();
    return {
      results: page.map((e) => ({
        startDate: new ExportDate(e.startDate, ctx.common.tz),
        hasAnyProtection: !!e.protection?.isProtected,
        id: e.id,
        title: e.title,
      })),
    };
  },
};
