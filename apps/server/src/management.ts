import { randomUUID } from 'node:crypto';
import type {
  BreakRecord,
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
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { AdminAuthError, verifyAdminRequest } from './admin-auth.js';
import { NotFoundError, type WriteResult } from './catalog-writer.js';
import type { AccessLogLocals } from './logger.js';
import { isOutage, OUTAGE_RETRY_AFTER_S, redisDown } from './outage.js';
import type { Runtime } from './runtime.js';

const id = z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (at most 64)');
const time = z.union([z.number().int(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]);
const protection = z.object({
  isProtected: z.boolean(),
  allowedUserIds: z.array(id).optional(),
  allowedGroups: z.array(z.string()).optional(),
  managerIds: z.array(id).optional(),
});
const person = z.object({
  id,
  fullName: z.string().min(1),
  affiliation: z.string().default(''),
  email: z.string().default(''),
  firstName: z.string().optional(),
  familyName: z.string().optional(),
  title: z.string().optional(),
});

const category = z.strictObject({
  name: z.string().min(1).max(500),
  parentId: id.nullable(),
  visibility: z.number().int().min(0).max(999).optional(),
  protection: protection.optional(),
});

const eventBody = z.strictObject({
  title: z.string().min(1).max(1000),
  description: z.string().default(''),
  type: z.enum(['simple_event', 'meeting', 'conference']).default('meeting'),
  startDate: time,
  endDate: time,
  timezone: z.string().default('UTC'),
  categoryId: id,
  location: z.string().nullable().default(null),
  room: z.string().nullable().default(null),
  address: z.string().nullable().default(null),
  chairs: z.array(person).default([]),
  visibility: z.number().int().min(0).max(999).optional(),
  protection: protection.optional(),
  links: z.array(z.object({ userId: id, roles: z.array(z.string()) })).optional(),
});

const contribution = z.strictObject({
  title: z.string().min(1).max(1000),
  description: z.string().default(''),
  startDate: time.nullable().default(null),
  duration: z.number().int().min(0).max(100_000),
  location: z.string().nullable().default(null),
  room: z.string().nullable().default(null),
  speakers: z.array(person).default([]),
  track: z.string().nullable().default(null),
  sessionId: id.nullable().default(null),
  type: z.string().nullable().default(null),
  keywords: z.array(z.string()).optional(),
  protection: protection.optional(),
});

const slot = z.object({ id, title: z.string().default(''), startDate: time, endDate: time });
const session = z.strictObject({
  title: z.string().min(1).max(1000),
  description: z.string().default(''),
  code: z.string().optional(),
  color: z.string().default('#e3f2d3'),
  textColor: z.string().default('#202020'),
  isPoster: z.boolean().default(false),
  location: z.string().default(''),
  room: z.string().default(''),
  address: z.string().default(''),
  conveners: z.array(person).default([]),
  slots: z.array(slot).default([]),
  protection: protection.optional(),
});

const breakBody = z.strictObject({
  title: z.string().min(1),
  description: z.string().default(''),
  startDate: time,
  endDate: time,
  location: z.string().nullable().default(null),
  room: z.string().nullable().default(null),
});

const user = z.strictObject({
  firstName: z.string().min(1),
  familyName: z.string().min(1),
  title: z.string().default(''),
  email: z.string().default(''),
  affiliation: z.string().default(''),
  phone: z.string().default(''),
  fax: z.string().default(''),
  address: z.string().default(''),
  isAdmin: z.boolean().optional(),
  groups: z.array(z.string()).optional(),
  favoriteCategoryIds: z.array(id).optional(),
});

/** Room locations as the catalog accepts them (`[\w ]+`), room ids as non-negative integers. */
const location = z.string().regex(/^[\w ]{1,64}$/, 'letters, digits, _ and spaces (at most 64)');
const roomId = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const room = z.strictObject({
  name: z.string().min(1).max(500),
  building: z.union([z.number().int(), z.string().min(1)]),
  floor: z.string().default(''),
  roomNr: z.string().default(''),
  /** Default `<building>-<floor>-<roomNr> - <name>`, as Indico shows CERN rooms. */
  fullName: z.string().min(1).optional(),
  avc: z.boolean().default(false),
  equipment: z.array(z.string()).default([]),
  vcList: z.array(z.string()).default([]),
  latitude: z.string().default(''),
  longitude: z.string().default(''),
  blocked: z
    .array(
      z
        .object({ start: time, end: time, reason: z.string().optional() })
        .refine((b) => b.end > b.start, { message: 'end must be after start' }),
    )
    .optional(),
});

const text = z.string().default('');
const personalData = z.strictObject({
  title: text,
  firstName: text,
  surname: text,
  institution: text,
  position: text,
  address: text,
  city: text,
  country: text,
  phone: text,
  fax: text,
  email: text,
  personalHomepage: text,
});
const registrant = z.strictObject({
  fullName: z.string().min(1).max(500),
  /** Default: a new UUID (the secret printed on the ticket). */
  checkinSecret: z.string().min(1).max(200).optional(),
  registrationDate: time.optional(),
  paid: z.boolean().nullable().default(false),
  amountPaid: z.number().min(0).nullable().default(0),
  amountDue: z.number().min(0).optional(),
  checkedIn: z.boolean().default(false),
  checkinDate: time.nullable().default(null),
  personalData: personalData.default(() => personalData.parse({})),
  accommodation: z.record(z.string(), z.unknown()).nullable().optional(),
  reasonParticipation: z.string().optional(),
  socialEvents: z.array(z.unknown()).optional(),
  sessionList: z.array(z.unknown()).optional(),
  miscellaneousGroupList: z.array(z.unknown()).optional(),
});

const flag = z.boolean().default(false);
/** A room reservation (spec §9.8); `location` + `roomId` name a room that must exist. */
const reservation = z.strictObject({
  location,
  roomId: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  startDT: time,
  endDT: time,
  repeatability: z.enum(['daily', 'weekly', 'everyTwoWeeks', 'everyThreeWeeks', 'monthly']).nullable().default(null),
  bookedForName: z.string().min(1).max(500),
  bookedForUser: id.optional(),
  reason: z.string().max(5000).default(''),
  usesAVC: flag,
  needsAVCSupport: flag,
  needsStartupSupport: flag,
  /** `null` = pending (pre-booking). */
  isConfirmed: z.boolean().nullable().default(true),
  isCancelled: flag,
  isRejected: flag,
  vcList: z.array(z.string()).nullable().default([]),
});

/** A video-service booking of an event (spec §9.9); the event must exist. */
const videoBooking = z.strictObject({
  eventId: id,
  service: z.enum(['vidyo', 'evo', 'mcu', 'webcast', 'recording', 'webex']),
  title: z.string().max(1000).default(''),
  status: z.string().max(200).default('OK'),
  startDate: time,
  endDate: time,
  location: text,
  room: text,
  audience: text,
  rejected: z.boolean().optional(),
});

class BadRequest extends Error {
  constructor(
    message: string,
    readonly issues?: unknown,
  ) {
    super(message);
  }
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body);
  if (!r.success) {
    throw new BadRequest(
      'invalid body',
      r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return r.data;
}

/**
 * PUT = create or replace (the body alone, strictly validated); PATCH = the body's fields (strictly
 * validated) merged into the stored object, which keeps fields the API does not edit (material, ...).
 */
function merged<T extends z.ZodObject>(
  schema: T,
  req: Request,
  old: object | null | undefined,
  pathKeys: readonly string[] = ['id', 'eventId'],
): z.output<T> {
  if (req.method === 'PATCH') {
    if (!old) throw new NotFoundError('not found');
    const rest = Object.fromEntries(Object.entries(old).filter(([k]) => !pathKeys.includes(k)));
    const partial = parse(schema.partial(), req.body) as Record<string, unknown>;
    // Only the fields the client sent: zod fills defaults even inside partial().
    const sent = new Set(Object.keys((req.body ?? {}) as object));
    const changes = Object.fromEntries(Object.entries(partial).filter(([k]) => sent.has(k)));
    return parse(schema.loose(), { ...rest, ...changes }) as z.output<T>;
  }
  return parse(schema, req.body);
}

/**
 * JSON management API under `/manage`: create (PUT), update (PATCH) and delete (DELETE) categories, events,
 * contributions, sessions, breaks, users, rooms, registrants, reservations (plus POST: a collision-checked
 * booking) and video bookings. Every request needs an admin API key, a fresh signature and a signed
 * `bodysha256`; every write records its livesync change in the same transaction.
 */
export function managementRouter(rt: Runtime): Router {
  const router = express.Router();
  // Redis unreachable: answer at once, before reading the body or checking the key (which needs Redis).
  router.use((_req: Request, res: Response, next: NextFunction) => {
    if (!redisDown(rt.redis)) return next();
    res.setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_S));
    res.status(503).json({ ok: false, message: 'Service temporarily unavailable (database unreachable); retry later' });
  });
  router.use(
    express.json({
      limit: rt.config.BODY_LIMIT,
      verify: (req, _res, buf) => {
        (req as Request & { rawBody?: Buffer }).rawBody = buf;
      },
    }),
  );
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const q = req.originalUrl.indexOf('?');
      const admin = await verifyAdminRequest(
        {
          method: req.method,
          path: req.originalUrl.slice(0, q < 0 ? undefined : q),
          query: q < 0 ? '' : req.originalUrl.slice(q + 1),
          rawBody: (req as Request & { rawBody?: Buffer }).rawBody,
          ip: req.ip ?? null,
        },
        {
          keyStore: rt.keyStore,
          catalog: rt.catalog,
          replayStore: rt.replayStore,
          ttl: rt.config.SIGNATURE_TTL,
          clock: rt.clock,
        },
      );
      const locals = res.locals as AccessLogLocals;
      locals.userId = admin.userId;
      locals.keyId = admin.apiKey.slice(0, 8);
      next();
    } catch (err) {
      next(err);
    }
  });

  const reply = (res: Response, item: unknown, result: WriteResult) => {
    res
      .status(result.created ? 201 : 200)
      .json({ ok: true, created: result.created, livesyncChanges: result.changes, item });
  };
  const route =
    (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
      fn(req, res).catch(next);
    };
  const param = (req: Request, name: string) => parse(id, req.params[name]);
  /** The administrator making the request, as the creator of a new event. */
  const creator = async (userId: string) => {
    const u = await rt.catalog.getUser(userId);
    const fullName = u ? `${u.firstName} ${u.familyName}`.trim() : userId;
    return { id: userId, fullName, affiliation: u?.affiliation ?? '', email: u?.email ?? '' };
  };

  router.put(
    '/categories/:id',
    route(async (req, res) => {
      const c: CategoryRecord = { id: param(req, 'id'), ...parse(category, req.body) };
      reply(res, c, await rt.writer.putCategory(c));
    }),
  );
  router.patch(
    '/categories/:id',
    route(async (req, res) => {
      const old = await rt.catalog.getCategory(param(req, 'id'));
      const c: CategoryRecord = { id: param(req, 'id'), ...merged(category, req, old) };
      reply(res, c, await rt.writer.putCategory(c));
    }),
  );

  router.put(
    '/events/:id',
    route(async (req, res) => {
      const eid = param(req, 'id');
      const old = await rt.catalog.getEvent(eid);
      const now = rt.clock.now();
      const e: EventRecord = {
        id: eid,
        ...parse(eventBody, req.body),
        creator: old?.creator ?? (await creator(res.locals.userId as string)),
        creationDate: old?.creationDate ?? now,
        modificationDate: now,
      };
      reply(res, e, await rt.writer.putEvent(e));
    }),
  );
  router.patch(
    '/events/:id',
    route(async (req, res) => {
      const eid = param(req, 'id');
      const old = await rt.catalog.getEvent(eid);
      const {
        creator: _c,
        creationDate: _d,
        modificationDate: _m,
        material: _mat,
        ...editable
      } = old ?? ({} as EventRecord);
      const e: EventRecord = {
        id: eid,
        ...merged(eventBody, req, old ? editable : null),
        creator: old!.creator,
        creationDate: old!.creationDate,
        modificationDate: rt.clock.now(),
        ...(old?.material ? { material: old.material } : {}),
      };
      reply(res, e, await rt.writer.putEvent(e));
    }),
  );
  const gone = (res: Response, result: WriteResult) => {
    res.json({ ok: true, deleted: true, livesyncChanges: result.changes });
  };
  router.delete(
    '/events/:id',
    route(async (req, res) => gone(res, await rt.writer.deleteEvent(param(req, 'id')))),
  );
  router.delete(
    '/categories/:id',
    route(async (req, res) => gone(res, await rt.writer.deleteCategory(param(req, 'id')))),
  );
  router.delete(
    '/users/:id',
    route(async (req, res) => gone(res, await rt.writer.deleteUser(param(req, 'id')))),
  );
  router.delete(
    '/rooms/:location/:id',
    route(async (req, res) =>
      gone(res, await rt.writer.deleteRoom(parse(location, req.params.location), parse(roomId, req.params.id))),
    ),
  );
  const childDeletes = {
    contributions: 'deleteContribution',
    sessions: 'deleteSession',
    breaks: 'deleteBreak',
    registrants: 'deleteRegistrant',
  } as const;
  for (const [kind, method] of Object.entries(childDeletes)) {
    router.delete(
      `/events/:eventId/${kind}/:id`,
      route(async (req, res) => gone(res, await rt.writer[method](param(req, 'eventId'), param(req, 'id')))),
    );
  }

  // Reservations: POST books a single slot with the collision check (the catalog assigns the id); PUT / PATCH
  // store a reservation as given (the administrator's import / override path: no collision check).
  const resvId = (req: Request) => parse(roomId, req.params.id);
  const requireRoom = async (r: { location: string; roomId: number }) => {
    if ((await rt.catalog.getRooms(r.location, [r.roomId])).length === 0) {
      throw new NotFoundError(`room ${r.location} ${r.roomId} does not exist`);
    }
  };
  const withoutUndefined = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  router.post(
    '/reservations',
    route(async (req, res) => {
      const body = withoutUndefined(parse(reservation, req.body));
      if (body.repeatability !== null) {
        throw new BadRequest(
          'POST books single slots; store a repeating reservation with PUT /manage/reservations/:id',
        );
      }
      const outcome = await rt.writer.bookRoom(body);
      if (outcome.ok) {
        const item: ReservationRecord = { ...body, id: outcome.id };
        reply(res, item, { created: true, changes: 0 });
      } else if (outcome.reason === 'no-room') {
        throw new NotFoundError(`room ${body.location} ${body.roomId} does not exist`);
      } else {
        res.status(409).json({ ok: false, reason: outcome.reason, message: `the slot is taken (${outcome.reason})` });
      }
    }),
  );
  router.put(
    '/reservations/:id',
    route(async (req, res) => {
      const r: ReservationRecord = { id: resvId(req), ...withoutUndefined(parse(reservation, req.body)) };
      await requireRoom(r);
      reply(res, r, await rt.writer.putReservation(r));
    }),
  );
  router.patch(
    '/reservations/:id',
    route(async (req, res) => {
      const old = await rt.catalog.getReservation(resvId(req));
      const r: ReservationRecord = { id: resvId(req), ...withoutUndefined(merged(reservation, req, old, ['id'])) };
      await requireRoom(r);
      reply(res, r, await rt.writer.putReservation(r));
    }),
  );
  router.delete(
    '/reservations/:id',
    route(async (req, res) => gone(res, await rt.writer.deleteReservation(resvId(req)))),
  );

  const videoOf = async (req: Request, body: z.output<typeof videoBooking>): Promise<VideoBookingRecord> => {
    if (body.endDate < body.startDate) throw new BadRequest('endDate must not be before startDate');
    if (!(await rt.catalog.getEvent(body.eventId))) throw new NotFoundError(`event ${body.eventId} does not exist`);
    return { uniqueId: param(req, 'id'), ...withoutUndefined(body) };
  };
  router.put(
    '/video-bookings/:id',
    route(async (req, res) => {
      const b = await videoOf(req, parse(videoBooking, req.body));
      reply(res, b, await rt.writer.putVideoBooking(b));
    }),
  );
  router.patch(
    '/video-bookings/:id',
    route(async (req, res) => {
      const old = await rt.catalog.getVideoBooking(param(req, 'id'));
      const b = await videoOf(req, merged(videoBooking, req, old, ['uniqueId']));
      reply(res, b, await rt.writer.putVideoBooking(b));
    }),
  );
  router.delete(
    '/video-bookings/:id',
    route(async (req, res) => gone(res, await rt.writer.deleteVideoBooking(param(req, 'id')))),
  );

  router.put(
    '/events/:eventId/contributions/:id',
    route(async (req, res) => {
      const c: ContributionRecord = {
        id: param(req, 'id'),
        eventId: param(req, 'eventId'),
        ...parse(contribution, req.body),
      };
      reply(res, c, await rt.writer.putContribution(c));
    }),
  );
  router.patch(
    '/events/:eventId/contributions/:id',
    route(async (req, res) => {
      const eventId = param(req, 'eventId');
      const old = (await rt.catalog.getContributions(eventId)).find((c) => c.id === req.params.id);
      const c: ContributionRecord = { id: param(req, 'id'), eventId, ...merged(contribution, req, old) };
      reply(res, c, await rt.writer.putContribution(c));
    }),
  );

  router.put(
    '/events/:eventId/sessions/:id',
    route(async (req, res) => {
      const s: SessionRecord = { id: param(req, 'id'), eventId: param(req, 'eventId'), ...parse(session, req.body) };
      reply(res, s, await rt.writer.putSession(s));
    }),
  );
  router.patch(
    '/events/:eventId/sessions/:id',
    route(async (req, res) => {
      const eventId = param(req, 'eventId');
      const old = (await rt.catalog.getSessions(eventId)).find((s) => s.id === req.params.id);
      const s: SessionRecord = { id: param(req, 'id'), eventId, ...merged(session, req, old) };
      reply(res, s, await rt.writer.putSession(s));
    }),
  );

  router.put(
    '/events/:eventId/breaks/:id',
    route(async (req, res) => {
      const b: BreakRecord = { id: param(req, 'id'), eventId: param(req, 'eventId'), ...parse(breakBody, req.body) };
      reply(res, b, await rt.writer.putBreak(b));
    }),
  );

  router.put(
    '/users/:id',
    route(async (req, res) => {
      const u: UserRecord = { id: param(req, 'id'), ...parse(user, req.body) };
      reply(res, u, await rt.writer.putUser(u));
    }),
  );
  router.patch(
    '/users/:id',
    route(async (req, res) => {
      const old = await rt.catalog.getUser(param(req, 'id'));
      const u: UserRecord = { id: param(req, 'id'), ...merged(user, req, old) };
      reply(res, u, await rt.writer.putUser(u));
    }),
  );

  const roomOf = (req: Request, body: z.output<typeof room>): RoomRecord => {
    const loc = parse(location, req.params.location);
    const rid = parse(roomId, req.params.id);
    const { fullName, blocked, ...rest } = body;
    return {
      id: rid,
      location: loc,
      ...rest,
      fullName: fullName ?? `${rest.building}-${rest.floor}-${rest.roomNr} - ${rest.name}`,
      ...(blocked ? { blocked } : {}),
    };
  };
  router.put(
    '/rooms/:location/:id',
    route(async (req, res) => {
      const r = roomOf(req, parse(room, req.body));
      reply(res, r, await rt.writer.putRoom(r));
    }),
  );
  router.patch(
    '/rooms/:location/:id',
    route(async (req, res) => {
      const [old] = await rt.catalog.getRooms(parse(location, req.params.location), [parse(roomId, req.params.id)]);
      const { location: _l, ...stored } = old ?? ({} as RoomRecord);
      const r = roomOf(req, merged(room, req, old ? stored : null));
      reply(res, r, await rt.writer.putRoom(r));
    }),
  );

  const registrantOf = (req: Request, body: z.output<typeof registrant>): RegistrantRecord => {
    const { checkinSecret, registrationDate, ...rest } = body;
    const out: RegistrantRecord = {
      id: param(req, 'id'),
      eventId: param(req, 'eventId'),
      ...rest,
      checkinSecret: checkinSecret ?? randomUUID(),
      registrationDate: registrationDate ?? rt.clock.now(),
    };
    for (const k of Object.keys(out) as Array<keyof RegistrantRecord>) if (out[k] === undefined) delete out[k];
    return out;
  };
  router.put(
    '/events/:eventId/registrants/:id',
    route(async (req, res) => {
      const eventId = param(req, 'eventId');
      const old = await rt.catalog.getRegistrant(eventId, param(req, 'id'));
      const body = parse(registrant, req.body);
      // A replaced registrant keeps its ticket secret unless the body gives one.
      const r = registrantOf(req, { ...body, checkinSecret: body.checkinSecret ?? old?.checkinSecret });
      reply(res, r, await rt.writer.putRegistrant(r));
    }),
  );
  router.patch(
    '/events/:eventId/registrants/:id',
    route(async (req, res) => {
      const old = await rt.catalog.getRegistrant(param(req, 'eventId'), param(req, 'id'));
      const r = registrantOf(req, merged(registrant, req, old));
      reply(res, r, await rt.writer.putRegistrant(r));
    }),
  );

  router.use((_req: Request, res: Response) => {
    res.status(404).json({ ok: false, message: 'no such management resource' });
  });

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (isOutage(err, rt.redis)) {
      req.log?.warn({ err: (err as Error).message }, 'management request: redis unreachable');
      res.setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_S));
      res
        .status(503)
        .json({ ok: false, message: 'Service temporarily unavailable (database unreachable); retry later' });
    } else if (err instanceof AdminAuthError) {
      res.status(err.status).json({ ok: false, message: err.message });
    } else if (err instanceof BadRequest) {
      res.status(400).json({ ok: false, message: err.message, issues: err.issues });
    } else if (err instanceof NotFoundError) {
      res.status(404).json({ ok: false, message: err.message });
    } else if ((err as { type?: string }).type === 'entity.parse.failed') {
      res.status(400).json({ ok: false, message: 'body is not valid JSON' });
    } else if ((err as { type?: string }).type === 'entity.too.large') {
      res.status(413).json({ ok: false, message: 'body too large' });
    } else if ((err as { code?: string }).code === 'INVALID_ARGUMENT') {
      // 409: a delete refused while something still depends on the object (subcategories, events, ...).
      const status = (err as { status?: number }).status === 409 ? 409 : 400;
      res.status(status).json({ ok: false, message: (err as Error).message });
    } else if (String((err as Error)?.message).startsWith('NOTEMPTY ')) {
      // The same refusal from the delete script inside EXEC (a concurrent write came between check and commit).
      res.status(409).json({ ok: false, message: (err as Error).message.slice('NOTEMPTY '.length) });
    } else if (clientErrorStatus(err) !== undefined) {
      // express and body-parser mark the client's mistakes (a bad percent-escape in a path id: 400, an
      // unsupported charset: 415) with a 4xx `status`; those are the client's to fix, never a 500.
      res.status(clientErrorStatus(err)!).json({ ok: false, message: (err as Error).message });
    } else {
      req.log?.error({ err }, 'management request failed');
      res.status(500).json({ ok: false, message: 'Internal error' });
    }
  });
  return router;
}

/** The 4xx status express or body-parser put on an error, if any. */
function clientErrorStatus(err: unknown): number | undefined {
  const status =
    (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
