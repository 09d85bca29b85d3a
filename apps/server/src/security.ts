import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { redisDown } from './outage.js';

/** The headers helmet would set for an API plus a few server-rendered pages. */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('X-DNS-Prefetch-Control', 'off');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    next();
  };
}

export interface FailureLimiterOptions {
  /** Failures allowed per IP inside `windowMs`; the next request from that IP gets 429. */
  limit: number;
  windowMs?: number;
  clock?: { now(): number };
  /** Bound on tracked IPs so a scan of spoofed sources cannot grow memory without limit. */
  maxTrackedIps?: number;
}

/** Where failed authentications are counted: this process (`AuthFailureLimiter`) or Redis (shared). */
export interface FailureCounter {
  /** Milliseconds until `ip` may try again, or 0 when it is not blocked. */
  retryAfterMs(ip: string): number | Promise<number>;
  recordFailure(ip: string): void | Promise<void>;
}

/**
 * Refuses requests from a blocked IP (429 + Retry-After), and counts every 401/403 answered. The failure is
 * counted before the response goes out, so a client cannot send its next attempt before the count includes
 * the last one. A counter that fails (Redis unreachable) lets requests through: they meet the outage answer.
 */
export function failureLimitMiddleware(counter: FailureCounter): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    Promise.resolve()
      .then(() => counter.retryAfterMs(ip))
      .catch(() => 0)
      .then((wait) => {
        if (wait > 0) {
          res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
          res.status(429).json({
            message: 'Too many failed authentication attempts; try again later',
            _type: 'HTTPAPIError',
            _fossil: 'hTTPAPIError',
          });
          return;
        }
        const end = res.end.bind(res) as (...args: unknown[]) => Response;
        res.end = ((...args: unknown[]) => {
          if (res.statusCode !== 401 && res.statusCode !== 403) return end(...args);
          Promise.resolve()
            .then(() => counter.recordFailure(ip))
            .catch(() => {})
            .then(() => end(...args));
          return res;
        }) as Response['end'];
        next();
      });
  };
}

/**
 * Counts failed authentications per client IP in a fixed window, in this process only: with several
 * server processes use `RedisAuthFailureLimiter` (chosen automatically when REDIS_URL is set).
 */
export class AuthFailureLimiter implements FailureCounter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: { now(): number };
  readonly #max: number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(options: FailureLimiterOptions) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#clock = options.clock ?? Date;
    this.#max = options.maxTrackedIps ?? 100_000;
  }

  #current(ip: string) {
    const w = this.#windows.get(ip);
    if (w && this.#clock.now() - w.start < this.#windowMs) return w;
    if (w) this.#windows.delete(ip);
    return undefined;
  }

  /** Milliseconds until `ip` may try again, or 0 when it is not blocked. */
  retryAfterMs(ip: string): number {
    const w = this.#current(ip);
    if (!w || w.count < this.#limit) return 0;
    return w.start + this.#windowMs - this.#clock.now();
  }

  recordFailure(ip: string): void {
    const w = this.#current(ip);
    if (w) {
      w.count++;
      return;
    }
    if (this.#windows.size >= this.#max) {
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
    this.#windows.set(ip, { start: this.#clock.now(), count: 1 });
  }

  middleware(): RequestHandler {
    return failureLimitMiddleware(this);
  }
}

/**
 * The same fixed window in Redis, shared by every server process of one prefix: one counter per IP
 * (`<prefix>{authfail}:<ip>`), incremented and given its expiry in one MULTI (INCR, then PEXPIRE NX: the
 * window starts at the first failure and is not extended by later ones). Time is Redis' own (key TTL).
 */
export class RedisAuthFailureLimiter implements FailureCounter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(options: { redis: Redis; prefix: string; limit: number; windowMs?: number }) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#limit = options.limit;
    this.#windowMs = options.windowMs ?? 60_000;
  }

  key(ip: string): string {
    return `${this.#prefix}{authfail}:${ip}`;
  }

  async retryAfterMs(ip: string): Promise<number> {
    // Redis unreachable: no wait for ioredis' retries; the request goes on to the outage answer (503).
    if (redisDown(this.#redis)) return 0;
    // Every request asks, so one GET; the expiry is read only for a blocked address.
    const count = Number((await this.#redis.get(this.key(ip))) ?? 0);
    if (count < this.#limit) return 0;
    const ttl = await this.#redis.pttl(this.key(ip));
    if (ttl === -2) return 0; // the window ended between the two reads
    // a counter without expiry cannot happen (same MULTI); treat it as a full window
    return ttl > 0 ? ttl : this.#windowMs;
  }

  async recordFailure(ip: string): Promise<void> {
    if (redisDown(this.#redis)) return;
    const res = await this.#redis.multi().incr(this.key(ip)).pexpire(this.key(ip), this.#windowMs, 'NX').exec();
    const failed = res?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  middleware(): RequestHandler {
    return failureLimitMiddleware(this);
  }
}

/** The shared Redis limiter when the runtime has Redis, the in-process one otherwise. */
export function createAuthFailureLimiter(options: {
  redis: Redis | null;
  prefix: string;
  limit: number;
  windowMs?: number;
  clock?: { now(): number };
}): AuthFailureLimiter | RedisAuthFailureLimiter {
  const { redis, prefix, limit, windowMs, clock } = options;
  return redis
    ? new RedisAuthFailureLimiter({ redis, prefix, limit, ...(windowMs ? { windowMs } : {}) })
    : new AuthFailureLimiter({ limit, ...(windowMs ? { windowMs } : {}), ...(clock ? { clock } : {}) });
}
