import type {
  BreakRecord,
  Catalog,
  CategoryRecord,
  ContributionRecord,
  EventRecord,
  RegistrantRecord,
  ReservationRecord,
  RoomRecord,
  SessionRecord,
  UserRecord,
  VideoBookingRecord,
} from '@indico/export-api';
import { z } from 'zod';
import { type CatalogWriter, childId } from './catalog-writer.js';

/** The file format of `indico-server export` / `import`. */
export interface CatalogDump {
  format: 'indico-server-catalog';
  version: 1;
  categories: CategoryRecord[];
  events: EventRecord[];
  contributions: ContributionRecord[];
  sessions: SessionRecord[];
  breaks: BreakRecord[];
  users: UserRecord[];
  /** Part 2 (absent from older files: read as empty). */
  rooms: RoomRecord[];
  reservations: ReservationRecord[];
  registrants: RegistrantRecord[];
  videoBookings: VideoBookingRecord[];
}

const record = z.looseObject({ id: z.string().min(1) });
const dumpSchema = z.object({
  format: z.literal('indico-server-catalog'),
  version: z.literal(1),
  categories: z.array(record.extend({ parentId: z.string().nullable() })),
  events: z.array(record),
  contributions: z.array(record.extend({ eventId: z.string() })).default([]),
  sessions: z.array(record.extend({ eventId: z.string() })).default([]),
  breaks: z.array(record.extend({ eventId: z.string() })).default([]),
  users: z.array(record).default([]),
  rooms: z.array(z.looseObject({ id: z.number().int(), location: z.string() })).default([]),
  reservations: z.array(z.looseObject({ id: z.number().int(), location: z.string(), roomId: z.number() })).default([]),
  registrants: z.array(record.extend({ eventId: z.string() })).default([]),
  videoBookings: z.array(z.looseObject({ uniqueId: z.string().min(1), eventId: z.string() })).default([]),
});

/**
 * Everything reachable through the Catalog port: every event under the root category with its parts, the
 * categories on their paths, the users named in `userIds` or linked to an event, the registrants of those
 * events, every room and reservation of every location, and every video booking. The port cannot list
 * empty categories or unlinked users (follow-up for @indico/export-api: listCategories / listUsers).
 */
export async function exportCatalog(
  catalog: Catalog,
  options: { userIds?: Iterable<string> } = {},
): Promise<CatalogDump> {
  const events: EventRecord[] = [];
  for await (const e of catalog.eventsInCategory('0', { from: null, to: null })) events.push(e);
  const paths = await catalog.getCategoryPaths([...new Set(events.map((e) => e.categoryId))]);
  const categories = new Map<string, CategoryRecord>();
  const root = await catalog.getCategory('0');
  if (root) categories.set('0', root);
  for (const path of paths.values()) for (const c of path) categories.set(c.id, c);
  const userIds = new Set(options.userIds ?? []);
  for (const e of events) for (const l of e.links ?? []) userIds.add(l.userId);
  const users: UserRecord[] = [];
  for (const id of userIds) {
    const u = await catalog.getUser(id);
    if (u) users.push(u);
  }
  const contributions: ContributionRecord[] = [];
  const sessions: SessionRecord[] = [];
  const breaks: BreakRecord[] = [];
  for (const e of events) {
    contributions.push(...(await catalog.getContributions(e.id)));
    sessions.push(...(await catalog.getSessions(e.id)));
    breaks.push(...(await catalog.getBreaks(e.id)));
  }
  const registrants: RegistrantRecord[] = [];
  for (const e of events) registrants.push(...(await catalog.getRegistrants(e.id)));
  const rooms: RoomRecord[] = [];
  const reservations: ReservationRecord[] = [];
  for (const loc of await catalog.getLocations()) {
    rooms.push(...(await catalog.getRooms(loc)));
    reservations.push(...(await catalog.getReservations(loc)));
  }
  const videoBookings = (await catalog.getVideoBookings()).sort(
    (a, b) => a.startDate - b.startDate || (a.uniqueId < b.uniqueId ? -1 : 1),
  );
  const depth = (c: CategoryRecord): number => {
    let d = 0;
    for (let p = c.parentId; p !== null && d < 1000; p = categories.get(p)?.parentId ?? null) d++;
    return d;
  };
  return {
    format: 'indico-server-catalog',
    version: 1,
    categories: [...categories.values()].sort((a, b) => depth(a) - depth(b) || (a.id < b.id ? -1 : 1)),
    events,
    contributions,
    sessions,
    breaks,
    users: users.sort((a, b) => (a.id < b.id ? -1 : 1)),
    rooms,
    reservations,
    registrants,
    videoBookings,
  };
}

export class ImportError extends Error {
  override readonly name = 'ImportError';
}

export function parseDump(text: string): CatalogDump {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ImportError('not valid JSON');
  }
  const r = dumpSchema.safeParse(json);
  if (!r.success) {
    throw new ImportError(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('\n'));
  }
  return r.data as unknown as CatalogDump;
}

/**
 * Writes a dump through the CatalogWriter (so livesync sees every object as created or changed), parents
 * before children. Stops at the first record the catalog refuses, naming it.
 */
export async function importCatalog(writer: CatalogWriter, dump: CatalogDump): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const step = async <T extends { id: string | number } | { uniqueId: string }>(
    kind: string,
    items: T[],
    put: (x: T) => Promise<unknown>,
  ) => {
    for (const item of items) {
      try {
        await put(item);
      } catch (err) {
        const label = 'uniqueId' in item ? item.uniqueId : item.id;
        throw new ImportError(`${kind} ${label}: ${(err as Error).message}`);
      }
    }
    counts[kind] = items.length;
  };
  // Parents first, whatever order the file has.
  const byId = new Map(dump.categories.map((c) => [c.id, c]));
  const done = new Set<string>();
  const ordered: CategoryRecord[] = [];
  const visit = (c: CategoryRecord, seen: Set<string>) => {
    if (done.has(c.id) || seen.has(c.id)) return;
    seen.add(c.id);
    const parent = c.parentId === null ? undefined : byId.get(c.parentId);
    if (parent) visit(parent, seen);
    done.add(c.id);
    ordered.push(c);
  };
  for (const c of dump.categories) visit(c, new Set());
  await step('categories', ordered, (c) => writer.putCategory(c));
  await step('users', dump.users, (u) => writer.putUser(u));
  await step('events', dump.events, (e) => writer.putEvent(e));
  await step('sessions', dump.sessions, (s) => writer.putSession(s));
  await step('contributions', dump.contributions, (c) => writer.putContribution(c));
  await step('breaks', dump.breaks, (b) => writer.putBreak(b));
  await step('registrants', dump.registrants ?? [], (r) => writer.putRegistrant(r));
  await step('rooms', dump.rooms ?? [], (r) => writer.putRoom(r));
  await step('reservations', dump.reservations ?? [], (r) => writer.putReservation(r));
  await step('videoBookings', dump.videoBookings ?? [], (b) => writer.putVideoBooking(b));
  return counts;
}

/**
 * Every event and contribution as livesync object references, the input of the activation protocol's full
 * export (`indico-server objects | indico-server livesync agent export ID`).
 */
export async function* objectRefs(catalog: Catalog): AsyncGenerator<{ kind: 'event' | 'contribution'; id: string }> {
  for await (const e of catalog.eventsInCategory('0', { from: null, to: null })) {
    yield { kind: 'event', id: e.id };
    for (const c of await catalog.getContributions(e.id)) yield { kind: 'contribution', id: childId(e.id, c.id) };
  }
}
