import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TaskRecord } from '../record.js';
import { decodeTaskData, encodeTaskData, parseTaskUid } from '../record.js';
import type {
  Completion,
  DaemonState,
  DeadLetter,
  IndexEntry,
  IndexName,
  OccurrenceRecord,
  RestartResult,
  SchedulerStore,
  SpoolEntry,
  SpoolItem,
  SpoolOutcome,
  StepOutput,
  TaskTarget,
} from '../store.js';
import { rowToRecord, type TaskRow } from './codec.js';
import { type SchedulerKeys, schedulerKeys } from './redis/keys.js';
import {
  CLEAR_SPOOL,
  DEAD_LETTER_TASK,
  HEARTBEAT,
  PRUNE,
  RECOVER,
  RESTART_FAILED,
  SPOOL_PUSH,
  STEP,
  TERMINATE,
} from './redis/lua.js';

export interface RedisStoreOptions {
  /** An existing ioredis client; the store never closes it. */
  redis: Redis;
  /** Key prefix, e.g. 'indico:'. Keys are `<prefix>{<name>}:...`. */
  prefix?: string;
  /** Scheduler name inside the prefix (the hash tag). Default 'scheduler'. */
  name?: string;
}

export interface RedisSchedulerStore extends SchedulerStore {
  readonly keys: SchedulerKeys;
}

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const SCRIPTS = {
  step: script(STEP),
  spoolPush: script(SPOOL_PUSH),
  heartbeat: script(HEARTBEAT),
  terminate: script(TERMINATE),
  recover: script(RECOVER),
  restartFailed: script(RESTART_FAILED),
  deadLetterTask: script(DEAD_LETTER_TASK),
  prune: script(PRUNE),
  clearSpool: script(CLEAR_SPOOL),
};

/** Redis spool items: `add` carries its TaskData pre-serialized (`d`), so the Lua side stores it without re-encoding. */
function encodeSpool(entry: SpoolEntry): string {
  switch (entry.op) {
    case 'add': {
      const { data, startOn } = entry.task;
      // A JSON header, a newline (JSON text never holds a raw one), then the TaskData JSON as is: neither side
      // escapes or unescapes it inside a string. The spool-push script prepends the reserved `"id":n` to the header.
      return `${JSON.stringify({ op: 'add', typeId: data.typeId, kind: data.kind, key: data.key, startOn })}\n${encodeTaskData(data)}`;
    }
    case 'del':
      return JSON.stringify({ op: 'del', ...entry.target });
    case 'change':
      return JSON.stringify({ op: 'change', ...entry.target, startOn: entry.startOn });
    case 'shutdown':
      return JSON.stringify({ op: 'shutdown', message: entry.message });
  }
}

function decodeSpool(raw: string): SpoolItem {
  try {
    const nl = raw.indexOf('\n');
    const v = JSON.parse(nl === -1 ? raw : raw.slice(0, nl)) as Record<string, unknown>;
    if (nl !== -1) v.d = raw.slice(nl + 1);
    const target = (): TaskTarget => (typeof v.id === 'number' ? { id: v.id } : { ref: String(v.ref) });
    switch (v.op) {
      case 'add':
        return {
          op: 'add',
          task: {
            id: Number(v.id),
            data: decodeTaskData(String(v.d), {
              ref: `#${v.id}`,
              kind: v.kind === 'periodic' ? 'periodic' : 'oneshot',
              key: typeof v.key === 'string' ? v.key : null,
            }),
            startOn: (v.startOn as number) ?? null,
          },
        };
      case 'del':
        return { op: 'del', target: target() };
      case 'change':
        return { op: 'change', target: target(), startOn: Number(v.startOn) };
      case 'shutdown':
        return { op: 'shutdown', message: String(v.message ?? '') };
    }
  } catch {
    // falls through
  }
  return { op: 'invalid', raw };
}

const num = (v: string | undefined | null): number | null =>
  v === undefined || v === null || v === '' ? null : Number(v);
const str = (v: string | undefined | null): string | null => (v === undefined || v === null || v === '' ? null : v);

/** ZRANGE WITHSCORES as a flat [member, score, ...] list, whether the reply came as RESP2 (flat) or RESP3 (pairs). */
function flatPairs(reply: unknown): string[] {
  const list = reply as unknown[];
  return list.flatMap((x) => (Array.isArray(x) ? x.map(String) : [String(x)]));
}

function hashToRow(h: Record<string, string>): TaskRow | null {
  if (!h || h.s === undefined) return null;
  return {
    d: h.d ?? '',
    s: Number(h.s),
    t: num(h.t),
    st: num(h.st),
    en: num(h.en),
    oc: Number(h.oc ?? 0),
    rn: Number(h.rn ?? 0),
    o: str(h.o),
    err: str(h.err),
    dq: h.dq === '1' ? 1 : 0,
    r: h.r ?? '',
    k: str(h.k),
    kd: h.kd === 'p' ? 'p' : 'o',
  };
}

/**
 * The Redis adapter: every transition is one Lua script (atomic, retry-safe, never derived from mutable fields);
 * all keys share one hash tag. Subscribing opens one duplicate connection; `close()` closes only that.
 */
export function createRedisStore(options: RedisStoreOptions): RedisSchedulerStore {
  const redis = options.redis;
  if (!redis || typeof redis.evalsha !== 'function') throw new TypeError('createRedisStore needs an ioredis client');
  const keys = schedulerKeys(options.prefix ?? '', options.name ?? 'scheduler');
  const subscribers = new Set<Redis>();
  let closed = false;

  async function run(s: Script, args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(s.sha, 1, keys.base, ...args);
    } catch (err) {
      if (err instanceof Error && /NOSCRIPT/.test(err.message)) return redis.eval(s.source, 1, keys.base, ...args);
      throw err;
    }
  }

  async function readTask(id: number): Promise<TaskRecord | null> {
    const row = hashToRow(await redis.hgetall(keys.task(id)));
    return row ? rowToRecord(id, row) : null;
  }

  async function resolve(target: TaskTarget): Promise<number | null> {
    if ('id' in target) return target.id;
    const m = /^#(\d+)$/.exec(target.ref);
    if (m && (await redis.exists(keys.task(m[1]!))) === 1) return Number(m[1]);
    const v = await redis.hget(keys.refs, target.ref);
    return v === null ? null : Number(v);
  }

  return {
    keys,
    async spool(entries) {
      if (entries.length === 0) return [];
      return ((await run(SCRIPTS.spoolPush, entries.map(encodeSpool))) as number[]).map(Number);
    },
    async readSpool() {
      return (await redis.lrange(keys.spool, 0, -1)).map(decodeSpool);
    },
    async clearSpool() {
      return Number(await run(SCRIPTS.clearSpool, []));
    },
    async getTask(target) {
      const id = await resolve(target);
      return id === null ? null : readTask(id);
    },
    async getOccurrence(taskId, occurrence) {
      const raw = await redis.hget(keys.occurrences, `${taskId}:${occurrence}`);
      return raw ? (JSON.parse(raw) as OccurrenceRecord) : null;
    },
    async restartFailed(id, startOn): Promise<RestartResult> {
      return (await run(SCRIPTS.restartFailed, [id, startOn])) as RestartResult;
    },
    async counts() {
      const r = await redis
        .multi()
        .llen(keys.spool)
        .zcard(keys.waiting)
        .zcard(keys.running)
        .zcard(keys.finished)
        .zcard(keys.failed)
        .llen(keys.dead)
        .exec();
      const n = (i: number) => Number(r?.[i]?.[1] ?? 0);
      return { spooled: n(0), waiting: n(1), running: n(2), finished: n(3), failed: n(4), deadLetter: n(5) };
    },
    async daemons(): Promise<DaemonState[]> {
      const [seen, info] = await Promise.all([
        redis.call('ZRANGE', keys.daemons, 0, -1, 'WITHSCORES').then(flatPairs),
        redis.hgetall(keys.daemonInfo),
      ]);
      const out: DaemonState[] = [];
      for (let i = 0; i < seen.length; i += 2) {
        const id = seen[i]!;
        out.push({ ...JSON.parse(info[id] ?? '{}'), id, lastSeen: Number(seen[i + 1]) });
      }
      return out;
    },
    async list(index: IndexName, offset, limit): Promise<IndexEntry[]> {
      const key = keys[index];
      const stop = offset + limit - 1;
      const flat =
        index === 'finished' || index === 'failed'
          ? flatPairs(await redis.call('ZREVRANGE', key, offset, stop, 'WITHSCORES'))
          : flatPairs(await redis.call('ZRANGE', key, offset, stop, 'WITHSCORES'));
      const entries: Array<{ uid: string; score: number; id: number; occ: number | null }> = [];
      for (let i = 0; i < flat.length; i += 2) {
        const member = flat[i]!;
        const uid = index === 'waiting' || index === 'running' ? `task${member}` : member;
        const parsed = parseTaskUid(uid);
        if (parsed) entries.push({ uid, score: Number(flat[i + 1]), id: parsed.id, occ: parsed.occurrence });
      }
      if (entries.length === 0) return [];
      const p = redis.pipeline();
      for (const e of entries) {
        p.hgetall(keys.task(e.id));
        p.hget(keys.occurrences, `${e.id}:${e.occ ?? -1}`);
      }
      const res = (await p.exec()) ?? [];
      return entries.map((e, i) => {
        const row = hashToRow(res[2 * i]?.[1] as Record<string, string>);
        const occ = res[2 * i + 1]?.[1] as string | null;
        return {
          uid: e.uid,
          score: e.score,
          task: row ? rowToRecord(e.id, row) : null,
          occurrence: e.occ !== null && occ ? (JSON.parse(occ) as OccurrenceRecord) : null,
        };
      });
    },
    async deadLetters(offset, limit) {
      return (await redis.lrange(keys.dead, offset, offset + limit - 1)).map((raw) => JSON.parse(raw) as DeadLetter);
    },
    async touchDaemon(info, now) {
      await redis.multi().zadd(keys.daemons, now, info.id).hset(keys.daemonInfo, info.id, JSON.stringify(info)).exec();
    },
    async removeDaemon(id) {
      await redis.multi().zrem(keys.daemons, id).hdel(keys.daemonInfo, id).exec();
    },
    async step(input): Promise<StepOutput> {
      const flat: string[] = [];
      for (const r of input.results) {
        flat.push(
          String(r.id),
          String(r.run),
          r.outcome,
          String(r.startedOn),
          String(r.endedOn),
          r.nextStartOn === null ? '' : String(r.nextStartOn),
          String(r.attempts),
          String(r.delay),
          r.error ?? '',
        );
      }
      const args = [
        input.now,
        input.owner,
        input.claim,
        input.spool,
        input.claimUntil ?? input.now,
        JSON.stringify(flat),
      ];
      const reply = (await run(SCRIPTS.step, args)) as string[];
      const [outs, shutdown, completed, claimed, nextDue, pending] = JSON.parse(reply[0]!) as [
        Array<string | number | false>,
        string | false,
        Array<number | string | false>,
        Array<number | string>,
        number | false,
        number,
      ];
      // cjson writes an empty table as {}
      const list = <T>(v: T[]): T[] => (Array.isArray(v) ? v : []);
      const spool: SpoolOutcome[] = [];
      for (let i = 0, o = list(outs); i < o.length; i += 6) {
        const out: SpoolOutcome = {
          op: String(o[i]),
          result: o[i + 1] as SpoolOutcome['result'],
          id: o[i + 2] === false ? null : Number(o[i + 2]),
          ref: o[i + 3] === false ? null : String(o[i + 3]),
        };
        if (o[i + 4] !== false) out.typeId = String(o[i + 4]);
        if (o[i + 5] !== false) out.message = String(o[i + 5]);
        spool.push(out);
      }
      const done: Completion[] = [];
      for (let i = 0, c = list(completed); i < c.length; i += 6) {
        done.push({
          id: Number(c[i]),
          accepted: c[i + 1] === 1,
          status: Number(c[i + 2]),
          index: c[i + 3] === false ? null : (c[i + 3] as Completion['index']),
          occurrence: c[i + 4] === false ? null : Number(c[i + 4]),
          requeuedAt: c[i + 5] === false ? null : Number(c[i + 5]),
        });
      }
      const tasks: StepOutput['claimed'] = [];
      for (let i = 0, k = list(claimed), j = 1; i < k.length; i += 8, j++) {
        tasks.push({
          id: k[i] as number,
          run: k[i + 1] as number,
          data: String(reply[j] ?? ''),
          startOn: k[i + 2] as number,
          occurrences: k[i + 3] as number,
          startedOn: k[i + 4] as number,
          ref: k[i + 5] === '' ? `#${k[i]}` : String(k[i + 5]),
          kind: k[i + 6] === 'p' ? 'periodic' : 'oneshot',
          key: k[i + 7] === '' ? null : String(k[i + 7]),
        });
      }
      return {
        spool,
        shutdown: shutdown === false ? null : String(shutdown),
        completed: done,
        claimed: tasks,
        nextDue: nextDue === false ? null : nextDue,
        spoolPending: pending === 1,
      };
    },
    async heartbeat(id, run_, now) {
      return Number(await run(SCRIPTS.heartbeat, [id, run_, now])) === 1;
    },
    async terminate(id, run_, now, nextStartOn, reason) {
      return Number(await run(SCRIPTS.terminate, [id, run_, now, nextStartOn ?? '', reason])) === 1;
    },
    async recover(now, leaseMs, deadOwners) {
      return ((await run(SCRIPTS.recover, [now, leaseMs, ...deadOwners])) as number[]).map(Number);
    },
    async deadLetterTask(id, run_, reason, now) {
      await run(SCRIPTS.deadLetterTask, [id, run_, reason, now]);
    },
    async prune(now, options) {
      return Number(await run(SCRIPTS.prune, [now, options.maxAge ?? '', options.maxCount ?? '', 5000]));
    },
    async subscribe(listener) {
      const sub = redis.duplicate();
      subscribers.add(sub);
      sub.on('message', (channel: string) => {
        if (channel === keys.wakeChannel) listener();
      });
      sub.on('error', () => {});
      await sub.subscribe(keys.wakeChannel);
      return async () => {
        if (!subscribers.delete(sub)) return;
        sub.disconnect();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const s of subscribers) s.disconnect();
      subscribers.clear();
    },
  };
}
