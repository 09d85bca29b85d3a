/**
 * `REDIS_URL` forms the server accepts, and the ioredis connection for each:
 *
 * - `redis://[[user]:password@]host[:port][/db]` and `rediss://…` (TLS): one Redis server.
 * - `redis-sentinel://[[user]:password@]host[:port][,host[:port]…]/<master name>[?db=N&sentinelPassword=…]`:
 *   a Redis Sentinel group. The hosts are sentinels (port 26379 when left out), the path is the name the
 *   sentinels monitor, user and password are those of the Redis master (and replicas). ioredis asks the
 *   sentinels for the master, reconnects to the new one after a failover, and (failoverDetector) drops its
 *   connection as soon as a sentinel announces `+switch-master`, so no write goes on to the demoted master.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';

export interface SentinelTarget {
  sentinels: { host: string; port: number }[];
  name: string;
  username?: string;
  password?: string;
  sentinelPassword?: string;
  db?: number;
}

const SENTINEL_SCHEME = 'redis-sentinel://';
const DEFAULT_SENTINEL_PORT = 26379;

const decode = (s: string, what: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new TypeError(`${what} is not valid percent-encoding`);
  }
};

function parseHost(spec: string): { host: string; port: number } {
  // [v6]:port, [v6], host:port, host
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(spec);
  if (!m) throw new TypeError(`sentinel address "${spec}" is not host[:port]`);
  const port = m[3] === undefined ? DEFAULT_SENTINEL_PORT : Number(m[3]);
  if (port < 1 || port > 65535) throw new TypeError(`sentinel address "${spec}": port out of range`);
  return { host: (m[1] ?? m[2]) as string, port };
}

/** Parses a `redis-sentinel://` URL; throws a TypeError that says what is wrong. */
export function parseSentinelUrl(url: string): SentinelTarget {
  if (!url.startsWith(SENTINEL_SCHEME)) throw new TypeError(`expected ${SENTINEL_SCHEME}…`);
  const m = /^([^/?#]*)\/([^/?#]*)(?:\?([^#]*))?$/.exec(url.slice(SENTINEL_SCHEME.length));
  if (!m) throw new TypeError('expected redis-sentinel://host:port[,host:port…]/<master name>');
  const [, authority = '', rawName = '', query] = m;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hosts = at >= 0 ? authority.slice(at + 1) : authority;
  if (!hosts) throw new TypeError('no sentinel address (expected host:port[,host:port…])');
  const sentinels = hosts.split(',').map(parseHost);
  const name = decode(rawName, 'the master name');
  if (!/^[\w.:-]{1,128}$/.test(name)) {
    throw new TypeError('the path must be the master name the sentinels monitor (letters, digits, _ . : -)');
  }
  const target: SentinelTarget = { sentinels, name };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const username = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'the user name');
    const password = colon >= 0 ? decode(userinfo.slice(colon + 1), 'the password') : '';
    if (colon < 0) {
      // `redis-sentinel://secret@host/…` is read as a password, like redis:// URLs in ioredis.
      if (username) target.password = username;
    } else {
      if (username) target.username = username;
      if (password) target.password = password;
    }
  }
  for (const [key, value] of new URLSearchParams(query ?? '')) {
    if (key === 'db') {
      if (!/^\d{1,5}$/.test(value)) throw new TypeError('db must be a database number');
      target.db = Number(value);
    } else if (key === 'sentinelPassword') {
      target.sentinelPassword = value;
    } else {
      throw new TypeError(`unknown parameter "${key}" (known: db, sentinelPassword)`);
    }
  }
  return target;
}

/** zod schema of `REDIS_URL`: one of the three forms above, a sentinel URL checked in full. */
export const redisUrlSchema = z.string().superRefine((url, ctx) => {
  if (/^rediss?:\/\//.test(url)) return;
  if (!url.startsWith(SENTINEL_SCHEME)) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected redis://…, rediss://… or redis-sentinel://host:port[,host:port…]/<master name>',
    });
    return;
  }
  try {
    parseSentinelUrl(url);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `redis-sentinel URL: ${(err as Error).message}` });
  }
});

/** ioredis options for a Sentinel group (merged under `options`). */
export function sentinelOptions(target: SentinelTarget, options: RedisOptions = {}): RedisOptions {
  return {
    sentinels: target.sentinels,
    name: target.name,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(target.db !== undefined ? { db: target.db } : {}),
    failoverDetector: true,
    ...options,
  };
}

/** A connection for any `REDIS_URL` form (not connected yet: ioredis connects in the background). */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  if (!url.startsWith(SENTINEL_SCHEME)) return new Redis(url, options);
  const redis = new Redis(sentinelOptions(parseSentinelUrl(url), options));
  // ioredis 6 leaves the failover detector's sentinel subscriptions open after quit(), which keeps the
  // process alive (a CLI command would never exit). Once the connection has ended for good, disconnect()
  // closes them too.
  redis.on('end', () => redis.disconnect());
  return redis;
}

/**
 * A `redis://` URL of the current master for any `REDIS_URL` (unchanged unless it is a sentinel URL), for tools
 * that take one address, such as the package CLIs. Asks the sentinels in turn; throws when none knows the master.
 * The answer is only right until the next failover.
 */
export async function currentMasterUrl(url: string, timeoutMs = 2000): Promise<string> {
  if (!url.startsWith(SENTINEL_SCHEME)) return url;
  const target = parseSentinelUrl(url);
  const errors: string[] = [];
  for (const s of target.sentinels) {
    const sentinel = new Redis({
      host: s.host,
      port: s.port,
      ...(target.sentinelPassword ? { password: target.sentinelPassword } : {}),
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    sentinel.on('error', () => {});
    try {
      await sentinel.connect();
      const addr = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', target.name)) as [string, string] | null;
      if (!addr) {
        errors.push(`${s.host}:${s.port}: does not know ${target.name}`);
        continue;
      }
      const host = addr[0].includes(':') ? `[${addr[0]}]` : addr[0];
      const auth =
        target.username || target.password
          ? `${encodeURIComponent(target.username ?? '')}:${encodeURIComponent(target.password ?? '')}@`
          : '';
      return `redis://${auth}${host}:${addr[1]}${target.db !== undefined ? `/${target.db}` : ''}`;
    } catch (err) {
      errors.push(`${s.host}:${s.port}: ${(err as Error).message}`);
    } finally {
      sentinel.disconnect();
    }
  }
  throw new Error(`no sentinel named the master of ${target.name} (${errors.join('; ')})`);
}
