import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { ExportDate } from '../datetime.js';
import { ExportApiError } from '../errors.js';
import type {
  BreakRecord,
  CategoryRecord,
  ContributionRecord,
  EventRecord,
  RegistrantRecord,
  RegistrantState,
  ReservationRecord,
  RoomRecord,
  SessionRecord,
  UserRecord,
  VideoBookingRecord,
} from '../model.js';
import { isActive, occurrencesOf } from '../rooms/occurrences.js';
import type { CachedResult, Catalog, CatalogWrites, EventWindow, LinkedEvent, ResultCache } from '../store.js';
import {
  assertBooking,
  assertCategory,
  assertContribution,
  assertEvent,
  assertId,
  assertRegistrant,
  assertReservation,
  assertRoom,
} from '../validate.js';
import { notEmpty } from './memory.js';
import { cacheKey, catalogKeys } from './redis/keys.js';
import {
  BOOK_ROOM,
  CATEGORY_PATHS,
  DELETE_CATEGORY,
  DELETE_ROOM,
  DELETE_SESSION,
  LIST_WINDOW,
  PUT_CHILD,
  PUT_EVENT,
  RAISE,
  RAISE_COUNTER,
  RANGE_EVENTS,
} from './redis/scripts.js';

export interface RedisStoreOptions {
  /** An existing ioredis client; never closed by the store. */
  client: Redis;
  /** Prepended to every key (e.g. `indico:`); keys then carry the `{export}` hash tag. */
  prefix?: string;
  /** Events fetched per round trip while iterating a category (default 256). */
  pageSize?: number;
  /**
   * Decoded events kept in process for category listings (entries, default 5000; 0 disables): keyed by the
   * stored JSON itself, so an edited event is decoded afresh and every process sees writes at once.
   */
  listedEventCache?: number;
  /**
   * Let category listings skip the event bodies this process already holds: Redis tracks the event keys for
   * the catalog (CLIENT TRACKING, broadcast mode, on two connections of its own made with `client.duplicate()`)
   * and every write of an event, from any process, invalidates what this process holds; while those
   * connections are down, listings read every body. A write becomes visible once its invalidation message has
   * arrived (normally well under a millisecond after the write). Needs Redis 6 or later, not Cluster. Default off.
   */
  trackListings?: boolean;
  /**
   * The same Redis tracking for user records: `getUser` answers from this process while the users hash is
   * unchanged (the export API reads the requester's record on every signed request). Default off.
   */
  trackUsers?: boolean;
}

/**
 * Redis-assisted client-side caching (see `trackListings`, `trackUsers`): `epochOf(i)` changes whenever a key
 * under tracked prefix i may have changed or the tracking was interrupted; `usable()` says whether invalidations
 * are being heard.
 */
function listingTracker(client: Redis, prefixes: readonly string[]) {
  const channel = '__redis__:invalidate';
  // one epoch per tracked prefix; a change of tracking state bumps them all
  const epochs = prefixes.map(() => 0);
  let usable = false;
  let closed = false;
  let subId: string | null = null;
  // RESP2: Redis hands redirected invalidations to a RESP2 subscriber as plain `message`s (ioredis emits those)
  const sub = client.duplicate({ autoResubscribe: false, lazyConnect: false, protocol: 2 });
  const ctl = client.duplicate({ lazyConnect: false });
  const bumpAll = () => {
    for (let i = 0; i < epochs.length; i++) epochs[i]!++;
  };
  // the subscriber id the control connection's tracking currently redirects to
  let registeredFor: string | null = null;
  const down = () => {
    usable = false;
    registeredFor = null;
    bumpAll();
  };
  // Both connections' `ready` may ask at once; registrations run one after the other, and a second ON with the
  // same prefixes would be refused by Redis (overlapping prefixes), so an existing one is switched off first.
  let registering: Promise<void> = Promise.resolve();
  const register = () => {
    registering = registering.then(async () => {
      if (closed || subId === null || ctl.status !== 'ready' || sub.status !== 'ready') return;
      if (registeredFor === subId && usable) return;
      const target = subId;
      try {
        await ctl.call('CLIENT', 'TRACKING', 'OFF');
        await ctl.call(
          'CLIENT',
          'TRACKING',
          'ON',
          'REDIRECT',
          target,
          'BCAST',
          ...prefixes.flatMap((p) => ['PREFIX', p]),
        );
        bumpAll();
        registeredFor = target;
        usable = !closed && subId === target;
      } catch {
        down();
      }
    });
    return registering;
  };
  sub.on('ready', async () => {
    try {
      subId = String(await sub.client('ID'));
      await sub.subscribe(channel);
      await register();
    } catch {
      down();
    }
  });
  ctl.on('ready', () => {
    void register();
  });
  // the payload lists the changed keys (comma-joined by ioredis; our key names hold no comma); empty: flush
  sub.on('message', (ch: string, keys: string) => {
    if (ch !== channel) return;
    const changed = keys ? keys.split(',') : [];
    let matched = false;
    prefixes.forEach((p, i) => {
      if (changed.some((key) => key.startsWith(p))) {
        epochs[i]!++;
        matched = true;
      }
    });
    if (!matched) bumpAll();
  });
  for (const conn of [sub, ctl]) {
    for (const ev of ['close', 'reconnecting', 'end']) conn.on(ev, down);
    conn.on('error', () => {
      // the main connection reports Redis errors; listings just read every body meanwhile
    });
  }
  return {
    usable: () => usable,
    /** The epoch of tracked prefix `i` (in the order given). */
    epochOf: (i: number) => epochs[i]!,
    close() {
      closed = true;
      down();
      sub.disconnect();
      ctl.disconnect();
    },
  };
}

/** Where the write methods send their commands: the connection, or the caller's transaction. */
interface WriteSink {
  script(src: string, numKeys: number, ...args: string[]): Promise<void> | void;
  hset(key: string, field: string, value: string): Promise<void> | void;
  hdel(key: string, field: string): Promise<void> | void;
  zrem(key: string, member: string): Promise<void> | void;
  del(...keys: string[]): Promise<void> | void;
}

/** The writes implemented by `roomsAndRegistrants` (part 2 of the port). */
type PartTwoWrites =
  | 'putRegistrant'
  | 'deleteRegistrant'
  | 'putRoom'
  | 'deleteRoom'
  | 'putReservation'
  | 'deleteReservation'
  | 'putVideoBooking'
  | 'deleteVideoBooking';

/** A `NOTEMPTY` error of a delete script (a concurrent write won the race) as the port's 409 error. */
function mapScriptError(e: unknown): unknown {
  const msg = String((e as Error)?.message ?? '');
  return msg.startsWith('NOTEMPTY ') ? notEmpty(msg.slice('NOTEMPTY '.length)) : e;
}

/**
 * The Redis catalog plus `queueWrites`, which lets catalog writes join a caller's MULTI/EXEC (e.g. together
 * with a livesync change record).
 */
export interface RedisCatalog extends Catalog {
  /**
   * Runs `build` with write methods whose Redis commands are queued into `multi` instead of being sent. The
   * validation reads happen now (against committed data plus the categories queued by this same `build`); the
   * writes happen when the caller runs `multi.exec()`, and never if it does not (or calls `discard()`).
   * Scripts are queued as EVAL with their source, so EXEC never meets NOSCRIPT. When `build` throws, nothing
   * is queued. Returns the number of commands queued.
   */
  queueWrites(
    multi: ChainableCommander,
    build: (tx: CatalogWrites) => Promise<void> | void,
    options?: QueueWritesOptions,
  ): Promise<number>;
}

export interface QueueWritesOptions {
  /**
   * A key the delete scripts set (for 60 s) when they refuse at EXEC (the category, session or room gained a
   * dependant after the check): later commands of the same MULTI can be made conditional on it, e.g. livesync's
   * `queueChanges(multi, manager, changes, { unlessKey })`, so a refused delete records no change either. It
   * must carry the catalog's `{export}` hash tag (one Cluster slot); the caller deletes it after its commands.
   */
  refusedKey?: string;
}

type StoredCategory = CategoryRecord & { _path: string[] };

/** The hash tag of a key as Redis Cluster reads it: the text inside the first `{...}`, if not empty. */
function hashTagOf(key: string): string | null {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : null;
}

const shaOf = new Map<string, string>();
/**
 * EVALSHA; when the server does not know the script yet (NOSCRIPT: a fresh or restarted server, a new node), SCRIPT
 * LOAD it and EVALSHA again, so that a read script never goes out as an EVAL (which a write audit counts as a
 * write: the server's MULTI test failed on a fresh Redis because of it).
 */
async function runScript(client: Redis, script: string, numKeys: number, ...args: string[]): Promise<unknown> {
  let sha = shaOf.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shaOf.set(script, sha);
  }
  try {
    return await client.evalsha(sha, String(numKeys), ...args);
  } catch (e) {
    if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
    try {
      await client.script('LOAD', script);
      return await client.evalsha(sha, String(numKeys), ...args);
    } catch (again) {
      // on a Cluster the load may have gone to another node than the keys' one: send the script itself
      if (!String((again as Error).message).includes('NOSCRIPT')) throw again;
      return client.eval(script, String(numKeys), ...args);
    }
  }
}

const byStartThenId = (a: EventRecord, b: EventRecord) =>
  a.startDate - b.startDate || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function stripPath(c: StoredCategory): CategoryRecord {
  const { _path, ...rest } = c;
  return rest;
}

/**
 * Catalog over Redis. Events of a category subtree live in two sorted sets per ancestor category (by start and
 * by end), so a category-and-window query reads only events starting in [from - longest duration, to]
 * instead of scanning every event. Writes of an event and its indexes are one Lua script.
 */
/** A listed event the process holds: its stored JSON, the frozen record, and what says it is still current. */
interface ListedEntry {
  raw: string;
  record: EventRecord;
  /** Tracking epoch it was read in (trackListings). */
  epoch?: number;
  /** Body version it was read at (versioned listings). */
  ver?: string;
}

export function createRedisCatalog(options: RedisStoreOptions): RedisCatalog {
  const { client } = options;
  const k = catalogKeys(options.prefix ?? '');
  const pageSize = options.pageSize ?? 256;
  const listedMax = options.listedEventCache ?? 5000;
  // event id -> its stored JSON and the decoded, frozen record: a listing hands out the same object while the
  // stored JSON is unchanged (compared in full), a new one as soon as it changed
  const listed = new Map<string, ListedEntry>();
  const trackEvents = !!options.trackListings && listedMax > 0;
  const trackedPrefixes = [...(trackEvents ? [k.events] : []), ...(options.trackUsers ? [k.users] : [])];
  const tracker = trackedPrefixes.length > 0 ? listingTracker(client, trackedPrefixes) : null;
  const EVENTS = trackEvents ? 0 : -1;
  const USERS = options.trackUsers ? trackedPrefixes.length - 1 : -1;
  // user id -> stored JSON ('' for none) read in users epoch `epoch`
  const usersHeld = new Map<string, { raw: string; epoch: number }>();
  const decodeListed = (raw: string): EventRecord => {
    if (listedMax <= 0) return JSON.parse(raw) as EventRecord;
    // Records written with `id` first (the usual case) are found without decoding: ids match [A-Za-z0-9_]+.
    const end = raw.startsWith('{"id":"') ? raw.indexOf('"', 7) : -1;
    let id = end > 7 ? raw.slice(7, end) : null;
    let parsed: EventRecord | null = null;
    if (id === null) {
      parsed = JSON.parse(raw) as EventRecord;
      id = parsed.id;
    }
    const hit = listed.get(id);
    if (hit !== undefined && hit.raw === raw) return hit.record;
    const record = deepFreeze(parsed ?? (JSON.parse(raw) as EventRecord));
    if (record.id !== id) return record;
    if (hit === undefined && listed.size >= listedMax) listed.delete(listed.keys().next().value!);
    listed.set(id, { raw, record }); // a listing stamps it (epoch or version) when it knows one
    return record;
  };
  /**
   * The listed records of `ids`: those held that `current` accepts, the others read in one HMGET and decoded;
   * `mark` stamps the held entry of a body just read (when the process keeps it).
   */
  const heldOrRead = async (
    ids: Iterable<string>,
    current: (id: string, held: ListedEntry) => boolean,
    mark: (id: string, held: ListedEntry) => void,
  ): Promise<Map<string, EventRecord>> => {
    const records = new Map<string, EventRecord>();
    const missing: string[] = [];
    for (const id of ids) {
      const held = listed.get(id);
      if (held !== undefined && current(id, held)) records.set(id, held.record);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const raw = await client.hmget(k.events, ...missing);
      missing.forEach((id, i) => {
        const body = raw[i];
        if (!body) return;
        records.set(id, decodeListed(body));
        const held = listed.get(id);
        if (held !== undefined && held.raw === body) mark(id, held);
      });
    }
    return records;
  };
  let closed = false;
  const live = () => {
    if (closed) throw new ExportApiError('INVALID_ARGUMENT', 'the Redis catalog is closed');
  };

  const categoriesOf = async (ids: readonly string[]): Promise<Array<StoredCategory | null>> => {
    if (ids.length === 0) return [];
    const raw = await client.hmget(k.categories, ...ids);
    return raw.map((r) => (r ? (JSON.parse(r) as StoredCategory) : null));
  };
  const eventsOf = async (ids: readonly string[]): Promise<Array<EventRecord | null>> => {
    if (ids.length === 0) return [];
    const raw = await client.hmget(k.events, ...ids);
    return raw.map((r) => (r ? (JSON.parse(r) as EventRecord) : null));
  };
  const childrenOf = async <T>(kind: 'contrib' | 'sess' | 'break', eventId: string): Promise<T[]> => {
    const ids = await client.zrange(k.order(kind, eventId), '0', '-1');
    if (ids.length === 0) return [];
    const raw = await client.hmget(k.children(kind, eventId), ...ids);
    return raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as T);
  };

  const paths = async (ids: readonly string[]): Promise<Map<string, CategoryRecord[]>> => {
    if (ids.length === 0) return new Map();
    const [own, anc, recs] = (await runScript(client, CATEGORY_PATHS, 1, k.categories, ...ids)) as [
      string[],
      string[],
      string[],
    ];
    return pathsFrom(ids, own, anc, recs);
  };
  const pathsFrom = (ids: readonly string[], own: string[], anc: string[], recs: string[]) => {
    const out = new Map<string, CategoryRecord[]>();
    const byId = new Map<string, CategoryRecord>();
    anc.forEach((id, i) => {
      if (recs[i]) byId.set(id, stripPath(JSON.parse(recs[i]!) as StoredCategory));
    });
    ids.forEach((id, i) => {
      if (!own[i]) return;
      const c = JSON.parse(own[i]!) as StoredCategory;
      out.set(
        id,
        c._path.map((a) => byId.get(a)).filter((x): x is CategoryRecord => !!x),
      );
    });
    return out;
  };

  const directSink: WriteSink = {
    script: async (src, numKeys, ...args) => {
      await runScript(client, src, numKeys, ...args).catch((e: unknown) => {
        throw mapScriptError(e);
      });
    },
    hset: async (key, field, value) => {
      await client.hset(key, field, value);
    },
    hdel: async (key, field) => {
      await client.hdel(key, field);
    },
    zrem: async (key, member) => {
      await client.zrem(key, member);
    },
    del: async (...keys) => {
      await client.del(...keys);
    },
  };

  /**
   * The write methods over a sink: the client itself, or a list of commands for the caller's MULTI. Validation
   * reads go to the client; `inTx` remembers the categories a transaction queued or deleted itself (parent then
   * child, child then parent), so its later checks see them. Direct writes remember nothing: the next call reads
   * Redis again.
   */
  const writesOn = (sink: WriteSink, inTx: boolean, refusedKey?: string): Omit<CatalogWrites, PartTwoWrites> => {
    const refusal = refusedKey === undefined ? [] : [refusedKey];
    // Categories this transaction deletes: gone for the checks of its later writes (child, then parent).
    const dropped = new Set<string>();
    const pending = new Map<string, StoredCategory>();
    const remember = (id: string, stored: StoredCategory | null) => {
      if (!inTx) return;
      if (stored) pending.set(id, stored);
      else pending.delete(id);
      if (stored) dropped.delete(id);
      else dropped.add(id);
    };
    const category = async (id: string): Promise<StoredCategory | null> =>
      dropped.has(id) ? null : (pending.get(id) ?? (await categoriesOf([id]))[0] ?? null);
    const putChild = async (kind: 'contrib' | 'sess' | 'break', eventId: string, id: string, value: unknown) => {
      await sink.script(
        PUT_CHILD,
        3,
        k.children(kind, eventId),
        k.order(kind, eventId),
        k.seq,
        id,
        JSON.stringify(value),
      );
    };
    const deleteChild = async (kind: 'contrib' | 'sess' | 'break', eventId: string, id: string) => {
      await sink.hdel(k.children(kind, eventId), id);
      await sink.zrem(k.order(kind, eventId), id);
    };
    return {
      async putCategory(c) {
        live();
        assertCategory(c);
        let path = [c.id];
        if (c.parentId !== null) {
          const parent = await category(c.parentId);
          if (!parent) throw new ExportApiError('INVALID_ARGUMENT', `parent category ${c.parentId} does not exist`);
          path = [...parent._path, c.id];
        }
        const old = await category(c.id);
        if (old && old.parentId !== c.parentId) {
          throw new ExportApiError('INVALID_ARGUMENT', `category ${c.id} cannot be moved`);
        }
        const stored = { ...c, _path: path };
        remember(c.id, stored);
        await sink.hset(k.categories, c.id, JSON.stringify(stored));
      },
      async deleteCategory(id) {
        live();
        if (!(await category(id))) return;
        const all = (await client.hvals(k.categories)).map((raw) => JSON.parse(raw) as StoredCategory);
        const children = new Set(
          [...all, ...pending.values()].filter((c) => c.parentId === id && !dropped.has(c.id)).map((c) => c.id),
        );
        if (children.size > 0) throw notEmpty(`category ${id} still has subcategories (${[...children].join(', ')})`);
        if ((await client.zcard(k.byStart(id))) > 0) throw notEmpty(`category ${id} still has events`);
        remember(id, null);
        await sink.script(DELETE_CATEGORY, 1 + refusal.length, k.categories, ...refusal, k.base, id);
      },
      async putEvent(e) {
        live();
        assertEvent(e);
        const cat = await category(e.categoryId);
        if (!cat) throw new ExportApiError('INVALID_ARGUMENT', `category ${e.categoryId} does not exist`);
        for (const l of e.links ?? []) assertId(l.userId, 'linked user');
        await sink.script(
          PUT_EVENT,
          1,
          k.events,
          k.base,
          e.id,
          JSON.stringify(e),
          String(e.startDate),
          String(e.endDate),
          cat._path.join(','),
          (e.links ?? []).map((l) => l.userId).join(','),
        );
      },
      async deleteEvent(id) {
        live();
        await sink.script(PUT_EVENT, 1, k.events, k.base, id, '', '0', '0', '', '');
        const kinds = ['contrib', 'sess', 'break'] as const;
        const registrantIds = await client.zrange(k.registrantOrder(id), '0', '-1');
        await sink.del(
          ...kinds.flatMap((kind) => [k.children(kind, id), k.order(kind, id)]),
          k.registrants(id),
          k.registrantOrder(id),
          ...registrantIds.map((r) => k.registrantState(id, r)),
        );
      },
      async putContribution(c) {
        live();
        assertContribution(c);
        await putChild('contrib', c.eventId, c.id, c);
      },
      async deleteContribution(eventId, id) {
        live();
        await deleteChild('contrib', eventId, id);
      },
      async putSession(s) {
        live();
        assertId(s.id, 'session');
        assertId(s.eventId, 'event');
        await putChild('sess', s.eventId, s.id, s);
      },
      async deleteSession(eventId, id) {
        live();
        if (!(await client.hexists(k.children('sess', eventId), id))) return;
        const users = (await childrenOf<ContributionRecord>('contrib', eventId)).filter((c) => c.sessionId === id);
        if (users.length > 0) {
          throw notEmpty(`session ${id} still has contributions (${users.map((c) => c.id).join(', ')})`);
        }
        // checked again in the script: a contribution naming the session may arrive before EXEC
        await sink.script(
          DELETE_SESSION,
          3 + refusal.length,
          k.children('sess', eventId),
          k.order('sess', eventId),
          k.children('contrib', eventId),
          ...refusal,
          id,
        );
      },
      async putBreak(b) {
        live();
        assertId(b.id, 'break');
        assertId(b.eventId, 'event');
        await putChild('break', b.eventId, b.id, b);
      },
      async deleteBreak(eventId, id) {
        live();
        await deleteChild('break', eventId, id);
      },
      async putUser(u) {
        live();
        assertId(u.id, 'user');
        await sink.hset(k.users, u.id, JSON.stringify(u));
      },
      async deleteUser(id) {
        live();
        await sink.hdel(k.users, id);
      },
    };
  };

  const directCommit = async (ops: Op[]) => {
    const m = client.multi();
    for (const op of ops) op(m);
    const failed = ((await m.exec()) ?? []).find(([err]) => err);
    if (failed) throw mapScriptError(failed[0]);
  };
  const partTwo = roomsAndRegistrants(client, k, live, directCommit);

  return {
    async getCategory(id) {
      live();
      const [c] = await categoriesOf([id]);
      return c ? stripPath(c) : null;
    },
    async getCategoryPath(id) {
      live();
      return (await paths([id])).get(id) ?? [];
    },
    async getCategoryPaths(ids) {
      live();
      return paths(ids);
    },
    async getEvent(id) {
      live();
      return (await eventsOf([id]))[0] ?? null;
    },
    async getEvents(ids) {
      live();
      return eventsOf(ids);
    },
    async *eventsInCategory(categoryId: string, window: EventWindow) {
      live();
      const from = window.from === null ? '' : String(window.from);
      const to = window.to === null ? '' : String(window.to);
      for (let offset = 0; ; offset += pageSize) {
        const page = (await runScript(
          client,
          RANGE_EVENTS,
          3,
          k.byStart(categoryId),
          k.maxDuration,
          k.events,
          categoryId,
          from,
          to,
          String(offset),
          String(pageSize),
        )) as string[];
        for (const raw of page) {
          if (!raw) continue;
          const e = decodeListed(raw);
          if (window.from === null || e.endDate >= window.from) yield e;
        }
        if (page.length < pageSize) return;
      }
    },
    async listCategoryWindow(categoryIds, window, limit) {
      live();
      // with tracking heard: ids only, and bodies only for events not held since the last invalidation
      const trusted = tracker?.usable() && EVENTS >= 0 ? tracker.epochOf(EVENTS) : null;
      const [pages, more, cats, own, anc, recs] = (await runScript(
        client,
        LIST_WINDOW,
        3,
        k.events,
        k.categories,
        k.maxDuration,
        k.base,
        window.from === null ? '' : String(window.from),
        window.to === null ? '' : String(window.to),
        String(Math.max(1, Math.floor(limit))),
        // tracking heard: ids only; otherwise ids with their body versions, when records are held at all
        trusted !== null ? '1' : listedMax > 0 ? '2' : '0',
        ...categoryIds,
      )) as [string[], number[], string[], string[], string[], string[]];
      const versioned = trusted === null && listedMax > 0;
      // versioned pages are 'ids|versions': the versions go aside, the lists hold ids
      const versions = versioned ? new Map<string, string>() : null;
      const lists = pages.map((page) => {
        if (page === '') return [];
        if (versions === null) return page.split(trusted === null ? '\n' : ',');
        const bar = page.indexOf('|');
        const ids = page.slice(0, bar).split(',');
        const vers = page.slice(bar + 1).split(',');
        for (let i = 0; i < ids.length; i++) versions.set(ids[i]!, vers[i]!);
        return ids;
      });
      const full = Math.max(1, Math.floor(limit));
      // one page of events per category, in window order, from whatever an item (id or body) resolves to
      const listing = (resolve: (item: string) => EventRecord | undefined) => ({
        events: lists.map((page) => {
          const out: EventRecord[] = [];
          for (const item of page) {
            const e = resolve(item);
            if (e && (window.from === null || e.endDate >= window.from)) out.push(e);
          }
          return out;
        }),
        truncated: lists.map((page) => page.length >= full),
        paths: pathsFrom(cats, own, anc, recs),
        moreAfter: more.some((m) => Number(m) === 1),
      });
      if (trusted !== null) {
        const records = await heldOrRead(
          new Set(lists.flat()),
          (_id, held) => held.epoch === trusted && tracker!.epochOf(EVENTS) === trusted,
          (_id, held) => {
            // kept as held only when no invalidation arrived while reading
            held.epoch = tracker!.epochOf(EVENTS) === trusted ? trusted : undefined;
          },
        );
        return listing((id) => records.get(id));
      }
      if (versions !== null) {
        // version '' = written before versions existed: always read
        const records = await heldOrRead(
          versions.keys(),
          (id, held) => held.ver !== undefined && held.ver === versions.get(id),
          (id, held) => {
            // the body read is that version or newer: a newer one is read again at the next listing, never older
            held.ver = versions.get(id) || undefined;
          },
        );
        return listing((id) => records.get(id));
      }
      return listing((raw) => (raw ? decodeListed(raw) : undefined));
    },
    async hasEventsAfter(categoryId, t) {
      live();
      const ids = await client.zrangebyscore(k.byEnd(categoryId), `(${t}`, '+inf', 'LIMIT', 0, 1);
      return ids.length > 0;
    },
    async getContributions(eventId) {
      live();
      return childrenOf<ContributionRecord>('contrib', eventId);
    },
    async getSessions(eventId) {
      live();
      return childrenOf<SessionRecord>('sess', eventId);
    },
    async getBreaks(eventId) {
      live();
      return childrenOf<BreakRecord>('break', eventId);
    },
    async getUser(id) {
      live();
      if (tracker?.usable() && USERS >= 0) {
        const epoch = tracker.epochOf(USERS);
        const held = usersHeld.get(id);
        if (held && held.epoch === epoch) return held.raw ? (JSON.parse(held.raw) as UserRecord) : null;
        const raw = await client.hget(k.users, id);
        if (tracker.usable() && tracker.epochOf(USERS) === epoch) {
          if (!held && usersHeld.size >= 10_000) usersHeld.delete(usersHeld.keys().next().value!);
          usersHeld.set(id, { raw: raw ?? '', epoch });
        }
        return raw ? (JSON.parse(raw) as UserRecord) : null;
      }
      const raw = await client.hget(k.users, id);
      return raw ? (JSON.parse(raw) as UserRecord) : null;
    },
    async searchEvents(words) {
      live();
      const lower = words.map((w) => w.toLowerCase());
      const out: EventRecord[] = [];
      let cursor = '0';
      do {
        const [next, flat] = await client.hscan(k.events, cursor, 'COUNT', 500);
        cursor = next;
        for (let i = 1; i < flat.length; i += 2) {
          const e = JSON.parse(flat[i]!) as EventRecord;
          if (lower.every((w) => e.title.toLowerCase().includes(w))) out.push(e);
        }
      } while (cursor !== '0');
      return out.sort(byStartThenId);
    },
    async eventsLinkedToUser(userId) {
      live();
      const ids = await client.zrange(k.links(userId), '0', '-1');
      const out: LinkedEvent[] = [];
      for (const e of await eventsOf(ids)) {
        const link = e?.links?.find((l) => l.userId === userId);
        if (e && link) out.push({ event: e, roles: [...link.roles] });
      }
      return out;
    },
    ...writesOn(directSink, false),
    async queueWrites(multi, build, options = {}) {
      live();
      const { refusedKey } = options;
      if (refusedKey !== undefined && hashTagOf(refusedKey) !== 'export') {
        throw new ExportApiError('INVALID_ARGUMENT', `refusedKey must carry the {export} hash tag, got ${refusedKey}`);
      }
      const ops: Array<(m: ChainableCommander) => void> = [];
      const sink: WriteSink = {
        script: (src, numKeys, ...args) => {
          ops.push((m) => m.eval(src, numKeys, ...args));
        },
        hset: (key, field, value) => {
          ops.push((m) => m.hset(key, field, value));
        },
        hdel: (key, field) => {
          ops.push((m) => m.hdel(key, field));
        },
        zrem: (key, member) => {
          ops.push((m) => m.zrem(key, member));
        },
        del: (...keys) => {
          ops.push((m) => m.del(...keys));
        },
      };
      const two = roomsAndRegistrants(
        client,
        k,
        live,
        async (more) => {
          ops.push(...more);
        },
        refusedKey,
      );
      await build({
        ...writesOn(sink, true, refusedKey),
        putRegistrant: two.putRegistrant,
        deleteRegistrant: two.deleteRegistrant,
        putRoom: two.putRoom,
        deleteRoom: two.deleteRoom,
        putReservation: two.putReservation,
        deleteReservation: two.deleteReservation,
        putVideoBooking: two.putVideoBooking,
        deleteVideoBooking: two.deleteVideoBooking,
      });
      // Queued only once `build` succeeded: a failing build leaves the caller's transaction untouched.
      for (const op of ops) op(multi);
      return ops.length;
    },
    ...partTwo,
    async close() {
      closed = true;
      tracker?.close();
      listed.clear();
      usersHeld.clear();
    },
  };
}

const STATE_FIELDS = ['paid', 'amountPaid', 'checkedIn', 'checkinDate'] as const;
const roomField = (location: string, id: number) => `${location}|${id}`;
const occMembers = (r: ReservationRecord) =>
  isActive(r) ? occurrencesOf(r).map(([s, e]) => ({ score: s, member: `${r.id}:${s}:${e}` })) : [];

type Op = (m: ChainableCommander) => unknown;

/** The few transaction commands the part-2 writes use, recorded as operations for a MULTI applied later. */
interface Recorder {
  zrem(key: string, ...members: string[]): Recorder;
  hset(key: string, field: string, value: string): Recorder;
  zadd(key: string, ...scoreMembers: Array<string | number>): Recorder;
  sadd(key: string, member: string): Recorder;
  eval(script: string, numKeys: number, ...args: string[]): Recorder;
}

function recorder(ops: Op[]): Recorder {
  const add = (op: Op): Recorder => {
    ops.push(op);
    return r;
  };
  const r: Recorder = {
    zrem: (key, ...members) => add((m) => m.zrem(key, ...members)),
    hset: (key, field, value) => add((m) => m.hset(key, field, value)),
    zadd: (key, ...sm) => add((m) => m.zadd(key, ...(sm as [number, string]))),
    sadd: (key, member) => add((m) => m.sadd(key, member)),
    eval: (script, numKeys, ...args) => add((m) => m.eval(script, numKeys, ...args)),
  };
  return r;
}

/**
 * Registrants, rooms, reservations and video bookings of the Redis catalog (part 2 of the port). Each write
 * builds its commands as operations and hands them to `commit`: one MULTI/EXEC of its own, or the caller's
 * transaction (`queueWrites`).
 */
function roomsAndRegistrants(
  client: Redis,
  k: ReturnType<typeof catalogKeys>,
  live: () => void,
  commit: (ops: Op[]) => Promise<void>,
  refusedKey?: string,
) {
  const refusal = refusedKey === undefined ? [] : [refusedKey];
  const withState = (raw: string | null, state: Record<string, string>): RegistrantRecord | null => {
    if (!raw) return null;
    const r = JSON.parse(raw) as RegistrantRecord;
    for (const f of STATE_FIELDS)
      if (state[f] !== undefined) (r as unknown as Record<string, unknown>)[f] = JSON.parse(state[f]!);
    return r;
  };
  const parseAll = <T>(raw: Array<string | null>): T[] =>
    raw.filter((x): x is string => x !== null).map((x) => JSON.parse(x) as T);
  return {
    async getRegistrants(eventId: string): Promise<RegistrantRecord[]> {
      live();
      const ids = await client.zrange(k.registrantOrder(eventId), '0', '-1');
      if (ids.length === 0) return [];
      const m = client.multi().hmget(k.registrants(eventId), ...ids);
      for (const id of ids) m.hgetall(k.registrantState(eventId, id));
      const res = (await m.exec()) ?? [];
      const recs = res[0]![1] as Array<string | null>;
      return ids
        .map((_, i) => withState(recs[i] ?? null, (res[i + 1]![1] as Record<string, string>) ?? {}))
        .filter((r): r is RegistrantRecord => r !== null);
    },
    async getRegistrant(eventId: string, id: string): Promise<RegistrantRecord | null> {
      live();
      const res = (await client
        .multi()
        .hget(k.registrants(eventId), id)
        .hgetall(k.registrantState(eventId, id))
        .exec()) ?? [
        [null, null],
        [null, {}],
      ];
      return withState(res[0]![1] as string | null, res[1]![1] as Record<string, string>);
    },
    async putRegistrant(r: RegistrantRecord): Promise<void> {
      live();
      assertRegistrant(r);
      const state: string[] = [];
      for (const f of STATE_FIELDS) state.push(f, JSON.stringify(r[f] ?? null));
      // one transaction: record, order and state
      const ops: Op[] = [
        (m) =>
          m.eval(PUT_CHILD, 3, k.registrants(r.eventId), k.registrantOrder(r.eventId), k.seq, r.id, JSON.stringify(r)),
        (m) => m.hset(k.registrantState(r.eventId, r.id), ...state),
      ];
      await commit(ops);
    },
    async deleteRegistrant(eventId: string, id: string): Promise<void> {
      live();
      await commit([
        (m) => m.hdel(k.registrants(eventId), id),
        (m) => m.zrem(k.registrantOrder(eventId), id),
        (m) => m.del(k.registrantState(eventId, id)),
      ]);
    },
    async updateRegistrantState(
      eventId: string,
      id: string,
      patch: Partial<RegistrantState>,
    ): Promise<RegistrantRecord | null> {
      live();
      if (!(await client.hexists(k.registrants(eventId), id))) return null;
      const fields: string[] = [];
      for (const f of STATE_FIELDS) if (patch[f] !== undefined) fields.push(f, JSON.stringify(patch[f]));
      const m = client.multi();
      if (fields.length > 0) m.hset(k.registrantState(eventId, id), ...fields);
      m.hget(k.registrants(eventId), id).hgetall(k.registrantState(eventId, id));
      const res = (await m.exec()) ?? [];
      const n = res.length;
      return withState(res[n - 2]![1] as string | null, res[n - 1]![1] as Record<string, string>);
    },
    async getRooms(location: string, ids?: readonly number[]): Promise<RoomRecord[]> {
      live();
      const wanted = ids ?? (await client.zrange(k.roomsOf(location), '0', '-1')).map(Number);
      if (wanted.length === 0) return [];
      const raw = await client.hmget(k.rooms, ...wanted.map((id) => roomField(location, id)));
      return parseAll<RoomRecord>(raw).sort((a, b) => a.id - b.id);
    },
    async getLocations(): Promise<string[]> {
      live();
      return (await client.smembers(k.locations)).sort();
    },
    async putRoom(r: RoomRecord): Promise<void> {
      live();
      assertRoom(r);
      const field = roomField(r.location, r.id);
      const oldRaw = await client.hget(k.rooms, field);
      const old = oldRaw ? (JSON.parse(oldRaw) as RoomRecord) : null;
      const ops: Op[] = [];
      const m = recorder(ops);
      for (const b of old?.blocked ?? []) m.zrem(k.occupancy(field), `b:${b.start}:${b.end}`);
      m.hset(k.rooms, field, JSON.stringify(r));
      m.zadd(k.roomsOf(r.location), r.id, String(r.id));
      m.sadd(k.locations, r.location);
      for (const b of r.blocked ?? []) {
        m.zadd(k.occupancy(field), b.start, `b:${b.start}:${b.end}`);
        m.eval(RAISE, 1, k.occupancyMax, field, String(b.end - b.start));
      }
      await commit(ops);
    },
    async deleteRoom(location: string, id: number): Promise<void> {
      live();
      const field = roomField(location, id);
      if (!(await client.hexists(k.rooms, field))) return;
      const held = await client.zrange(k.reservationsOfRoom(field), '0', '-1');
      if (held.length > 0) throw notEmpty(`room ${location} ${id} still has reservations (${held.join(', ')})`);
      await commit([
        (m) => m.eval(DELETE_ROOM, 1 + refusal.length, k.rooms, ...refusal, k.base, location, String(id), field),
      ]);
    },
    async getReservations(location: string, roomId?: number): Promise<ReservationRecord[]> {
      live();
      const index =
        roomId === undefined ? k.reservationsOf(location) : k.reservationsOfRoom(roomField(location, roomId));
      const ids = await client.zrange(index, '0', '-1');
      if (ids.length === 0) return [];
      return parseAll<ReservationRecord>(await client.hmget(k.reservations, ...ids));
    },
    async getReservation(id: number): Promise<ReservationRecord | null> {
      live();
      const raw = await client.hget(k.reservations, String(id));
      return raw ? (JSON.parse(raw) as ReservationRecord) : null;
    },
    async deleteReservation(id: number): Promise<void> {
      live();
      const oldRaw = await client.hget(k.reservations, String(id));
      if (!oldRaw) return;
      const old = JSON.parse(oldRaw) as ReservationRecord;
      const field = roomField(old.location, old.roomId);
      const members = occMembers(old).map((o) => o.member);
      const ops: Op[] = [
        (m) => m.hdel(k.reservations, String(id)),
        (m) => m.zrem(k.reservationsOf(old.location), String(id)),
        (m) => m.zrem(k.reservationsOfRoom(field), String(id)),
      ];
      if (members.length > 0) ops.push((m) => m.zrem(k.occupancy(field), ...members));
      await commit(ops);
    },
    async putReservation(r: ReservationRecord): Promise<void> {
      live();
      assertReservation(r);
      const oldRaw = await client.hget(k.reservations, String(r.id));
      const old = oldRaw ? (JSON.parse(oldRaw) as ReservationRecord) : null;
      const ops: Op[] = [];
      const m = recorder(ops);
      if (old) {
        const oldField = roomField(old.location, old.roomId);
        const members = occMembers(old).map((o) => o.member);
        if (members.length > 0) m.zrem(k.occupancy(oldField), ...members);
        m.zrem(k.reservationsOf(old.location), String(r.id));
        m.zrem(k.reservationsOfRoom(oldField), String(r.id));
      }
      const field = roomField(r.location, r.roomId);
      m.hset(k.reservations, String(r.id), JSON.stringify(r));
      m.zadd(k.reservationsOf(r.location), r.id, String(r.id));
      m.zadd(k.reservationsOfRoom(field), r.id, String(r.id));
      const occ = occMembers(r);
      if (occ.length > 0) {
        m.zadd(k.occupancy(field), ...occ.flatMap((o) => [o.score, o.member]));
        const longest = Math.max(...occurrencesOf(r).map(([s, e]) => e - s));
        m.eval(RAISE, 1, k.occupancyMax, field, String(longest));
      }
      m.eval(RAISE_COUNTER, 1, k.reservationSeq, String(r.id));
      await commit(ops);
    },
    async bookRoom(request: Omit<ReservationRecord, 'id'>) {
      live();
      assertBooking(request);
      const field = roomField(request.location, request.roomId);
      const json = JSON.stringify({ id: -1, ...request, repeatability: null });
      const [ok, value] = (await runScript(
        client,
        BOOK_ROOM,
        7,
        k.rooms,
        k.occupancy(field),
        k.occupancyMax,
        k.reservations,
        k.reservationSeq,
        k.reservationsOf(request.location),
        k.reservationsOfRoom(field),
        field,
        String(request.startDT),
        String(request.endDT),
        json,
      )) as [number, number | string];
      return ok === 1
        ? { ok: true as const, id: Number(value) }
        : { ok: false as const, reason: value as 'collision' | 'blocked' | 'no-room' };
    },
    async getVideoBookings(): Promise<VideoBookingRecord[]> {
      live();
      const all = Object.values(await client.hgetall(k.videoBookings)).map((x) => JSON.parse(x) as VideoBookingRecord);
      return all.sort((a, b) => a.startDate - b.startDate);
    },
    async getVideoBooking(uniqueId: string): Promise<VideoBookingRecord | null> {
      live();
      const raw = await client.hget(k.videoBookings, uniqueId);
      return raw ? (JSON.parse(raw) as VideoBookingRecord) : null;
    },
    async deleteVideoBooking(uniqueId: string): Promise<void> {
      live();
      await commit([(m) => m.hdel(k.videoBookings, uniqueId)]);
    },
    async putVideoBooking(b: VideoBookingRecord): Promise<void> {
      live();
      assertId(b.uniqueId, 'video booking');
      await commit([(m) => m.hset(k.videoBookings, b.uniqueId, JSON.stringify(b))]);
    },
  };
}

/** JSON with ExportDate round-tripping (`{"$dt":[ms,tz]}`), for cached results. */
export function encodeCached(value: CachedResult): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof ExportDate ? { $dt: [raw.epochMs, raw.tz] } : v;
  });
}

export function decodeCached(text: string): CachedResult {
  return JSON.parse(text, (_k, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Array.isArray(v.$dt) && Object.keys(v).length === 1) {
      return new ExportDate(v.$dt[0], v.$dt[1]);
    }
    return v;
  }) as CachedResult;
}

/** Result cache in Redis: one string per entry with a PX expiry, keyed under `{export}:cache:`. */
export function createRedisResultCache(options: Omit<RedisStoreOptions, 'pageSize'>): ResultCache {
  const { client } = options;
  const prefix = options.prefix ?? '';
  let closed = false;
  return {
    async get(key) {
      if (closed) return null;
      const raw = await client.get(cacheKey(prefix, key));
      return raw === null ? null : decodeCached(raw);
    },
    async set(key, value, ttlMs) {
      if (closed || !(ttlMs > 0)) return;
      await client.set(cacheKey(prefix, key), encodeCached(value), 'PX', Math.ceil(ttlMs));
    },
    async close() {
      closed = true;
    },
  };
}
