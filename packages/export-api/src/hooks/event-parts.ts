import { canAccessEvent, canModifyEvent } from '../access.js';
import { ExportApiError } from '../errors.js';
import {
  Contribution,
  type ExportFossilContext,
  fossilize,
  IContributionMetadataFossil,
  IContributionMetadataWithSubContribsFossil,
  ISessionMetadataWithContributionsFossil,
  ISessionMetadataWithSubContribsFossil,
  SessionSlot,
} from '../fossils.js';
import { collect } from '../iterate.js';
import type { HookContext, HookDefinition } from '../registry.js';
import { accessFilter, loadBundles } from './bundles.js';

const PART_DETAILS = { contributions: 500, subcontributions: 500 } as const;

async function loadEvent(ctx: HookContext) {
  const eventId = ctx.groups.event!.trim();
  const event = await ctx.catalog.getEvent(eventId);
  // 1.2 answered with its generic error page here; a JSON 404 is what a client can act on.
  if (!event) throw new ExportApiError('NOT_FOUND', 'Conference does not exist.');
  if (!canAccessEvent(event, ctx.user)) throw new ExportApiError('FORBIDDEN', 'Access to this resource is restricted.');
  const [bundle] = await loadBundles(
    ctx.catalog,
    [event],
    { contributions: true, sessions: true, breaks: false },
    ctx.user,
  );
  const canModify = canModifyEvent(event, ctx.user);
  const fctx: ExportFossilContext = {
    tz: ctx.common.tz,
    canModify,
    occ: false,
    urls: ctx.urls,
    filters: { access: accessFilter(ctx.user, canModify) },
  };
  return { bundle: bundle!, fctx };
}

/** `/export/event/{event}/session/{idlist}`: every slot of each requested session (spec §9.2). */
export const sessionHook: HookDefinition = {
  name: 'session',
  pattern: 'event/(?<event>[A-Za-z0-9_ \\t\\n\\r\\f\\v]+)/(session)/(?<idlist>[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)',
  detailLevels: PART_DETAILS,
  defaultDetail: 'contributions',
  async handler(ctx) {
    const { bundle, fctx } = await loadEvent(ctx);
    const ids = [...new Set(ctx.groups.idlist!.split('-'))];
    const slots = ids.flatMap((id) => {
      const s = bundle.sessions.find((x) => x.id === id);
      return s ? s.slots.map((sl) => new SessionSlot(s, sl, bundle)) : [];
    });
    const { items, complete } = await collect(slots, {
      common: ctx.common,
      canAccess: (x) => fctx.filters.access(x) as boolean,
      key: (x) => `${x.s.id}-${x.slot.id}`,
      sortKeys: {
        id: (x) => `${x.s.id}-${x.slot.id}`,
        start: (x) => x.slot.startDate,
        end: (x) => x.slot.endDate,
        title: (x) => x.s.title,
      },
    });
    const fossil =
      ctx.common.detail === 'subcontributions'
        ? ISessionMetadataWithSubContribsFossil
        : ISessionMetadataWithContributionsFossil;
    return { results: items.map((x) => fossilize(x, fossil, fctx)), complete };
  },
};

/** `/export/event/{event}/contribution/{idlist}` (spec §9.2); unknown ids are skipped. */
export const contributionHook: HookDefinition = {
  name: 'contribution',
  pattern: 'event/(?<event>[A-Za-z0-9_ \\t\\n\\r\\f\\v]+)/(contribution)/(?<idlist>[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)',
  detailLevels: PART_DETAILS,
  defaultDetail: 'contributions',
  async handler(ctx) {
    const { bundle, fctx } = await loadEvent(ctx);
    const ids = [...new Set(ctx.groups.idlist!.split('-'))];
    const found = ids.flatMap((id) => {
      const c = bundle.contributions.find((x) => x.id === id);
      return c ? [new Contribution(c, bundle)] : [];
    });
    const { items, complete } = await collect(found, {
      common: ctx.common,
      canAccess: (x) => fctx.filters.access(x) as boolean,
      key: (x) => x.c.id,
      sortKeys: { id: (x) => x.c.id, start: (x) => x.c.startDate, end: (x) => x.end(), title: (x) => x.c.title },
    });
    const fossil =
      ctx.common.detail === 'subcontributions'
        ? IContributionMetadataWithSubContribsFossil
        : IContributionMetadataFossil;
    return { results: items.map((x) => fossilize(x, fossil, fctx)), complete };
  },
};
