import { type Authenticator, type Catalog, ExportApiError, isExportApiError } from '@indico/export-api';
import type { Redis } from 'ioredis';

/** Seconds a client is told to wait (`Retry-After`) while Redis is unreachable. */
export const OUTAGE_RETRY_AFTER_S = 5;

const CONNECTION_ERROR =
  /Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTCONN|Stream isn't writeable|Redis is not ready|Reached the max retries per request limit/i;

const DOWN = new Set(['close', 'reconnecting', 'end']);
/**
 * The connection to Redis was lost and is not back (embedded mode: never). A connection still being opened
 * (start-up) is not down: its commands wait in ioredis' offline queue.
 */
export function redisDown(redis: Redis | null): boolean {
  return redis !== null && DOWN.has(redis.status);
}

/**
 * The failure comes from Redis being unreachable: an ioredis connection error, or any unexpected error while
 * the connection is not ready. Errors of the export API itself (bad parameter, not found, ...) never are.
 */
export function isOutage(err: unknown, redis: Redis | null): boolean {
  if (!redis || isExportApiError(err)) return false;
  const e = err as { name?: unknown; message?: unknown } | null;
  if (e?.name === 'MaxRetriesPerRequestError') return true;
  return CONNECTION_ERROR.test(String(e?.message ?? '')) || redisDown(redis);
}

/** The export API's answer while Redis is unreachable: its JSON error envelope with 503 and Retry-After. */
export function unavailable(cause?: unknown): ExportApiError {
  return new ExportApiError('INTERNAL', 'Service temporarily unavailable (database unreachable); retry later', {
    status: 503,
    headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_S) },
    ...(cause === undefined ? {} : { cause }),
  });
}

const mapped = (redis: Redis) => (err: unknown) => {
  throw isOutage(err, redis) ? unavailable(err) : err;
};

async function* guardedIterable<T>(source: AsyncIterable<T>, redis: Redis): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (err) {
    mapped(redis)(err);
  }
}

/**
 * The catalog as the export handler sees it: while the connection is down every call fails at once with
 * `unavailable()` (no wait for ioredis' retries), and a connection failure during a call becomes the same
 * error. Embedded mode: the catalog itself.
 */
export function guardCatalog<C extends Catalog>(catalog: C, redis: Redis | null): C {
  if (!redis) return catalog;
  // A Proxy (not a copy of own properties) so that methods on a prototype are guarded too.
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(catalog, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function' || name === 'close') return value;
      let fn = wrapped.get(name);
      if (!fn) {
        fn = (...args: unknown[]) => {
          if (redisDown(redis)) {
            if (name === 'eventsInCategory') return guardedIterable(failing(), redis);
            return Promise.reject(unavailable());
          }
          const out = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (out && typeof (out as Promise<unknown>).then === 'function') {
            return (out as Promise<unknown>).catch(mapped(redis));
          }
          if (out && Symbol.asyncIterator in (out as object)) {
            return guardedIterable(out as AsyncIterable<unknown>, redis);
          }
          return out;
        };
        wrapped.set(name, fn);
      }
      return fn;
    },
  });
}

// biome-ignore lint/correctness/useYield: an iterable whose first step fails
async function* failing(): AsyncGenerator<never> {
  throw unavailable();
}

/** The authenticator (API keys, replay store on Redis) with the same fast failure and mapping. */
export function guardAuthenticator(auth: Authenticator, redis: Redis | null): Authenticator {
  if (!redis) return auth;
  return async (input) => {
    if (redisDown(redis)) throw unavailable();
    return auth(input).catch(mapped(redis));
  };
}
