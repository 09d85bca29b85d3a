import { canAccess, canAccessEvent, canModifyEvent } from '../access.js';
import { ExportApiError } from '../errors.js';
import type { MaterialRecord } from '../model.js';
import type { HookDefinition } from '../registry.js';

const notFound = () => new ExportApiError('NOT_FOUND', 'File not found');

/** A material by id, or by its default name (`slides`, `minutes`, ...) matched against title and type. */
function findMaterial(list: readonly MaterialRecord[] | undefined, key: string): MaterialRecord | undefined {
  const lower = key.toLowerCase();
  return (
    list?.find((m) => m.id === key) ??
    list?.find((m) => m.title.toLowerCase() === lower || m.type?.toLowerCase() === lower)
  );
}

/**
 * `/export/event/{e}[/session/{s}][/contrib/{c}][/subcontrib/{sc}]/material/{m}/{res}.bin` (spec §9.6): streams
 * the stored file with its content type and length. Guests allowed; access is the resource's own (event,
 * material and resource protection). Errors: 404 `File not found`, 404 `Resource is not a file`.
 */
export const fileHook: HookDefinition = {
  name: 'file',
  pattern:
    '(event)/(?<event>[\\w\\s]+)(?:/session/(?<session>[\\w\\s]+))?(?:/contrib/(?<contrib>[\\w\\s]+))?(?:/subcontrib/(?<subcontrib>[\\w\\s]+))?/material/(?<material>[^/]+)/(?<res>[\\w\\s]+)',
  formats: ['bin'],
  noCache: true,
  async handler(ctx) {
    const g = ctx.groups;
    const event = await ctx.catalog.getEvent(g.event!);
    if (!event) throw notFound();
    let materials = event.material;
    let ownerProtection = event.protection;
    if (g.subcontrib) throw notFound(); // subcontributions carry no material in this catalog
    if (g.contrib) {
      const c = (await ctx.catalog.getContributions(event.id)).find((x) => x.id === g.contrib);
      if (!c || (g.session && c.sessionId !== g.session)) throw notFound();
      materials = c.material;
      ownerProtection = c.protection;
    } else if (g.session) {
      const s = (await ctx.catalog.getSessions(event.id)).find((x) => x.id === g.session);
      if (!s) throw notFound();
      materials = s.material;
      ownerProtection = s.protection;
    }
    const material = findMaterial(materials, g.material!);
    const resource = material?.resources.find((r) => r.id === g.res);
    if (!material || !resource) throw notFound();
    const manager = canModifyEvent(event, ctx.user);
    const allowed =
      canAccessEvent(event, ctx.user) &&
      canAccess(ownerProtection, ctx.user, manager) &&
      canAccess(material.protection, ctx.user, manager) &&
      canAccess(resource.protection, ctx.user, manager);
    if (!allowed) throw new ExportApiError('FORBIDDEN', 'Access to this resource is restricted.');
    if (resource.kind !== 'file') throw new ExportApiError('NOT_FOUND', 'Resource is not a file');
    const key = resource.storageKey ?? `${event.id}/${resource.fileName ?? resource.id}`;
    const stored = ctx.files ? await ctx.files.open(key) : null;
    if (!stored) throw notFound();
    return {
      results: null,
      file: {
        ...stored,
        contentType: resource.contentType ?? 'application/octet-stream',
        fileName: resource.fileName,
      },
    };
  },
};
