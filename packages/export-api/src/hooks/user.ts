import { canAccessEvent } from '../access.js';
import { ExportApiError } from '../errors.js';
import {
  Avatar,
  Conference,
  type ExportFossilContext,
  fossilize,
  IAvatarFossil,
  IBasicConferenceMetadataFossil,
} from '../fossils.js';
import { collect } from '../iterate.js';
import type { EventRecord, UserRecord } from '../model.js';
import type { HookContext, HookDefinition } from '../registry.js';
import { loadBundles } from './bundles.js';

const canSee = (requester: { id: string; isAdmin?: boolean }, target: string) =>
  requester.id === target || !!requester.isAdmin;

function personOf(u: UserRecord) {
  return {
    id: u.id,
    fullName: `${u.firstName} ${u.familyName}`.trim(),
    affiliation: u.affiliation,
    email: u.email,
  };
}

/** `/export/user/{user_id}`: the user's own record, or any record for admins (spec §9.7). */
export const userHook: HookDefinition = {
  name: 'user',
  pattern: '(user)/(?<userid>[0-9]+)',
  async handler(ctx) {
    if (!ctx.user) throw new ExportApiError('FORBIDDEN', 'You need to be logged in');
    const u = await ctx.catalog.getUser(ctx.groups.userid!);
    if (!u) throw new ExportApiError('NOT_FOUND', 'Requested user not found');
    if (!canSee(ctx.user, u.id)) throw new ExportApiError('FORBIDDEN', 'You do not have access to that info');
    return { results: [fossilize(new Avatar(personOf(u), u), IAvatarFossil, {})] };
  },
};

async function basicEvents(ctx: HookContext, events: EventRecord[], roles?: Map<string, string[]>) {
  const overlaps = (e: EventRecord) =>
    (ctx.common.to === null || e.startDate <= ctx.common.to) &&
    (ctx.common.from === null || e.endDate >= ctx.common.from);
  const { items, complete } = await collect(events, {
    common: ctx.common,
    filter: overlaps,
    canAccess: (e) => canAccessEvent(e, ctx.user),
    key: (e) => e.id,
    sortKeys: { id: (e) => e.id, start: (e) => e.startDate, end: (e) => e.endDate, title: (e) => e.title },
  });
  const bundles = await loadBundles(ctx.catalog, items, { contributions: false, sessions: false, breaks: false }, null);
  const fctx: ExportFossilContext = {
    tz: ctx.common.tz,
    canModify: false,
    occ: false,
    urls: ctx.urls,
    filters: { access: () => true },
  };
  const results = bundles.map((b) => {
    const out = fossilize(new Conference(b), IBasicConferenceMetadataFossil, fctx) as Record<string, unknown>;
    if (roles) out.roles = roles.get(b.event.id) ?? [];
    return out;
  });
  return { results, complete };
}

function targetUser(ctx: HookContext): string {
  const requested = ctx.params.get('uid', 'userid');
  const me = ctx.user!;
  if (requested !== undefined && !canSee(me, requested)) throw new ExportApiError('FORBIDDEN', 'Access denied');
  return requested ?? me.id;
}

/** `/export/user/linked_events` and `/export/user/categ_events` (spec §9.7); no guests. */
export const userEventsHook: HookDefinition = {
  name: 'user-events',
  pattern: 'user/(linked_events|categ_events)',
  guestAllowed: false,
  detailLevels: { basic_events: 1000 },
  defaultDetail: 'basic_events',
  async handler(ctx) {
    const userId = targetUser(ctx);
    if (ctx.type === 'linked_events') {
      const linked = await ctx.catalog.eventsLinkedToUser(userId);
      return basicEvents(
        ctx,
        linked.map((l) => l.event),
        new Map(linked.map((l) => [l.event.id, l.roles])),
      );
    }
    const u = await ctx.catalog.getUser(userId);
    const events: EventRecord[] = [];
    for (const cat of u?.favoriteCategoryIds ?? []) {
      for await (const e of ctx.catalog.eventsInCategory(cat, { from: ctx.common.from, to: ctx.common.to }))
        events.push(e);
    }
    return basicEvents(ctx, events);
  },
};
